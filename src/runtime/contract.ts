/**
 * The contract between synth time (the construct) and run time (the program the
 * destroy-time provisioner runs). Both sides import this module; it imports nothing,
 * so it can ship inside the runtime bundle.
 */

/** Environment variable names. Credentials use the names Huawei's own Terraform provider uses. */
export const ENV = {
  /** Access key ID. Fallbacks: HUAWEICLOUD_SDK_AK, OS_ACCESS_KEY. */
  accessKey: "HW_ACCESS_KEY",
  /** Secret access key. Fallbacks: HUAWEICLOUD_SDK_SK, OS_SECRET_KEY. */
  secretKey: "HW_SECRET_KEY",
  /** Security token of temporary credentials. Fallback: HUAWEICLOUD_SDK_SECURITY_TOKEN. */
  securityToken: "HW_SECURITY_TOKEN",
  /** Region name, e.g. cn-north-4. */
  region: "HW_REGION_NAME",
  /** Project ID (32 hex characters in practice). Fallback: HUAWEICLOUD_SDK_PROJECT_ID. */
  projectId: "HW_PROJECT_ID",
  /** Domain override (e.g. myhuaweicloud.eu), as the Huawei Terraform provider reads it. */
  cloud: "HW_CLOUD",
  /** Full Workspace endpoint URL; aims the program at another endpoint such as the emulator. */
  endpoint: "HW_WORKSPACE_ENDPOINT",
  /** Full IAM endpoint URL (project lookup). Fallback: HUAWEICLOUD_SDK_IAM_ENDPOINT. */
  iamEndpoint: "HW_IAM_ENDPOINT",
  /** How long to wait for the cancellation job, e.g. "1800s" or "30m". */
  jobTimeout: "HW_WORKSPACE_JOB_TIMEOUT",
  /** How long to wait for remaining desktops to go; "0s" fails at once. */
  desktopWait: "HW_WORKSPACE_DESKTOP_WAIT",
  /** UNSUBSCRIBE or RETAIN. */
  deletionPolicy: "HW_WORKSPACE_DELETION_POLICY",
  /** JSON of the service to open on create ({@link SubscriptionSpec}); absent: create only checks that the service is SUBSCRIBED. */
  subscription: "HW_WORKSPACE_SUBSCRIPTION",
  /** The subcommand to run when none is given on the command line (how the provisioner picks one). */
  command: "HW_WORKSPACE_COMMAND",
  /** Maximum retries of a throttled or failed read, as HW_MAX_RETRIES in Huawei's provider. */
  maxRetries: "HW_MAX_RETRIES",
} as const;

/** Fallback names, tried in order after the primary name. */
export const ENV_FALLBACKS: Readonly<Record<string, readonly string[]>> = {
  [ENV.accessKey]: ["HUAWEICLOUD_SDK_AK", "OS_ACCESS_KEY"],
  [ENV.secretKey]: ["HUAWEICLOUD_SDK_SK", "OS_SECRET_KEY"],
  [ENV.securityToken]: ["HUAWEICLOUD_SDK_SECURITY_TOKEN", "OS_SECURITY_TOKEN"],
  [ENV.projectId]: ["HUAWEICLOUD_SDK_PROJECT_ID", "OS_PROJECT_ID"],
  [ENV.region]: ["OS_REGION_NAME"],
  [ENV.iamEndpoint]: ["HUAWEICLOUD_SDK_IAM_ENDPOINT"],
};

/**
 * Keys of `null_resource.triggers`. Any change of a trigger value replaces the resource,
 * and a replacement runs the destroy step (= unsubscribe), so only the identity of the
 * subscription may live here.
 */
export const TRIGGER_KEYS = {
  projectId: "project_id",
  region: "region",
} as const;

/** A Huawei Cloud region name, e.g. cn-north-4, ap-southeast-1, eu-west-101. */
export const REGION_PATTERN = /^[a-z]{2,}(-[a-z]+)+-\d+$/;
/** A project ID as the console shows it. The API allows 1-255 characters; every real one is 32 lower-case hex. */
export const PROJECT_ID_PATTERN = /^[0-9a-f]{32}$/;

/** What destroy does with the subscription. */
export const DELETION_POLICIES = ["UNSUBSCRIBE", "RETAIN"] as const;
export type DeletionPolicyValue = (typeof DELETION_POLICIES)[number];

/** Exit codes of the `workspace-subscription` program. Documented in the README. */
export const EXIT = {
  /** Unsubscribed, already unsubscribed, or retained by policy. */
  ok: 0,
  /** An unexpected internal error; the message says what changed. */
  internal: 1,
  /** Bad input: a flag, an environment variable or a value is missing or malformed. */
  badInput: 2,
  /** Credentials or permission refused (HTTP 401/403). */
  authRefused: 3,
  /** Desktops remain: nothing was cancelled. */
  desktopsRemain: 4,
  /** The cancellation job failed. */
  jobFailed: 5,
  /** A deadline passed (job timeout or desktop wait). */
  timedOut: 6,
  /** Interrupted by SIGINT or SIGTERM. */
  interrupted: 7,
  /** The API answered something the program cannot act on (unreachable, 4xx/5xx, not JSON). */
  apiError: 8,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Subcommands of the program; the destroy step runs `unsubscribe`, the create step `subscribe`. */
export const COMMANDS = {
  unsubscribe: "unsubscribe",
  subscribe: "subscribe",
  status: "status",
  emulator: "emulator",
} as const;

/**
 * The service to open, as the create step receives it in HW_WORKSPACE_SUBSCRIPTION.
 * `body` is the ApplyWorkspace request body without any secret; the AD domain
 * password is read at run time from the environment variable `domainPasswordEnv` names.
 */
export interface SubscriptionSpec {
  readonly body: Record<string, unknown>;
  readonly domainPasswordEnv?: string;
}

/** Name of the single-file runtime the construct ships into the stack as an asset. */
export const RUNTIME_BUNDLE_FILE = "workspace-subscription.js";
