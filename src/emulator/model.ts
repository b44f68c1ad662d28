/**
 * The emulated cloud: projects, their Workspace service, desktops and jobs, and the rules of
 * the service's state machine. Knows nothing of HTTP: handlers call it with parsed input and
 * get back either a body or an error answer.
 *
 * Time-driven changes (a job ending, a desktop vanishing) are applied lazily by `settle`
 * whenever a project is looked at; the result is the same as if timers had fired.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { ERROR_CODES, ErrorAnswer, workspaceError } from "./errors";
import {
  InternalJobKind,
  JobRecord,
  defaultErrorCode,
  defaultFailReason,
  failCodeFrom,
  formatJobTime,
  jobPercent,
  jobProgress,
  jobView,
  subJobMessages,
  subJobViews,
} from "./jobs";
import {
  DesktopSeed,
  JOB_OUTCOMES,
  JobPlan,
  SERVICE_STATUSES,
  ServiceStatus,
  ServiceStatusExtras,
  TenantSeed,
  TenantSnapshot,
} from "./types";

export const DEFAULT_REGION = "cn-north-4";
const DEMO_DOMAIN_ID = "d78cbac186b744899480f25bd022f468";
const MAX_ID_LENGTH = 255;

interface Desktop {
  readonly desktopId: string;
  readonly computerName: string;
  readonly status: string;
  readonly taskStatus: string;
  readonly userName: string | undefined;
  readonly desktopType: string;
  readonly ipAddress: string;
  readonly createdMs: number;
  readonly goneAtMs: number | undefined;
  readonly sid: string;
}

interface Tenant {
  readonly projectId: string;
  readonly region: string;
  readonly projectName: string;
  readonly domainId: string;
  /** Seeded tenants are IAM projects; tenants created by a bare POST are not listed by IAM. */
  readonly seeded: boolean;
  status: ServiceStatus;
  serviceId: string;
  jobId: string;
  progress: string;
  failCode: number | undefined;
  failReason: string | undefined;
  closableOverride: boolean | undefined;
  accessMode: string;
  accessStatus: string;
  enterpriseId: string;
  domainType: string;
  vpcId: string;
  subnetIds: string[];
  isSendEmail: boolean;
  internetAccessPort: string;
  desktops: Desktop[];
  /** The job whose end changes this service; undefined once applied or detached. */
  activeJobId: string | undefined;
  plans: Partial<Record<"cancel" | "apply", JobPlan>>;
  desktopCounter: number;
}

export interface ListPage {
  readonly limit: number;
  readonly offset: number;
}

export interface DesktopFilter {
  readonly desktopType?: string;
  readonly userName?: string;
  readonly computerName?: string;
  readonly desktopIp?: string;
  readonly status?: string;
  readonly desktopIds?: ReadonlyArray<string>;
}

export interface SubJobFilter {
  readonly jobId?: string;
  readonly jobType?: string;
  readonly statuses?: ReadonlyArray<string>;
}

export type Outcome = { readonly status: number; readonly body: Record<string, unknown> } | ErrorAnswer;

export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString("hex");
}

function isDeleted(desktop: Desktop): boolean {
  return desktop.status.toUpperCase() === "DELETED";
}

function requireProjectId(projectId: string): void {
  if (typeof projectId !== "string" || projectId.length < 1 || projectId.length > MAX_ID_LENGTH || projectId.includes("/")) {
    throw new Error(`project ID must be 1-${MAX_ID_LENGTH} characters without "/", got ${JSON.stringify(projectId)}`);
  }
}

function requireStatus(status: string): asserts status is ServiceStatus {
  if (!(SERVICE_STATUSES as readonly string[]).includes(status)) {
    throw new Error(`service status must be one of ${SERVICE_STATUSES.join(", ")}, got ${JSON.stringify(status)}`);
  }
}

/** Seeds also arrive as JSON over the control API, so their field types are checked at run time. */
function requireFieldTypes(what: string, seed: object, types: Readonly<Record<string, "string" | "boolean" | "number">>): void {
  if (typeof seed !== "object" || seed === null) throw new Error(`${what} must be an object`);
  for (const [name, type] of Object.entries(types)) {
    const value = (seed as Record<string, unknown>)[name];
    if (value !== undefined && typeof value !== type) throw new Error(`${what}.${name} must be a ${type}, got ${JSON.stringify(value)}`);
  }
}

function requireDuration(name: string, value: number | undefined): void {
  if (value !== undefined && (!Number.isFinite(value) || value < 0)) {
    throw new Error(`${name} must be a non-negative number of milliseconds, got ${JSON.stringify(value)}`);
  }
}

export class WorkspaceCloud {
  private readonly tenants = new Map<string, Tenant>();
  private readonly jobs = new Map<string, JobRecord>();

  constructor(
    private readonly now: () => number,
    private readonly defaultJobDurationMs: number,
  ) {}

  reset(): void {
    this.tenants.clear();
    this.jobs.clear();
  }

  // ---- control ----

  addTenant(projectId: string, seed: TenantSeed = {}): TenantSnapshot {
    requireProjectId(projectId);
    requireFieldTypes("tenant seed", seed, {
      region: "string",
      projectName: "string",
      closable: "boolean",
      enterpriseId: "string",
      accessMode: "string",
      domainType: "string",
      domainId: "string",
      vpcId: "string",
      failCode: "number",
      failReason: "string",
      jobId: "string",
    });
    if (seed.subnetIds !== undefined && (!Array.isArray(seed.subnetIds) || seed.subnetIds.some((s) => typeof s !== "string"))) {
      throw new Error("tenant seed.subnetIds must be an array of strings");
    }
    if (this.tenants.get(projectId)?.seeded) {
      throw new Error(`project ${projectId} is already seeded; call reset() first to start over`);
    }
    const status = seed.status ?? "SUBSCRIBED";
    requireStatus(status);
    const region = seed.region ?? DEFAULT_REGION;
    const tenant = this.newTenant(projectId, true, region, seed.projectName ?? region, seed.domainId ?? DEMO_DOMAIN_ID);
    tenant.status = status;
    tenant.serviceId = status === "CLOSED" ? "" : randomHex(16);
    tenant.closableOverride = seed.closable;
    tenant.enterpriseId = seed.enterpriseId ?? "";
    tenant.accessMode = seed.accessMode ?? "INTERNET";
    tenant.domainType = seed.domainType ?? "LITE_AS";
    tenant.vpcId = seed.vpcId ?? (status === "CLOSED" ? "" : randomUUID());
    tenant.subnetIds = seed.subnetIds ? [...seed.subnetIds] : status === "CLOSED" ? [] : [randomUUID()];
    tenant.failCode = seed.failCode;
    tenant.failReason = seed.failReason;
    tenant.jobId = seed.jobId ?? "";
    tenant.progress = status === "CLOSED" ? "" : "100%";
    tenant.accessStatus = accessStatusFor(status);
    this.tenants.set(projectId, tenant);
    return this.snapshot(projectId);
  }

  addDesktop(projectId: string, seed: DesktopSeed = {}): string {
    const tenant = this.requireSeeded(projectId);
    requireFieldTypes("desktop seed", seed, { desktopId: "string", computerName: "string", status: "string", taskStatus: "string", userName: "string", desktopType: "string", ipAddress: "string" });
    requireDuration("deleteAfterMs", seed.deleteAfterMs);
    const desktopId = seed.desktopId ?? randomUUID();
    if (tenant.desktops.some((d) => d.desktopId === desktopId)) throw new Error(`desktop ${desktopId} already exists in project ${projectId}`);
    tenant.desktopCounter += 1;
    const n = tenant.desktopCounter;
    const now = this.now();
    tenant.desktops.push({
      desktopId,
      computerName: seed.computerName ?? `WKS-${String(n).padStart(4, "0")}`,
      status: seed.status ?? "ACTIVE",
      taskStatus: seed.taskStatus ?? (seed.deleteAfterMs !== undefined ? "deleting" : ""),
      userName: seed.userName,
      desktopType: seed.desktopType ?? "DEDICATED",
      ipAddress: seed.ipAddress ?? `10.0.${Math.floor(n / 250) % 250}.${(n % 250) + 2}`,
      createdMs: now,
      goneAtMs: seed.deleteAfterMs !== undefined ? now + seed.deleteAfterMs : undefined,
      sid: randomUUID(),
    });
    return desktopId;
  }

  removeDesktop(projectId: string, desktopId: string): boolean {
    const tenant = this.requireSeeded(projectId);
    const before = tenant.desktops.length;
    tenant.desktops = tenant.desktops.filter((d) => d.desktopId !== desktopId);
    return tenant.desktops.length !== before;
  }

  setJobPlan(projectId: string, plan: JobPlan): void {
    const tenant = this.requireSeeded(projectId);
    if (plan.kind !== "cancel" && plan.kind !== "apply") throw new Error(`job plan kind must be "cancel" or "apply", got ${JSON.stringify(plan.kind)}`);
    if (plan.outcome !== undefined && !(JOB_OUTCOMES as readonly string[]).includes(plan.outcome)) {
      throw new Error(`job plan outcome must be one of ${JOB_OUTCOMES.join(", ")}, got ${JSON.stringify(plan.outcome)}`);
    }
    requireDuration("durationMs", plan.durationMs);
    if (plan.statusSequence !== undefined && (!Array.isArray(plan.statusSequence) || plan.statusSequence.some((s) => typeof s !== "string"))) {
      throw new Error("job plan statusSequence must be an array of strings");
    }
    if (plan.serviceStatusAfter !== undefined) requireStatus(plan.serviceStatusAfter);
    tenant.plans[plan.kind] = { ...plan };
  }

  setServiceStatus(projectId: string, status: ServiceStatus, extra: ServiceStatusExtras = {}): TenantSnapshot {
    const tenant = this.requireSeeded(projectId);
    requireStatus(status);
    this.settle(tenant);
    tenant.activeJobId = undefined;
    tenant.status = status;
    if (status === "CLOSED") tenant.serviceId = "";
    else if (!tenant.serviceId) tenant.serviceId = randomHex(16);
    tenant.accessStatus = accessStatusFor(status);
    tenant.failCode = extra.failCode;
    tenant.failReason = extra.failReason;
    if (extra.jobId !== undefined) tenant.jobId = extra.jobId;
    if (extra.progress !== undefined) tenant.progress = extra.progress;
    if (extra.closable !== undefined) tenant.closableOverride = extra.closable ?? undefined;
    return this.snapshot(projectId);
  }

  snapshot(projectId: string): TenantSnapshot {
    const tenant = this.tenants.get(projectId);
    if (tenant) this.settle(tenant);
    const now = this.now();
    return {
      projectId,
      seeded: tenant?.seeded ?? false,
      region: tenant?.region ?? DEFAULT_REGION,
      projectName: tenant?.projectName ?? DEFAULT_REGION,
      service: this.serviceView(projectId),
      desktops: tenant ? tenant.desktops.map((d) => desktopDetailView(d, tenant)) : [],
      jobs: [...this.jobs.values()].filter((j) => j.projectId === projectId).map((j) => jobView(j, now)),
    };
  }

  // ---- the API ----

  /** GET /v2/{project_id}/workspaces. A project never seeded answers CLOSED with an empty id (the emulator's choice). */
  serviceView(projectId: string): Record<string, unknown> {
    const tenant = this.tenants.get(projectId);
    if (!tenant) return { id: "", status: "CLOSED", closable: false, job_id: "", progress: "", access_status: "init" };
    this.settle(tenant);
    const base: Record<string, unknown> = {
      id: tenant.serviceId,
      status: tenant.status,
      closable: this.closable(tenant),
      job_id: tenant.jobId,
      progress: tenant.progress,
      access_status: tenant.accessStatus,
    };
    if (tenant.failCode !== undefined) base.fail_code = tenant.failCode;
    if (tenant.failReason !== undefined) base.fail_reason = tenant.failReason;
    if (tenant.status === "CLOSED") return base;
    return {
      ...base,
      access_mode: tenant.accessMode,
      config_status: "0",
      ad_domains: { domain_type: tenant.domainType },
      vpc_id: tenant.vpcId,
      subnet_ids: tenant.subnetIds.map((subnet_id) => ({ subnet_id })),
      enterprise_id: tenant.enterpriseId,
      internet_access_port: tenant.internetAccessPort,
      internet_access_address: "https://127.0.0.1",
      is_send_email: tenant.isSendEmail,
      authorized_collect_log: false,
      authorized_hda_upgrade: false,
      dedicated_subnets: "",
      infrastructure_security_group: { id: stableUuid(tenant.projectId, "infra"), name: "WorkspaceManagerSecurityGroup" },
      desktop_security_group: { id: stableUuid(tenant.projectId, "desktop"), name: "WorkspaceUserSecurityGroup" },
    };
  }

  /** DELETE /v2/{project_id}/workspaces. */
  cancel(projectId: string): Outcome {
    const tenant = this.tenants.get(projectId);
    if (tenant) this.settle(tenant);
    if (!tenant || tenant.status === "CLOSED") {
      return workspaceError(400, ERROR_CODES.tenantNotFound, "The tenant does not exist or the service has been cancelled.");
    }
    const busy = this.conflict(tenant);
    if (busy) return busy;
    const remaining = tenant.desktops.filter((d) => !isDeleted(d)).length;
    if (remaining > 0) {
      return workspaceError(400, ERROR_CODES.resourcesRemain, `The service cannot be cancelled: ${remaining} desktop(s) remain. Delete them first.`);
    }
    if (tenant.closableOverride === false) {
      return workspaceError(400, ERROR_CODES.resourcesRemain, "The service cannot be cancelled: resources such as disks or application servers remain.");
    }
    const job = this.startJob(tenant, "cancel");
    tenant.status = "DEREGISTERING";
    tenant.accessStatus = "closing";
    return { status: 202, body: { job_id: job.id } };
  }

  /** POST /v2/{project_id}/workspaces with a validated body. */
  apply(projectId: string, request: ApplyRequest): Outcome {
    let tenant = this.tenants.get(projectId);
    if (tenant) this.settle(tenant);
    const busy = tenant && this.conflict(tenant);
    if (busy) return busy;
    if (tenant && tenant.status !== "CLOSED" && tenant.status !== "SUBSCRIPTION_FAILED") {
      return workspaceError(409, ERROR_CODES.alreadySubscribed, `The service is already subscribed (status ${tenant.status}).`);
    }
    if (!tenant) {
      tenant = this.newTenant(projectId, false, DEFAULT_REGION, DEFAULT_REGION, DEMO_DOMAIN_ID);
      this.tenants.set(projectId, tenant);
    }
    tenant.domainType = request.domainType;
    tenant.accessMode = request.accessMode ?? "INTERNET";
    tenant.enterpriseId = request.enterpriseId ?? "";
    tenant.vpcId = request.vpcId ?? randomUUID();
    tenant.subnetIds = request.subnetIds.length > 0 ? [...request.subnetIds] : [randomUUID()];
    tenant.isSendEmail = request.isSendEmail ?? false;
    const job = this.startJob(tenant, "apply");
    tenant.status = "PREPARING";
    tenant.serviceId = tenant.serviceId || randomHex(16);
    tenant.accessStatus = "init";
    return { status: 200, body: { job_id: job.id } };
  }

  /** PUT /v2/{project_id}/workspaces with a validated body. */
  update(projectId: string, request: UpdateRequest): Outcome {
    const tenant = this.tenants.get(projectId);
    if (tenant) this.settle(tenant);
    if (!tenant || tenant.status === "CLOSED") {
      return workspaceError(400, ERROR_CODES.tenantNotFound, "The tenant does not exist or the service has been cancelled.");
    }
    const busy = this.conflict(tenant);
    if (busy) return busy;
    if (request.accessMode !== undefined) tenant.accessMode = request.accessMode;
    if (request.enterpriseId !== undefined) tenant.enterpriseId = request.enterpriseId;
    if (request.subnetIds !== undefined) tenant.subnetIds = [...request.subnetIds];
    if (request.isSendEmail !== undefined) tenant.isSendEmail = request.isSendEmail;
    if (request.internetAccessPort !== undefined) tenant.internetAccessPort = request.internetAccessPort;
    const job = this.recordJob(tenant, "update", 0, "SUCCESS", undefined);
    return { status: 200, body: { job_id: job.id, enterprise_id: tenant.enterpriseId, dc_vnc_ip: "" } };
  }

  /** GET /v2/{project_id}/desktops (detail=false) and /desktops/detail (detail=true). */
  listDesktops(projectId: string, filter: DesktopFilter, page: ListPage, detail: boolean): Record<string, unknown> {
    const tenant = this.tenants.get(projectId);
    if (!tenant) return { total_count: 0, desktops: [] };
    this.settle(tenant);
    const matching = tenant.desktops.filter((d) => desktopMatches(d, filter));
    const pageItems = matching.slice(page.offset, page.offset + page.limit);
    return {
      total_count: matching.length,
      desktops: pageItems.map((d) => (detail ? desktopDetailView(d, tenant) : desktopListView(d))),
    };
  }

  showJob(projectId: string, jobId: string): Outcome {
    const job = this.jobs.get(jobId);
    if (!job || job.projectId !== projectId) {
      return workspaceError(404, ERROR_CODES.jobNotFound, `The job ${jobId} does not exist.`);
    }
    const tenant = this.tenants.get(projectId);
    if (tenant) this.settle(tenant);
    return { status: 200, body: jobView(job, this.now()) };
  }

  listSubJobs(projectId: string, filter: SubJobFilter, page: ListPage): Record<string, unknown> {
    const now = this.now();
    const all = [...this.jobs.values()]
      .filter((j) => j.projectId === projectId && (filter.jobId === undefined || j.id === filter.jobId))
      .flatMap((j) => subJobViews(j, now))
      .filter((s) => filter.jobType === undefined || s.job_type === filter.jobType)
      .filter((s) => !filter.statuses || filter.statuses.length === 0 || filter.statuses.includes(String(s.status)));
    return { total_count: all.length, jobs: all.slice(page.offset, page.offset + page.limit) };
  }

  /** Projects IAM lists: seeded tenants, in seeding order, optionally only those named `name`. */
  iamProjects(name: string | undefined): Array<{ id: string; name: string; domainId: string }> {
    return [...this.tenants.values()]
      .filter((t) => t.seeded && (name === undefined || t.projectName === name))
      .map((t) => ({ id: t.projectId, name: t.projectName, domainId: t.domainId }));
  }

  // ---- internals ----

  private newTenant(projectId: string, seeded: boolean, region: string, projectName: string, domainId: string): Tenant {
    return {
      projectId,
      region,
      projectName,
      domainId,
      seeded,
      status: "CLOSED",
      serviceId: "",
      jobId: "",
      progress: "",
      failCode: undefined,
      failReason: undefined,
      closableOverride: undefined,
      accessMode: "INTERNET",
      accessStatus: "init",
      enterpriseId: "",
      domainType: "LITE_AS",
      vpcId: "",
      subnetIds: [],
      isSendEmail: false,
      internetAccessPort: "443",
      desktops: [],
      activeJobId: undefined,
      plans: {},
      desktopCounter: 0,
    };
  }

  private requireSeeded(projectId: string): Tenant {
    const tenant = this.tenants.get(projectId);
    if (!tenant) throw new Error(`project ${projectId} is not seeded; call addTenant("${projectId}") first`);
    return tenant;
  }

  private closable(tenant: Tenant): boolean {
    if (tenant.closableOverride !== undefined) return tenant.closableOverride;
    if (tenant.activeJobId !== undefined) return false;
    if (tenant.status !== "SUBSCRIBED" && tenant.status !== "SUBSCRIPTION_FAILED" && tenant.status !== "DEREGISTRATION_FAILED") return false;
    return tenant.desktops.every(isDeleted);
  }

  private startJob(tenant: Tenant, kind: "cancel" | "apply"): JobRecord {
    const plan = tenant.plans[kind];
    delete tenant.plans[kind];
    const job = this.recordJob(tenant, kind, plan?.durationMs ?? this.defaultJobDurationMs, plan?.outcome ?? "SUCCESS", plan);
    tenant.activeJobId = job.id;
    tenant.jobId = job.id;
    // A new job starts from nothing: no progress yet, no failure of an earlier job.
    tenant.progress = "0%";
    tenant.failCode = undefined;
    tenant.failReason = undefined;
    return job;
  }

  /** 409 while a job runs or the service is between states; undefined when a change may start. */
  private conflict(tenant: Tenant): Outcome | undefined {
    if (tenant.activeJobId === undefined && !isTransient(tenant.status)) return undefined;
    return workspaceError(409, ERROR_CODES.operationConflict, "Another operation on the service is in progress. Try again later.");
  }

  private recordJob(tenant: Tenant, kind: InternalJobKind, durationMs: number, outcome: JobRecord["outcome"], plan: JobPlan | undefined): JobRecord {
    const errorCode = plan?.errorCode ?? defaultErrorCode(kind);
    const job: JobRecord = {
      id: randomUUID(),
      projectId: tenant.projectId,
      kind,
      beginMs: this.now(),
      durationMs,
      outcome,
      statusSequence: plan?.statusSequence ? [...plan.statusSequence] : [],
      errorCode,
      failReason: plan?.failReason ?? defaultFailReason(kind),
      failCode: plan?.failCode ?? failCodeFrom(errorCode),
      serviceStatusAfter: plan?.serviceStatusAfter,
      subJobs: subJobMessages(kind).map((message) => ({ id: randomUUID(), message })),
    };
    this.jobs.set(job.id, job);
    return job;
  }

  /** Applies whatever the clock says has happened since the tenant was last looked at. */
  private settle(tenant: Tenant): void {
    const now = this.now();
    tenant.desktops = tenant.desktops.filter((d) => d.goneAtMs === undefined || d.goneAtMs > now);
    if (tenant.activeJobId === undefined) return;
    const job = this.jobs.get(tenant.activeJobId);
    if (!job) {
      tenant.activeJobId = undefined;
      return;
    }
    const progress = jobProgress(job, now);
    if (!progress.finished) {
      tenant.progress = jobPercent(job, now);
      if (job.kind === "apply") tenant.status = progress.fraction < 0.3 ? "PREPARING" : "SUBSCRIBING";
      return;
    }
    tenant.activeJobId = undefined;
    tenant.progress = "100%";
    if (job.kind === "cancel") {
      const status = job.serviceStatusAfter ?? (progress.failed ? "DEREGISTRATION_FAILED" : "CLOSED");
      this.endJob(tenant, job, status, progress.failed);
    } else if (job.kind === "apply") {
      const status = job.serviceStatusAfter ?? (progress.failed ? "SUBSCRIPTION_FAILED" : "SUBSCRIBED");
      this.endJob(tenant, job, status, progress.failed);
    }
  }

  private endJob(tenant: Tenant, job: JobRecord, status: ServiceStatus, failed: boolean): void {
    tenant.status = status;
    tenant.accessStatus = accessStatusFor(status);
    if (status === "CLOSED") tenant.serviceId = "";
    if (failed) {
      tenant.failCode = job.failCode;
      tenant.failReason = job.failReason;
    }
  }
}

export interface ApplyRequest {
  readonly domainType: string;
  readonly accessMode?: string;
  readonly enterpriseId?: string;
  readonly vpcId?: string;
  readonly subnetIds: ReadonlyArray<string>;
  readonly isSendEmail?: boolean;
}

export interface UpdateRequest {
  readonly accessMode?: string;
  readonly enterpriseId?: string;
  readonly subnetIds?: ReadonlyArray<string>;
  readonly isSendEmail?: boolean;
  readonly internetAccessPort?: string;
}

function isTransient(status: ServiceStatus): boolean {
  return status === "PREPARING" || status === "SUBSCRIBING" || status === "DEREGISTERING";
}

function accessStatusFor(status: ServiceStatus): string {
  switch (status) {
    case "SUBSCRIBED":
    case "DEREGISTRATION_FAILED":
      return "openSuccess";
    case "SUBSCRIPTION_FAILED":
      return "openFail";
    case "DEREGISTERING":
      return "closing";
    case "CLOSED":
      return "closeSuccess";
    default:
      return "init";
  }
}

function desktopMatches(d: Desktop, f: DesktopFilter): boolean {
  const contains = (value: string | undefined, wanted: string) => (value ?? "").toLowerCase().includes(wanted.toLowerCase());
  if (f.desktopType && d.desktopType !== f.desktopType) return false;
  if (f.userName && !contains(d.userName, f.userName)) return false;
  if (f.computerName && !contains(d.computerName, f.computerName)) return false;
  if (f.desktopIp && d.ipAddress !== f.desktopIp) return false;
  if (f.status && d.status.toUpperCase() !== f.status.toUpperCase()) return false;
  if (f.desktopIds && f.desktopIds.length > 0 && !f.desktopIds.includes(d.desktopId)) return false;
  return true;
}

/** An item of GET /desktops: SimpleDesktopInfo, which has no status fields. */
function desktopListView(d: Desktop): Record<string, unknown> {
  const view: Record<string, unknown> = {
    desktop_id: d.desktopId,
    computer_name: d.computerName,
    ip_address: d.ipAddress,
    created: formatJobTime(d.createdMs),
    sid: d.sid,
    in_maintenance_mode: false,
    tags: [],
  };
  if (d.userName) {
    view.user_name = d.userName;
    view.user_group = "administrators";
    view.attach_user_infos = [{ type: "USER", user_name: d.userName }];
  }
  return view;
}

/** An item of GET /desktops/detail: DesktopDetailInfo. */
function desktopDetailView(d: Desktop, tenant: Tenant): Record<string, unknown> {
  const view: Record<string, unknown> = {
    desktop_id: d.desktopId,
    computer_name: d.computerName,
    desktop_type: d.desktopType,
    ip_addresses: [d.ipAddress],
    created: new Date(d.createdMs).toISOString(),
    status: d.status,
    task_status: d.taskStatus,
    login_status: d.userName ? "REGISTERED" : "UNREGISTER",
    attach_state: d.userName ? "ATTACHED" : "UNATTACH",
    availability_zone: `${tenant.region}a`,
    product_id: "workspace.x86.ultimate.large2",
    os_version: "10",
    sid: d.sid,
    tags: [],
  };
  if (d.userName) {
    view.user_name = d.userName;
    view.user_group = "administrators";
    view.attach_user_infos = [{ type: "USER", user_name: d.userName }];
  }
  return view;
}

/** A UUID-shaped ID that stays the same for a project, so repeated GETs agree. */
function stableUuid(projectId: string, salt: string): string {
  const hex = createHash("sha256").update(`${salt}:${projectId}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
