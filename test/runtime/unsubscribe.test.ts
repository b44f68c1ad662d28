import { DEMO_CREDENTIALS, RunningEmulator, startEmulator } from "../../src/emulator";
import { EXIT } from "../../src/runtime/contract";
import { ExitError } from "../../src/runtime/errors";
import { ApiClient } from "../../src/runtime/http";
import { Unsubscriber } from "../../src/runtime/unsubscribe";
import { WorkspaceApi } from "../../src/runtime/workspace-api";
import { CliRun, emulatorEnv, runCli } from "../support/cli";

const PROJECT = "0123456789abcdef0123456789abcdef";
let emu: RunningEmulator;
const outputs: CliRun[] = [];

beforeAll(async () => {
  emu = await startEmulator({ jobDurationMs: 300 });
});
afterAll(async () => {
  await emu.stop();
});
beforeEach(() => {
  emu.control.reset();
});

async function unsubscribe(args: string[] = [], env: Record<string, string | undefined> = {}, signal?: AbortSignal): Promise<CliRun> {
  const run = await runCli(["unsubscribe", "--project-id", PROJECT, ...args], emulatorEnv(emu.url, env), signal);
  outputs.push(run);
  return run;
}

const routes = () => emu.control.requests().map((r) => `${r.route ?? r.path} ${r.status}`);
const deletes = () => emu.control.countOf("CancelWorkspace");

describe("unsubscribe against the emulator", () => {
  test("happy path: reads, lists desktops, one DELETE, waits for the job, exit 0", async () => {
    emu.control.addTenant(PROJECT);
    const run = await unsubscribe(["--json"]);
    expect(run.code).toBe(EXIT.ok);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ result: "unsubscribed", projectId: PROJECT, deleteSent: true, jobStatus: "SUCCESS" });
    expect(result.jobId).toEqual(expect.any(String));
    expect(deletes()).toBe(1);
    const seq = routes();
    expect(seq.slice(0, 3)).toEqual(["ListWorkspaces 200", "ListDesktopsDetail 200", "CancelWorkspace 202"]);
    expect(seq.slice(3).every((r) => r === "ShowJob 200")).toBe(true);
    expect(emu.control.state(PROJECT).service.status).toBe("CLOSED");
    expect(run.stderr).toMatch(/cancellation accepted: job /);
    expect(run.stderr).toMatch(/unsubscribed: project 0123456789abcdef0123456789abcdef \(cn-north-4\), job \S+ SUCCESS; \d+ API call\(s\)/);
  });

  test("already closed: exit 0 and no DELETE", async () => {
    const run = await unsubscribe();
    expect(run.code).toBe(EXIT.ok);
    expect(run.stderr).toMatch(/already closed; nothing to do, no DELETE sent/);
    expect(deletes()).toBe(0);
  });

  test("deadline, then a re-run picks up the running cancellation without a second DELETE", async () => {
    emu.control.addTenant(PROJECT);
    emu.control.setJobPlan(PROJECT, { kind: "cancel", durationMs: 2500 });
    const first = await unsubscribe(["--job-timeout", "1s", "--json"]);
    expect(first.code).toBe(EXIT.timedOut);
    const failed = JSON.parse(first.stdout);
    expect(failed).toMatchObject({ result: "timed-out", deleteSent: true });
    expect(first.stderr).toContain(failed.jobId);
    expect(first.stderr).toMatch(/Run destroy again to resume waiting/);
    const second = await unsubscribe(["--json"]);
    expect(second.code).toBe(EXIT.ok);
    expect(second.stderr).toMatch(/a cancellation is already running \(job .+\); waiting for it instead of sending another DELETE/);
    expect(JSON.parse(second.stdout).jobId).toBe(failed.jobId);
    expect(deletes()).toBe(1);
  });

  test("desktops remain: exit 4 before any DELETE, naming the count and up to 10 of them", async () => {
    emu.control.addTenant(PROJECT);
    for (let i = 0; i < 12; i++) emu.control.addDesktop(PROJECT, { desktopId: `desk-${i}`, computerName: `pc-${i}`, status: i === 0 ? "SHUTOFF" : "ACTIVE" });
    const run = await unsubscribe(["--json"]);
    expect(run.code).toBe(EXIT.desktopsRemain);
    expect(deletes()).toBe(0);
    expect(run.stderr).toMatch(/12 desktop\(s\) still exist/);
    expect(run.stderr).toContain('desk-0 "pc-0" SHUTOFF');
    expect(run.stderr).toContain("desk-9");
    expect(run.stderr).not.toContain("desk-10 ");
    expect(run.stderr).toMatch(/and 2 more/);
    expect(run.stderr).toMatch(/Nothing was cancelled: no DELETE was sent/);
    expect(JSON.parse(run.stdout)).toMatchObject({ result: "desktops-remain", desktopsRemaining: 12, deleteSent: false });
  });

  test("records with status DELETED (any case) do not count", async () => {
    emu.control.addTenant(PROJECT);
    emu.control.addDesktop(PROJECT, { status: "DELETED" });
    emu.control.addDesktop(PROJECT, { status: "deleted" });
    emu.control.addDesktop(PROJECT, { status: "Deleted" });
    const run = await unsubscribe();
    expect(run.code).toBe(EXIT.ok);
    expect(run.stderr).toMatch(/no desktops remain \(3 deleted record\(s\) ignored\)/);
    expect(deletes()).toBe(1);
  });

  test("a desktop on the second page is found", async () => {
    emu.control.addTenant(PROJECT);
    for (let i = 0; i < 1000; i++) emu.control.addDesktop(PROJECT, { status: "DELETED" });
    emu.control.addDesktop(PROJECT, { desktopId: "late-desk", status: "ACTIVE" });
    const run = await unsubscribe();
    expect(run.code).toBe(EXIT.desktopsRemain);
    expect(run.stderr).toContain("late-desk");
    const pages = emu.control.requests().filter((r) => r.route === "ListDesktopsDetail").map((r) => r.query.offset);
    expect(pages).toEqual(["0", "1000"]);
    expect(deletes()).toBe(0);
  });

  test("a desktop being deleted counts; with a desktop wait the run waits for it to go", async () => {
    emu.control.addTenant(PROJECT);
    emu.control.addDesktop(PROJECT, { desktopId: "going", deleteAfterMs: 60_000 });
    const noWait = await unsubscribe();
    expect(noWait.code).toBe(EXIT.desktopsRemain);
    expect(noWait.stderr).toMatch(/going "WKS-\d+" \w+\/deleting/);

    emu.control.reset();
    emu.control.addTenant(PROJECT);
    emu.control.addDesktop(PROJECT, { desktopId: "going", deleteAfterMs: 1500 });
    const waited = await unsubscribe(["--desktop-wait", "30s"]);
    expect(waited.code).toBe(EXIT.ok);
    expect(waited.stderr).toMatch(/1 desktop\(s\) remain: going/);
    expect(deletes()).toBe(1);
  });

  test("desktops that do not go within the wait: exit 6, no DELETE", async () => {
    emu.control.addTenant(PROJECT);
    emu.control.addDesktop(PROJECT, { desktopId: "stays" });
    const run = await unsubscribe(["--desktop-wait", "1s"]);
    expect(run.code).toBe(EXIT.timedOut);
    expect(run.stderr).toMatch(/still exist .* after waiting 1s/);
    expect(deletes()).toBe(0);
  });

  test.each(["FAILED", "FAIL"] as const)("job ends %s: exit 5 with job id, error code and reason", async (outcome) => {
    emu.control.addTenant(PROJECT);
    emu.control.setJobPlan(PROJECT, { kind: "cancel", outcome, errorCode: "WKS.0005", failReason: "ECS call failed" });
    const run = await unsubscribe(["--json"]);
    expect(run.code).toBe(EXIT.jobFailed);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ result: "job-failed", errorCode: "WKS.0005", failReason: "ECS call failed" });
    expect(run.stderr).toContain(`job ${result.jobId}`);
    expect(run.stderr).toMatch(/failed \(job status FAIL(ED)?\): error code WKS\.0005, reason ECS call failed/);
    expect(deletes()).toBe(1);
  });

  test("a failed sub-job under a successful job is a failure", async () => {
    emu.control.addTenant(PROJECT);
    emu.control.setJobPlan(PROJECT, { kind: "cancel", outcome: "SUBJOB_FAILED", errorCode: "WKS.0009", failReason: "IAM call failed" });
    const run = await unsubscribe();
    expect(run.code).toBe(EXIT.jobFailed);
    expect(run.stderr).toMatch(/sub-job \S+ FAILED \(job status SUCCESS\)/);
    expect(run.stderr).toMatch(/WKS\.0009/);
  });

  test("empty and unknown job statuses are logged and waited through", async () => {
    emu.control.addTenant(PROJECT);
    emu.control.setJobPlan(PROJECT, { kind: "cancel", durationMs: 2400, statusSequence: ["", "MYSTERY"] });
    const run = await unsubscribe();
    expect(run.code).toBe(EXIT.ok);
    expect(run.stderr).toMatch(/job status empty, still waiting|unknown job status "MYSTERY", still waiting/);
    expect(deletes()).toBe(1);
  });

  test("a job that never finishes: exit 6 at the deadline, never success", async () => {
    emu.control.addTenant(PROJECT);
    emu.control.setJobPlan(PROJECT, { kind: "cancel", outcome: "NEVER_FINISHES" });
    const run = await unsubscribe(["--job-timeout", "2s"]);
    expect(run.code).toBe(EXIT.timedOut);
    expect(run.stderr).toMatch(/did not finish within 2s \(last status RUNNING\)/);
    expect(run.stderr).toMatch(/may still complete; nothing more was sent/);
  });

  test("429 on the DELETE is retried (it was never processed); one cancellation", async () => {
    emu.control.addTenant(PROJECT);
    emu.control.injectFault({ route: "CancelWorkspace", status: 429, retryAfterSeconds: 1 });
    const run = await unsubscribe();
    expect(run.code).toBe(EXIT.ok);
    const deleteStatuses = emu.control.requests().filter((r) => r.route === "CancelWorkspace").map((r) => r.status);
    expect(deleteStatuses).toEqual([429, 202]);
    expect(emu.control.state(PROJECT).jobs).toHaveLength(1);
  });

  test.each([
    ["answered 504 after processing", { processThenStatus: 504 }],
    ["connection dropped after processing", { drop: "after" as const }],
    ["answered with an HTML 502 page after processing", { processThenStatus: 502, html: true }],
  ])("DELETE accepted but %s: exactly one DELETE, exit 0", async (_name, fault) => {
    emu.control.addTenant(PROJECT);
    emu.control.injectFault({ route: "CancelWorkspace", ...fault });
    const run = await unsubscribe();
    expect(run.code).toBe(EXIT.ok);
    expect(deletes()).toBe(1);
    expect(run.stderr).toMatch(/it may have been accepted, so it will NOT be sent again/);
    expect(run.stderr).toMatch(/the cancellation was accepted after all/);
  });

  test("a DELETE lost before processing is not re-sent either: exit 8 after re-reading the service", async () => {
    emu.control.addTenant(PROJECT);
    emu.control.injectFault({ route: "CancelWorkspace", drop: "before" });
    const client = new ApiClient({ endpoint: emu.url, credentials: DEMO_CREDENTIALS, projectId: PROJECT, maxRetries: 3, retryBaseMs: 10 });
    const lines: string[] = [];
    const unsubscriber = new Unsubscriber(
      { projectId: PROJECT, region: "cn-north-4", jobTimeoutSeconds: 60, desktopWaitSeconds: 0, deletionPolicy: "UNSUBSCRIBE", dryRun: false },
      { api: new WorkspaceApi(client, PROJECT), reporter: { progress: (m) => lines.push(m), notice: (m) => lines.push(m) }, lostAnswerChecks: { count: 3, intervalMs: 20 } },
    );
    const error = await unsubscriber.run().then(() => undefined, (e: ExitError) => e);
    client.close();
    // A lost connection cannot tell "never processed" from "processed": the client must not resend.
    expect(deletes()).toBe(1);
    expect(error).toBeInstanceOf(ExitError);
    expect(error!.exitCode).toBe(EXIT.apiError);
    expect(error!.message).toMatch(/still reads SUBSCRIBED after 3 checks.*It was not sent again/s);
    expect(emu.control.countOf("ListWorkspaces")).toBe(4);
    expect(lines.join("\n")).toMatch(/will NOT be sent again/);
  });

  test("reads are retried on 5xx", async () => {
    emu.control.addTenant(PROJECT);
    emu.control.injectFault({ route: "ListWorkspaces", status: 503, times: 2 });
    emu.control.injectFault({ route: "ListDesktopsDetail", html: true, status: 502 });
    const run = await unsubscribe();
    expect(run.code).toBe(EXIT.ok);
    expect(run.stderr).toMatch(/HTTP 503 APIGW\.\d+; retry 1 in/);
    expect(deletes()).toBe(1);
  });

  test("a job read that keeps failing after its retries does not end the wait", async () => {
    emu.control.addTenant(PROJECT);
    emu.control.setJobPlan(PROJECT, { kind: "cancel", durationMs: 1500 });
    emu.control.injectFault({ route: "ShowJob", status: 503, retryAfterSeconds: 0, times: 5 });
    const run = await unsubscribe();
    expect(run.code).toBe(EXIT.ok);
    expect(run.stderr).toMatch(/could not read the state \(GET .* HTTP 503.*\); looking again later/);
    expect(deletes()).toBe(1);
  });

  test("bad credentials: exit 3 naming the variables and the clock; nothing sent beyond the first read", async () => {
    emu.control.addTenant(PROJECT);
    const run = await unsubscribe([], { HW_ACCESS_KEY: "UNKNOWNKEY000000000", HW_SECRET_KEY: "nope" });
    expect(run.code).toBe(EXIT.authRefused);
    expect(run.stderr).toMatch(/refused the credentials: HTTP 401 APIGW\.0301/);
    expect(run.stderr).toMatch(/HW_ACCESS_KEY/);
    expect(run.stderr).toMatch(/clock/);
    expect(run.stderr).toMatch(/Nothing was cancelled/);
    // The server's message quotes the key ID; the program prints only its first characters.
    expect(run.stderr).not.toContain("UNKNOWNKEY000000000");
    expect(deletes()).toBe(0);
  });

  test("signature mismatch (right key, wrong secret): exit 3", async () => {
    emu.control.addTenant(PROJECT);
    const run = await unsubscribe([], { HW_SECRET_KEY: DEMO_CREDENTIALS.secretKey + "x" });
    expect(run.code).toBe(EXIT.authRefused);
    expect(emu.control.requests()[0].errorCode).toBe("APIGW.0301");
  });

  test("403 explains encoded_authorization_message", async () => {
    emu.control.addTenant(PROJECT);
    emu.control.injectFault({ route: "ListWorkspaces", status: 403 });
    const run = await unsubscribe();
    expect(run.code).toBe(EXIT.authRefused);
    expect(run.stderr).toMatch(/denied permission: HTTP 403/);
    expect(run.stderr).toMatch(/encoded_authorization_message: decode it with the STS API/);
  });

  test("RETAIN sends nothing and says so", async () => {
    emu.control.addTenant(PROJECT);
    const run = await unsubscribe(["--deletion-policy", "retain"], { HW_ACCESS_KEY: undefined, HW_SECRET_KEY: undefined });
    expect(run.code).toBe(EXIT.ok);
    expect(run.stderr).toMatch(/RETAIN: the Workspace subscription .* was left in place/);
    expect(emu.control.requests()).toHaveLength(0);
  });

  test("missing credentials: exit 2 before any request", async () => {
    const run = await unsubscribe([], { HW_ACCESS_KEY: undefined, HW_SECRET_KEY: undefined });
    expect(run.code).toBe(EXIT.badInput);
    expect(run.stderr).toMatch(/Credentials missing: set HW_ACCESS_KEY or HUAWEICLOUD_SDK_AK or OS_ACCESS_KEY and HW_SECRET_KEY/);
    expect(emu.control.requests()).toHaveLength(0);
  });

  test("SDK variable names work as fallbacks, temporary credentials send a security token", async () => {
    await emu.stop();
    emu = await startEmulator({ jobDurationMs: 300, credentials: [{ accessKey: "TEMPAK0000000000000A", secretKey: "temp-secret", securityToken: "temp-token-value" }] });
    emu.control.addTenant(PROJECT);
    const run = await unsubscribe([], {
      HW_ACCESS_KEY: undefined,
      HW_SECRET_KEY: undefined,
      HUAWEICLOUD_SDK_AK: "TEMPAK0000000000000A",
      HUAWEICLOUD_SDK_SK: "temp-secret",
      HUAWEICLOUD_SDK_SECURITY_TOKEN: "temp-token-value",
    });
    expect(run.code).toBe(EXIT.ok);
    expect(emu.control.requests().every((r) => r.hadSecurityToken)).toBe(true);
    expect(run.stderr).not.toContain("temp-token-value");
    await emu.stop();
    emu = await startEmulator({ jobDurationMs: 300 });
  });

  test("interrupted while waiting: exit 7 with the job id", async () => {
    emu.control.addTenant(PROJECT);
    emu.control.setJobPlan(PROJECT, { kind: "cancel", outcome: "NEVER_FINISHES" });
    const controller = new AbortController();
    const pending = unsubscribe(["--json"], {}, controller.signal);
    for (let i = 0; i < 100 && deletes() === 0; i++) await new Promise((r) => setTimeout(r, 20));
    controller.abort();
    const run = await pending;
    expect(run.code).toBe(EXIT.interrupted);
    const jobId = JSON.parse(run.stdout).jobId;
    expect(jobId).toEqual(expect.any(String));
    expect(run.stderr).toContain(`resume waiting for job ${jobId}`);
  });

  test("a status this program does not know: nothing is sent, exit 8", async () => {
    emu.control.addTenant(PROJECT);
    emu.control.injectFault({ route: "ListWorkspaces", status: 200, body: { status: "FROZEN", id: "x", closable: true } });
    const run = await unsubscribe();
    expect(run.code).toBe(EXIT.apiError);
    expect(run.stderr).toMatch(/reports status "FROZEN", which this program does not know, so it will not cancel anything/);
    expect(deletes()).toBe(0);
  });

  test("interrupted while the DELETE is on its way: the message says it may have been accepted", async () => {
    emu.control.addTenant(PROJECT);
    emu.control.injectFault({ route: "CancelWorkspace", delayMs: 2000 });
    const controller = new AbortController();
    const pending = unsubscribe([], {}, controller.signal);
    for (let i = 0; i < 200 && !emu.control.requests().some((r) => r.route === "ListDesktopsDetail"); i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 100));
    controller.abort();
    const run = await pending;
    expect(run.code).toBe(EXIT.interrupted);
    expect(run.stderr).toMatch(/A DELETE was on its way when this run stopped: it may or may not have been accepted/);
  });

  test("every request carries a fresh X-Sdk-Date and the signed headers the emulator checked", async () => {
    emu.control.addTenant(PROJECT);
    await unsubscribe();
    for (const r of emu.control.requests()) {
      expect(r.sdkDate).toMatch(/^\d{8}T\d{6}Z$/);
      expect(r.signedHeaders).toEqual(expect.arrayContaining(["host", "x-sdk-date", "content-type"]));
    }
  });
});

afterAll(() => {
  // No run printed a secret, a signature or a token, whatever happened in it.
  expect(outputs.length).toBeGreaterThan(0);
  for (const run of outputs) {
    const text = run.stdout + run.stderr;
    expect(text).not.toContain(DEMO_CREDENTIALS.secretKey);
    expect(text).not.toContain("temp-secret");
    expect(text).not.toMatch(/Signature=/);
  }
});
