/**
 * Jobs as pure functions of the clock: nothing is scheduled, every answer is computed from
 * `now` when asked. That keeps an injected clock trivial and leaves no timers behind.
 */
import { ERROR_CODES } from "./errors";
import type { JobKind, JobOutcome, ServiceStatus } from "./types";

/** `job_type` values; the first two are Huawei's, `updateWorkspace` is the emulator's own name. */
export const JOB_TYPES = { cancel: "cancelWorkspace", apply: "applyWorkspace", update: "updateWorkspace" } as const;
export type InternalJobKind = JobKind | "update";

export interface JobRecord {
  readonly id: string;
  readonly projectId: string;
  readonly kind: InternalJobKind;
  readonly beginMs: number;
  readonly durationMs: number;
  readonly outcome: JobOutcome;
  readonly statusSequence: ReadonlyArray<string>;
  readonly errorCode: string;
  readonly failReason: string;
  readonly failCode: number;
  readonly serviceStatusAfter: ServiceStatus | undefined;
  readonly subJobs: ReadonlyArray<{ readonly id: string; readonly message: string }>;
}

export type JobProgress =
  | { readonly finished: false; readonly fraction: number }
  | { readonly finished: true; readonly failed: boolean; readonly endMs: number };

/** The share of a waiting window at the start of a job while it reports WAITING. */
const WAITING_SHARE = 0.1;
const WAITING_MAX_MS = 1000;

export function jobProgress(job: JobRecord, now: number): JobProgress {
  const elapsed = Math.max(0, now - job.beginMs);
  if (job.outcome !== "NEVER_FINISHES" && elapsed >= job.durationMs) {
    return { finished: true, failed: job.outcome !== "SUCCESS", endMs: job.beginMs + job.durationMs };
  }
  const fraction = job.durationMs <= 0 ? 1 : Math.min(1, elapsed / job.durationMs);
  return { finished: false, fraction };
}

/** The job's `status` field now. */
export function jobStatus(job: JobRecord, now: number): string {
  const progress = jobProgress(job, now);
  if (progress.finished) {
    switch (job.outcome) {
      case "FAIL":
        return "FAIL";
      case "FAILED":
        return "FAILED";
      default:
        return "SUCCESS";
    }
  }
  if (job.statusSequence.length > 0) {
    const index = Math.min(job.statusSequence.length - 1, Math.floor(progress.fraction * job.statusSequence.length));
    return job.statusSequence[index];
  }
  const elapsed = now - job.beginMs;
  return elapsed < Math.min(WAITING_MAX_MS, job.durationMs * WAITING_SHARE) ? "WAITING" : "RUNNING";
}

/** The service's `progress` string while the job runs: grows with time, never 100% before the end. */
export function jobPercent(job: JobRecord, now: number): string {
  const progress = jobProgress(job, now);
  if (progress.finished) return "100%";
  return `${Math.min(99, Math.floor(progress.fraction * 100))}%`;
}

/** `2020-04-10 06:45:14`, in UTC, as the API's examples show job times. */
export function formatJobTime(ms: number): string {
  return new Date(ms).toISOString().replace("T", " ").replace(/\.\d{3}Z$/, "");
}

/**
 * The sub-jobs now. Each job has two: the first runs over the first half of the job, the
 * second over the second half. A failed outcome fails the second one.
 */
export function subJobViews(job: JobRecord, now: number): Array<Record<string, unknown>> {
  const progress = jobProgress(job, now);
  const jobType = JOB_TYPES[job.kind];
  const half = job.durationMs / 2;
  return job.subJobs.map((sub, index) => {
    const beginMs = job.beginMs + (index === 0 ? 0 : half);
    const endMs = job.beginMs + (index === 0 ? half : job.durationMs);
    const view: Record<string, unknown> = { id: sub.id, job_id: job.id, job_type: jobType, entities: {} };
    let status: string;
    let process: number;
    if (progress.finished) {
      const failedHere = index === job.subJobs.length - 1 && job.outcome !== "SUCCESS";
      status = failedHere ? "FAILED" : "SUCCESS";
      process = 100;
      view.begin_time = formatJobTime(beginMs);
      view.end_time = formatJobTime(endMs);
      if (failedHere) {
        view.error_code = job.errorCode;
        view.fail_reason = job.failReason;
      }
    } else {
      const local = index === 0 ? progress.fraction * 2 : progress.fraction * 2 - 1;
      if (local < 0 || (index === 0 && local < WAITING_SHARE)) {
        status = "WAITING";
        process = 0;
      } else if (local < 1) {
        status = "RUNNING";
        process = Math.floor(local * 100);
        view.begin_time = formatJobTime(beginMs);
      } else {
        status = "SUCCESS";
        process = 100;
        view.begin_time = formatJobTime(beginMs);
        view.end_time = formatJobTime(endMs);
      }
    }
    view.status = status;
    view.process = process;
    view.message = sub.message;
    return view;
  });
}

/** The ShowJob body now. */
export function jobView(job: JobRecord, now: number): Record<string, unknown> {
  const progress = jobProgress(job, now);
  const subJobs = subJobViews(job, now);
  const failedAtTop = progress.finished && (job.outcome === "FAIL" || job.outcome === "FAILED");
  return {
    id: job.id,
    job_type: JOB_TYPES[job.kind],
    begin_time: formatJobTime(job.beginMs),
    end_time: progress.finished ? formatJobTime(progress.endMs) : "",
    status: jobStatus(job, now),
    job_error_code: failedAtTop ? job.errorCode : "",
    fail_reason: failedAtTop ? job.failReason : "",
    sub_jobs_total: subJobs.length,
    sub_jobs: subJobs,
  };
}

export function defaultErrorCode(kind: InternalJobKind): string {
  return kind === "apply" ? ERROR_CODES.openJobFailed : ERROR_CODES.cancelJobFailed;
}

export function defaultFailReason(kind: InternalJobKind): string {
  return kind === "apply" ? "Failed to open the Workspace service (emulated failure)." : "Failed to cancel the Workspace service (emulated failure).";
}

/** The service's integer `fail_code`: the digits after the error code's last dot, e.g. WKS.00000003 -> 3. */
export function failCodeFrom(errorCode: string): number {
  const digits = /(\d+)$/.exec(errorCode.slice(errorCode.lastIndexOf(".") + 1));
  const value = digits ? Number(digits[1]) : NaN;
  return Number.isInteger(value) && value >= 0 && value <= 99_999_999 ? value : 1;
}

export function subJobMessages(kind: InternalJobKind): string[] {
  switch (kind) {
    case "cancel":
      return ["Release the tenant's desktop management resources", "Release the tenant's network and access resources"];
    case "apply":
      return ["Create the tenant's network and access resources", "Create the tenant's desktop management resources"];
    default:
      return ["Update the tenant's attributes"];
  }
}
