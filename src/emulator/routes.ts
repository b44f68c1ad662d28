/**
 * The API surface: which method and path is which operation, and how each operation's
 * parameters and body are read and checked before the model sees them.
 */
import { ERROR_CODES, workspaceError } from "./errors";
import type { ApplyRequest, ListPage, Outcome, UpdateRequest, WorkspaceCloud } from "./model";
import type { RouteName } from "./types";

export interface MatchedRoute {
  readonly name: RouteName;
  readonly projectId?: string;
  readonly jobId?: string;
}

interface RouteDef {
  readonly method: string;
  readonly name: RouteName;
  readonly pattern: RegExp;
  readonly params: ReadonlyArray<"projectId" | "jobId">;
}

const SEGMENT = "([^/]{1,255})";
const ROUTES: ReadonlyArray<RouteDef> = [
  { method: "GET", name: "ListWorkspaces", pattern: new RegExp(`^/v2/${SEGMENT}/workspaces$`), params: ["projectId"] },
  { method: "DELETE", name: "CancelWorkspace", pattern: new RegExp(`^/v2/${SEGMENT}/workspaces$`), params: ["projectId"] },
  { method: "POST", name: "ApplyWorkspace", pattern: new RegExp(`^/v2/${SEGMENT}/workspaces$`), params: ["projectId"] },
  { method: "PUT", name: "UpdateWorkspace", pattern: new RegExp(`^/v2/${SEGMENT}/workspaces$`), params: ["projectId"] },
  { method: "GET", name: "ShowWorkspaceLock", pattern: new RegExp(`^/v2/${SEGMENT}/workspaces/lock-status$`), params: ["projectId"] },
  { method: "GET", name: "ListDesktops", pattern: new RegExp(`^/v2/${SEGMENT}/desktops$`), params: ["projectId"] },
  { method: "GET", name: "ListDesktopsDetail", pattern: new RegExp(`^/v2/${SEGMENT}/desktops/detail$`), params: ["projectId"] },
  { method: "GET", name: "ShowJob", pattern: new RegExp(`^/v2/${SEGMENT}/workspace-jobs/${SEGMENT}$`), params: ["projectId", "jobId"] },
  { method: "GET", name: "ListSubJobs", pattern: new RegExp(`^/v2/${SEGMENT}/workspace-sub-jobs$`), params: ["projectId"] },
  { method: "GET", name: "KeystoneListProjects", pattern: /^\/v3\/projects$/, params: [] },
];

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Undefined when no API has this method and path: the gateway answers APIGW.0101 then. */
export function matchRoute(method: string, rawPath: string): MatchedRoute | undefined {
  for (const route of ROUTES) {
    if (route.method !== method.toUpperCase()) continue;
    const m = route.pattern.exec(rawPath);
    if (!m) continue;
    const matched: { name: RouteName; projectId?: string; jobId?: string } = { name: route.name };
    route.params.forEach((param, i) => (matched[param] = decodeSegment(m[i + 1])));
    return matched;
  }
  return undefined;
}

/** Splits a raw query into decoded pairs. `+` stays `+`: the signing spec encodes a space as %20. */
export function parseQuery(rawQuery: string): Array<[string, string]> {
  if (!rawQuery) return [];
  return rawQuery
    .split("&")
    .filter((part) => part.length > 0)
    .map((part) => {
      const eq = part.indexOf("=");
      const name = eq < 0 ? part : part.slice(0, eq);
      const value = eq < 0 ? "" : part.slice(eq + 1);
      return [decodeSegment(name), decodeSegment(value)];
    });
}

class BadRequest extends Error {}

function first(query: ReadonlyArray<readonly [string, string]>, name: string): string | undefined {
  return query.find(([k]) => k === name)?.[1];
}

function all(query: ReadonlyArray<readonly [string, string]>, name: string): string[] {
  return query.filter(([k]) => k === name).map(([, v]) => v);
}

function integerParam(query: ReadonlyArray<readonly [string, string]>, name: string, min: number, max: number, fallback: number): number {
  const raw = first(query, name);
  if (raw === undefined || raw === "") return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new BadRequest(`The parameter ${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}.`);
  }
  return Number(raw);
}

function page(query: ReadonlyArray<readonly [string, string]>, maxOffset: number): ListPage {
  return { limit: integerParam(query, "limit", 0, 1000, 1000), offset: integerParam(query, "offset", 0, maxOffset, 0) };
}

function parseJsonObject(body: Buffer): Record<string, unknown> {
  if (body.length === 0) throw new BadRequest("The request body is empty.");
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    throw new BadRequest("The request body is not valid JSON.");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new BadRequest("The request body must be a JSON object.");
  return parsed as Record<string, unknown>;
}

function optionalString(body: Record<string, unknown>, name: string, maxLength: number, pattern?: RegExp): string | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value.length > maxLength || (pattern && !pattern.test(value))) {
    throw new BadRequest(`The parameter ${name} is invalid.`);
  }
  return value;
}

function optionalBoolean(body: Record<string, unknown>, name: string): boolean | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (typeof value !== "boolean") throw new BadRequest(`The parameter ${name} must be a boolean.`);
  return value;
}

const ACCESS_MODES = ["INTERNET", "DEDICATED", "BOTH"];
const DOMAIN_TYPES = ["LITE_AS", "LOCAL_AD"];
const ENTERPRISE_ID = /^[a-zA-Z0-9_-]+$/;

function accessMode(body: Record<string, unknown>): string | undefined {
  const value = optionalString(body, "access_mode", 55);
  if (value !== undefined && !ACCESS_MODES.includes(value)) throw new BadRequest(`The parameter access_mode must be one of ${ACCESS_MODES.join(", ")}.`);
  return value;
}

/** Subscribe takes `subnet_ids` as `[{"subnet_id": "..."}]`; update takes plain strings. Mixing them up is a classic client bug, so both are checked. */
export function readApplyRequest(body: Buffer): ApplyRequest {
  const json = parseJsonObject(body);
  const ad = json.ad_domains;
  if (typeof ad !== "object" || ad === null || Array.isArray(ad)) throw new BadRequest("The parameter ad_domains is required.");
  const domainType = (ad as Record<string, unknown>).domain_type;
  if (typeof domainType !== "string" || !DOMAIN_TYPES.includes(domainType)) {
    throw new BadRequest(`The parameter ad_domains.domain_type must be one of ${DOMAIN_TYPES.join(", ")}.`);
  }
  const subnets = json.subnet_ids ?? [];
  if (!Array.isArray(subnets) || subnets.length > 100) throw new BadRequest("The parameter subnet_ids must be an array of at most 100 items.");
  const subnetIds = subnets.map((item) => {
    const id = typeof item === "object" && item !== null ? (item as Record<string, unknown>).subnet_id : undefined;
    if (typeof id !== "string" || id.length < 1 || id.length > 255) throw new BadRequest('The parameter subnet_ids must hold objects of the form {"subnet_id": "..."}.');
    return id;
  });
  return {
    domainType,
    accessMode: accessMode(json),
    enterpriseId: optionalString(json, "enterprise_id", 32, ENTERPRISE_ID),
    vpcId: optionalString(json, "vpc_id", 255),
    subnetIds,
    isSendEmail: optionalBoolean(json, "is_send_email"),
  };
}

export function readUpdateRequest(body: Buffer): UpdateRequest {
  const json = parseJsonObject(body);
  if (Object.keys(json).length === 0) throw new BadRequest("The request names no attribute to update.");
  let subnetIds: string[] | undefined;
  if (json.subnet_ids !== undefined) {
    if (!Array.isArray(json.subnet_ids) || json.subnet_ids.length > 100 || json.subnet_ids.some((s) => typeof s !== "string")) {
      throw new BadRequest("The parameter subnet_ids must be an array of subnet ID strings.");
    }
    subnetIds = json.subnet_ids as string[];
  }
  return {
    accessMode: accessMode(json),
    enterpriseId: optionalString(json, "enterprise_id", 32, ENTERPRISE_ID),
    subnetIds,
    isSendEmail: optionalBoolean(json, "is_send_email"),
    internetAccessPort: optionalString(json, "internet_access_port", 10),
  };
}

export interface RouteContext {
  readonly route: MatchedRoute;
  readonly query: ReadonlyArray<readonly [string, string]>;
  readonly body: Buffer;
  /** Base URL for IAM's `links`. */
  readonly baseUrl: string;
}

/** Runs one operation against the model. */
export function handleRoute(cloud: WorkspaceCloud, ctx: RouteContext): Outcome {
  try {
    return dispatch(cloud, ctx);
  } catch (error) {
    if (error instanceof BadRequest) return workspaceError(400, ERROR_CODES.invalidRequest, error.message);
    throw error;
  }
}

function dispatch(cloud: WorkspaceCloud, { route, query, body, baseUrl }: RouteContext): Outcome {
  const projectId = route.projectId ?? "";
  switch (route.name) {
    case "ListWorkspaces":
      return { status: 200, body: cloud.serviceView(projectId) };
    case "CancelWorkspace":
      return cloud.cancel(projectId);
    case "ApplyWorkspace":
      return cloud.apply(projectId, readApplyRequest(body));
    case "UpdateWorkspace":
      return cloud.update(projectId, readUpdateRequest(body));
    case "ShowWorkspaceLock":
      return { status: 200, body: { is_lock: 0, lock_reason: "", lock_time: "" } };
    case "ListDesktops":
    case "ListDesktopsDetail": {
      const detail = route.name === "ListDesktopsDetail";
      const filter = {
        desktopType: first(query, "desktop_type") || undefined,
        userName: first(query, "user_name") || undefined,
        computerName: first(query, "computer_name") || undefined,
        desktopIp: first(query, "desktop_ip") || undefined,
        status: detail ? first(query, "status") || undefined : undefined,
        desktopIds: detail ? all(query, "desktop_id").filter(Boolean) : undefined,
      };
      return { status: 200, body: cloud.listDesktops(projectId, filter, page(query, 2147483647), detail) };
    }
    case "ShowJob":
      return cloud.showJob(projectId, route.jobId ?? "");
    case "ListSubJobs": {
      const filter = {
        jobId: first(query, "job_id") || undefined,
        jobType: first(query, "job_type") || undefined,
        statuses: all(query, "status").filter(Boolean),
      };
      return { status: 200, body: cloud.listSubJobs(projectId, filter, page(query, 10000)) };
    }
    case "KeystoneListProjects": {
      const name = first(query, "name");
      const self = `${baseUrl}/v3/projects${name !== undefined ? `?name=${encodeURIComponent(name)}` : ""}`;
      const projects = cloud.iamProjects(name).map((p) => ({
        id: p.id,
        name: p.name,
        description: "",
        domain_id: p.domainId,
        parent_id: p.domainId,
        enabled: true,
        is_domain: false,
        links: { self: `${baseUrl}/v3/projects/${p.id}`, next: null, previous: null },
      }));
      return { status: 200, body: { projects, links: { self, next: null, previous: null } } };
    }
  }
}
