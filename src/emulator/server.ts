/**
 * The HTTP side: one loopback server answering Workspace, IAM and control paths. Per request
 * it plays the gateway (route, faults, throttle, signature) and then the service (the model).
 */
import * as http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { CONTROL_PREFIX, handleControl } from "./control-http";
import { ERROR_CODES, defaultFaultBody, gatewayError, gatewayFailureBody, htmlErrorPage } from "./errors";
import { FaultBook, TokenBucket, describeFault } from "./faults";
import { WorkspaceCloud, randomHex } from "./model";
import { handleRoute, matchRoute, parseQuery } from "./routes";
import {
  EmulatorControl,
  EmulatorCredentials,
  EmulatorOptions,
  FaultSpec,
  RequestRecord,
  RouteName,
  RunningEmulator,
  ThrottleSpec,
} from "./types";
import { verifySignature } from "./verify-signature";

/** The key pair the emulator accepts unless told otherwise. Obviously fake, never valid in any cloud. */
export const DEMO_CREDENTIALS: EmulatorCredentials = Object.freeze({
  accessKey: "EMULATORDEMOKEY00001",
  secretKey: "emulator-demo-secret-not-a-real-huawei-key",
});

export const LOOPBACK_HOSTS: readonly string[] = ["127.0.0.1", "::1", "localhost"];
const DEFAULT_CLOCK_SKEW_LIMIT_MS = 15 * 60 * 1000;
const DEFAULT_JOB_DURATION_MS = 3000;
/** Beyond this the gateway answers 413; a bounded read keeps a runaway client from filling memory. */
const MAX_BODY_BYTES = 1024 * 1024;
/** The request log keeps the newest entries; route counters stay exact regardless. */
const MAX_LOG_ENTRIES = 50_000;

const STATUS_REASONS: Record<number, string> = { 500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout" };

function requireNonNegative(name: string, value: number | undefined): void {
  if (value !== undefined && (typeof value !== "number" || !Number.isFinite(value) || value < 0)) {
    throw new Error(`emulator option ${name} must be a non-negative number, got ${JSON.stringify(value)}`);
  }
}

function validateCredentials(credentials: ReadonlyArray<EmulatorCredentials>): EmulatorCredentials[] {
  if (!Array.isArray(credentials)) throw new Error("credentials must be an array of {accessKey, secretKey, securityToken?}");
  return credentials.map((c, i) => {
    if (!c || typeof c.accessKey !== "string" || c.accessKey === "" || typeof c.secretKey !== "string" || c.secretKey === "") {
      throw new Error(`credentials[${i}] needs a non-empty accessKey and secretKey`);
    }
    if (c.securityToken !== undefined && (typeof c.securityToken !== "string" || c.securityToken === "")) {
      throw new Error(`credentials[${i}].securityToken must be a non-empty string when given`);
    }
    return { accessKey: c.accessKey, secretKey: c.secretKey, ...(c.securityToken !== undefined ? { securityToken: c.securityToken } : {}) };
  });
}

function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  return address === "::1" || address.startsWith("127.") || address.startsWith("::ffff:127.");
}

function headerRecord(req: http.IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

function queryRecord(pairs: ReadonlyArray<readonly [string, string]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of pairs) out[k] = k in out ? `${out[k]},${v}` : v;
  return out;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface Answer {
  status: number;
  body: string;
  contentType: string;
  headers?: Record<string, string>;
  errorCode?: string;
}

function jsonAnswer(status: number, body: unknown, headers?: Record<string, string>): Answer {
  const errorCode = typeof body === "object" && body !== null ? (body as Record<string, unknown>).error_code : undefined;
  return {
    status,
    body: JSON.stringify(body),
    contentType: "application/json;charset=UTF-8",
    headers,
    errorCode: typeof errorCode === "string" ? errorCode : undefined,
  };
}

class BodyTooLarge extends Error {}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLarge());
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

class Emulator implements RunningEmulator {
  readonly control: EmulatorControl;
  url = "";
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly delays = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  private readonly now: () => number;
  private readonly clockSkewLimitMs: number;
  private readonly startCredentials: EmulatorCredentials[];
  private credentials: EmulatorCredentials[];
  private readonly cloud: WorkspaceCloud;
  private readonly faults = new FaultBook();
  private bucket: TokenBucket | undefined;
  private log: RequestRecord[] = [];
  private readonly counts = new Map<RouteName, number>();
  private seq = 0;
  private inFlight = 0;
  private peak = 0;
  private stopped = false;

  constructor(private readonly options: EmulatorOptions) {
    this.now = options.now ?? Date.now;
    this.clockSkewLimitMs = options.clockSkewLimitMs ?? DEFAULT_CLOCK_SKEW_LIMIT_MS;
    this.startCredentials = validateCredentials(options.credentials ?? [DEMO_CREDENTIALS]);
    this.credentials = this.startCredentials;
    this.cloud = new WorkspaceCloud(this.now, options.jobDurationMs ?? DEFAULT_JOB_DURATION_MS);
    this.control = this.makeControl();
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => this.internalError(res, error));
    });
    this.server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
  }

  async listen(host: string, port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen({ host, port }, () => {
        this.server.off("error", reject);
        resolve();
      });
    });
    const address = this.server.address() as AddressInfo;
    const shownHost = address.family === "IPv6" || address.address.includes(":") ? `[${address.address}]` : address.address;
    this.url = `http://${shownHost}:${address.port}`;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const delay of this.delays) {
      clearTimeout(delay.timer);
      delay.resolve();
    }
    this.delays.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private makeControl(): EmulatorControl {
    return {
      addTenant: (projectId, seed) => this.cloud.addTenant(projectId, seed),
      addDesktop: (projectId, seed) => this.cloud.addDesktop(projectId, seed),
      removeDesktop: (projectId, desktopId) => this.cloud.removeDesktop(projectId, desktopId),
      setJobPlan: (projectId, plan) => this.cloud.setJobPlan(projectId, plan),
      setServiceStatus: (projectId, status, extra) => this.cloud.setServiceStatus(projectId, status, extra),
      injectFault: (fault: FaultSpec) => this.faults.add(fault),
      clearFaults: () => this.faults.clear(),
      throttle: (spec: ThrottleSpec | undefined) => {
        this.bucket = spec === undefined || spec === null ? undefined : new TokenBucket(spec, this.now);
      },
      requests: () => this.log.map((r) => ({ ...r })),
      countOf: (route) => this.counts.get(route) ?? 0,
      clearRequests: () => {
        this.log = [];
        this.counts.clear();
        this.peak = this.inFlight;
      },
      state: (projectId) => this.cloud.snapshot(projectId),
      setCredentials: (credentials) => {
        this.credentials = validateCredentials(credentials);
      },
      reset: () => {
        this.cloud.reset();
        this.faults.clear();
        this.bucket = undefined;
        this.log = [];
        this.counts.clear();
        this.seq = 0;
        this.peak = this.inFlight;
        this.credentials = this.startCredentials;
      },
      peakConcurrency: () => this.peak,
    };
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const requestId = randomHex(16);
    const rawUrl = req.url ?? "/";
    const queryStart = rawUrl.indexOf("?");
    const rawPath = queryStart < 0 ? rawUrl : rawUrl.slice(0, queryStart);
    const rawQuery = queryStart < 0 ? "" : rawUrl.slice(queryStart + 1);
    const method = (req.method ?? "GET").toUpperCase();

    if (rawPath === CONTROL_PREFIX || rawPath.startsWith(`${CONTROL_PREFIX}/`)) {
      await this.handleControlRequest(req, res, method, rawPath.slice(CONTROL_PREFIX.length), rawQuery, requestId);
      return;
    }

    this.inFlight += 1;
    this.peak = Math.max(this.peak, this.inFlight);
    const started = this.now();
    const query = parseQuery(rawQuery);
    const matched = matchRoute(method, rawPath);
    const record: Mutable<RequestRecord> = {
      seq: ++this.seq,
      time: started,
      method,
      path: rawPath,
      query: queryRecord(query),
      route: matched?.name,
      status: 0,
      hadSecurityToken: req.headers["x-security-token"] !== undefined,
    };
    try {
      const answer = await this.serve(req, res, record, rawPath, query, requestId);
      if (answer === "dropped") {
        req.socket.destroy();
      } else {
        record.status = answer.status;
        if (answer.errorCode) record.errorCode = answer.errorCode;
        this.send(res, answer, requestId);
      }
    } catch (error) {
      record.status = 500;
      this.internalError(res, error);
    } finally {
      this.inFlight -= 1;
      this.remember(record, rawQuery, started);
    }
  }

  /** Gateway then service. Returns the answer to send, or "dropped" when the socket must close unanswered. */
  private async serve(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    record: Mutable<RequestRecord>,
    rawPath: string,
    query: Array<[string, string]>,
    requestId: string,
  ): Promise<Answer | "dropped"> {
    const fault = this.faults.take(record.method, record.route, rawPath);
    if (fault) record.fault = describeFault(fault);
    if (fault?.drop === "before") return "dropped";
    if (fault?.delayMs !== undefined) {
      await this.delay(fault.delayMs);
      if (this.stopped) return "dropped";
    }
    if (fault?.status !== undefined) {
      req.resume();
      return this.faultAnswer(fault, fault.status, defaultFaultBody(fault.status, requestId));
    }

    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (error) {
      if (error instanceof BodyTooLarge) return jsonAnswer(413, gatewayError(413, ERROR_CODES.gatewayRequestError, "Request entity too large.", requestId).body);
      throw error;
    }
    if (res.destroyed) return "dropped";

    if (!record.route) {
      return jsonAnswer(404, gatewayError(404, ERROR_CODES.noSuchApi, "The API does not exist or has not been published in the environment", requestId).body);
    }
    if (this.bucket) {
      const taken = this.bucket.take();
      if (!taken.allowed) {
        const throttled = gatewayError(429, ERROR_CODES.throttled, "The throttling threshold has been reached: policy user over ratelimit", requestId);
        return jsonAnswer(429, throttled.body, { "Retry-After": String(taken.retryAfterSeconds) });
      }
    }

    const check = verifySignature({ method: record.method, path: rawPath, query, headers: headerRecord(req), body }, this.credentials, this.now(), this.clockSkewLimitMs);
    if (check.accessKey !== undefined) record.accessKey = check.accessKey;
    if (check.signedHeaders !== undefined) record.signedHeaders = [...check.signedHeaders];
    if (check.sdkDate !== undefined) record.sdkDate = check.sdkDate;
    if (!check.ok) return jsonAnswer(401, gatewayError(401, check.code, check.message, requestId).body);

    const outcome = handleRoute(this.cloud, { route: matchRoute(record.method, rawPath)!, query, body, baseUrl: this.url });
    if (fault?.drop === "after") return "dropped";
    if (fault?.processThenStatus !== undefined) {
      return this.faultAnswer(fault, fault.processThenStatus, gatewayFailureBody(fault.processThenStatus, requestId));
    }
    return jsonAnswer(outcome.status, outcome.body);
  }

  private faultAnswer(fault: FaultSpec, status: number, fallbackBody: Record<string, unknown>): Answer {
    const headers: Record<string, string> = {};
    if (fault.retryAfterSeconds !== undefined) headers["Retry-After"] = String(fault.retryAfterSeconds);
    if (fault.html) {
      const page = typeof fault.body === "string" ? fault.body : htmlErrorPage(status, STATUS_REASONS[status] ?? http.STATUS_CODES[status] ?? "Error");
      return { status, body: page, contentType: "text/html", headers };
    }
    if (typeof fault.body === "string") return { status, body: fault.body, contentType: "application/json;charset=UTF-8", headers };
    return jsonAnswer(status, fault.body ?? fallbackBody, headers);
  }

  private send(res: http.ServerResponse, answer: Answer, requestId: string): void {
    if (res.destroyed) return;
    const payload = Buffer.from(answer.body, "utf8");
    res.writeHead(answer.status, {
      ...answer.headers,
      "Content-Type": answer.contentType,
      "Content-Length": String(payload.length),
      "X-Request-Id": requestId,
    });
    res.end(payload);
  }

  private remember(record: RequestRecord, rawQuery: string, started: number): void {
    this.log.push(record);
    if (this.log.length > MAX_LOG_ENTRIES) this.log.splice(0, this.log.length - MAX_LOG_ENTRIES);
    if (record.route) this.counts.set(record.route, (this.counts.get(record.route) ?? 0) + 1);
    if (this.options.log) {
      const target = rawQuery ? `${record.path}?${rawQuery}` : record.path;
      const parts = [
        `${record.method} ${target}`,
        `-> ${record.status === 0 ? "dropped" : record.status}`,
        record.route ?? "-",
        `ak=${record.accessKey ?? "-"}`,
        record.errorCode ? `error=${record.errorCode}` : "",
        record.fault ? `fault=${record.fault}` : "",
        `${Math.max(0, this.now() - started)}ms`,
      ];
      this.options.log(parts.filter(Boolean).join(" "));
    }
  }

  private async handleControlRequest(req: http.IncomingMessage, res: http.ServerResponse, method: string, subPath: string, rawQuery: string, requestId: string): Promise<void> {
    if (!isLoopbackAddress(req.socket.remoteAddress)) {
      this.send(res, jsonAnswer(403, { error: "the control API answers loopback clients only" }), requestId);
      return;
    }
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (error) {
      if (!(error instanceof BodyTooLarge)) throw error;
      this.send(res, jsonAnswer(413, { error: "the control request body is larger than 1 MiB" }), requestId);
      return;
    }
    const answer = handleControl(this.control, method, subPath, new URLSearchParams(rawQuery), body);
    this.send(res, jsonAnswer(answer.status, answer.body), requestId);
  }

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.delays.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      this.delays.add(entry);
    });
  }

  private internalError(res: http.ServerResponse, error: unknown): void {
    this.options.log?.(`emulator internal error: ${(error as Error)?.stack ?? String(error)}`);
    if (!res.headersSent && !res.destroyed) {
      const requestId = randomHex(16);
      this.send(res, jsonAnswer(500, gatewayError(500, ERROR_CODES.gatewayRequestError, "Internal server error.", requestId).body), requestId);
    }
  }
}

/** Starts an emulator on loopback. Throws when the host is not a loopback one or an option is invalid. */
export async function startEmulator(opts: EmulatorOptions = {}): Promise<RunningEmulator> {
  const host = opts.host ?? "127.0.0.1";
  if (!LOOPBACK_HOSTS.includes(host)) {
    throw new Error(`the emulator listens on loopback only (${LOOPBACK_HOSTS.join(", ")}); got host ${JSON.stringify(host)}. It accepts a published demo key, so it must not face a network.`);
  }
  const port = opts.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`emulator option port must be an integer 0-65535, got ${JSON.stringify(port)}`);
  requireNonNegative("clockSkewLimitMs", opts.clockSkewLimitMs);
  requireNonNegative("jobDurationMs", opts.jobDurationMs);
  const emulator = new Emulator(opts);
  await emulator.listen(host, port);
  return emulator;
}
