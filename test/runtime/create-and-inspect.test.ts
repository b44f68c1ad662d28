import { RunningEmulator, startEmulator } from "../../src/emulator";
import { EXIT } from "../../src/runtime/contract";
import { CliRun, emulatorEnv, runCli } from "../support/cli";

const PROJECT = "fedcba9876543210fedcba9876543210";
const PASSWORD = "Ad-Passw0rd-never-printed";
let emu: RunningEmulator;
const outputs: CliRun[] = [];

beforeAll(async () => {
  emu = await startEmulator({ jobDurationMs: 300 });
});
afterAll(async () => {
  await emu.stop();
  for (const run of outputs) expect(run.stdout + run.stderr).not.toContain(PASSWORD);
});
beforeEach(() => emu.control.reset());

async function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  const run = await runCli(args, emulatorEnv(emu.url, env));
  outputs.push(run);
  return run;
}

const LITE = JSON.stringify({ body: { ad_domains: { domain_type: "LITE_AS" }, access_mode: "INTERNET", enterprise_id: "acme" } });
const LOCAL_AD = JSON.stringify({
  body: {
    ad_domains: { domain_type: "LOCAL_AD", domain_name: "corp.example.com", domain_admin_account: "admin", active_domain_ip: "10.0.0.10", active_domain_name: "dc01", active_dns_ip: "10.0.0.11" },
  },
  domainPasswordEnv: "WORKSPACE_AD_PASSWORD",
});
const posts = () => emu.control.countOf("ApplyWorkspace");

describe("subscribe (the create step)", () => {
  test("adopts a SUBSCRIBED service without a POST and names the fields that differ", async () => {
    emu.control.addTenant(PROJECT, { accessMode: "DEDICATED", enterpriseId: "other" });
    const run = await cli(["subscribe", "--project-id", PROJECT, "--json"], { HW_WORKSPACE_SUBSCRIPTION: LITE });
    expect(run.code).toBe(EXIT.ok);
    const result = JSON.parse(run.stdout);
    expect(result.result).toBe("adopted");
    expect(result.differences).toEqual(expect.arrayContaining([expect.stringMatching(/^access_mode: configured "INTERNET", service has "DEDICATED"/), expect.stringMatching(/^enterprise_id/)]));
    expect(run.stderr).toMatch(/differs from the configuration: access_mode/);
    expect(posts()).toBe(0);
  });

  test("opens a CLOSED service with one POST and waits for SUBSCRIBED; the AD password is sent, never printed", async () => {
    const run = await cli(["subscribe", "--project-id", PROJECT], { HW_WORKSPACE_SUBSCRIPTION: LOCAL_AD, WORKSPACE_AD_PASSWORD: PASSWORD });
    expect(run.code).toBe(EXIT.ok);
    expect(run.stderr).toMatch(/subscription accepted: job \S+/);
    expect(run.stderr).toMatch(/is SUBSCRIBED after/);
    expect(posts()).toBe(1);
    expect(emu.control.state(PROJECT).service.status).toBe("SUBSCRIBED");
  });

  test("a missing password variable stops before any request", async () => {
    const run = await cli(["subscribe", "--project-id", PROJECT], { HW_WORKSPACE_SUBSCRIPTION: LOCAL_AD });
    expect(run.code).toBe(EXIT.badInput);
    expect(run.stderr).toMatch(/read from WORKSPACE_AD_PASSWORD, which is not set/);
    expect(emu.control.requests()).toHaveLength(0);
  });

  test("a failing subscription job: exit 5 with fail_code and fail_reason", async () => {
    emu.control.addTenant(PROJECT, { status: "CLOSED" });
    emu.control.setJobPlan(PROJECT, { kind: "apply", outcome: "FAILED", errorCode: "WKS.00000003", failReason: "subnet overlaps 172.16.0.0/12" });
    const run = await cli(["subscribe", "--project-id", PROJECT], { HW_WORKSPACE_SUBSCRIPTION: LITE });
    expect(run.code).toBe(EXIT.jobFailed);
    expect(run.stderr).toMatch(/fail_code 3, fail_reason subnet overlaps 172\.16\.0\.0\/12/);
    expect(run.stderr).toMatch(/tainted/);
    expect(posts()).toBe(1);
  });

  test("POST accepted but the answer dropped: exactly one POST, exit 0", async () => {
    emu.control.injectFault({ route: "ApplyWorkspace", drop: "after" });
    const run = await cli(["subscribe", "--project-id", PROJECT], { HW_WORKSPACE_SUBSCRIPTION: LITE });
    expect(run.code).toBe(EXIT.ok);
    expect(run.stderr).toMatch(/POST got no usable answer .* will NOT be sent again/);
    expect(posts()).toBe(1);
  });

  test("a service being opened is waited for, not opened again", async () => {
    emu.control.addTenant(PROJECT, { status: "CLOSED" });
    emu.control.setJobPlan(PROJECT, { kind: "apply", durationMs: 2500 });
    const first = await cli(["subscribe", "--project-id", PROJECT, "--job-timeout", "1s"], { HW_WORKSPACE_SUBSCRIPTION: LITE });
    expect(first.code).toBe(EXIT.timedOut);
    const second = await cli(["subscribe", "--project-id", PROJECT], { HW_WORKSPACE_SUBSCRIPTION: LITE });
    expect(second.code).toBe(EXIT.ok);
    expect(second.stderr).toMatch(/already being opened .* waiting for it instead of sending another POST/);
    expect(posts()).toBe(1);
  });

  test("without a subscription spec: SUBSCRIBED passes, CLOSED fails clearly", async () => {
    emu.control.addTenant(PROJECT);
    expect((await cli(["subscribe", "--project-id", PROJECT])).code).toBe(EXIT.ok);
    emu.control.reset();
    const closed = await cli(["subscribe", "--project-id", PROJECT]);
    expect(closed.code).toBe(EXIT.apiError);
    expect(closed.stderr).toMatch(/is CLOSED, not SUBSCRIBED, and this resource has no `subscription`/);
    expect(posts()).toBe(0);
  });
});

describe("project lookup from the region", () => {
  test("found: the one project named after the region", async () => {
    emu.control.addTenant(PROJECT, { region: "ap-southeast-1" });
    const run = await cli(["status", "--region", "ap-southeast-1", "--json"]);
    expect(run.code).toBe(EXIT.ok);
    expect(JSON.parse(run.stdout).projectId).toBe(PROJECT);
    expect(emu.control.requests()[0].route).toBe("KeystoneListProjects");
  });

  test("not found: exit 2 naming the region, nothing else sent", async () => {
    const run = await cli(["unsubscribe", "--region", "la-south-2"]);
    expect(run.code).toBe(EXIT.badInput);
    expect(run.stderr).toMatch(/No IAM project named "la-south-2"/);
    expect(emu.control.requests().map((r) => r.route)).toEqual(["KeystoneListProjects"]);
  });

  test("ambiguous: exit 2 listing the candidates", async () => {
    emu.control.addTenant(PROJECT, { region: "cn-east-3" });
    emu.control.addTenant("00000000000000000000000000000001", { region: "cn-east-3" });
    const run = await cli(["unsubscribe", "--region", "cn-east-3"]);
    expect(run.code).toBe(EXIT.badInput);
    expect(run.stderr).toMatch(/2 IAM projects are named "cn-east-3"/);
    expect(emu.control.countOf("CancelWorkspace")).toBe(0);
  });
});

describe("look before you destroy", () => {
  test("status shows service, desktops and the verdict, sending only GETs", async () => {
    emu.control.addTenant(PROJECT);
    emu.control.addDesktop(PROJECT, { desktopId: "d-1", computerName: "pc-one" });
    emu.control.addDesktop(PROJECT, { status: "DELETED" });
    const run = await cli(["status", "--project-id", PROJECT]);
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).toMatch(/service\s+SUBSCRIBED/);
    expect(run.stdout).toMatch(/desktops\s+1 remaining, 1 deleted record\(s\) ignored/);
    expect(run.stdout).toContain('d-1 "pc-one"');
    expect(run.stdout).toMatch(/destroy\s+1 desktop\(s\) remain: unsubscribe would refuse/);
    expect(emu.control.requests().every((r) => r.method === "GET")).toBe(true);
  });

  test("status --json during a cancellation shows the running job", async () => {
    emu.control.addTenant(PROJECT);
    emu.control.setJobPlan(PROJECT, { kind: "cancel", outcome: "NEVER_FINISHES" });
    await cli(["unsubscribe", "--project-id", PROJECT, "--job-timeout", "1s"]);
    const run = await cli(["status", "--project-id", PROJECT, "--json"]);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ status: "DEREGISTERING", wouldUnsubscribe: false, job: { status: "RUNNING" } });
  });

  test("unsubscribe --dry-run: exit 0 when it would go ahead, 4 when desktops block it; never a DELETE", async () => {
    emu.control.addTenant(PROJECT);
    const ok = await cli(["unsubscribe", "--project-id", PROJECT, "--dry-run", "--json"]);
    expect(ok.code).toBe(EXIT.ok);
    expect(JSON.parse(ok.stdout).result).toBe("would-unsubscribe");
    emu.control.addDesktop(PROJECT);
    const blocked = await cli(["unsubscribe", "--project-id", PROJECT, "--dry-run"]);
    expect(blocked.code).toBe(EXIT.desktopsRemain);
    expect(emu.control.countOf("CancelWorkspace")).toBe(0);
    expect(emu.control.state(PROJECT).service.status).toBe("SUBSCRIBED");
  });

  test("OS_ACCESS_KEY / OS_SECRET_KEY fallbacks work", async () => {
    emu.control.addTenant(PROJECT);
    const run = await cli(["status", "--project-id", PROJECT], {
      HW_ACCESS_KEY: undefined,
      HW_SECRET_KEY: undefined,
      OS_ACCESS_KEY: emulatorEnv("").HW_ACCESS_KEY,
      OS_SECRET_KEY: emulatorEnv("").HW_SECRET_KEY,
    });
    expect(run.code).toBe(EXIT.ok);
  });
});

describe("the program itself", () => {
  test("--help for every command, unknown flags are bad input", async () => {
    for (const command of ["unsubscribe", "subscribe", "status", "emulator"]) {
      const run = await cli([command, "--help"]);
      expect(run.code).toBe(EXIT.ok);
      expect(run.stdout).toMatch(/Usage: workspace-subscription/);
    }
    const bad = await cli(["unsubscribe", "--frobnicate"]);
    expect(bad.code).toBe(EXIT.badInput);
    expect(bad.stderr).toMatch(/Unknown option '--frobnicate'\. See: workspace-subscription unsubscribe --help\. Nothing was sent to Huawei Cloud\./);
    expect(bad.stderr).not.toMatch(/positional/);
    const missingValue = await cli(["unsubscribe", "--region"]);
    expect(missingValue.code).toBe(EXIT.badInput);
    expect(missingValue.stderr).toMatch(/--region/);
    expect((await cli(["nonsense"])).code).toBe(EXIT.badInput);
    expect((await cli([])).code).toBe(EXIT.badInput);
  });

  test("a malformed project ID is refused before any request: a typo must not read as 'already closed'", async () => {
    for (const id of ["XYZ", PROJECT.toUpperCase(), PROJECT + "0"]) {
      const run = await cli(["unsubscribe", "--project-id", id]);
      expect(run.code).toBe(EXIT.badInput);
      expect(run.stderr).toMatch(/is malformed: expected 32 lower-case hexadecimal characters/);
    }
    expect((await cli(["unsubscribe", "--project-id", PROJECT.toUpperCase()])).stderr).toMatch(/Write it in lower case/);
    expect(emu.control.requests()).toHaveLength(0);
  });

  test("the command may come from HW_WORKSPACE_COMMAND, as the provisioner runs it", async () => {
    emu.control.addTenant(PROJECT);
    const run = await cli([], { HW_WORKSPACE_COMMAND: "status", HW_PROJECT_ID: PROJECT });
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).toMatch(/service\s+SUBSCRIBED/);
  });
});
