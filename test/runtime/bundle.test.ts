import { spawn } from "node:child_process";
import { DEMO_CREDENTIALS, RunningEmulator, startEmulator } from "../../src/emulator";
import { EXIT } from "../../src/runtime/contract";
import { BUNDLE, emulatorEnv, runBundle } from "../support/cli";

// The single file the provisioner runs, run the way the provisioner runs it: `node <file>`,
// the command and settings in the environment, nothing on the command line.
const PROJECT = "00112233445566778899aabbccddeeff";
let emu: RunningEmulator;

beforeAll(async () => {
  emu = await startEmulator({ jobDurationMs: 400 });
});
afterAll(() => emu.stop());
beforeEach(() => emu.control.reset());

test("the bundle unsubscribes with only environment variables, as the destroy step does", async () => {
  emu.control.addTenant(PROJECT);
  const run = await runBundle([], emulatorEnv(emu.url, { HW_WORKSPACE_COMMAND: "unsubscribe", HW_PROJECT_ID: PROJECT, HW_WORKSPACE_JOB_TIMEOUT: "60s", HW_WORKSPACE_DESKTOP_WAIT: "0s" }));
  expect(run.code).toBe(EXIT.ok);
  expect(run.stderr).toMatch(/unsubscribed: project 00112233445566778899aabbccddeeff/);
  expect(emu.control.countOf("CancelWorkspace")).toBe(1);
  expect(run.stdout + run.stderr).not.toContain(DEMO_CREDENTIALS.secretKey);
});

test("SIGTERM while waiting for the job: exit 7 promptly, naming the job", async () => {
  emu.control.addTenant(PROJECT);
  emu.control.setJobPlan(PROJECT, { kind: "cancel", outcome: "NEVER_FINISHES" });
  const child = spawn(process.execPath, [BUNDLE, "unsubscribe", "--project-id", PROJECT], { env: { PATH: process.env.PATH, ...emulatorEnv(emu.url) } as NodeJS.ProcessEnv });
  let stderr = "";
  child.stderr.on("data", (c) => (stderr += c));
  const exited = new Promise<number>((resolve) => child.on("close", (code) => resolve(code ?? -1)));
  for (let i = 0; i < 300 && !/cancellation accepted: job/.test(stderr); i++) await new Promise((r) => setTimeout(r, 20));
  const sentAt = Date.now();
  child.kill("SIGTERM");
  const code = await exited;
  expect(code).toBe(EXIT.interrupted);
  expect(Date.now() - sentAt).toBeLessThan(5000);
  const jobId = /cancellation accepted: job (\S+)/.exec(stderr)![1];
  expect(stderr).toMatch(/SIGTERM received, stopping/);
  expect(stderr).toContain(`resume waiting for job ${jobId}`);
});

test("bad input exits 2 with the reason, and --version answers", async () => {
  const bad = await runBundle(["unsubscribe", "--project-id", PROJECT, "--job-timeout", "soon"], emulatorEnv(emu.url));
  expect(bad.code).toBe(EXIT.badInput);
  expect(bad.stderr).toMatch(/--job-timeout must be a duration/);
  const version = await runBundle(["--version"], {});
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  expect(version.stdout.trim()).toBe(require("../../package.json").version);
});
