/**
 * `workspace-subscription status`: what destroy would meet, read-only.
 */
import { formatSeconds } from "./duration";
import { HttpError } from "./http";
import { judgeJob } from "./unsubscribe";
import { WorkspaceApi, isGone } from "./workspace-api";

export interface StatusReport {
  readonly projectId: string;
  readonly region: string;
  readonly status: string;
  readonly closable?: boolean;
  readonly serviceId?: string;
  readonly desktops: { readonly count: number; readonly deletedRecords: number; readonly sample: ReadonlyArray<{ id: string; name: string; status: string; taskStatus?: string }> };
  readonly job?: { readonly id: string; readonly status: string; readonly note: string };
  /** Would `unsubscribe` go ahead now? */
  readonly wouldUnsubscribe: boolean;
  readonly reason: string;
  readonly apiCalls: number;
}

export async function readStatus(api: WorkspaceApi, identity: { projectId: string; region: string }): Promise<StatusReport> {
  const service = await api.showService();
  const listed = service.status === "CLOSED" ? [] : await api.listDesktops();
  const remaining = listed.filter((d) => !isGone(d));
  let job: StatusReport["job"];
  if (service.jobId && ["DEREGISTERING", "PREPARING", "SUBSCRIBING"].includes(service.status)) {
    try {
      const j = await api.showJob(service.jobId);
      const verdict = judgeJob(j);
      job = { id: j.id, status: j.status || "(empty)", note: verdict.kind === "waiting" ? verdict.note : verdict.kind };
    } catch (e) {
      if (!(e instanceof HttpError && e.status === 404)) throw e;
      job = { id: service.jobId, status: "(not found)", note: "job not found" };
    }
  }
  const [wouldUnsubscribe, reason] =
    service.status === "CLOSED"
      ? [false, "already closed: unsubscribe would do nothing"]
      : service.status === "DEREGISTERING"
        ? [false, "a cancellation is running: unsubscribe would wait for it, not send a DELETE"]
        : service.status === "PREPARING" || service.status === "SUBSCRIBING"
          ? [false, "the service is still being opened: unsubscribe would refuse"]
          : remaining.length > 0
            ? [false, `${remaining.length} desktop(s) remain: unsubscribe would refuse (or wait with --desktop-wait)`]
            : service.closable === false
              ? [false, "the service reports closable=false: unsubscribe would refuse"]
              : [true, "nothing blocks a cancellation: unsubscribe would send DELETE now"];
  return {
    ...identity,
    status: service.status || "(empty)",
    closable: service.closable,
    serviceId: service.id,
    desktops: {
      count: remaining.length,
      deletedRecords: listed.length - remaining.length,
      sample: remaining.slice(0, 5).map((d) => ({ id: d.id, name: d.name, status: d.status, ...(d.taskStatus ? { taskStatus: d.taskStatus } : {}) })),
    },
    job,
    wouldUnsubscribe,
    reason,
    apiCalls: api.client.callCount,
  };
}

export function formatStatus(r: StatusReport, elapsedMs: number): string {
  const lines = [
    `project      ${r.projectId} (${r.region})`,
    `service      ${r.status}${r.serviceId ? ` (id ${r.serviceId})` : ""}${r.closable === undefined ? "" : `, closable ${r.closable}`}`,
    `desktops     ${r.desktops.count} remaining${r.desktops.deletedRecords ? `, ${r.desktops.deletedRecords} deleted record(s) ignored` : ""}`,
    ...r.desktops.sample.map((d) => `             - ${d.id} "${d.name}" ${d.status}${d.taskStatus ? `/${d.taskStatus}` : ""}`),
    ...(r.desktops.count > r.desktops.sample.length ? [`             ... and ${r.desktops.count - r.desktops.sample.length} more`] : []),
    `running job  ${r.job ? `${r.job.id} ${r.job.status} (${r.job.note})` : "none"}`,
    `destroy      ${r.reason}`,
    `(${r.apiCalls} API call(s) in ${formatSeconds(elapsedMs / 1000)})`,
  ];
  return lines.join("\n") + "\n";
}
