/**
 * Huawei Cloud AK/SK request signing, algorithm SDK-HMAC-SHA256.
 *
 * Used by the client to sign and by the emulator to verify: both rebuild the same
 * canonical request. Its correctness is pinned by Huawei's published known-answer
 * vector and by comparison with Huawei's own SDK signer in the tests.
 */
import { createHash, createHmac } from "node:crypto";

export const ALGORITHM = "SDK-HMAC-SHA256";
export const UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
export const EMPTY_BODY_SHA256 = createHash("sha256").update("").digest("hex");

/** A request as it is about to be sent (or as it was received). */
export interface SignableRequest {
  readonly method: string;
  /** The path as sent, without the query, e.g. `/v2/abc/workspaces`. */
  readonly path: string;
  /** Decoded query parameters; a repeated name carries several values. */
  readonly query?: ReadonlyArray<readonly [string, string]>;
  /** Header name -> value. Names are matched case-insensitively. */
  readonly headers: Readonly<Record<string, string>>;
  /** The exact body bytes sent; empty when there is no body. */
  readonly body?: Buffer | string;
}

export interface Credentials {
  readonly accessKey: string;
  readonly secretKey: string;
  readonly securityToken?: string;
}

/** Percent-encodes as the signing spec wants: keep A-Z a-z 0-9 - _ . ~, others as %XX upper-case (UTF-8). */
export function encodeComponent(value: string): string {
  let out = "";
  for (const byte of Buffer.from(value, "utf8")) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else out += "%" + byte.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

/** Each path segment encoded; always ends with `/` when signing. */
export function canonicalUri(path: string): string {
  const encoded = path
    .split("/")
    .map((segment) => encodeComponent(safeDecode(segment)))
    .join("/");
  return encoded.endsWith("/") ? encoded : encoded + "/";
}

/** Sorted by encoded name, then by encoded value; `name=` for an empty value. */
export function canonicalQuery(query: ReadonlyArray<readonly [string, string]> = []): string {
  const pairs = query.map(([k, v]) => [encodeComponent(k), encodeComponent(v)] as const);
  pairs.sort((a, b) => compareBytes(a[0], b[0]) || compareBytes(a[1], b[1]));
  return pairs.map(([k, v]) => `${k}=${v}`).join("&");
}

function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function headerValue(headers: Readonly<Record<string, string>>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === wanted) return v;
  return undefined;
}

export function sha256Hex(data: Buffer | string): string {
  return createHash("sha256").update(data).digest("hex");
}

/** The canonical request over exactly the headers named in `signedHeaders` (lower-case). */
export function canonicalRequest(req: SignableRequest, signedHeaders: readonly string[]): string {
  const canonicalHeaders = [...signedHeaders]
    .sort()
    .map((name) => `${name}:${(headerValue(req.headers, name) ?? "").trim()}\n`)
    .join("");
  const contentSha = headerValue(req.headers, "x-sdk-content-sha256");
  const payloadHash = contentSha === UNSIGNED_PAYLOAD ? UNSIGNED_PAYLOAD : sha256Hex(req.body ?? "");
  return [
    req.method.toUpperCase(),
    canonicalUri(req.path),
    canonicalQuery(req.query),
    canonicalHeaders,
    [...signedHeaders].sort().join(";"),
    payloadHash,
  ].join("\n");
}

export function stringToSign(canonical: string, sdkDate: string): string {
  return [ALGORITHM, sdkDate, sha256Hex(canonical)].join("\n");
}

export function signature(secretKey: string, toSign: string): string {
  return createHmac("sha256", Buffer.from(secretKey, "utf8")).update(toSign).digest("hex");
}

/** `YYYYMMDDTHHMMSSZ` in UTC. */
export function formatSdkDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

/** Parses `YYYYMMDDTHHMMSSZ`; undefined when malformed. */
export function parseSdkDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/**
 * Signs a request: returns the headers to send (the given ones plus X-Sdk-Date,
 * X-Security-Token when the credentials are temporary, and Authorization).
 * Every header present is signed. Call it afresh for every request and every retry.
 */
export function signRequest(req: SignableRequest, creds: Credentials, now: Date = new Date()): Record<string, string> {
  const headers: Record<string, string> = { ...req.headers };
  if (!headerValue(headers, "host")) throw new Error("signRequest: the Host header must be set before signing");
  const sdkDate = formatSdkDate(now);
  headers["X-Sdk-Date"] = sdkDate;
  if (creds.securityToken) headers["X-Security-Token"] = creds.securityToken;
  const signed = Object.keys(headers).map((k) => k.toLowerCase());
  const canonical = canonicalRequest({ ...req, headers }, signed);
  const sig = signature(creds.secretKey, stringToSign(canonical, sdkDate));
  headers["Authorization"] = `${ALGORITHM} Access=${creds.accessKey}, SignedHeaders=${[...signed].sort().join(";")}, Signature=${sig}`;
  return headers;
}

/** The parts of an Authorization header; undefined when it is not an SDK-HMAC-SHA256 one. */
export function parseAuthorization(value: string): { accessKey: string; signedHeaders: string[]; signature: string } | undefined {
  const m = /^SDK-HMAC-SHA256\s+Access=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-fA-F]+)\s*$/.exec(value.trim());
  if (!m) return undefined;
  return { accessKey: m[1], signedHeaders: m[2].split(";").map((h) => h.toLowerCase()), signature: m[3].toLowerCase() };
}
