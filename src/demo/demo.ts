/**
 * `npm run demo`: the whole life of a WorkspaceSubscription against the local emulator.
 *
 *  1. Start the emulator with a subscribed project whose last desktop is still being deleted.
 *  2. Synthesize the example app named in cdktf.json.
 *  3. With terraform on PATH: `terraform init`, `apply` (no DELETE may happen), `plan`
 *     (must be empty), `destroy` (the destroy step unsubscribes), with Terraform's own
 *     output. hashicorp/null comes from the project's offline stand-in
 *     (tools/null-provider), or from the registry with DEMO_REAL_NULL_PROVIDER=1.
 *     Without terraform: run the destroy step exactly as the provisioner would.
 *  4. Print what the emulator saw.
 *
 * Not part of the published package.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { DEMO_CREDENTIALS, RunningEmulator, startEmulator } from "../emulator";
import { EXAMPLE_PROJECT_ID, EXAMPLE_STACK } from "../example/main";

const ROOT = path.resolve(__dirname, "..", "..");
const OUTDIR = path.join(ROOT, "cdktf.out");
const STACK_DIR = path.join(OUTDIR, "stacks", EXAMPLE_STACK);
const REGION = "cn-north-4";
// Long enough to outlast terraform's own refresh and plan before the destroy step starts.
const DESKTOP_GOES_AFTER_MS = 10_000;
const JOB_MS = 6_000;

interface TerraformEnvHandle {
  readonly env: NodeJS.ProcessEnv;
  cleanup(): Promise<void>;
}

const bold = (text: string) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text);
const say = (text: string) => process.stdout.write(`\n${bold(`== ${text}`)}\n`);

function run(command: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env, stdio: ["ignore", "inherit", "inherit"] });
    child.on("error", reject);
    child.on("close", (code) => resolve(code ?? 1));
  });
}

function onPath(binary: string): boolean {
  return (process.env.PATH ?? "").split(path.delimiter).some((dir) => dir && fs.existsSync(path.join(dir, binary)));
}

function mustSucceed(step: string, code: number): void {
  if (code !== 0) throw new Error(`${step} exited with ${code}; see its output above.`);
}

/** The environment a user's pipeline would have: credentials and the endpoint, nothing from the stack. */
function pipelineEnv(emu: RunningEmulator, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const name of Object.keys(env)) if (/^(HW_|HUAWEICLOUD_SDK_|OS_)/.test(name)) delete env[name];
  env.HW_ACCESS_KEY = DEMO_CREDENTIALS.accessKey;
  env.HW_SECRET_KEY = DEMO_CREDENTIALS.secretKey;
  env.HW_WORKSPACE_ENDPOINT = emu.url;
  return env;
}

async function synth(): Promise<void> {
  say("Synthesizing the example app (cdktf.json -> lib/example/main.js)");
  const env = { ...process.env, CDKTF_OUTDIR: OUTDIR, HW_PROJECT_ID: EXAMPLE_PROJECT_ID, HW_REGION_NAME: REGION, EXAMPLE_DESKTOP_WAIT_SECONDS: "120" };
  mustSucceed("synth", await run(process.execPath, [path.join(ROOT, "lib", "example", "main.js")], { cwd: ROOT, env }));
  console.log(`stack written to ${path.relative(ROOT, STACK_DIR)}/cdk.tf.json`);
}

async function terraformEnv(emu: RunningEmulator): Promise<TerraformEnvHandle> {
  // Where the registry is reachable, a user may prefer the real hashicorp/null.
  if (process.env.DEMO_REAL_NULL_PROVIDER === "1") return { env: pipelineEnv(emu, process.env), cleanup: async () => undefined };
  // The stand-in is a test tool of this repository, loaded only here and only when present.
  const toolPath = path.join(ROOT, "tools", "null-provider", "dist", "index.js");
  if (!fs.existsSync(toolPath)) throw new Error(`${toolPath} is missing: run "npm run build" first.`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const tool = require(toolPath) as { prepareTerraformEnv(o: { baseEnv: NodeJS.ProcessEnv }): Promise<TerraformEnvHandle> };
  return tool.prepareTerraformEnv({ baseEnv: pipelineEnv(emu, process.env) });
}

async function withTerraform(emu: RunningEmulator, beforeDestroy: () => void): Promise<void> {
  const tf = await terraformEnv(emu);
  try {
    say(
      process.env.DEMO_REAL_NULL_PROVIDER === "1"
        ? "terraform init (hashicorp/null from the registry, as DEMO_REAL_NULL_PROVIDER=1 asks)"
        : "terraform init (hashicorp/null from the offline stand-in; DEMO_REAL_NULL_PROVIDER=1 uses the registry's)",
    );
    fs.rmSync(path.join(STACK_DIR, ".terraform"), { recursive: true, force: true });
    fs.rmSync(path.join(STACK_DIR, "terraform.tfstate"), { force: true });
    // The lock file records the checksum of whichever provider the last run used (stand-in or real).
    fs.rmSync(path.join(STACK_DIR, ".terraform.lock.hcl"), { force: true });
    mustSucceed("terraform init", await run("terraform", ["init", "-input=false", "-no-color"], { cwd: STACK_DIR, env: tf.env }));

    say("terraform apply: creates the resource; a deploy never unsubscribes");
    mustSucceed("terraform apply", await run("terraform", ["apply", "-auto-approve", "-input=false", "-no-color"], { cwd: STACK_DIR, env: tf.env }));
    if (emu.control.countOf("CancelWorkspace") !== 0) throw new Error("the deploy sent a DELETE: this must never happen");

    say("terraform plan -detailed-exitcode: a second plan must find nothing to do");
    const plan = await run("terraform", ["plan", "-detailed-exitcode", "-input=false", "-no-color"], { cwd: STACK_DIR, env: tf.env });
    if (plan !== 0) throw new Error(`terraform plan -detailed-exitcode exited ${plan}: the stack is not idempotent`);

    say("terraform destroy: the destroy step waits for the desktop, unsubscribes once, waits for the job");
    beforeDestroy();
    mustSucceed("terraform destroy", await run("terraform", ["destroy", "-auto-approve", "-input=false", "-no-color"], { cwd: STACK_DIR, env: tf.env }));
  } finally {
    await tf.cleanup();
  }
}

/** Without terraform: the provisioner's own command and environment, with self.* and path.module filled in. */
async function asProvisioner(emu: RunningEmulator): Promise<void> {
  const stack = JSON.parse(fs.readFileSync(path.join(STACK_DIR, "cdk.tf.json"), "utf8"));
  const resource = Object.values(stack.resource.null_resource)[0] as {
    triggers: Record<string, string>;
    provisioner: Array<{ "local-exec": { when?: string; command: string; interpreter: string[]; environment: Record<string, string> } }>;
  };
  const exec = resource.provisioner.map((p) => p["local-exec"]).find((e) => (e as { when?: string }).when === "destroy")!;
  const render = (value: string) =>
    value
      .replace(/(?<!\$)\$\{path\.module\}/g, ".")
      .replace(/(?<!\$)\$\{self\.triggers\.([a-z_]+)\}/g, (_m, key: string) => resource.triggers[key])
      .replace(/\$\$\{/g, "${")
      .replace(/%%\{/g, "%{");
  const env = pipelineEnv(emu, process.env);
  for (const [k, v] of Object.entries(exec.environment)) env[k] = render(v);
  say(`terraform is not on PATH: running the destroy step as its provisioner would: ${exec.interpreter.join(" ")} ${render(exec.command)}`);
  mustSucceed("the destroy step", await run(exec.interpreter[0], [...exec.interpreter.slice(1), render(exec.command)], { cwd: STACK_DIR, env }));
}

function countByRoute(records: ReadonlyArray<{ method: string; route?: string; path: string }>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of records) counts.set(`${r.method} ${r.route ?? r.path}`, (counts.get(`${r.method} ${r.route ?? r.path}`) ?? 0) + 1);
  return counts;
}

function printCounts(title: string, counts: Map<string, number>): void {
  console.log(`${title} ${[...counts.values()].reduce((a, b) => a + b, 0)}`);
  for (const [route, n] of counts) console.log(`  ${String(n).padStart(3)}  ${route}`);
}

function summary(emu: RunningEmulator, startedAt: number, deployCalls: Map<string, number>): void {
  const counts = countByRoute(emu.control.requests());
  const state = emu.control.state(EXAMPLE_PROJECT_ID);
  const job = state.jobs.find((j) => j.job_type === "cancelWorkspace") as Record<string, string> | undefined;
  say("Summary");
  console.log(`service status now:   ${String(state.service.status)}`);
  console.log(`cancellation job:     ${job ? `${job.id} ${job.status} (${job.begin_time} -> ${job.end_time})` : "none"}`);
  printCounts("API calls in deploy: ", deployCalls);
  printCounts("API calls in destroy:", counts);
  console.log(`DELETEs sent:         ${emu.control.countOf("CancelWorkspace")}`);
  console.log(`demo took:            ${((Date.now() - startedAt) / 1000).toFixed(1)}s`);
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  const emu = await startEmulator({ jobDurationMs: JOB_MS });
  try {
    say(`Emulator on ${emu.url}: project ${EXAMPLE_PROJECT_ID} (${REGION}) is SUBSCRIBED; its last desktop is being deleted`);
    emu.control.addTenant(EXAMPLE_PROJECT_ID, { region: REGION });
    emu.control.addDesktop(EXAMPLE_PROJECT_ID, { computerName: "WKS-OLD-07", status: "DELETED" });
    await synth();
    // The last desktop starts going away just before the destroy step runs, so the step has to wait for it.
    let deployCalls = new Map<string, number>();
    const beforeDestroy = () => {
      deployCalls = countByRoute(emu.control.requests());
      emu.control.addDesktop(EXAMPLE_PROJECT_ID, { desktopId: "3f1c7a52-demo-desk-0001", computerName: "WKS-DEMO-01", deleteAfterMs: DESKTOP_GOES_AFTER_MS });
      emu.control.clearRequests();
    };
    if (onPath("terraform") && process.env.DEMO_WITHOUT_TERRAFORM !== "1") await withTerraform(emu, beforeDestroy);
    else {
      beforeDestroy();
      await asProvisioner(emu);
    }
    if (emu.control.state(EXAMPLE_PROJECT_ID).service.status !== "CLOSED") throw new Error("the service is not CLOSED after the destroy step");
    summary(emu, startedAt, deployCalls);
    say("Done: unsubscribed once, after the last desktop had gone, and the job was seen to succeed.");
  } finally {
    await emu.stop();
  }
}

main().catch((e) => {
  process.stderr.write(`\ndemo failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
