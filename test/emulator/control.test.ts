/**
 * The control API over HTTP (how a separate process drives the emulator), and the loopback rule.
 */
import * as os from "node:os";
import { DEMO_CREDENTIALS, RunningEmulator, startEmulator } from "../../src/emulator";
import { call, control } from "./client";

const P = "0123456789abcdef0123456789abcdef";
let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ jobDurationMs: 60_000 });
});
afterAll(() => emulator.stop());
beforeEach(() => emulator.control.reset());

describe("control over HTTP", () => {
  it("seeds a tenant and desktops, reads state, removes a desktop", async () => {
    const seeded = await control(emulator.url, "POST", "/tenants", { projectId: P, region: "cn-south-1" });
    expect(seeded.status).toBe(201);
    expect(seeded.json).toMatchObject({ projectId: P, seeded: true, region: "cn-south-1", projectName: "cn-south-1", service: { status: "SUBSCRIBED" } });
    const added = await control(emulator.url, "POST", `/tenants/${P}/desktops`, { count: 3, userName: "carol" });
    expect(added.status).toBe(201);
    expect(added.json.desktopIds).toHaveLength(3);
    const removed = await control(emulator.url, "DELETE", `/tenants/${P}/desktops/${added.json.desktopIds[0]}`);
    expect(removed.json).toEqual({ removed: true });
    const state = await control(emulator.url, "GET", `/tenants/${P}`);
    expect(state.json.desktops.map((d: any) => d.user_name)).toEqual(["carol", "carol"]);
    expect((await call(emulator.url, { path: `/v2/${P}/desktops` })).json.total_count).toBe(2);
  });

  it("sets a job plan and a service status", async () => {
    await control(emulator.url, "POST", "/tenants", { projectId: P });
    expect((await control(emulator.url, "PUT", `/tenants/${P}/job-plan`, { kind: "cancel", outcome: "FAIL", durationMs: 0 })).status).toBe(200);
    const { job_id } = (await call(emulator.url, { method: "DELETE", path: `/v2/${P}/workspaces` })).json;
    expect((await call(emulator.url, { path: `/v2/${P}/workspace-jobs/${job_id}` })).json.status).toBe("FAIL");
    const closed = await control(emulator.url, "PUT", `/tenants/${P}/service-status`, { status: "CLOSED" });
    expect(closed.json.service).toMatchObject({ status: "CLOSED", id: "" });
  });

  it("injects and clears faults, sets and removes the throttle", async () => {
    await control(emulator.url, "POST", "/tenants", { projectId: P });
    const injected = await control(emulator.url, "POST", "/faults", { route: "ListWorkspaces", status: 503, times: 5 });
    expect(injected.status).toBe(201);
    expect(injected.json.id).toEqual(expect.any(String));
    expect((await call(emulator.url, { path: `/v2/${P}/workspaces` })).status).toBe(503);
    await control(emulator.url, "DELETE", "/faults");
    expect((await call(emulator.url, { path: `/v2/${P}/workspaces` })).status).toBe(200);
    await control(emulator.url, "PUT", "/throttle", { ratePerSecond: 0.1, burst: 1 });
    expect((await call(emulator.url, { path: `/v2/${P}/workspaces` })).status).toBe(200);
    expect((await call(emulator.url, { path: `/v2/${P}/workspaces` })).status).toBe(429);
    await control(emulator.url, "DELETE", "/throttle");
    expect((await call(emulator.url, { path: `/v2/${P}/workspaces` })).status).toBe(200);
  });

  it("reads, counts and clears the request log; reports peak concurrency", async () => {
    await call(emulator.url, { path: `/v2/${P}/workspaces` });
    await call(emulator.url, { path: `/v2/${P}/workspaces` });
    const log = await control(emulator.url, "GET", "/requests");
    expect(log.json.requests.map((r: any) => r.route)).toEqual(["ListWorkspaces", "ListWorkspaces"]);
    expect((await control(emulator.url, "GET", "/requests/count?route=ListWorkspaces")).json).toEqual({ route: "ListWorkspaces", count: 2 });
    expect((await control(emulator.url, "GET", "/requests/count?route=Nope")).status).toBe(400);
    expect((await control(emulator.url, "GET", "/peak-concurrency")).json).toEqual({ peakConcurrency: 1 });
    await control(emulator.url, "DELETE", "/requests");
    expect((await control(emulator.url, "GET", "/requests")).json.requests).toEqual([]);
  });

  it("rotates credentials and resets", async () => {
    const rotated = { accessKey: "ROTATEDKEY0000000002", secretKey: "rotated" };
    expect((await control(emulator.url, "PUT", "/credentials", { credentials: [rotated] })).json).toEqual({ accepted: 1 });
    expect((await call(emulator.url, { path: "/v3/projects" })).status).toBe(401);
    expect((await call(emulator.url, { path: "/v3/projects", credentials: rotated })).status).toBe(200);
    await control(emulator.url, "POST", "/tenants", { projectId: P });
    expect((await control(emulator.url, "POST", "/reset")).json).toEqual({ ok: true });
    expect((await call(emulator.url, { path: "/v3/projects", credentials: DEMO_CREDENTIALS })).json.projects).toEqual([]);
  });

  it("explains mistakes: bad JSON, invalid input, unknown route", async () => {
    const notJson = await control(emulator.url, "POST", "/tenants");
    expect(notJson.status).toBe(400);
    expect(notJson.json.error).toMatch(/projectId/);
    const unseeded = await control(emulator.url, "PUT", `/tenants/unseeded/job-plan`, { kind: "cancel" });
    expect(unseeded.status).toBe(400);
    expect(unseeded.json.error).toMatch(/not seeded/);
    const badSeed = await control(emulator.url, "POST", "/tenants", { projectId: P, region: 4, closable: "no" });
    expect(badSeed.json.error).toBe("tenant seed.region must be a string, got 4");
    const badDesktop = await control(emulator.url, "POST", "/tenants", { projectId: P }).then(() => control(emulator.url, "POST", `/tenants/${P}/desktops`, { status: true }));
    expect(badDesktop.json.error).toBe("desktop seed.status must be a string, got true");
    const badFault = await control(emulator.url, "POST", "/faults", { route: "ListWorkspaces" });
    expect(badFault.json.error).toMatch(/needs one of/);
    const unknown = await control(emulator.url, "GET", "/nothing-here");
    expect(unknown.status).toBe(404);
    expect(unknown.json.error).toMatch(/no control route GET \/_emulator\/nothing-here/);
    const raw = await fetch(`${emulator.url}/_emulator/tenants`, { method: "POST", body: "{broken" });
    expect(raw.status).toBe(400);
    expect(await raw.json()).toEqual({ error: "the body is not valid JSON" });
  });

  it("needs no signature, and its calls are not in the request log", async () => {
    expect((await fetch(`${emulator.url}/_emulator/health`)).status).toBe(200);
    expect(emulator.control.requests()).toEqual([]);
  });

  it("every answer has a Date and an X-Request-Id header", async () => {
    for (const reply of [await call(emulator.url, { path: "/v3/projects" }), await call(emulator.url, { path: "/nowhere" }), await control(emulator.url, "GET", "/health")]) {
      expect(reply.headers["x-request-id"]).toMatch(/^[0-9a-f]{32}$/);
      expect(Number.isNaN(Date.parse(String(reply.headers.date)))).toBe(false);
    }
  });
});

describe("loopback only", () => {
  it.each(["0.0.0.0", "::", "192.168.1.10", "example.com"])("refuses to listen on %s", async (host) => {
    await expect(startEmulator({ host })).rejects.toThrow(/loopback only/);
  });

  it("refuses bad options", async () => {
    await expect(startEmulator({ port: 70000 })).rejects.toThrow(/port must be an integer/);
    await expect(startEmulator({ jobDurationMs: -5 })).rejects.toThrow(/jobDurationMs must be a non-negative number/);
    await expect(startEmulator({ credentials: [{ accessKey: "A", secretKey: "" }] })).rejects.toThrow(/non-empty accessKey and secretKey/);
  });

  it("listens on 127.0.0.1 by default and on localhost when asked", async () => {
    expect(emulator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const local = await startEmulator({ host: "localhost" });
    try {
      expect(local.url).toMatch(/^http:\/\/(127\.0\.0\.1|\[::1\]):\d+$/);
      expect((await call(local.url, { path: "/v3/projects" })).status).toBe(200);
    } finally {
      await local.stop();
    }
  });

  const hasIpv6Loopback = Object.values(os.networkInterfaces()).some((list) => list?.some((i) => i.address === "::1"));
  (hasIpv6Loopback ? it : it.skip)("listens on ::1", async () => {
    const v6 = await startEmulator({ host: "::1" });
    try {
      expect(v6.url).toMatch(/^http:\/\/\[::1\]:\d+$/);
      expect((await call(v6.url, { path: "/v3/projects" })).status).toBe(200);
    } finally {
      await v6.stop();
    }
  });
});
