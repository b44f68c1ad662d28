/**
 * Names shared by the stand-in process and the helper that wires it into
 * Terraform.
 */

/** Terraform's address for the provider this stand-in replaces. */
export const PROVIDER_SOURCE = "hashicorp/null";

/** File name Terraform looks for in a dev_overrides folder. */
export const PROVIDER_EXECUTABLE = "terraform-provider-null";

/**
 * When set to a file path, every RPC the stand-in receives is appended there
 * as "<pid> <rpc name>". For tests and debugging only.
 */
export const RPC_LOG_ENV = "NULL_STANDIN_RPC_LOG";
