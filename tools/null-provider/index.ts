/**
 * Offline stand-in for the hashicorp/null Terraform provider, for this
 * project's tests and demo only. See README.md beside this file.
 */
export { DEFAULT_PROVIDER_VERSION, ensureStandInBuilt, prepareTerraformEnv } from "./src/terraform-env";
export type { PrepareTerraformEnvOptions, TerraformEnv } from "./src/terraform-env";
export { RPC_LOG_ENV } from "./src/contract";
