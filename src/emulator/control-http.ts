/**
 * The control API over HTTP, under `/_emulator/`, so that another process (the demo, a
 * user's pipeline) can seed and steer a running emulator. JSON in, JSON out; field names as
 * in the TypeScript control API. No signature: the server only listens on loopback.
 */
import type { EmulatorControl, RouteName } from "./types";
import { ROUTE_NAMES } from "./types";

export const CONTROL_PREFIX = "/_emulator";

export interface ControlAnswer {
  readonly status: number;
  readonly body: unknown;
}

class ControlInputError extends Error {}

function objectBody(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    throw new ControlInputError("the body is not valid JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new ControlInputError("the body must be a JSON object");
  return parsed as Record<string, unknown>;
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ControlInputError(`path segment ${JSON.stringify(segment)} is not valid percent-encoding`);
  }
}

/** `subPath` is the path after `/_emulator`, `query` the raw query string. */
export function handleControl(control: EmulatorControl, method: string, subPath: string, query: URLSearchParams, rawBody: Buffer): ControlAnswer {
  try {
    return route(control, method.toUpperCase(), subPath.split("/").filter(Boolean).map(decode), query, rawBody);
  } catch (error) {
    // Every control mistake is the caller's: the message says what to change.
    return { status: 400, body: { error: (error as Error).message } };
  }
}

function route(control: EmulatorControl, method: string, parts: string[], query: URLSearchParams, rawBody: Buffer): ControlAnswer {
  const [head, id, sub, subId] = parts;
  const ok = (body: unknown = { ok: true }, status = 200): ControlAnswer => ({ status, body });

  if (head === "health" && parts.length === 1 && method === "GET") return ok({ ok: true });
  if (head === "reset" && parts.length === 1 && method === "POST") {
    control.reset();
    return ok();
  }
  if (head === "tenants") {
    if (parts.length === 1 && method === "POST") {
      const { projectId, ...seed } = objectBody(rawBody);
      if (typeof projectId !== "string") throw new ControlInputError("projectId (a string) is required");
      return ok(control.addTenant(projectId, seed), 201);
    }
    if (parts.length === 2 && method === "GET") return ok(control.state(id));
    if (sub === "desktops" && parts.length === 3 && method === "POST") {
      const { count, ...seed } = objectBody(rawBody);
      const n = count === undefined ? 1 : count;
      if (typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > 10000) throw new ControlInputError("count must be an integer from 1 to 10000");
      if (n > 1 && seed.desktopId !== undefined) throw new ControlInputError("desktopId can only be given with count 1");
      const desktopIds = Array.from({ length: n }, () => control.addDesktop(id, seed));
      return ok({ desktopIds }, 201);
    }
    if (sub === "desktops" && parts.length === 4 && method === "DELETE") return ok({ removed: control.removeDesktop(id, subId) });
    if (sub === "job-plan" && parts.length === 3 && method === "PUT") {
      control.setJobPlan(id, objectBody(rawBody) as never);
      return ok();
    }
    if (sub === "service-status" && parts.length === 3 && method === "PUT") {
      const { status, ...extra } = objectBody(rawBody);
      if (typeof status !== "string") throw new ControlInputError("status (a string) is required");
      return ok(control.setServiceStatus(id, status as never, extra));
    }
  }
  if (head === "faults" && parts.length === 1) {
    if (method === "POST") return ok({ id: control.injectFault(objectBody(rawBody) as never) }, 201);
    if (method === "DELETE") {
      control.clearFaults();
      return ok();
    }
  }
  if (head === "throttle" && parts.length === 1) {
    if (method === "PUT") {
      control.throttle(objectBody(rawBody) as never);
      return ok();
    }
    if (method === "DELETE") {
      control.throttle(undefined);
      return ok();
    }
  }
  if (head === "requests") {
    if (parts.length === 1 && method === "GET") return ok({ requests: control.requests() });
    if (parts.length === 1 && method === "DELETE") {
      control.clearRequests();
      return ok();
    }
    if (id === "count" && parts.length === 2 && method === "GET") {
      const name = query.get("route") ?? "";
      if (!(ROUTE_NAMES as readonly string[]).includes(name)) throw new ControlInputError(`route must be one of ${ROUTE_NAMES.join(", ")}`);
      return ok({ route: name, count: control.countOf(name as RouteName) });
    }
  }
  if (head === "peak-concurrency" && parts.length === 1 && method === "GET") return ok({ peakConcurrency: control.peakConcurrency() });
  if (head === "credentials" && parts.length === 1 && method === "PUT") {
    const { credentials } = objectBody(rawBody);
    if (!Array.isArray(credentials)) throw new ControlInputError("credentials (an array of {accessKey, secretKey, securityToken?}) is required");
    control.setCredentials(credentials);
    return ok({ accepted: credentials.length });
  }
  return { status: 404, body: { error: `no control route ${method} ${CONTROL_PREFIX}/${parts.join("/")}; see src/emulator/README.md` } };
}
