/**
 * The Workspace operations this program uses, with their answers read defensively:
 * field shapes vary in the field, so every value is checked before it is trusted.
 */
import { ApiClient } from "./http";

export type ServiceStatus =
  | "PREPARING"
  | "SUBSCRIBING"
  | "SUBSCRIBED"
  | "SUBSCRIPTION_FAILED"
  | "DEREGISTERING"
  | "DEREGISTRATION_FAILED"
  | "CLOSED";

export interface ServiceView {
  /** Upper-cased status as the service reports it (may be a value we do not know). */
  readonly status: string;
  readonly id?: string;
  readonly closable?: boolean;
  readonly jobId?: string;
  readonly progress?: string;
  readonly failCode?: string;
  readonly failReason?: string;
}

export interface DesktopView {
  readonly id: string;
  readonly name: string;
  readonly status: string;
  readonly taskStatus?: string;
}

export interface SubJobView {
  readonly id: string;
  readonly status: string;
  readonly errorCode?: string;
  readonly failReason?: string;
}

export interface JobView {
  readonly id: string;
  /** Upper-cased; may be empty or a value we do not know. */
  readonly status: string;
  readonly errorCode?: string;
  readonly failReason?: string;
  readonly subJobs: readonly SubJobView[];
  readonly subJobsTotal?: number;
  /** Mean of the sub-jobs' `process` percentages, when they report one. */
  readonly progressPercent?: number;
}

function obj(value: unknown): Record<string, unknown> {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function str(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

function nonEmpty(value: unknown): string | undefined {
  const s = str(value);
  return s && s.trim() ? s.trim() : undefined;
}

export function readService(body: unknown): ServiceView {
  const b = obj(body);
  const closable = typeof b.closable === "boolean" ? b.closable : b.closable === "true" ? true : b.closable === "false" ? false : undefined;
  return {
    status: (str(b.status) ?? "").trim().toUpperCase(),
    id: nonEmpty(b.id),
    closable,
    jobId: nonEmpty(b.job_id),
    progress: nonEmpty(b.progress),
    failCode: nonEmpty(b.fail_code),
    failReason: nonEmpty(b.fail_reason),
  };
}

export function readJob(body: unknown, fallbackId: string): JobView {
  const b = obj(body);
  const subJobsRaw = Array.isArray(b.sub_jobs) ? b.sub_jobs : [];
  const subJobs = subJobsRaw.map((s, i) => {
    const o = obj(s);
    return {
      id: nonEmpty(o.id) ?? `#${i + 1}`,
      status: (str(o.status) ?? "").trim().toUpperCase(),
      errorCode: nonEmpty(o.error_code),
      failReason: nonEmpty(o.fail_reason) ?? nonEmpty(o.message),
    };
  });
  const processes = subJobsRaw.map((s) => obj(s).process).filter((p): p is number => typeof p === "number" && p >= 0 && p <= 100);
  return {
    progressPercent: processes.length ? Math.floor(processes.reduce((a, p) => a + p, 0) / processes.length) : undefined,
    id: nonEmpty(b.id) ?? fallbackId,
    status: (str(b.status) ?? "").trim().toUpperCase(),
    errorCode: nonEmpty(b.job_error_code) ?? nonEmpty(b.error_code),
    failReason: nonEmpty(b.fail_reason),
    subJobs,
    subJobsTotal: typeof b.sub_jobs_total === "number" ? b.sub_jobs_total : undefined,
  };
}

/** Desktop records that are gone but still listed do not block a cancellation. */
export function isGone(desktop: DesktopView): boolean {
  return desktop.status.toUpperCase() === "DELETED";
}

export const DESKTOP_PAGE_SIZE = 1000;
/** Stops a listing whose pages never end (a server that ignores offset). */
const MAX_DESKTOP_PAGES = 200;

export class WorkspaceApi {
  constructor(
    readonly client: ApiClient,
    readonly projectId: string,
    private readonly pageSize: number = DESKTOP_PAGE_SIZE,
  ) {}

  private get base(): string {
    return `/v2/${encodeURIComponent(this.projectId)}`;
  }

  async showService(): Promise<ServiceView> {
    const res = await this.client.request("GET", `${this.base}/workspaces`, { retry: "read", projectScoped: true });
    return readService(res.body);
  }

  /** DELETE /workspaces. Never retried once it may have reached the server. */
  async cancel(): Promise<{ jobId?: string }> {
    const res = await this.client.request("DELETE", `${this.base}/workspaces`, { retry: "write", projectScoped: true });
    return { jobId: nonEmpty(obj(res.body).job_id) };
  }

  async showJob(jobId: string): Promise<JobView> {
    const res = await this.client.request("GET", `${this.base}/workspace-jobs/${encodeURIComponent(jobId)}`, {
      retry: "read",
      projectScoped: true,
    });
    return readJob(res.body, jobId);
  }

  /** Every page of `/desktops/detail` (it carries status and task_status; the plain list does not). */
  async listDesktops(): Promise<DesktopView[]> {
    const all: DesktopView[] = [];
    for (let page = 0, offset = 0; page < MAX_DESKTOP_PAGES; page++) {
      const res = await this.client.request("GET", `${this.base}/desktops/detail`, {
        retry: "read",
        projectScoped: true,
        query: [
          ["limit", String(this.pageSize)],
          ["offset", String(offset)],
        ],
      });
      const body = obj(res.body);
      const items = Array.isArray(body.desktops) ? body.desktops : [];
      for (const item of items) {
        const d = obj(item);
        all.push({
          id: nonEmpty(d.desktop_id) ?? "(no id)",
          name: nonEmpty(d.computer_name) ?? "(no name)",
          status: (str(d.status) ?? "").toUpperCase(),
          taskStatus: nonEmpty(d.task_status),
        });
      }
      offset += items.length;
      const total = typeof body.total_count === "number" ? body.total_count : undefined;
      if (items.length === 0 || (total !== undefined && offset >= total) || (total === undefined && items.length < this.pageSize)) {
        return all;
      }
    }
    throw new Error(`the desktop listing did not end after ${MAX_DESKTOP_PAGES} pages of ${this.pageSize}`);
  }
}
