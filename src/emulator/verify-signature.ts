/**
 * Checks an SDK-HMAC-SHA256 signature the way the API gateway does: the canonical request is
 * rebuilt from exactly the headers the client listed in SignedHeaders, the path as received
 * and the body bytes as received, with the same code the client signs with (signer.ts).
 */
import { timingSafeEqual } from "node:crypto";
import { canonicalRequest, parseAuthorization, parseSdkDate, signature, stringToSign } from "../runtime/signer";
import { ERROR_CODES } from "./errors";
import type { EmulatorCredentials } from "./types";

export interface ReceivedRequest {
  readonly method: string;
  /** Raw path, without the query. */
  readonly path: string;
  /** Decoded query pairs, in the order received. */
  readonly query: ReadonlyArray<readonly [string, string]>;
  /** Lower-case header name -> value. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/** What the request log may keep about the caller's signature: never the signature or the token. */
export interface SignatureFacts {
  readonly accessKey?: string;
  readonly signedHeaders?: ReadonlyArray<string>;
  readonly sdkDate?: string;
  readonly hadSecurityToken: boolean;
}

export type SignatureCheck =
  | ({ readonly ok: true } & SignatureFacts)
  | ({ readonly ok: false; readonly code: string; readonly message: string } & SignatureFacts);

const AUTH_FAILED_PREFIX = "Incorrect IAM authentication information: ";
const MAX_MESSAGE = 1000;

export function verifySignature(
  req: ReceivedRequest,
  credentials: ReadonlyArray<EmulatorCredentials>,
  nowMs: number,
  clockSkewLimitMs: number,
): SignatureCheck {
  const hadSecurityToken = req.headers["x-security-token"] !== undefined;
  const sdkDate = req.headers["x-sdk-date"];
  const authorization = req.headers["authorization"];
  const fail = (code: string, message: string, facts: Partial<SignatureFacts> = {}): SignatureCheck => ({
    ok: false,
    code,
    message: message.slice(0, MAX_MESSAGE),
    hadSecurityToken,
    sdkDate,
    ...facts,
  });

  if (authorization === undefined) return fail(ERROR_CODES.authFailed, `${AUTH_FAILED_PREFIX}Authorization header is missing`);
  const auth = parseAuthorization(authorization);
  if (!auth) return fail(ERROR_CODES.authFailed, `${AUTH_FAILED_PREFIX}Authorization header is not of the form "SDK-HMAC-SHA256 Access=..., SignedHeaders=..., Signature=..."`);
  const facts = { accessKey: auth.accessKey, signedHeaders: auth.signedHeaders };

  if (sdkDate === undefined) return fail(ERROR_CODES.signatureExpired, "Signature expired: the X-Sdk-Date header is missing", facts);
  const date = parseSdkDate(sdkDate);
  if (!date) return fail(ERROR_CODES.signatureExpired, `Signature expired: X-Sdk-Date ${JSON.stringify(sdkDate)} is not of the form YYYYMMDDTHHMMSSZ`, facts);
  if (Math.abs(date.getTime() - nowMs) > clockSkewLimitMs) {
    return fail(ERROR_CODES.signatureExpired, `Signature expired: X-Sdk-Date ${sdkDate} is more than ${Math.round(clockSkewLimitMs / 1000)} s from the gateway's clock ${new Date(nowMs).toISOString()}`, facts);
  }
  if (!auth.signedHeaders.includes("x-sdk-date")) return fail(ERROR_CODES.authFailed, `${AUTH_FAILED_PREFIX}x-sdk-date must be a signed header`, facts);

  const key = credentials.find((c) => c.accessKey === auth.accessKey);
  if (!key) return fail(ERROR_CODES.authFailed, `${AUTH_FAILED_PREFIX}verify aksk signature fail, the access key ${auth.accessKey} does not exist`, facts);
  if (key.securityToken !== undefined) {
    const token = req.headers["x-security-token"];
    if (token === undefined) return fail(ERROR_CODES.authFailed, `${AUTH_FAILED_PREFIX}the access key is temporary and X-Security-Token is missing`, facts);
    if (!auth.signedHeaders.includes("x-security-token")) return fail(ERROR_CODES.authFailed, `${AUTH_FAILED_PREFIX}x-security-token must be a signed header`, facts);
    if (!sameText(token, key.securityToken)) return fail(ERROR_CODES.authFailed, `${AUTH_FAILED_PREFIX}the security token is invalid or expired`, facts);
  }

  const canonical = canonicalRequest({ method: req.method, path: req.path, query: req.query, headers: req.headers, body: req.body }, auth.signedHeaders);
  const expected = signature(key.secretKey, stringToSign(canonical, sdkDate));
  if (!sameText(expected, auth.signature)) {
    return fail(ERROR_CODES.authFailed, `${AUTH_FAILED_PREFIX}verify aksk signature fail, canonical request: ${echoable(canonical)}`, facts);
  }
  return { ok: true, hadSecurityToken, sdkDate, ...facts };
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** The gateway echoes the canonical request with newlines as `|`; a token value is masked because clients log these messages. */
function echoable(canonical: string): string {
  return canonical
    .split("\n")
    .map((line) => (line.startsWith("x-security-token:") ? "x-security-token:***" : line))
    .join("|");
}
