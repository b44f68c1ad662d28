/**
 * The service state machine and its jobs, driven by an injected clock: no waiting.
 */
import { RunningEmulator, startEmulator } from "../../src/emulator";
import { ManualClock, call } from "./client";

const clock = new ManualClock();
let emulator: RunningEmulator;
const P = "0123456789abcdef0123456789abcdef";
const Q = "fedcba9876543210fedcba9876543210";

const get = (path: string, query?: Array<[string, string]>) => call(emulator.url, { path, query, signAt: clock.date() });
const send = (method: string, path: string, body?: object | string) => call(emulator.url, { method, path, body, signAt: clock.date() });
const service = async (pid = P) => (await get(`/v2/${pid}/workspaces`)).json;
const job = async (jobId: string, pid = P) => (await get(`/v2/${pid}/workspace-jobs/${jobId}`)).json;
const unsubscribe = async (pid = P) => send("DELETE", `/v2/${pid}/workspaces`);

beforeAll(async () => {
  emulator = await startEmulator({ now: clock.now, jobDurationMs: 10_000 });
});
afterAll(() => emulator.stop());
beforeEach(() => emulator.control.reset());

describe("cancel job lifecycle", () => {
  it("SUBSCRIBED -> DELETE 202 -> DEREGISTERING with growing progress -> CLOSED, job_id kept", async () => {
    emulator.control.addTenant(P);
    const before = await service();
    expect(before).toMatchObject({ status: "SUBSCRIBED", closable: true, id: expect.stringMatching(/^[0-9a-f]{32}$/) });

    const accepted = await unsubscribe();
    expect(accepted.status).toBe(202);
    const jobId = accepted.json.job_id;

    expect(await service()).toMatchObject({ status: "DEREGISTERING", closable: false, job_id: jobId, progress: "0%", id: before.id });
    expect(await job(jobId)).toMatchObject({ id: jobId, job_type: "cancelWorkspace", status: "WAITING", end_time: "", sub_jobs_total: 2 });

    clock.advance(2_500);
    const quarter = await job(jobId);
    expect(quarter.status).toBe("RUNNING");
    expect(quarter.begin_time).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(quarter.sub_jobs.map((s: any) => s.status)).toEqual(["RUNNING", "WAITING"]);
    expect((await service()).progress).toBe("25%");

    clock.advance(5_000);
    expect((await job(jobId)).sub_jobs.map((s: any) => s.status)).toEqual(["SUCCESS", "RUNNING"]);
    expect((await service()).progress).toBe("75%");

    clock.advance(2_500);
    const closed = await service();
    expect(closed).toEqual({ id: "", status: "CLOSED", closable: false, job_id: jobId, progress: "100%", access_status: "closeSuccess" });
    const done = await job(jobId);
    expect(done).toMatchObject({ status: "SUCCESS", job_error_code: "", fail_reason: "", end_time: expect.stringMatching(/^\d{4}-/) });
    expect(done.sub_jobs.map((s: any) => s.status)).toEqual(["SUCCESS", "SUCCESS"]);
    expect(emulator.control.state(P).service.status).toBe("CLOSED");
  });

  it.each([
    ["FAIL", "FAIL"],
    ["FAILED", "FAILED"],
  ] as const)("outcome %s: job status literally %s, service DEREGISTRATION_FAILED with fail_code, and a retry may succeed", async (outcome, literal) => {
    emulator.control.addTenant(P);
    emulator.control.setJobPlan(P, { kind: "cancel", outcome, durationMs: 100, errorCode: "WKS.0005", failReason: "ECS call failed" });
    const { job_id } = (await unsubscribe()).json;
    clock.advance(100);
    expect(await job(job_id)).toMatchObject({ status: literal, job_error_code: "WKS.0005", fail_reason: "ECS call failed" });
    expect((await job(job_id)).sub_jobs[1]).toMatchObject({ status: "FAILED", error_code: "WKS.0005", fail_reason: "ECS call failed" });
    expect(await service()).toMatchObject({ status: "DEREGISTRATION_FAILED", fail_code: 5, fail_reason: "ECS call failed", closable: true, job_id });

    const retry = await unsubscribe();
    expect(retry.status).toBe(202);
    clock.advance(10_000);
    expect(await service()).toMatchObject({ status: "CLOSED", id: "" });
    expect((await service()).fail_code).toBeUndefined();
  });

  it("SUBJOB_FAILED: the job says SUCCESS, one sub-job FAILED, the service says DEREGISTRATION_FAILED", async () => {
    emulator.control.addTenant(P);
    emulator.control.setJobPlan(P, { kind: "cancel", outcome: "SUBJOB_FAILED", durationMs: 100, errorCode: "WKS.0009", failReason: "IAM call failed" });
    const { job_id } = (await unsubscribe()).json;
    clock.advance(100);
    const done = await job(job_id);
    expect(done).toMatchObject({ status: "SUCCESS", job_error_code: "" });
    expect(done.sub_jobs.map((s: any) => [s.status, s.error_code])).toEqual([["SUCCESS", undefined], ["FAILED", "WKS.0009"]]);
    expect(await service()).toMatchObject({ status: "DEREGISTRATION_FAILED", fail_code: 9 });
  });

  it("serviceStatusAfter overrides where the service ends", async () => {
    emulator.control.addTenant(P);
    emulator.control.setJobPlan(P, { kind: "cancel", outcome: "SUBJOB_FAILED", durationMs: 100, serviceStatusAfter: "CLOSED" });
    await unsubscribe();
    clock.advance(100);
    expect((await service()).status).toBe("CLOSED");
  });

  it("NEVER_FINISHES: RUNNING forever, progress stops at 99%", async () => {
    emulator.control.addTenant(P);
    emulator.control.setJobPlan(P, { kind: "cancel", outcome: "NEVER_FINISHES", durationMs: 1000 });
    const { job_id } = (await unsubscribe()).json;
    clock.advance(3_600_000);
    expect(await job(job_id)).toMatchObject({ status: "RUNNING", end_time: "" });
    expect(await service()).toMatchObject({ status: "DEREGISTERING", progress: "99%", closable: false });
  });

  it("statusSequence reports empty and unknown statuses in order, then the outcome", async () => {
    emulator.control.addTenant(P);
    emulator.control.setJobPlan(P, { kind: "cancel", durationMs: 300, statusSequence: ["", "UNKNOWN_X", "RUNNING"] });
    const { job_id } = (await unsubscribe()).json;
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) {
      seen.push((await job(job_id)).status);
      clock.advance(100);
    }
    expect(seen).toEqual(["", "UNKNOWN_X", "RUNNING", "SUCCESS"]);
  });

  it("a plan is used once: the next job runs with the defaults", async () => {
    emulator.control.addTenant(P, { status: "DEREGISTRATION_FAILED" });
    emulator.control.setJobPlan(P, { kind: "cancel", outcome: "FAILED", durationMs: 10 });
    await unsubscribe();
    clock.advance(10);
    expect((await service()).status).toBe("DEREGISTRATION_FAILED");
    await unsubscribe();
    clock.advance(9_999);
    expect((await service()).status).toBe("DEREGISTERING");
    clock.advance(1);
    expect((await service()).status).toBe("CLOSED");
  });
});

describe("DELETE refusals", () => {
  it("while a job runs: 409 WKS.00010032, and no second job", async () => {
    emulator.control.addTenant(P);
    await unsubscribe();
    const conflict = await unsubscribe();
    expect(conflict.status).toBe(409);
    expect(conflict.json.error_code).toBe("WKS.00010032");
    expect(emulator.control.state(P).jobs).toHaveLength(1);
  });

  it("on a closed service, twice in a row, and on a project never seeded: 400 WKS.00170312", async () => {
    emulator.control.addTenant(P, { status: "CLOSED" });
    for (const pid of [P, P, Q]) {
      const reply = await unsubscribe(pid);
      expect(reply.status).toBe(400);
      expect(reply.json.error_code).toBe("WKS.00170312");
    }
  });

  it("while desktops remain: 400 WKS.EMU.0001, nothing changes; DELETED leftovers do not count", async () => {
    emulator.control.addTenant(P);
    const desk = emulator.control.addDesktop(P, { status: "SHUTOFF" });
    emulator.control.addDesktop(P, { status: "Deleted" });
    expect((await service()).closable).toBe(false);
    const refused = await unsubscribe();
    expect(refused.status).toBe(400);
    expect(refused.json).toMatchObject({ error_code: "WKS.EMU.0001", error_msg: expect.stringContaining("1 desktop(s) remain") });
    expect(emulator.control.state(P).jobs).toHaveLength(0);
    expect((await service()).status).toBe("SUBSCRIBED");
    expect(emulator.control.removeDesktop(P, desk)).toBe(true);
    expect((await service()).closable).toBe(true);
    expect((await unsubscribe()).status).toBe(202);
  });

  it("a seed with closable:false reports it and refuses DELETE (other resources remain)", async () => {
    emulator.control.addTenant(P, { closable: false });
    expect((await service()).closable).toBe(false);
    const refused = await unsubscribe();
    expect(refused.json).toMatchObject({ error_code: "WKS.EMU.0001", error_msg: expect.stringContaining("disks or application servers") });
    emulator.control.setServiceStatus(P, "SUBSCRIBED", { closable: null });
    expect((await service()).closable).toBe(true);
  });
});

describe("subscribe and update", () => {
  it("POST on a fresh project: 200, PREPARING -> SUBSCRIBING -> SUBSCRIBED", async () => {
    const applied = await send("POST", `/v2/${Q}/workspaces`, { ad_domains: { domain_type: "LITE_AS" }, enterprise_id: "acme", subnet_ids: [{ subnet_id: "subnet-1" }] });
    expect(applied.status).toBe(200);
    expect(await service(Q)).toMatchObject({ status: "PREPARING", closable: false, job_id: applied.json.job_id });
    clock.advance(5_000);
    expect((await service(Q)).status).toBe("SUBSCRIBING");
    clock.advance(5_000);
    expect(await service(Q)).toMatchObject({ status: "SUBSCRIBED", closable: true, enterprise_id: "acme", subnet_ids: [{ subnet_id: "subnet-1" }], id: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect((await job(applied.json.job_id, Q)).job_type).toBe("applyWorkspace");
    const again = await send("POST", `/v2/${Q}/workspaces`, { ad_domains: { domain_type: "LITE_AS" } });
    expect(again.status).toBe(409);
    expect(again.json.error_code).toBe("WKS.EMU.0002");
  });

  it("a failed subscription: SUBSCRIPTION_FAILED with fail_code, then POST may try again", async () => {
    emulator.control.addTenant(P, { status: "CLOSED" });
    emulator.control.setJobPlan(P, { kind: "apply", outcome: "FAILED", durationMs: 50 });
    await send("POST", `/v2/${P}/workspaces`, { ad_domains: { domain_type: "LOCAL_AD" } });
    clock.advance(50);
    expect(await service()).toMatchObject({ status: "SUBSCRIPTION_FAILED", fail_code: 3, fail_reason: expect.any(String), access_status: "openFail" });
    expect((await send("POST", `/v2/${P}/workspaces`, { ad_domains: { domain_type: "LITE_AS" } })).status).toBe(200);
  });

  it.each([
    ["no body", undefined],
    ["not JSON", "{nope"],
    ["no ad_domains", { access_mode: "INTERNET" }],
    ["an unknown domain_type", { ad_domains: { domain_type: "OTHER" } }],
    ["subnet_ids as plain strings (the update shape)", { ad_domains: { domain_type: "LITE_AS" }, subnet_ids: ["subnet-1"] }],
    ["an enterprise_id with spaces", { ad_domains: { domain_type: "LITE_AS" }, enterprise_id: "a b" }],
    ["an unknown access_mode", { ad_domains: { domain_type: "LITE_AS" }, access_mode: "WIFI" }],
  ])("POST with %s: 400 WKS.0001", async (_name, body) => {
    const reply = await send("POST", `/v2/${Q}/workspaces`, body as object);
    expect(reply.status).toBe(400);
    expect(reply.json.error_code).toBe("WKS.0001");
    expect(emulator.control.state(Q).jobs).toHaveLength(0);
  });

  it("PUT changes attributes at once; subscribe's object form of subnet_ids is refused; CLOSED answers 400", async () => {
    emulator.control.addTenant(P);
    const updated = await send("PUT", `/v2/${P}/workspaces`, { enterprise_id: "new-id", subnet_ids: ["s-9"] });
    expect(updated.json).toMatchObject({ job_id: expect.any(String), enterprise_id: "new-id", dc_vnc_ip: "" });
    expect(await service()).toMatchObject({ enterprise_id: "new-id", subnet_ids: [{ subnet_id: "s-9" }] });
    expect((await job(updated.json.job_id)).status).toBe("SUCCESS");
    expect((await send("PUT", `/v2/${P}/workspaces`, { subnet_ids: [{ subnet_id: "s-9" }] })).status).toBe(400);
    expect((await send("PUT", `/v2/${P}/workspaces`, {})).status).toBe(400);
    expect((await send("PUT", `/v2/${Q}/workspaces`, { enterprise_id: "x" })).json.error_code).toBe("WKS.00170312");
  });
});

describe("reading the service, jobs and projects", () => {
  it("a project never seeded answers 200 CLOSED with an empty id", async () => {
    const reply = await get(`/v2/${Q}/workspaces`);
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ id: "", status: "CLOSED", closable: false, job_id: "", progress: "", access_status: "init" });
  });

  it("setServiceStatus closes by other means and detaches a running job", async () => {
    emulator.control.addTenant(P);
    emulator.control.setJobPlan(P, { kind: "cancel", outcome: "FAILED", durationMs: 100 });
    const { job_id } = (await unsubscribe()).json;
    emulator.control.setServiceStatus(P, "CLOSED");
    clock.advance(100);
    expect((await job(job_id)).status).toBe("FAILED");
    expect(await service()).toMatchObject({ status: "CLOSED", id: "" });
    const failed = emulator.control.setServiceStatus(P, "DEREGISTRATION_FAILED", { failCode: 42, failReason: "manual" });
    expect(failed.service).toMatchObject({ status: "DEREGISTRATION_FAILED", fail_code: 42, fail_reason: "manual", id: expect.stringMatching(/^[0-9a-f]{32}$/) });
  });

  it("ShowJob: 404 for an unknown job and for another project's job", async () => {
    emulator.control.addTenant(P);
    emulator.control.addTenant(Q);
    const { job_id } = (await unsubscribe()).json;
    expect((await get(`/v2/${P}/workspace-jobs/nope`)).status).toBe(404);
    const foreign = await get(`/v2/${Q}/workspace-jobs/${job_id}`);
    expect(foreign.status).toBe(404);
    expect(foreign.json.error_code).toBe("WKS.EMU.0003");
  });

  it("sub-jobs: filters by job_id, job_type and repeated status, pages with total_count", async () => {
    emulator.control.addTenant(P);
    emulator.control.setJobPlan(P, { kind: "cancel", outcome: "FAILED", durationMs: 10 });
    const first = (await unsubscribe()).json.job_id;
    clock.advance(10);
    const second = (await unsubscribe()).json.job_id;
    clock.advance(2_000);
    const all = (await get(`/v2/${P}/workspace-sub-jobs`)).json;
    expect(all.total_count).toBe(4);
    const ofFirst = (await get(`/v2/${P}/workspace-sub-jobs`, [["job_id", first]])).json;
    expect(ofFirst.jobs.map((j: any) => j.status)).toEqual(["SUCCESS", "FAILED"]);
    const failedOrRunning = (await get(`/v2/${P}/workspace-sub-jobs`, [["status", "FAILED"], ["status", "RUNNING"]])).json;
    expect(failedOrRunning.jobs.map((j: any) => [j.job_id, j.status])).toEqual([[first, "FAILED"], [second, "RUNNING"]]);
    const paged = (await get(`/v2/${P}/workspace-sub-jobs`, [["job_type", "cancelWorkspace"], ["limit", "1"], ["offset", "3"]])).json;
    expect(paged.total_count).toBe(4);
    expect(paged.jobs).toHaveLength(1);
    expect((await get(`/v2/${P}/workspace-sub-jobs`, [["job_type", "applyWorkspace"]])).json).toEqual({ total_count: 0, jobs: [] });
  });

  it("IAM lists seeded projects by name; two projects may share a name; bare-POST tenants are not IAM projects", async () => {
    emulator.control.addTenant(P, { region: "cn-east-3" });
    emulator.control.addTenant(Q, { region: "cn-east-3" });
    emulator.control.addTenant("11111111111111111111111111111111", { region: "cn-east-3", projectName: "cn-east-3_sub" });
    await send("POST", `/v2/22222222222222222222222222222222/workspaces`, { ad_domains: { domain_type: "LITE_AS" } });
    const ambiguous = (await get("/v3/projects", [["name", "cn-east-3"]])).json;
    expect(ambiguous.projects.map((p: any) => [p.id, p.name])).toEqual([[P, "cn-east-3"], [Q, "cn-east-3"]]);
    expect(ambiguous.links).toEqual({ self: `${emulator.url}/v3/projects?name=cn-east-3`, next: null, previous: null });
    expect(ambiguous.projects[0]).toMatchObject({ enabled: true, is_domain: false, domain_id: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect((await get("/v3/projects")).json.projects).toHaveLength(3);
  });

  it("control calls refuse what cannot be", () => {
    expect(() => emulator.control.addDesktop(Q)).toThrow(/not seeded; call addTenant/);
    emulator.control.addTenant(P);
    expect(() => emulator.control.addTenant(P)).toThrow(/already seeded/);
    expect(() => emulator.control.addTenant("a/b")).toThrow(/without "\/"/);
    expect(() => emulator.control.setJobPlan(P, { kind: "cancel", outcome: "MAYBE" as never })).toThrow(/outcome must be one of/);
    expect(() => emulator.control.setJobPlan(P, { kind: "cancel", durationMs: -1 })).toThrow(/non-negative/);
    expect(() => emulator.control.setServiceStatus(P, "GONE" as never)).toThrow(/status must be one of/);
    expect(() => emulator.control.addTenant(Q, { status: "OPEN" as never })).toThrow(/status must be one of/);
  });
});
