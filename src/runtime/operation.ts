/**
 * What every command that changes the service shares: a clock, abortable sleeps, a
 * record of what this run has changed in the cloud, and the rule that every error
 * says so.
 */
import { EXIT } from "./contract";
import { ExitError } from "./errors";
import { AbortedError, HttpError, TransportError, sleep as defaultSleep } from "./http";
import { PollPolicy } from "./polling";
import { Reporter } from "./reporter";
import { ServiceView, WorkspaceApi } from "./workspace-api";

export interface OperationDeps {
  readonly api: WorkspaceApi;
  readonly reporter: Reporter;
  readonly now?: () => number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly signal?: AbortSignal;
  readonly jobPoll?: PollPolicy;
  /** After a write whose answer was lost: how often and how far apart to re-read the service. */
  readonly lostAnswerChecks?: { readonly count: number; readonly intervalMs: number };
}

export interface Outcome {
  readonly exitCode: number;
  readonly result: string;
  readonly message: string;
  readonly projectId: string;
  readonly region: string;
  readonly jobId?: string;
  readonly jobStatus?: string;
  /** Whether this run sent (or found already sent) the write request. */
  readonly deleteSent?: boolean;
  readonly postSent?: boolean;
  readonly elapsedMs: number;
  readonly apiCalls: number;
  readonly [extra: string]: unknown;
}

export abstract class ServiceOperation {
  protected readonly now: () => number;
  protected readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  protected startedAt = 0;
  protected jobId: string | undefined;

  constructor(
    protected readonly identity: { readonly projectId: string; readonly region: string },
    protected readonly deps: OperationDeps,
  ) {
    this.now = deps.now ?? Date.now;
    this.sleep = deps.sleep ?? defaultSleep;
  }

  protected get subject(): string {
    return `project ${this.identity.projectId} (${this.identity.region})`;
  }

  /** What did or did not change in the cloud, for the end of every error message. */
  abstract cloudChange(): string;
  protected abstract steps(): Promise<Outcome>;
  /** Fields every outcome and error carries (e.g. deleteSent). */
  protected abstract record(): Record<string, unknown>;

  async run(): Promise<Outcome> {
    this.startedAt = this.now();
    try {
      return await this.steps();
    } catch (e) {
      throw this.explain(e);
    }
  }

  protected outcome(result: string, message: string, extra: Record<string, unknown> = {}): Outcome {
    return {
      exitCode: EXIT.ok,
      result,
      message,
      projectId: this.identity.projectId,
      region: this.identity.region,
      jobId: this.jobId,
      ...this.record(),
      elapsedMs: this.now() - this.startedAt,
      apiCalls: this.deps.api.client.callCount,
      ...extra,
    };
  }

  protected fail(exitCode: number, result: string, message: string, details: Record<string, unknown> = {}): ExitError {
    return new ExitError(exitCode as ExitError["exitCode"], result, message, {
      jobId: this.jobId,
      ...this.record(),
      apiCalls: this.deps.api.client.callCount,
      elapsedMs: this.now() - this.startedAt,
      ...details,
    });
  }

  /**
   * A write whose answer was lost may or may not have been processed. It is never sent
   * again: the service is read until it shows whether the write took effect.
   * Returns the service once `settled` accepts it; throws after the last check.
   */
  protected async readUntilSettled(what: string, cause: Error, settled: (s: ServiceView) => boolean): Promise<ServiceView> {
    const { reporter, api } = this.deps;
    const checks = this.deps.lostAnswerChecks ?? { count: 6, intervalMs: 5_000 };
    reporter.notice(`the ${what} got no usable answer (${cause.message}); it may have been accepted, so it will NOT be sent again. Reading the service to find out.`);
    let last: ServiceView | undefined;
    for (let i = 0; i < checks.count; i++) {
      if (i > 0) await this.sleep(checks.intervalMs, this.deps.signal);
      last = await api.showService();
      if (settled(last)) return last;
      reporter.progress(`service still reads ${last.status || "(empty)"} (check ${i + 1} of ${checks.count})`);
    }
    throw this.fail(
      EXIT.apiError,
      "write-unknown",
      `The ${what} for ${this.subject} got no usable answer (${cause.message}) and the service still reads ${last?.status || "(empty)"} after ${checks.count} checks. It was not sent again, so it was probably not accepted, but this run cannot be sure. Check with \`workspace-subscription status\`, then run again: a re-run follows a running job or sends one request if none started.`,
    );
  }

  /**
   * While waiting, a read that still fails after its own retries (throttling, 5xx, no
   * answer) does not end the wait: the job runs on in the cloud whatever we read.
   * Returns undefined for such a miss; the deadline still applies.
   */
  protected async keepWaitingOnTransient<T>(read: () => Promise<T>): Promise<T | undefined> {
    try {
      return await read();
    } catch (e) {
      const transient = e instanceof TransportError || (e instanceof HttpError && (e.status === 429 || e.status >= 500));
      if (!transient) throw e;
      this.deps.reporter.progress(`could not read the state (${e.message}); looking again later`);
      return undefined;
    }
  }

  /** Turns any error into an ExitError whose message says what changed in the cloud. */
  protected explain(e: unknown): ExitError {
    if (e instanceof ExitError) return e;
    if (e instanceof AbortedError) {
      return this.fail(EXIT.interrupted, "interrupted", `Interrupted. ${this.cloudChange()}${this.jobId ? ` Run again to resume waiting for job ${this.jobId}.` : " Run again to continue."}`);
    }
    if (e instanceof HttpError && (e.status === 401 || e.status === 403)) {
      return this.fail(EXIT.authRefused, "auth-refused", `${describeAuthError(e, this.now())} ${this.cloudChange()}`, { errorCode: e.errorCode });
    }
    if (e instanceof HttpError || e instanceof TransportError) {
      return this.fail(EXIT.apiError, "api-error", `${e.message}. ${this.cloudChange()} Check the endpoint and network, then run again; it resumes from what the service shows.`);
    }
    const message = e instanceof Error ? e.message : String(e);
    return this.fail(EXIT.internal, "internal-error", `Unexpected error: ${message}. ${this.cloudChange()} Run again; if it repeats, report it with this output.`);
  }
}

/** `"40%"` as 0.4; undefined when the text is not a percentage. */
export function parsePercent(text: string | undefined): number | undefined {
  const m = text ? /^(\d{1,3})%$/.exec(text.trim()) : null;
  return m ? Math.min(100, Number(m[1])) / 100 : undefined;
}

export function describeAuthError(e: HttpError, nowMs: number): string {
  const code = e.errorCode ? ` ${e.errorCode}` : "";
  const msg = e.errorMsg ? ` (${e.errorMsg})` : "";
  if (e.status === 401) {
    const serverDate = e.response.serverDate;
    const skew = serverDate ? Math.round((nowMs - serverDate.getTime()) / 1000) : undefined;
    const skewText =
      skew === undefined
        ? "Also check this machine's clock: the gateway refuses signatures more than 15 minutes off its own time."
        : `This machine's clock is ${Math.abs(skew)}s ${skew >= 0 ? "ahead of" : "behind"} the server's (local ${new Date(nowMs).toISOString()}, server ${serverDate!.toISOString()}); the gateway refuses more than 15 minutes of skew.`;
    return `Huawei Cloud refused the credentials: HTTP 401${code}${msg}. Check HW_ACCESS_KEY / HW_SECRET_KEY (and HW_SECURITY_TOKEN for temporary credentials) in the environment that runs terraform. ${skewText}`;
  }
  const encoded = typeof (e.response.body as Record<string, unknown> | undefined)?.encoded_authorization_message === "string";
  return `Huawei Cloud denied permission: HTTP 403${code}${msg}. The key needs read access to the Workspace service, desktops and jobs of this project, plus workspace:tenants:delete to cancel or workspace:tenants:open to open.${
    encoded
      ? " The answer carries an encoded_authorization_message: decode it with the STS API DecodeAuthorizationMessage (POST /v5/decode-authorization-message) to see which policy denied the call."
      : ""
  }`;
}
