/**
 * The destroy step: check that nothing blocks the cancellation, send exactly one
 * DELETE, wait for the job it started and say how it ended.
 *
 * Safety rules, in order of importance:
 *  - never a DELETE while desktops remain;
 *  - never a second DELETE for one cancellation: an answer lost after the request was
 *    sent is resolved by reading the service, not by sending again;
 *  - never success for a job that failed or was not seen to finish.
 */
import { EXIT } from "./contract";
import { formatSeconds } from "./duration";
import { ExitError } from "./errors";
import { HttpError, TransportError } from "./http";
import { OperationDeps, Outcome, ServiceOperation, parsePercent } from "./operation";
import { DEFAULT_POLL_POLICY, PollPolicy } from "./polling";
import { DesktopView, JobView, ServiceView, isGone } from "./workspace-api";
import { RunSettings } from "./config";

export type { Outcome } from "./operation";

export interface UnsubscribeDeps extends OperationDeps {
  readonly desktopPoll?: PollPolicy;
}

export type UnsubscribeSettings = Pick<RunSettings, "region" | "jobTimeoutSeconds" | "desktopWaitSeconds" | "deletionPolicy" | "dryRun"> & {
  readonly projectId: string;
};


const SUCCESS_STATUSES = new Set(["SUCCESS", "COMPLETE"]);
const FAILED_STATUSES = new Set(["FAIL", "FAILED"]);
const RUNNING_STATUSES = new Set(["WAITING", "RUNNING", "INIT", "PROCESSING"]);
const NOT_FOUND_CODES = new Set(["WKS.00170312", "WKS.00170117"]);
const SHOWN_DESKTOPS = 10;

type JobVerdict =
  | { kind: "success" }
  | { kind: "failed"; code?: string; reason?: string; where: string }
  | { kind: "waiting"; note: string };

/** Success only with every sub-job successful; failure on any failed sub-job; anything else keeps waiting. */
export function judgeJob(job: JobView): JobVerdict {
  const failedSub = job.subJobs.find((s) => FAILED_STATUSES.has(s.status));
  if (FAILED_STATUSES.has(job.status)) {
    return { kind: "failed", code: job.errorCode ?? failedSub?.errorCode, reason: job.failReason ?? failedSub?.failReason, where: `job status ${job.status}` };
  }
  if (failedSub) {
    return { kind: "failed", code: failedSub.errorCode ?? job.errorCode, reason: failedSub.failReason ?? job.failReason, where: `sub-job ${failedSub.id} ${failedSub.status} (job status ${job.status || "empty"})` };
  }
  if (SUCCESS_STATUSES.has(job.status)) {
    const unfinished = job.subJobs.filter((s) => s.status !== "SUCCESS");
    if (unfinished.length === 0) return { kind: "success" };
    return { kind: "waiting", note: `job ${job.status} but ${unfinished.length} sub-job(s) not yet SUCCESS (${unfinished.map((s) => s.status || "empty").join(", ")})` };
  }
  if (RUNNING_STATUSES.has(job.status)) return { kind: "waiting", note: job.progressPercent === undefined ? job.status : `${job.status} ${job.progressPercent}%` };
  return { kind: "waiting", note: job.status ? `unknown job status "${job.status}", still waiting` : "job status empty, still waiting" };
}

export class Unsubscriber extends ServiceOperation {
  private readonly jobPoll: PollPolicy;
  private readonly desktopPoll: PollPolicy;
  /** What has happened in the cloud so far; every error message is built from it. */
  private deleteSent = false;
  /** Between sending the DELETE and reading its answer: the one moment this run cannot know. */
  private deleteInFlight = false;

  constructor(
    private readonly settings: UnsubscribeSettings,
    deps: UnsubscribeDeps,
  ) {
    super(settings, deps);
    this.jobPoll = deps.jobPoll ?? DEFAULT_POLL_POLICY;
    this.desktopPoll = deps.desktopPoll ?? { nextDelayMs: (elapsed) => Math.min(15_000, Math.max(2_000, elapsed * 0.1)) };
  }

  protected record(): Record<string, unknown> {
    return { deleteSent: this.deleteSent };
  }

  /** What did or did not change in the cloud, for the end of every error message. */
  cloudChange(): string {
    if (this.deleteInFlight) {
      return "A DELETE was on its way when this run stopped: it may or may not have been accepted. Check with `workspace-subscription status` before anything else; a re-run waits for a running cancellation instead of sending another.";
    }
    if (!this.deleteSent) return "Nothing was cancelled: no DELETE was sent.";
    return this.jobId
      ? `The cancellation was requested (job ${this.jobId}) and may still be running in the cloud.`
      : "The cancellation was requested; its job id is not known.";
  }

  protected async steps(): Promise<Outcome> {
    const { reporter } = this.deps;
    if (this.settings.deletionPolicy === "RETAIN") {
      return this.outcome(
        "retained",
        `Deletion policy RETAIN: the Workspace subscription of ${this.subject} was left in place and nothing was sent to Huawei Cloud. Terraform forgets the resource; the subscription (and its billing) continues.`,
      );
    }
    reporter.progress(`reading the Workspace service of ${this.subject}`);
    const service = await this.deps.api.showService();
    reporter.progress(`service status ${service.status || "(empty)"}${service.closable === undefined ? "" : `, closable ${service.closable}`}`);
    switch (service.status) {
      case "CLOSED":
        return this.outcome("already-unsubscribed", `The Workspace service of ${this.subject} is already closed; nothing to do, no DELETE sent.`);
      case "DEREGISTERING":
        this.jobId = service.jobId;
        this.deleteSent = true;
        reporter.notice(`a cancellation is already running${service.jobId ? ` (job ${service.jobId})` : ""}; waiting for it instead of sending another DELETE`);
        return this.waitForCancellation();
      case "PREPARING":
      case "SUBSCRIBING":
        throw this.fail(
          EXIT.apiError,
          "not-ready",
          `The Workspace service of ${this.subject} is still being opened (status ${service.status}). Wait until it is SUBSCRIBED (or has failed), then run destroy again.`,
        );
      case "SUBSCRIBED":
      case "DEREGISTRATION_FAILED":
      case "SUBSCRIPTION_FAILED":
        break;
      default:
        // An irreversible call is sent only from a state this program knows.
        throw this.fail(
          EXIT.apiError,
          "unknown-status",
          `The Workspace service of ${this.subject} reports status "${service.status}", which this program does not know, so it will not cancel anything. Nothing was sent. Check the service in the console or with \`workspace-subscription status\`, then run destroy again.`,
        );
    }
    await this.ensureNothingBlocks(service);
    if (this.settings.dryRun) {
      return this.outcome("would-unsubscribe", `Dry run: nothing blocks the cancellation of ${this.subject}; a real run would send DELETE /v2/${this.settings.projectId}/workspaces now. Nothing was sent.`);
    }
    const started = await this.sendCancel();
    if (started === "closed") {
      return this.outcome("already-unsubscribed", `The Workspace service of ${this.subject} turned out to be closed already; no cancellation was needed.`);
    }
    return this.waitForCancellation();
  }

  /** Desktops (and anything else that keeps `closable` false) must be gone first. */
  private async ensureNothingBlocks(initial: ServiceView): Promise<void> {
    const { reporter, api } = this.deps;
    const waitMs = this.settings.desktopWaitSeconds * 1000;
    const since = this.now();
    let service = initial;
    for (;;) {
      const listed = await api.listDesktops();
      const remaining = listed.filter((d) => !isGone(d));
      const blockedByService = remaining.length === 0 && service.closable === false;
      if (remaining.length === 0 && !blockedByService) {
        reporter.progress(`no desktops remain (${listed.length - remaining.length} deleted record(s) ignored)`);
        return;
      }
      const waited = this.now() - since;
      if (waited >= waitMs) {
        throw this.blocked(remaining, waitMs, service);
      }
      const what = remaining.length > 0 ? `${remaining.length} desktop(s) remain: ${describeDesktops(remaining, 3)}` : "no desktops listed, but the service reports closable=false";
      reporter.progress(`${what}; waiting up to ${formatSeconds((waitMs - waited) / 1000)} more`, `blocked:${remaining.length}:${service.closable}`);
      await this.sleep(Math.min(this.desktopPoll.nextDelayMs(waited), Math.max(0, waitMs - waited)), this.deps.signal);
      service = await api.showService();
      if (service.status === "CLOSED" || service.status === "DEREGISTERING") {
        // Someone else moved the service on while we waited; the caller's first read is stale.
        throw this.fail(EXIT.apiError, "changed-meanwhile", `The Workspace service of ${this.subject} changed to ${service.status} while waiting for desktops to go. Nothing was sent by this run. Run destroy again: it will follow the new state.`);
      }
    }
  }

  private blocked(remaining: DesktopView[], waitMs: number, service: ServiceView): ExitError {
    const timedOut = waitMs > 0;
    const code = timedOut ? EXIT.timedOut : EXIT.desktopsRemain;
    const waited = timedOut ? ` after waiting ${formatSeconds(waitMs / 1000)}` : "";
    if (remaining.length === 0) {
      return this.fail(
        code,
        "not-closable",
        `The Workspace service of ${this.subject} reports closable=false${waited}, though no desktops are listed: disks, Application Streaming servers or a running job may remain. Nothing was cancelled: no DELETE was sent. Remove them (see the Workspace console), then run destroy again.`,
        { closable: service.closable },
      );
    }
    return this.fail(
      code,
      "desktops-remain",
      `${remaining.length} desktop(s) still exist in ${this.subject}${waited}: ${describeDesktops(remaining, SHOWN_DESKTOPS)}. Nothing was cancelled: no DELETE was sent. Delete the desktops first${timedOut ? " (or allow a longer desktop wait)" : " (or set a desktop wait to let running deletions finish)"}, then run destroy again.`,
      { desktopsRemaining: remaining.length, desktops: remaining.slice(0, SHOWN_DESKTOPS) },
    );
  }

  /** Sends the one DELETE. Returns "closed" when the service turns out to be gone already. */
  private async sendCancel(): Promise<"started" | "closed"> {
    const { reporter, api } = this.deps;
    for (let conflicts = 0; ; conflicts++) {
      reporter.notice(`sending DELETE /v2/${this.settings.projectId}/workspaces (cancels the subscription; cannot be undone)`);
      try {
        this.deleteInFlight = true;
        const { jobId } = await api.cancel();
        this.deleteInFlight = false;
        this.deleteSent = true;
        this.jobId = jobId;
        reporter.notice(jobId ? `cancellation accepted: job ${jobId}` : "cancellation accepted, but the answer carried no job_id; following the service status instead");
        return "started";
      } catch (e) {
        if (e instanceof HttpError || e instanceof TransportError) this.deleteInFlight = false;
        if (e instanceof TransportError || (e instanceof HttpError && e.status >= 500)) {
          return this.afterLostAnswer(e);
        }
        if (!(e instanceof HttpError) || e.status === 401 || e.status === 403) throw e;
        // A definite 4xx: the request was refused, so nothing was cancelled by it. Look at what the service says now.
        const service = await api.showService();
        if (service.status === "CLOSED" || (e.errorCode && NOT_FOUND_CODES.has(e.errorCode) && !service.id)) return "closed";
        if (service.status === "DEREGISTERING") {
          this.deleteSent = true;
          this.jobId = service.jobId;
          reporter.notice(`the DELETE was refused (${e.errorCode ?? e.status}) because a cancellation is already running${service.jobId ? ` (job ${service.jobId})` : ""}; waiting for it`);
          return "started";
        }
        if (e.status === 409 && conflicts < 5) {
          const waitMs = 2_000 * 2 ** conflicts;
          reporter.progress(`the DELETE met a conflicting operation (${e.errorCode ?? 409}); it was not processed. Trying again in ${formatSeconds(waitMs / 1000)}`);
          await this.sleep(waitMs, this.deps.signal);
          continue;
        }
        const remaining = (await api.listDesktops()).filter((d) => !isGone(d));
        if (remaining.length > 0) throw this.blocked(remaining, 0, service);
        throw this.fail(
          EXIT.apiError,
          "cancel-refused",
          `Huawei Cloud refused the cancellation of ${this.subject}: HTTP ${e.status} ${e.errorCode ?? ""} ${e.errorMsg ?? ""}`.trim() +
            `. The service reads ${service.status || "(empty)"}. Nothing was cancelled. Fix the cause the message names, then run destroy again.`,
          { errorCode: e.errorCode },
        );
      }
    }
  }

  /** The DELETE may or may not have been processed. Never send it again: read the service until it shows. */
  private async afterLostAnswer(cause: Error): Promise<"started" | "closed"> {
    this.deleteSent = true;
    const service = await this.readUntilSettled("DELETE", cause, (s) => ["CLOSED", "DEREGISTERING", "DEREGISTRATION_FAILED"].includes(s.status));
    if (service.status === "CLOSED") return "closed";
    this.jobId = service.jobId;
    this.deps.reporter.notice(`the cancellation was accepted after all${service.jobId ? `: job ${service.jobId}` : ""}`);
    return "started";
  }

  private async waitForCancellation(): Promise<Outcome> {
    const { reporter, api } = this.deps;
    const since = this.now();
    const deadline = since + this.settings.jobTimeoutSeconds * 1000;
    let lastStatus = "";
    let progressFraction: number | undefined;
    let followService = !this.jobId;
    for (;;) {
      const elapsed = this.now() - since;
      // Wait before the first look too: the job was just created (or found running).
      await this.sleep(Math.max(0, Math.min(this.jobPoll.nextDelayMs(elapsed, { progressFraction }), deadline - this.now())), this.deps.signal);
      if (!followService && this.jobId) {
        let job: JobView | undefined;
        try {
          job = await this.keepWaitingOnTransient(() => api.showJob(this.jobId!));
        } catch (e) {
          if (!(e instanceof HttpError && e.status === 404)) throw e;
          reporter.notice(`job ${this.jobId} is not found; following the service status instead`);
          followService = true;
        }
        if (job) {
          progressFraction = job.progressPercent === undefined ? undefined : job.progressPercent / 100;
          const verdict = judgeJob(job);
          lastStatus = job.status || "(empty)";
          if (verdict.kind === "success") {
            return this.outcome("unsubscribed", `The Workspace subscription of ${this.subject} is cancelled: job ${this.jobId} ended ${job.status} after ${formatSeconds((this.now() - since) / 1000)}.`, { jobStatus: job.status });
          }
          if (verdict.kind === "failed") {
            throw this.fail(
              EXIT.jobFailed,
              "job-failed",
              `The cancellation job ${this.jobId} for ${this.subject} failed (${verdict.where}): error code ${verdict.code ?? "(none)"}, reason ${verdict.reason ?? "(none given)"}. The subscription may be partly cancelled. Look at the service (workspace-subscription status or the console), fix the cause, then run destroy again; it sends a new DELETE only if no cancellation is running.`,
              { jobStatus: job.status, errorCode: verdict.code, failReason: verdict.reason },
            );
          }
          reporter.progress(`job ${this.jobId}: ${verdict.note}`, `job:${verdict.note}`);
        }
      }
      const service = followService ? await this.keepWaitingOnTransient(() => api.showService()) : undefined;
      if (service) {
        lastStatus = service.status || "(empty)";
        progressFraction = parsePercent(service.progress);
        if (service.status === "CLOSED") {
          return this.outcome("unsubscribed", `The Workspace subscription of ${this.subject} is cancelled: the service reads CLOSED after ${formatSeconds((this.now() - since) / 1000)}.`, { jobStatus: this.jobId ? undefined : "CLOSED" });
        }
        if (service.status === "DEREGISTRATION_FAILED") {
          throw this.fail(
            EXIT.jobFailed,
            "job-failed",
            `The cancellation of ${this.subject} failed: the service reads DEREGISTRATION_FAILED, fail code ${service.failCode ?? "(none)"}, reason ${service.failReason ?? "(none given)"}. Fix the cause, then run destroy again.`,
            { errorCode: service.failCode, failReason: service.failReason },
          );
        }
        if (!this.jobId && service.jobId) this.jobId = service.jobId;
        reporter.progress(`service ${service.status || "(empty)"}${service.progress ? ` ${service.progress}` : ""}`, `svc:${service.status}:${service.progress}`);
      }
      if (this.now() >= deadline) {
        throw this.fail(
          EXIT.timedOut,
          "timed-out",
          `The cancellation ${this.jobId ? `job ${this.jobId}` : ""} for ${this.subject} did not finish within ${formatSeconds(this.settings.jobTimeoutSeconds)} (last status ${lastStatus}). The cancellation was requested and may still complete; nothing more was sent. Run destroy again to resume waiting (it picks up the running job without a new DELETE), or raise the job timeout.`,
          { jobStatus: lastStatus },
        );
      }
    }
  }

}

export function describeDesktops(desktops: readonly DesktopView[], max: number): string {
  const shown = desktops.slice(0, max).map((d) => `${d.id} "${d.name}" ${d.status || "?"}${d.taskStatus ? `/${d.taskStatus}` : ""}`);
  const more = desktops.length > max ? ` and ${desktops.length - max} more` : "";
  return shown.join(", ") + more;
}
