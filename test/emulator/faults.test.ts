/**
 * Injected faults, throttling, the request log and concurrency accounting.
 */
import { RunningEmulator, startEmulator } from "../../src/emulator";
import { ManualClock, call, control } from "./client";

const P = "0123456789abcdef0123456789abcdef";
let emulator: RunningEmulator;
const serviceCall = () => call(emulator.url, { path: `/v2/${P}/workspaces` });
const unsubscribe = () => call(emulator.url, { method: "DELETE", path: `/v2/${P}/workspaces` });

beforeAll(async () => {
  emulator = await startEmulator({ jobDurationMs: 60_000 });
});
afterAll(() => emulator.stop());
beforeEach(() => {
  emulator.control.reset();
  emulator.control.addTenant(P);
});

describe("status faults", () => {
  it("fire on the nth matching call for `times` calls, then stop", async () => {
    emulator.control.injectFault({ route: "ListWorkspaces", status: 503, nth: 2, times: 2 });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await serviceCall()).status);
    expect(statuses).toEqual([200, 503, 503, 200]);
    expect(emulator.control.requests().map((r) => r.fault)).toEqual([undefined, "status:503", "status:503", undefined]);
  });

  it("match by method and by path regular expression; other routes are untouched", async () => {
    emulator.control.injectFault({ route: "/desktops/detail$", method: "get", status: 500 });
    expect((await call(emulator.url, { path: `/v2/${P}/desktops` })).status).toBe(200);
    const faulted = await call(emulator.url, { path: `/v2/${P}/desktops/detail` });
    expect(faulted.status).toBe(500);
    expect(faulted.json).toMatchObject({ error_code: "APIGW.0201", request_id: faulted.headers["x-request-id"] });
  });

  it("do not change state: an injected 500 on DELETE starts no job", async () => {
    emulator.control.injectFault({ route: "CancelWorkspace", status: 500 });
    expect((await unsubscribe()).status).toBe(500);
    expect(emulator.control.state(P)).toMatchObject({ jobs: [], service: { status: "SUBSCRIBED" } });
  });

  it("html: an HTML error page with Content-Type text/html", async () => {
    emulator.control.injectFault({ route: "ListWorkspaces", status: 502, html: true });
    const reply = await serviceCall();
    expect(reply.status).toBe(502);
    expect(reply.headers["content-type"]).toBe("text/html");
    expect(reply.text).toContain("<h1>502 Bad Gateway</h1>");
    expect(reply.json).toBeUndefined();
  });

  it("a given body is sent as-is (string) or as JSON (object); Retry-After when asked", async () => {
    emulator.control.injectFault({ route: "ListWorkspaces", status: 500, body: "not json at all" });
    emulator.control.injectFault({ route: "ShowJob", status: 400, body: { error_code: "WKS.0407", error_msg: "disks being added" } });
    emulator.control.injectFault({ route: "ListDesktops", status: 429, retryAfterSeconds: 7 });
    expect((await serviceCall()).text).toBe("not json at all");
    expect((await call(emulator.url, { path: `/v2/${P}/workspace-jobs/any` })).json).toEqual({ error_code: "WKS.0407", error_msg: "disks being added" });
    const throttled = await call(emulator.url, { path: `/v2/${P}/desktops` });
    expect(throttled.status).toBe(429);
    expect(throttled.headers["retry-after"]).toBe("7");
    expect(throttled.json.error_code).toBe("APIGW.0308");
  });

  it("403 by default carries an encoded_authorization_message", async () => {
    emulator.control.injectFault({ route: "CancelWorkspace", status: 403 });
    const denied = await unsubscribe();
    expect(denied.status).toBe(403);
    expect(denied.json).toMatchObject({ error_code: "WKS.EMU.0403", encoded_authorization_message: expect.stringMatching(/^[A-Za-z0-9+/=]+$/) });
  });

  it("refuse nonsense at injection time", () => {
    expect(() => emulator.control.injectFault({ route: "ListWorkspaces" })).toThrow(/needs one of status, drop, processThenStatus or delayMs/);
    expect(() => emulator.control.injectFault({ route: "ListWorkspaces", status: 503, drop: "before" })).toThrow(/at most one of/);
    expect(() => emulator.control.injectFault({ route: "(", status: 503 })).toThrow(/neither a route name .* nor a valid regular expression/);
    expect(() => emulator.control.injectFault({ route: "ListWorkspaces", status: 99 })).toThrow(/HTTP status/);
    expect(() => emulator.control.injectFault({ route: "ListWorkspaces", status: 503, nth: 0 })).toThrow(/nth must be a positive integer/);
  });
});

describe("delays and dropped connections", () => {
  it("delayMs alone delays, then serves normally", async () => {
    emulator.control.injectFault({ route: "ListWorkspaces", delayMs: 150 });
    const started = Date.now();
    const reply = await serviceCall();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(reply.status).toBe(200);
    expect(emulator.control.requests()[0].fault).toBe("delay:150");
  });

  it('drop "before": the socket closes unanswered and nothing happened', async () => {
    emulator.control.injectFault({ route: "CancelWorkspace", drop: "before" });
    await expect(unsubscribe()).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(emulator.control.state(P)).toMatchObject({ jobs: [], service: { status: "SUBSCRIBED" } });
    expect(emulator.control.requests()[0]).toMatchObject({ route: "CancelWorkspace", status: 0, fault: "drop-before" });
  });

  it('drop "after": the DELETE was accepted, only the answer is lost', async () => {
    emulator.control.injectFault({ route: "CancelWorkspace", drop: "after" });
    await expect(unsubscribe()).rejects.toThrow(/socket hang up|ECONNRESET/);
    const state = emulator.control.state(P);
    expect(state.service).toMatchObject({ status: "DEREGISTERING", job_id: (state.jobs[0] as any).id });
    expect(emulator.control.requests()[0]).toMatchObject({ status: 0, fault: "drop-after", accessKey: expect.any(String) });
    expect((await unsubscribe()).json.error_code).toBe("WKS.00010032");
  });

  it("processThenStatus: the DELETE happened, the client sees a gateway 504", async () => {
    emulator.control.injectFault({ route: "CancelWorkspace", processThenStatus: 504 });
    const reply = await unsubscribe();
    expect(reply.status).toBe(504);
    expect(reply.json).toMatchObject({ error_code: "APIGW.0201", error_msg: "Backend timeout." });
    expect(emulator.control.state(P).service.status).toBe("DEREGISTERING");
  });

  it("a processed-then-faulted request still needs a valid signature", async () => {
    emulator.control.injectFault({ route: "CancelWorkspace", processThenStatus: 504 });
    const reply = await call(emulator.url, { method: "DELETE", path: `/v2/${P}/workspaces`, credentials: null });
    expect(reply.status).toBe(401);
    expect(emulator.control.state(P).service.status).toBe("SUBSCRIBED");
  });
});

describe("throttle", () => {
  it("a token bucket over signed routes: 429 APIGW.0308 with Retry-After, never processed; off again with undefined", async () => {
    emulator.control.throttle({ ratePerSecond: 0.5, burst: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push(await unsubscribe().then((r) => r));
    expect(statuses.map((r) => r.status)).toEqual([202, 409, 429]);
    expect(statuses[2].json).toMatchObject({ error_code: "APIGW.0308", error_msg: expect.stringContaining("throttling threshold") });
    expect(Number(statuses[2].headers["retry-after"])).toBeGreaterThanOrEqual(1);
    expect(emulator.control.state(P).jobs).toHaveLength(1);
    emulator.control.throttle(undefined);
    expect((await serviceCall()).status).toBe(200);
  });

  it("refills with the emulator's clock", async () => {
    const clock = new ManualClock();
    const clocked = await startEmulator({ now: clock.now });
    try {
      clocked.control.throttle({ ratePerSecond: 1 });
      const get = () => call(clocked.url, { path: "/v3/projects", signAt: clock.date() });
      expect((await get()).status).toBe(200);
      const throttled = await get();
      expect(throttled.status).toBe(429);
      expect(throttled.headers["retry-after"]).toBe("1");
      clock.advance(1000);
      expect((await get()).status).toBe(200);
      expect(() => clocked.control.throttle({ ratePerSecond: 0 })).toThrow(/positive number/);
    } finally {
      await clocked.stop();
    }
  });
});

describe("request log and concurrency", () => {
  it("records every API request with its route, status and query; counts per route; clears", async () => {
    await serviceCall();
    await call(emulator.url, { path: `/v2/${P}/desktops/detail`, query: [["limit", "5"], ["offset", "0"]] });
    await call(emulator.url, { path: "/v9/nowhere" });
    const log = emulator.control.requests();
    expect(log.map((r) => [r.seq, r.method, r.route, r.status])).toEqual([
      [1, "GET", "ListWorkspaces", 200],
      [2, "GET", "ListDesktopsDetail", 200],
      [3, "GET", undefined, 404],
    ]);
    expect(log[1].query).toEqual({ limit: "5", offset: "0" });
    expect(log[2].errorCode).toBe("APIGW.0101");
    expect(typeof log[0].time).toBe("number");
    expect(emulator.control.countOf("ListWorkspaces")).toBe(1);
    await control(emulator.url, "GET", "/health");
    expect(emulator.control.requests()).toHaveLength(3);
    emulator.control.clearRequests();
    expect(emulator.control.requests()).toEqual([]);
    expect(emulator.control.countOf("ListWorkspaces")).toBe(0);
  });

  it("peakConcurrency counts requests in flight at once", async () => {
    emulator.control.clearRequests();
    emulator.control.injectFault({ route: "ListWorkspaces", delayMs: 100, times: 5 });
    const replies = await Promise.all(Array.from({ length: 5 }, () => serviceCall()));
    expect(replies.every((r) => r.status === 200)).toBe(true);
    expect(emulator.control.peakConcurrency()).toBe(5);
    emulator.control.clearRequests();
    expect(emulator.control.peakConcurrency()).toBe(0);
  });

  it("stop() closes sockets with pending delays and returns promptly", async () => {
    const doomed = await startEmulator();
    doomed.control.addTenant(P);
    doomed.control.injectFault({ route: "ListWorkspaces", delayMs: 30_000 });
    const pending = call(doomed.url, { path: `/v2/${P}/workspaces` });
    const outcome = pending.then(() => "answered", () => "dropped");
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await doomed.stop();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await outcome).toBe("dropped");
    await expect(call(doomed.url, { path: `/v2/${P}/workspaces` })).rejects.toThrow(/ECONNREFUSED/);
  });
});
