/**
 * Settings of one run, from command-line flags (which win) and the environment.
 * Credentials come only from the environment, never from flags: a flag would show in
 * the process list and in Terraform's error output.
 */
import { DELETION_POLICIES, DeletionPolicyValue, ENV, ENV_FALLBACKS, PROJECT_ID_PATTERN, REGION_PATTERN } from "./contract";
import { parseDurationSeconds } from "./duration";
import { badInput } from "./errors";
import { Credentials } from "./signer";

export type Env = Readonly<Record<string, string | undefined>>;

export interface RunSettings {
  /** Undefined: look it up from the region through IAM before the first Workspace call. */
  readonly projectId: string | undefined;
  readonly region: string;
  readonly endpoint: string;
  readonly credentials: Credentials;
  readonly jobTimeoutSeconds: number;
  readonly desktopWaitSeconds: number;
  readonly deletionPolicy: DeletionPolicyValue;
  readonly maxRetries: number;
  readonly json: boolean;
  readonly dryRun: boolean;
}

export const DEFAULT_JOB_TIMEOUT_SECONDS = 30 * 60;
export const DEFAULT_DESKTOP_WAIT_SECONDS = 0;
export const DEFAULT_MAX_RETRIES = 5;


/** Flags as parsed by the CLI; undefined means "not given". */
export interface Flags {
  readonly projectId?: string;
  readonly region?: string;
  readonly endpoint?: string;
  readonly jobTimeout?: string;
  readonly desktopWait?: string;
  readonly deletionPolicy?: string;
  readonly json?: boolean;
  readonly dryRun?: boolean;
}

/** The first non-empty value among a name and its fallbacks. */
export function readEnv(env: Env, name: string): string | undefined {
  for (const candidate of [name, ...(ENV_FALLBACKS[name] ?? [])]) {
    const value = env[candidate];
    if (value !== undefined && value.trim() !== "") return value.trim();
  }
  return undefined;
}

function describeNames(name: string): string {
  return [name, ...(ENV_FALLBACKS[name] ?? [])].join(" or ");
}

/** `https://workspace.{region}.myhuaweicloud.com`, `.eu` for eu-west-1*, HW_CLOUD overriding the domain. */
export function defaultEndpoint(service: "workspace" | "iam", region: string, cloudDomain?: string): string {
  const domain = cloudDomain ?? (region.startsWith("eu-west-1") ? "myhuaweicloud.eu" : "myhuaweicloud.com");
  return `https://${service}.${region}.${domain}`;
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

export function isLoopback(endpoint: string): boolean {
  const host = new URL(endpoint).hostname;
  return LOOPBACK_HOSTS.has(host) || host.startsWith("127.");
}

/**
 * The IAM endpoint for the project lookup: HW_IAM_ENDPOINT, else the Workspace endpoint
 * itself when that is on loopback (the emulator serves both), else the region's IAM.
 */
export function resolveIamEndpoint(env: Env, workspaceEndpoint: string, region: string): string {
  const explicit = readEnv(env, ENV.iamEndpoint);
  if (explicit) return checkEndpoint(explicit, ENV.iamEndpoint);
  if (isLoopback(workspaceEndpoint)) return workspaceEndpoint;
  return defaultEndpoint("iam", region, readEnv(env, ENV.cloud));
}

/** Parses an endpoint URL; plain http is accepted only on loopback (the emulator). */
export function checkEndpoint(value: string, source: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw badInput(`${source} is not a URL: "${value}". Give a URL such as https://workspace.cn-north-4.myhuaweicloud.com.`);
  }
  if (url.protocol === "http:" && !isLoopback(url.href)) {
    throw badInput(
      `${source} uses plain http on a non-loopback host (${url.host}); signed requests and security tokens must not cross a network unencrypted. Use https, or http only on 127.0.0.1 / ::1 for the emulator.`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw badInput(`${source} must be an http(s) URL, got "${value}".`);
  }
  if (url.pathname !== "/" || url.search) {
    throw badInput(`${source} must be a bare origin without a path or query (got "${value}"); the program adds /v2/{project_id}/... itself.`);
  }
  return url.origin;
}

function duration(flag: string | undefined, env: Env, name: string, flagName: string, fallback: number): number {
  const [raw, source] = flag !== undefined ? [flag, flagName] : [readEnv(env, name), name];
  if (raw === undefined) return fallback;
  const seconds = parseDurationSeconds(raw);
  if (seconds === undefined) {
    throw badInput(`${source} must be a duration in seconds, optionally with a unit (e.g. 900, 90s, 30m, 1h), got "${raw}".`);
  }
  return seconds;
}

/** Region and project ID, the identity of the subscription; shared by every subcommand. The project ID may be left to an IAM lookup. */
export function resolveIdentity(flags: Flags, env: Env): { projectId: string | undefined; region: string } {
  const region = flags.region ?? readEnv(env, ENV.region);
  const projectId = flags.projectId ?? readEnv(env, ENV.projectId);
  if (!region) throw badInput(`No region: pass --region or set ${describeNames(ENV.region)} (e.g. cn-north-4).`);
  if (!REGION_PATTERN.test(region)) throw badInput(`Region "${region}" is not a Huawei Cloud region name such as cn-north-4 or ap-southeast-1.`);
  if (!projectId) return { projectId: undefined, region };
  // Strict on purpose: an ID nobody owns reads CLOSED, so a typo would look like "already unsubscribed".
  if (!PROJECT_ID_PATTERN.test(projectId)) {
    const hint = PROJECT_ID_PATTERN.test(projectId.toLowerCase()) ? " Write it in lower case." : " Copy it from the console under My Credentials > API Credentials > Projects (the ID, not the name).";
    throw badInput(`Project ID "${projectId}" is malformed: expected 32 lower-case hexadecimal characters.${hint}`);
  }
  return { projectId, region };
}

export function resolveCredentials(env: Env): Credentials {
  const accessKey = readEnv(env, ENV.accessKey);
  const secretKey = readEnv(env, ENV.secretKey);
  const securityToken = readEnv(env, ENV.securityToken);
  const missing = [!accessKey && describeNames(ENV.accessKey), !secretKey && describeNames(ENV.secretKey)].filter(Boolean);
  if (missing.length > 0) {
    throw badInput(
      `Credentials missing: set ${missing.join(" and ")} in the environment of the process that runs this program (for a destroy, the environment of terraform / cdktf). They are never read from flags or from the stack.`,
    );
  }
  return { accessKey: accessKey!, secretKey: secretKey!, ...(securityToken ? { securityToken } : {}) };
}

export function resolveSettings(flags: Flags, env: Env): RunSettings {
  const policyRaw = (flags.deletionPolicy ?? readEnv(env, ENV.deletionPolicy) ?? "UNSUBSCRIBE").toUpperCase();
  if (!(DELETION_POLICIES as readonly string[]).includes(policyRaw)) {
    throw badInput(`Deletion policy must be one of ${DELETION_POLICIES.join(", ")}, got "${policyRaw}".`);
  }
  const deletionPolicy = policyRaw as DeletionPolicyValue;
  const { projectId, region } = resolveIdentity(flags, env);
  const endpointRaw = flags.endpoint ?? readEnv(env, ENV.endpoint);
  const endpoint = endpointRaw
    ? checkEndpoint(endpointRaw, flags.endpoint ? "--endpoint" : ENV.endpoint)
    : defaultEndpoint("workspace", region, readEnv(env, ENV.cloud));
  const maxRetriesRaw = readEnv(env, ENV.maxRetries);
  const maxRetries = maxRetriesRaw === undefined ? DEFAULT_MAX_RETRIES : Number(maxRetriesRaw);
  if (!Number.isInteger(maxRetries) || maxRetries < 0 || maxRetries > 20) {
    throw badInput(`${ENV.maxRetries} must be a whole number from 0 to 20, got "${maxRetriesRaw}".`);
  }
  return {
    projectId,
    region,
    endpoint,
    // RETAIN makes no API call, so it needs no credentials.
    credentials: deletionPolicy === "RETAIN" ? { accessKey: "", secretKey: "" } : resolveCredentials(env),
    jobTimeoutSeconds: duration(flags.jobTimeout, env, ENV.jobTimeout, "--job-timeout", DEFAULT_JOB_TIMEOUT_SECONDS),
    desktopWaitSeconds: duration(flags.desktopWait, env, ENV.desktopWait, "--desktop-wait", DEFAULT_DESKTOP_WAIT_SECONDS),
    deletionPolicy,
    maxRetries,
    json: flags.json ?? false,
    dryRun: flags.dryRun ?? false,
  };
}
