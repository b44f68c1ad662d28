/**
 * The create step: open the service (POST once, then wait for SUBSCRIBED), or adopt
 * one that is already open. Without a subscription spec it only checks that the
 * service is open. Same rules as unsubscribe: one write, never re-sent blindly.
 */
import { EXIT, SubscriptionSpec } from "./contract";
import { formatSeconds } from "./duration";
import { HttpError, TransportError } from "./http";
import { OperationDeps, Outcome, ServiceOperation, parsePercent } from "./operation";
import { DEFAULT_POLL_POLICY } from "./polling";
import { ServiceView } from "./workspace-api";

export interface SubscribeSettings {
  readonly projectId: string;
  readonly region: string;
  readonly jobTimeoutSeconds: number;
  /** Undefined: only check that the service is SUBSCRIBED. */
  readonly spec?: SubscriptionSpec;
  /** The AD domain password, read from the variable the spec names; never logged. */
  readonly domainPassword?: string;
}

const OPENING = new Set(["PREPARING", "SUBSCRIBING"]);

/** Fields of the spec that the service reports back, for the "adopted, but differs" notice. */
export function differences(body: Record<string, unknown>, service: Record<string, unknown>): string[] {
  const out: string[] = [];
  const compare = (label: string, wanted: unknown, actual: unknown) => {
    if (wanted === undefined) return;
    if (JSON.stringify(wanted) !== JSON.stringify(actual)) out.push(`${label}: configured ${JSON.stringify(wanted)}, service has ${JSON.stringify(actual ?? null)}`);
  };
  const ad = (body.ad_domains ?? {}) as Record<string, unknown>;
  const serviceAd = (service.ad_domains ?? {}) as Record<string, unknown>;
  compare("ad_domains.domain_type", ad.domain_type, serviceAd.domain_type);
  compare("ad_domains.domain_name", ad.domain_name, serviceAd.domain_name);
  compare("access_mode", body.access_mode, service.access_mode);
  compare("enterprise_id", body.enterprise_id, service.enterprise_id);
  compare("vpc_id", body.vpc_id, service.vpc_id);
  if (Array.isArray(body.subnet_ids)) {
    const wanted = (body.subnet_ids as Array<{ subnet_id: string }>).map((s) => s.subnet_id).sort();
    const actual = Array.isArray(service.subnet_ids) ? (service.subnet_ids as unknown[]).map((s) => (typeof s === "string" ? s : String((s as { subnet_id?: unknown }).subnet_id))).sort() : [];
    compare("subnet_ids", wanted, actual);
  }
  return out;
}

export class Subscriber extends ServiceOperation {
  private postSent = false;

  constructor(
    private readonly settings: SubscribeSettings,
    deps: OperationDeps,
  ) {
    super(settings, deps);
  }

  protected record(): Record<string, unknown> {
    return { postSent: this.postSent };
  }

  cloudChange(): string {
    if (!this.postSent) return "Nothing was opened: no POST was sent.";
    return `The subscription was requested${this.jobId ? ` (job ${this.jobId})` : ""} and may still be opening in the cloud.`;
  }

  protected async steps(): Promise<Outcome> {
    const { reporter, api } = this.deps;
    reporter.progress(`reading the Workspace service of ${this.subject}`);
    const service = await api.showService();
    reporter.progress(`service status ${service.status || "(empty)"}`);
    if (service.status === "SUBSCRIBED") return this.adopt();
    if (OPENING.has(service.status)) {
      this.jobId = service.jobId;
      reporter.notice(`the service is already being opened (${service.status}${service.jobId ? `, job ${service.jobId}` : ""}); waiting for it instead of sending another POST`);
      return this.waitForOpen();
    }
    if (!this.settings.spec) {
      throw this.fail(
        EXIT.apiError,
        "not-subscribed",
        `The Workspace service of ${this.subject} is ${service.status || "(empty)"}, not SUBSCRIBED, and this resource has no \`subscription\` to open it with. Nothing was changed. Open the service in the console, or give the construct a \`subscription\` prop, then apply again.`,
      );
    }
    if (service.status === "DEREGISTERING" || service.status === "DEREGISTRATION_FAILED") {
      throw this.fail(
        EXIT.apiError,
        "being-cancelled",
        `The Workspace service of ${this.subject} is ${service.status}: a cancellation is running or failed. Nothing was changed. Wait until it reads CLOSED (workspace-subscription status), then apply again.`,
      );
    }
    await this.sendApply();
    return this.waitForOpen();
  }

  private async adopt(): Promise<Outcome> {
    const { reporter, api } = this.deps;
    if (!this.settings.spec) {
      return this.outcome("exists", `The Workspace service of ${this.subject} is SUBSCRIBED; this resource now tracks it. Nothing was changed.`);
    }
    const raw = await api.client.request("GET", `/v2/${encodeURIComponent(this.settings.projectId)}/workspaces`, { retry: "read", projectScoped: true });
    const diffs = differences(this.settings.spec.body, (raw.body ?? {}) as Record<string, unknown>);
    for (const d of diffs) reporter.notice(`differs from the configuration: ${d}`);
    return this.outcome(
      "adopted",
      `The Workspace service of ${this.subject} is already SUBSCRIBED: adopted as it is, no POST sent.${diffs.length ? ` ${diffs.length} configured field(s) differ from what the service reports (listed above); this resource does not change an open service.` : " It matches the configuration."}`,
      { differences: diffs },
    );
  }

  private async sendApply(): Promise<void> {
    const { reporter, api } = this.deps;
    const body = JSON.parse(JSON.stringify(this.settings.spec!.body)) as Record<string, unknown>;
    if (this.settings.domainPassword !== undefined) {
      (body.ad_domains as Record<string, unknown>).domain_password = this.settings.domainPassword;
    }
    reporter.notice(`sending POST /v2/${this.settings.projectId}/workspaces (opens the subscription; billing starts)`);
    try {
      const res = await api.client.request("POST", `/v2/${encodeURIComponent(this.settings.projectId)}/workspaces`, { retry: "write", projectScoped: true, body });
      this.postSent = true;
      const jobId = (res.body as { job_id?: unknown } | undefined)?.job_id;
      this.jobId = typeof jobId === "string" && jobId ? jobId : undefined;
      reporter.notice(this.jobId ? `subscription accepted: job ${this.jobId}` : "subscription accepted without a job_id; following the service status");
    } catch (e) {
      if (!(e instanceof TransportError || (e instanceof HttpError && e.status >= 500))) throw e;
      this.postSent = true;
      const service = await this.readUntilSettled("POST", e, (s) => OPENING.has(s.status) || s.status === "SUBSCRIBED" || s.status === "SUBSCRIPTION_FAILED");
      this.jobId = service.jobId;
      reporter.notice(`the subscription was accepted after all (${service.status})`);
    }
  }

  private async waitForOpen(): Promise<Outcome> {
    const { reporter, api } = this.deps;
    const poll = this.deps.jobPoll ?? DEFAULT_POLL_POLICY;
    const since = this.now();
    const deadline = since + this.settings.jobTimeoutSeconds * 1000;
    let last: ServiceView | undefined;
    for (;;) {
      await this.sleep(Math.max(0, Math.min(poll.nextDelayMs(this.now() - since, { progressFraction: parsePercent(last?.progress) }), deadline - this.now())), this.deps.signal);
      last = (await this.keepWaitingOnTransient(() => api.showService())) ?? last;
      if (!last) {
        if (this.now() >= deadline) throw this.fail(EXIT.timedOut, "timed-out", `The Workspace service of ${this.subject} could not be read before the deadline (${formatSeconds(this.settings.jobTimeoutSeconds)}). ${this.cloudChange()} Apply again once the API answers.`);
        continue;
      }
      if (last.status === "SUBSCRIBED") {
        return this.outcome("subscribed", `The Workspace service of ${this.subject} is SUBSCRIBED after ${formatSeconds((this.now() - since) / 1000)}${this.jobId ? ` (job ${this.jobId})` : ""}.`, { jobStatus: "SUBSCRIBED" });
      }
      if (last.status === "SUBSCRIPTION_FAILED") {
        throw this.fail(
          EXIT.jobFailed,
          "subscribe-failed",
          `Opening the Workspace service of ${this.subject} failed${this.jobId ? ` (job ${this.jobId})` : ""}: fail_code ${last.failCode ?? "(none)"}, fail_reason ${last.failReason ?? "(none given)"}. The service reads SUBSCRIPTION_FAILED. Fix the cause (network, AD settings, quotas), then apply again: Terraform has marked the resource tainted and will create it anew, which sends a new POST; the failed attempt's destroy step does not run.`,
          { failCode: last.failCode, failReason: last.failReason },
        );
      }
      reporter.progress(`service ${last.status || "(empty)"}${last.progress ? ` ${last.progress}` : ""}`, `open:${last.status}:${last.progress}`);
      if (this.now() >= deadline) {
        throw this.fail(
          EXIT.timedOut,
          "timed-out",
          `The Workspace service of ${this.subject} was not SUBSCRIBED within ${formatSeconds(this.settings.jobTimeoutSeconds)} (last status ${last.status || "(empty)"}). ${this.cloudChange()} Apply again: the resource is tainted and its re-creation waits for the running job without a new POST.`,
        );
      }
    }
  }
}
