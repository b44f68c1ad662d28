/**
 * The emulator's public vocabulary: options, the control API and the records it hands out.
 * Field names of HTTP bodies follow Huawei's API definitions (snake_case); the control API,
 * which is ours, uses camelCase in TypeScript and in its JSON.
 */

/** Operations the emulator answers, named as Huawei's API definitions name them. */
export const ROUTE_NAMES = [
  "ListWorkspaces",
  "CancelWorkspace",
  "ApplyWorkspace",
  "UpdateWorkspace",
  "ShowWorkspaceLock",
  "ListDesktops",
  "ListDesktopsDetail",
  "ShowJob",
  "ListSubJobs",
  "KeystoneListProjects",
] as const;
export type RouteName = (typeof ROUTE_NAMES)[number];

export const SERVICE_STATUSES = [
  "PREPARING",
  "SUBSCRIBING",
  "SUBSCRIBED",
  "SUBSCRIPTION_FAILED",
  "DEREGISTERING",
  "DEREGISTRATION_FAILED",
  "CLOSED",
] as const;
export type ServiceStatus = (typeof SERVICE_STATUSES)[number];

export const JOB_OUTCOMES = ["SUCCESS", "FAIL", "FAILED", "SUBJOB_FAILED", "NEVER_FINISHES"] as const;
/**
 * How a job ends. `FAIL` and `FAILED` are the literal final job statuses (Huawei's Terraform
 * provider spells it `FAIL`, other Workspace-family docs `FAILED`). `SUBJOB_FAILED`: the job
 * reports `SUCCESS` but one of its sub-jobs `FAILED`.
 */
export type JobOutcome = (typeof JOB_OUTCOMES)[number];
export type JobKind = "cancel" | "apply";

/** An access key pair the emulator accepts. A key with a `securityToken` is a temporary one. */
export interface EmulatorCredentials {
  readonly accessKey: string;
  readonly secretKey: string;
  readonly securityToken?: string;
}

export interface EmulatorOptions {
  /** TCP port; 0 picks a free one. @default 0 */
  readonly port?: number;
  /** Only `127.0.0.1`, `::1` or `localhost`: the emulator accepts any demo key, so it must never face a network. @default "127.0.0.1" */
  readonly host?: string;
  /** Accepted keys. @default [DEMO_CREDENTIALS] */
  readonly credentials?: ReadonlyArray<EmulatorCredentials>;
  /** Largest accepted distance between X-Sdk-Date and the emulator's clock. @default 900000 (15 min, as the gateway) */
  readonly clockSkewLimitMs?: number;
  /** The emulator's clock in epoch milliseconds; drives job progress, desktop removal, throttling and date checks. @default Date.now */
  readonly now?: () => number;
  /** Duration of a cancel or apply job when its plan gives none. @default 3000 */
  readonly jobDurationMs?: number;
  /** Reserved: the emulator gives no poll hints, clients choose their own interval. */
  readonly pollHint?: never;
  /** Access log sink, one line per request. Lines never carry a secret key, a signature or a token. */
  readonly log?: (line: string) => void;
}

export interface RunningEmulator {
  /** Base URL serving the Workspace paths, the IAM paths and the `/_emulator` control routes. */
  readonly url: string;
  readonly control: EmulatorControl;
  /** Closes the server and every open socket, and cancels pending fault delays. */
  stop(): Promise<void>;
}

export interface TenantSeed {
  /** @default "cn-north-4" */
  readonly region?: string;
  /** IAM project name; Huawei names a region's default project after the region. @default region */
  readonly projectName?: string;
  /** @default "SUBSCRIBED" */
  readonly status?: ServiceStatus;
  /** Forces the reported `closable`; `false` also makes DELETE refuse (models disks or app servers that remain). @default computed */
  readonly closable?: boolean;
  readonly enterpriseId?: string;
  /** @default "INTERNET" */
  readonly accessMode?: "INTERNET" | "DEDICATED" | "BOTH";
  /** @default "LITE_AS" */
  readonly domainType?: "LITE_AS" | "LOCAL_AD";
  /** IAM domain (account) ID of the project. @default a fixed demo domain */
  readonly domainId?: string;
  readonly vpcId?: string;
  readonly subnetIds?: ReadonlyArray<string>;
  /** For seeding a failed state. */
  readonly failCode?: number;
  readonly failReason?: string;
  /** The service's `job_id` as seeded. @default "" */
  readonly jobId?: string;
}

export interface DesktopSeed {
  /** @default a random UUID */
  readonly desktopId?: string;
  /** @default "WKS-" + a 4-digit sequence number */
  readonly computerName?: string;
  /** Any case; `DELETED` models a leftover that still lists. @default "ACTIVE" */
  readonly status?: string;
  /** e.g. "deleting". @default "" (or "deleting" when deleteAfterMs is given) */
  readonly taskStatus?: string;
  /** Omitted from answers when not given (the API's user_name has minLength 1). */
  readonly userName?: string;
  /** @default "DEDICATED" */
  readonly desktopType?: string;
  /** @default 10.0.x.y by sequence number */
  readonly ipAddress?: string;
  /** The desktop vanishes from listings this long after it was added: a desktop being deleted. */
  readonly deleteAfterMs?: number;
}

/** How the NEXT job of `kind` for a project behaves; consumed when that job starts. */
export interface JobPlan {
  readonly kind: JobKind;
  /** @default the emulator's jobDurationMs */
  readonly durationMs?: number;
  /** @default "SUCCESS" */
  readonly outcome?: JobOutcome;
  /** Job status values reported in order while the job runs, spread evenly over its duration; the last one stays. */
  readonly statusSequence?: ReadonlyArray<string>;
  /** `job_error_code` (and the failed sub-job's `error_code`). @default "WKS.EMU.0004" for cancel, "WKS.00000003" for apply */
  readonly errorCode?: string;
  readonly failReason?: string;
  /** The service's integer `fail_code` after a failure. @default the digits after the error code's last dot */
  readonly failCode?: number;
  /** Service status once the job ends, overriding the default for its outcome. */
  readonly serviceStatusAfter?: ServiceStatus;
}

/** Extra fields for setServiceStatus. */
export interface ServiceStatusExtras {
  readonly failCode?: number;
  readonly failReason?: string;
  readonly jobId?: string;
  readonly progress?: string;
  /** Forces the reported `closable` from now on; `null` goes back to computing it. */
  readonly closable?: boolean | null;
}

export interface FaultSpec {
  /** Only requests with this method (any case). @default any */
  readonly method?: string;
  /** A route name, or else a regular expression tested against the raw path. */
  readonly route: RouteName | string;
  /** Which matching call (1-based) is the first one to fault. @default 1 */
  readonly nth?: number;
  /** How many consecutive matching calls fault from `nth` on. @default 1 */
  readonly times?: number;
  /** Answer this status without processing the request. */
  readonly status?: number;
  /** Body of the faulted answer: a string as-is, an object as JSON. @default a plausible body for the status */
  readonly body?: string | object;
  /** Send an HTML error page (Content-Type text/html), as a proxy in front of the gateway would. */
  readonly html?: boolean;
  /** Wait this long before going on (alone: the request is then served normally). */
  readonly delayMs?: number;
  /** "before": close the socket without processing. "after": process the request (state changes!) then close the socket unanswered. */
  readonly drop?: "before" | "after";
  /** Process the request for real, then answer this status with a gateway-style body: "did it happen?" */
  readonly processThenStatus?: number;
  /** Adds a Retry-After header to the faulted answer. */
  readonly retryAfterSeconds?: number;
}

export interface ThrottleSpec {
  readonly ratePerSecond: number;
  /** Bucket size. @default max(1, ceil(ratePerSecond)) */
  readonly burst?: number;
}

/** One entry of the request log. Never holds a secret key, a signature or a token value. */
export interface RequestRecord {
  readonly seq: number;
  /** The emulator's clock at arrival (epoch ms). */
  readonly time: number;
  readonly method: string;
  /** Raw path as received, without the query. */
  readonly path: string;
  /** Decoded query; a repeated name's values joined with ",". */
  readonly query: Readonly<Record<string, string>>;
  readonly route: RouteName | undefined;
  /** HTTP status sent; 0 when the socket was dropped. */
  readonly status: number;
  readonly accessKey?: string;
  readonly signedHeaders?: ReadonlyArray<string>;
  readonly hadSecurityToken: boolean;
  readonly sdkDate?: string;
  /** Error code of an error answer (e.g. "APIGW.0301", "WKS.00010032"). */
  readonly errorCode?: string;
  /** The injected fault that shaped this answer, e.g. "status:503", "drop-after". */
  readonly fault?: string;
}

/** What the emulator holds for one project, as its own API would show it. */
export interface TenantSnapshot {
  readonly projectId: string;
  /** False for a project never seeded (it still answers, as CLOSED). */
  readonly seeded: boolean;
  readonly region: string;
  readonly projectName: string;
  /** The body GET /v2/{project_id}/workspaces returns now. */
  readonly service: Readonly<Record<string, unknown>>;
  /** Every listed desktop as /desktops/detail shows it, DELETED leftovers included. */
  readonly desktops: ReadonlyArray<Readonly<Record<string, unknown>>>;
  /** Every job of the project as ShowJob returns it, oldest first. */
  readonly jobs: ReadonlyArray<Readonly<Record<string, unknown>>>;
}

/** In-process control; the same operations are served over HTTP under `/_emulator/`. */
export interface EmulatorControl {
  addTenant(projectId: string, seed?: TenantSeed): TenantSnapshot;
  /** Returns the desktop ID. */
  addDesktop(projectId: string, seed?: DesktopSeed): string;
  /** Returns whether a desktop was removed. */
  removeDesktop(projectId: string, desktopId: string): boolean;
  setJobPlan(projectId: string, plan: JobPlan): void;
  /** Moves the service to `status` at once, e.g. "closed by other means". A running job is detached: it runs on but no longer changes the service. */
  setServiceStatus(projectId: string, status: ServiceStatus, extra?: ServiceStatusExtras): TenantSnapshot;
  /** Returns the fault's ID. Faults are checked in the order added; the first that fires wins. */
  injectFault(fault: FaultSpec): string;
  clearFaults(): void;
  /** A token bucket over all signed routes; `undefined` turns it off. */
  throttle(spec: ThrottleSpec | undefined): void;
  requests(): RequestRecord[];
  countOf(route: RouteName): number;
  /** Empties the request log and resets the route counters and the peak concurrency; `seq` keeps counting. */
  clearRequests(): void;
  state(projectId: string): TenantSnapshot;
  setCredentials(credentials: ReadonlyArray<EmulatorCredentials>): void;
  /** Back to the state right after start: no tenants, faults, throttle or log, `seq` from 1 again; the start credentials. */
  reset(): void;
  /** Most requests in flight at once since start (or the last clearRequests). */
  peakConcurrency(): number;
}
