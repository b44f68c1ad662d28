/**
 * A minimal signed HTTP client for the emulator tests. Uses node:http with no connection
 * pooling, so a dropped socket shows up as an error on exactly the call that caused it.
 */
import * as http from "node:http";
import { Credentials, encodeComponent, signRequest } from "../../src/runtime/signer";
import { DEMO_CREDENTIALS } from "../../src/emulator";

export interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly text: string;
  /** Parsed JSON body, or undefined when the body is not JSON. */
  readonly json: any;
}

export interface CallOptions {
  readonly method?: string;
  readonly path: string;
  readonly query?: ReadonlyArray<readonly [string, string]>;
  readonly body?: string | object;
  /** Sign with these; `null` sends no Authorization at all. @default DEMO_CREDENTIALS */
  readonly credentials?: Credentials | null;
  /** The signing time. @default now */
  readonly signAt?: Date;
  readonly headers?: Record<string, string>;
  /** Changes the signed headers before sending, to model tampering on the way. */
  readonly tamper?: (headers: Record<string, string>) => void;
  /** Sends this path instead of `path` after signing (tampered path). */
  readonly sendPath?: string;
}

export function queryString(query: ReadonlyArray<readonly [string, string]> = []): string {
  return query.length ? "?" + query.map(([k, v]) => `${encodeComponent(k)}=${encodeComponent(v)}`).join("&") : "";
}

export function rawRequest(baseUrl: string, method: string, pathAndQuery: string, headers: Record<string, string>, body?: string | Buffer): Promise<Reply> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname.replace(/^\[|\]$/g, ""), port: url.port, method, path: pathAndQuery, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** A signed call, as the project's own client signs (signer.ts). */
export function call(baseUrl: string, opts: CallOptions): Promise<Reply> {
  const method = opts.method ?? "GET";
  const url = new URL(baseUrl);
  const body = opts.body === undefined ? undefined : typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
  const base: Record<string, string> = { Host: url.host, "Content-Type": "application/json", ...opts.headers };
  const credentials = opts.credentials === undefined ? DEMO_CREDENTIALS : opts.credentials;
  const headers = credentials === null ? base : signRequest({ method, path: opts.path, query: opts.query, headers: base, body }, credentials, opts.signAt ?? new Date());
  opts.tamper?.(headers);
  return rawRequest(baseUrl, method, (opts.sendPath ?? opts.path) + queryString(opts.query), headers, body);
}

/** An unsigned call to the control API. */
export function control(baseUrl: string, method: string, path: string, body?: unknown): Promise<Reply> {
  const text = body === undefined ? undefined : JSON.stringify(body);
  return rawRequest(baseUrl, method, `/_emulator${path}`, { "Content-Type": "application/json" }, text);
}

/** A clock the test moves by hand. Starts at the real time so signatures made with it stay within the skew limit. */
export class ManualClock {
  private t = Date.now();
  readonly now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
  date(): Date {
    return new Date(this.t);
  }
}
