/**
 * Every body the emulator sends, success and error, for every route, checked against Huawei's
 * own Swagger definitions, including an audit for fields the definitions do not have.
 */
import { RunningEmulator, startEmulator } from "../../src/emulator";
import { ManualClock, Reply, call, control } from "./client";
import { ApiDefinition, Deviation, Schema, check, loadDefinition } from "./swagger";

const FILES = {
  ListWorkspaces: "Workspace-ListWorkspaces.json",
  CancelWorkspace: "Workspace-CancelWorkspace.json",
  ApplyWorkspace: "Workspace-ApplyWorkspace.json",
  UpdateWorkspace: "Workspace-UpdateWorkspace.json",
  ShowWorkspaceLock: "Workspace-ShowWorkspaceLock.json",
  ListDesktops: "Workspace-ListDesktops.json",
  ListDesktopsDetail: "Workspace-ListDesktopsDetail.json",
  ShowJob: "Workspace-ShowJob.json",
  ListSubJobs: "Workspace-ListItaSubJobs.json",
  KeystoneListProjects: "IAM-KeystoneListProjects.json",
} as const;
type Operation = keyof typeof FILES;

/** Where the emulator knowingly departs from the letter of the definitions, and why. */
const DEVIATIONS: Deviation[] = [
  { at: "Links.next", allow: "null", why: "IAM-KeystoneListProjects.json's own example answers next: null" },
  { at: "Links.previous", allow: "null", why: "IAM-KeystoneListProjects.json's own example answers previous: null" },
  { at: "DesktopDetailInfo.task_status", allow: "empty-string", why: "ListDesktopsDetail's own example answers task_status: \"\" for an idle desktop" },
];

/** Workspace error fields some revisions of the definitions carry and others lack (workspace-api.md: error body). */
const WORKSPACE_ERROR_EXTRAS = ["error_detail", "encoded_authorization_message"];

/** The API gateway's error shape, which no service definition describes (workspace-api.md: gateway errors). */
const GATEWAY_ERROR: Schema = {
  type: "object",
  required: ["error_code", "error_msg", "request_id"],
  properties: {
    error_code: { type: "string", pattern: "^APIGW\\.\\d{4}$" },
    error_msg: { type: "string", minLength: 1, maxLength: 1000 },
    request_id: { type: "string", pattern: "^[0-9a-f]{32}$" },
  },
};

const definitions = new Map<Operation, ApiDefinition>(Object.entries(FILES).map(([op, file]) => [op as Operation, loadDefinition(file)]));

function schemaFor(op: Operation, status: number, body: any): { schema: Schema; defs: Record<string, Schema>; label: string } {
  const def = definitions.get(op)!;
  if (body && typeof body.error_code === "string" && body.error_code.startsWith("APIGW.")) return { schema: GATEWAY_ERROR, defs: {}, label: "gateway error" };
  const listed = def.responses[String(status)]?.schema ?? (status >= 400 ? def.responses.default?.schema : undefined);
  if (listed) return { schema: listed, defs: def.definitions, label: `${def.name} ${status}` };
  // A Workspace error with a status the operation does not list (409): the service's error shape.
  if (status >= 400 && def.definitions.BaseResponse) return { schema: { $ref: "#/definitions/BaseResponse" }, defs: def.definitions, label: `${def.name} BaseResponse` };
  throw new Error(`${def.name}: no schema for status ${status}`);
}

function expectConforms(op: Operation, reply: Reply): void {
  expect(reply.json).toBeDefined();
  const { schema, defs, label } = schemaFor(op, reply.status, reply.json);
  const result = check(schema, reply.json, defs, DEVIATIONS);
  const isWorkspaceError = reply.status >= 400 && label !== "gateway error";
  const unknown = result.unknownFields.filter((f) => !(isWorkspaceError && WORKSPACE_ERROR_EXTRAS.includes(f.replace(/^\$\./, ""))));
  expect({ label, errors: result.errors, unknown }).toEqual({ label, errors: [], unknown: [] });
}

describe("responses conform to Huawei's API definitions", () => {
  const clock = new ManualClock();
  let emulator: RunningEmulator;
  let n = 0;
  const freshProject = () => `${(++n).toString(16).padStart(4, "0")}${"c".repeat(28)}`;
  const get = (path: string, query?: Array<[string, string]>) => call(emulator.url, { path, query, signAt: clock.date() });
  const send = (method: string, path: string, body?: object) => call(emulator.url, { method, path, body, signAt: clock.date() });

  beforeAll(async () => {
    emulator = await startEmulator({ now: clock.now, jobDurationMs: 10_000 });
  });
  afterAll(() => emulator.stop());

  it("the checker itself reports wrong types, enum misses, missing required fields and unknown fields", () => {
    const def = definitions.get("ListWorkspaces")!;
    const bad = check({ $ref: "#/definitions/DescribeWorkspaceDetailResponse" }, { status: "GONE", closable: "yes", invented: 1 }, def.definitions);
    expect(bad.errors).toEqual(expect.arrayContaining([expect.stringContaining("not one of"), expect.stringContaining("expected boolean")]));
    expect(bad.unknownFields).toEqual(["$.invented"]);
    const iam = definitions.get("KeystoneListProjects")!;
    expect(check({ $ref: "#/definitions/Links" }, { self: "x" }, iam.definitions).errors).toEqual(
      expect.arrayContaining([expect.stringContaining("required field next")]),
    );
  });

  it("ListWorkspaces: every service status, seeded and never seeded", async () => {
    const statuses = ["SUBSCRIBED", "SUBSCRIPTION_FAILED", "DEREGISTRATION_FAILED", "CLOSED", "PREPARING"] as const;
    for (const status of statuses) {
      const pid = freshProject();
      emulator.control.addTenant(pid, { status, enterpriseId: "acme_01", failCode: status.endsWith("FAILED") ? 3 : undefined, failReason: status.endsWith("FAILED") ? "boom" : undefined });
      const reply = await get(`/v2/${pid}/workspaces`);
      expect(reply.status).toBe(200);
      expect(reply.json.status).toBe(status);
      expectConforms("ListWorkspaces", reply);
    }
    const unseeded = await get(`/v2/${freshProject()}/workspaces`);
    expect(unseeded.json).toMatchObject({ status: "CLOSED", id: "" });
    expectConforms("ListWorkspaces", unseeded);
  });

  it("CancelWorkspace: 202, then DEREGISTERING, 409 while running, CLOSED, 400 when closed", async () => {
    const pid = freshProject();
    emulator.control.addTenant(pid);
    const accepted = await send("DELETE", `/v2/${pid}/workspaces`);
    expect(accepted.status).toBe(202);
    expectConforms("CancelWorkspace", accepted);
    clock.advance(4000);
    const running = await get(`/v2/${pid}/workspaces`);
    expect(running.json.status).toBe("DEREGISTERING");
    expectConforms("ListWorkspaces", running);
    const conflict = await send("DELETE", `/v2/${pid}/workspaces`);
    expect(conflict.status).toBe(409);
    expectConforms("CancelWorkspace", conflict);
    clock.advance(7000);
    const closed = await get(`/v2/${pid}/workspaces`);
    expect(closed.json.status).toBe("CLOSED");
    expectConforms("ListWorkspaces", closed);
    const again = await send("DELETE", `/v2/${pid}/workspaces`);
    expect(again.status).toBe(400);
    expectConforms("CancelWorkspace", again);
  });

  it("CancelWorkspace: 400 while desktops remain, 403 denial with encoded_authorization_message, 401 gateway", async () => {
    const pid = freshProject();
    emulator.control.addTenant(pid);
    emulator.control.addDesktop(pid);
    const refused = await send("DELETE", `/v2/${pid}/workspaces`);
    expect(refused.status).toBe(400);
    expectConforms("CancelWorkspace", refused);
    emulator.control.injectFault({ route: "CancelWorkspace", status: 403 });
    const denied = await send("DELETE", `/v2/${pid}/workspaces`);
    expect(denied.status).toBe(403);
    expect(typeof denied.json.encoded_authorization_message).toBe("string");
    expectConforms("CancelWorkspace", denied);
    const unsigned = await call(emulator.url, { method: "DELETE", path: `/v2/${pid}/workspaces`, credentials: null });
    expect(unsigned.status).toBe(401);
    expectConforms("CancelWorkspace", unsigned);
  });

  it("ApplyWorkspace and UpdateWorkspace: success and errors", async () => {
    const pid = freshProject();
    const applied = await send("POST", `/v2/${pid}/workspaces`, { ad_domains: { domain_type: "LITE_AS" }, access_mode: "INTERNET", subnet_ids: [{ subnet_id: "s-1" }] });
    expect(applied.status).toBe(200);
    expectConforms("ApplyWorkspace", applied);
    const midway = await get(`/v2/${pid}/workspaces`);
    expectConforms("ListWorkspaces", midway);
    const invalid = await send("POST", `/v2/${freshProject()}/workspaces`, { access_mode: "INTERNET" });
    expect(invalid.status).toBe(400);
    expectConforms("ApplyWorkspace", invalid);
    clock.advance(10_000);
    const duplicate = await send("POST", `/v2/${pid}/workspaces`, { ad_domains: { domain_type: "LITE_AS" } });
    expect(duplicate.status).toBe(409);
    expectConforms("ApplyWorkspace", duplicate);
    const updated = await send("PUT", `/v2/${pid}/workspaces`, { enterprise_id: "acme", subnet_ids: ["s-2"] });
    expect(updated.status).toBe(200);
    expectConforms("UpdateWorkspace", updated);
    const badUpdate = await send("PUT", `/v2/${pid}/workspaces`, { subnet_ids: [{ subnet_id: "s-2" }] });
    expect(badUpdate.status).toBe(400);
    expectConforms("UpdateWorkspace", badUpdate);
  });

  it("ListDesktops and ListDesktopsDetail: users, no users, DELETED leftovers, deleting, empty, bad limit", async () => {
    const pid = freshProject();
    emulator.control.addTenant(pid);
    emulator.control.addDesktop(pid, { userName: "alice" });
    emulator.control.addDesktop(pid, { status: "deleted" });
    emulator.control.addDesktop(pid, { taskStatus: "deleting", deleteAfterMs: 60_000 });
    for (const op of ["ListDesktops", "ListDesktopsDetail"] as const) {
      const path = op === "ListDesktops" ? `/v2/${pid}/desktops` : `/v2/${pid}/desktops/detail`;
      const full = await get(path);
      expect(full.json.total_count).toBe(3);
      expectConforms(op, full);
      const empty = await get(`/v2/${freshProject()}${path.slice(path.indexOf("/desktops"))}`);
      expect(empty.json).toEqual({ total_count: 0, desktops: [] });
      expectConforms(op, empty);
      const badLimit = await get(path, [["limit", "1001"]]);
      expect(badLimit.status).toBe(400);
      expectConforms(op, badLimit);
    }
  });

  it("ShowJob and ListSubJobs: running, success, FAIL, FAILED, SUBJOB_FAILED, unknown job", async () => {
    for (const outcome of ["SUCCESS", "FAIL", "FAILED", "SUBJOB_FAILED"] as const) {
      const pid = freshProject();
      emulator.control.addTenant(pid);
      emulator.control.setJobPlan(pid, { kind: "cancel", outcome, durationMs: 1000 });
      const { json } = await send("DELETE", `/v2/${pid}/workspaces`);
      clock.advance(600);
      const running = await get(`/v2/${pid}/workspace-jobs/${json.job_id}`);
      expectConforms("ShowJob", running);
      expectConforms("ListSubJobs", await get(`/v2/${pid}/workspace-sub-jobs`, [["job_id", json.job_id]]));
      clock.advance(1000);
      const done = await get(`/v2/${pid}/workspace-jobs/${json.job_id}`);
      expectConforms("ShowJob", done);
      expectConforms("ListSubJobs", await get(`/v2/${pid}/workspace-sub-jobs`, [["job_id", json.job_id], ["status", "FAILED"]]));
      expectConforms("ListWorkspaces", await get(`/v2/${pid}/workspaces`));
    }
    const missing = await get(`/v2/${freshProject()}/workspace-jobs/no-such-job`);
    expect(missing.status).toBe(404);
    expectConforms("ShowJob", missing);
    const badOffset = await get(`/v2/${freshProject()}/workspace-sub-jobs`, [["offset", "-1"]]);
    expect(badOffset.status).toBe(400);
    expectConforms("ListSubJobs", badOffset);
  });

  it("KeystoneListProjects and ShowWorkspaceLock", async () => {
    const pid = freshProject();
    emulator.control.addTenant(pid, { region: "ap-southeast-1" });
    const projects = await get("/v3/projects", [["name", "ap-southeast-1"]]);
    expect(projects.json.projects.map((p: any) => p.id)).toEqual([pid]);
    expectConforms("KeystoneListProjects", projects);
    const none = await get("/v3/projects", [["name", "xx-nowhere-1"]]);
    expect(none.json.projects).toEqual([]);
    expectConforms("KeystoneListProjects", none);
    const unsigned = await call(emulator.url, { path: "/v3/projects", credentials: null });
    expectConforms("KeystoneListProjects", unsigned);
    const lock = await get(`/v2/${pid}/workspaces/lock-status`);
    expect(lock.status).toBe(200);
    expectConforms("ShowWorkspaceLock", lock);
  });

  it("gateway answers: throttled 429, injected 502/503/504, process-then-504, unknown API 404", async () => {
    const pid = freshProject();
    emulator.control.addTenant(pid);
    for (const status of [500, 502, 503, 504]) {
      emulator.control.injectFault({ route: "ListWorkspaces", status });
      const reply = await get(`/v2/${pid}/workspaces`);
      expect(reply.status).toBe(status);
      expectConforms("ListWorkspaces", reply);
    }
    emulator.control.injectFault({ route: "CancelWorkspace", processThenStatus: 504 });
    const lost = await send("DELETE", `/v2/${pid}/workspaces`);
    expect(lost.status).toBe(504);
    expectConforms("CancelWorkspace", lost);
    emulator.control.throttle({ ratePerSecond: 1, burst: 1 });
    await get(`/v2/${pid}/desktops`);
    const throttled = await get(`/v2/${pid}/desktops`);
    emulator.control.throttle(undefined);
    expect(throttled.status).toBe(429);
    expectConforms("ListDesktops", throttled);
    const unknown = await get(`/v2/${pid}/no-such-api`);
    expect(unknown.status).toBe(404);
    expect(check(GATEWAY_ERROR, unknown.json, {})).toEqual({ errors: [], unknownFields: [] });
    const state = await control(emulator.url, "GET", `/tenants/${pid}`);
    expect(state.json.service.status).toBe("DEREGISTERING");
  });
});
