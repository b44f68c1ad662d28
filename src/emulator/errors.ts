/**
 * Error answers. Two shapes exist in the real cloud: the API gateway's
 * (`error_code`, `error_msg`, `request_id`) for anything refused before the service sees it,
 * and the Workspace service's (`error_code`, `error_msg`, optionally `error_detail` and
 * `encoded_authorization_message`).
 *
 * Codes starting `WKS.EMU.` are invented by the emulator for cases no source pins down; the
 * README lists them. They fit the 12-character limit of the API's `error_code`.
 */

export const ERROR_CODES = {
  /** 401, gateway: bad or missing AK/SK signature, unknown key, missing token. */
  authFailed: "APIGW.0301",
  /** 401, gateway: X-Sdk-Date missing, malformed or too far from the gateway's clock. */
  signatureExpired: "APIGW.0303",
  /** 429, gateway: throttled; the request was never processed. */
  throttled: "APIGW.0308",
  /** 404, gateway: no such API. */
  noSuchApi: "APIGW.0101",
  /** 4xx/5xx, gateway: request or backend error (502 unavailable, 504 timeout, 413 too large). */
  gatewayRequestError: "APIGW.0201",
  /** 400, Workspace: empty or invalid request. */
  invalidRequest: "WKS.0001",
  /** 400, Workspace: the tenant does not exist (not subscribed, or already closed). */
  tenantNotFound: "WKS.00170312",
  /** 409, Workspace: another operation is running; retryable. */
  operationConflict: "WKS.00010032",
  /** 500, Workspace: the open (apply) job failed. Also the default job_error_code of a failed apply job. */
  openJobFailed: "WKS.00000003",
  /** EMULATOR-ONLY 400: desktops (or, by seed, other resources) remain, so the service cannot be cancelled. */
  resourcesRemain: "WKS.EMU.0001",
  /** EMULATOR-ONLY 409: subscribe refused, the service already exists. */
  alreadySubscribed: "WKS.EMU.0002",
  /** EMULATOR-ONLY 404: no job with that ID in this project. */
  jobNotFound: "WKS.EMU.0003",
  /** EMULATOR-ONLY: default job_error_code of a failed cancel job. */
  cancelJobFailed: "WKS.EMU.0004",
  /** EMULATOR-ONLY 403: default code of an injected permission denial. */
  permissionDenied: "WKS.EMU.0403",
} as const;

export interface ErrorAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

export function gatewayError(status: number, code: string, message: string, requestId: string): ErrorAnswer {
  return { status, body: { error_code: code, error_msg: message, request_id: requestId } };
}

export function workspaceError(status: number, code: string, message: string, extra: Record<string, string> = {}): ErrorAnswer {
  return { status, body: { error_code: code, error_msg: message, ...extra } };
}

/** The body an injected fault sends when the test gives none: what that status plausibly looks like in the field. */
export function defaultFaultBody(status: number, requestId: string): Record<string, unknown> {
  switch (status) {
    case 400:
      return workspaceError(400, ERROR_CODES.invalidRequest, "The request is invalid (injected fault).").body;
    case 401:
      return gatewayError(401, ERROR_CODES.authFailed, "Incorrect IAM authentication information: injected fault", requestId).body;
    case 403:
      return workspaceError(403, ERROR_CODES.permissionDenied, "You do not have permission to perform this action (injected fault).", {
        // Opaque to clients, as the real STS-encrypted reason is; they may only pass it on.
        encoded_authorization_message: Buffer.from(`emulator:denied:workspace:tenants:delete:${requestId}`).toString("base64"),
      }).body;
    case 404:
      return gatewayError(404, ERROR_CODES.noSuchApi, "The API does not exist or has not been published in the environment", requestId).body;
    case 409:
      return workspaceError(409, ERROR_CODES.operationConflict, "Another operation is in progress, try again later (injected fault).").body;
    case 429:
      return gatewayError(429, ERROR_CODES.throttled, "The throttling threshold has been reached: policy user over ratelimit,limit:20,time:1 minute", requestId).body;
    default:
      return status >= 500 ? gatewayFailureBody(status, requestId) : workspaceError(status, ERROR_CODES.invalidRequest, `Injected fault ${status}.`).body;
  }
}

/** A gateway-style 5xx body, used by faults and by processThenStatus. */
export function gatewayFailureBody(status: number, requestId: string): Record<string, unknown> {
  const message = status === 504 ? "Backend timeout." : status === 502 || status === 503 ? "Backend unavailable." : "Internal server error.";
  return gatewayError(status, ERROR_CODES.gatewayRequestError, message, requestId).body;
}

/** What a proxy in front of the gateway sends: an HTML page, not JSON. */
export function htmlErrorPage(status: number, reason: string): string {
  return `<html>\r\n<head><title>${status} ${reason}</title></head>\r\n<body>\r\n<center><h1>${status} ${reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
}
