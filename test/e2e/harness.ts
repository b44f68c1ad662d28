/**
 * End-to-end harness: real `terraform` (and `cdktf`) child processes against the
 * in-process Workspace emulator, offline, loopback only.
 *
 * - Terraform runs with the environment of tools/null-provider's prepareTerraformEnv
 *   (hashicorp/null from the offline stand-in) plus the credentials and the endpoint,
 *   exactly as a user's pipeline would set them: nothing secret goes into the stack.
 * - Every child process is killed if it outlives its timeout.
 * - Every child's output is kept, and every file the runs leave is listed, so that a
 *   test can check at the end that no credential was written or printed anywhere.
 */
import { spawn } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { App } from "cdktf";
import { EmulatorCredentials, RunningEmulator, startEmulator } from "../../src/emulator";
import { EXAMPLE_STACK, ExampleStack, ExampleStackOptions } from "../../src/example/main";
import { DeletionPolicy, Duration } from "../../src";
import { ENV } from "../../src/runtime/contract";
import { prepareTerraformEnv, TerraformEnv } from "../../tools/null-provider";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
export const REGION = "cn-north-4";
/** Any single command (terraform or cdktf) is killed after this long. */
export const COMMAND_TIMEOUT_MS = 120_000;
/** Per test: a few commands of ~1-5 s each, with room for one to hang until it is killed. */
export const E2E_TEST_TIMEOUT_MS = 180_000;

export { TERRAFORM_MISSING, describeIf, findOnPath } from "../support/terraform-available";

/** A key pair the emulator accepts, random per run so that any copy of it anywhere is a leak. */
export function randomCredentials(label: string, withToken = false): EmulatorCredentials {
  const accessKey = `E2E${label.toUpperCase()}${crypto.randomBytes(8).toString("hex").toUpperCase()}`.slice(0, 20);
  const secretKey = crypto.randomBytes(30).toString("base64").replace(/[^A-Za-z0-9]/g, "x");
  return withToken ? { accessKey, secretKey, securityToken: `tok-${crypto.randomBytes(48).toString("hex")}` } : { accessKey, secretKey };
}

/** A fresh 32-hex project ID. */
export function newProjectId(): string {
  return crypto.randomBytes(16).toString("hex");
}

export interface CommandRun {
  readonly label: string;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout then stderr, for messages that may land on either. */
  readonly output: string;
  readonly ms: number;
}

/** The environment of the machine, without anything that could aim the runs elsewhere or change Terraform's behaviour. */
export function scrubbedEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const name of Object.keys(env)) {
    if (/^(HW_|HUAWEICLOUD_|OS_|CDKTF_|EXAMPLE_)/.test(name)) delete env[name];
    if (/^TF_(LOG|LOG_PATH|CLI_ARGS.*|DATA_DIR|WORKSPACE|VAR_.*|PLUGIN_CACHE_DIR|REATTACH_PROVIDERS)$/.test(name)) delete env[name];
  }
  return env;
}

/** The variables a pipeline sets for the destroy step: credentials and where the API is. */
export function credentialEnv(credentials: EmulatorCredentials, endpoint: string): NodeJS.ProcessEnv {
  return {
    [ENV.accessKey]: credentials.accessKey,
    [ENV.secretKey]: credentials.secretKey,
    ...(credentials.securityToken ? { [ENV.securityToken]: credentials.securityToken } : {}),
    [ENV.endpoint]: endpoint,
  };
}

/** One stack on disk: the synth output folder, the folder terraform runs in, and its project. */
export interface E2EStack {
  readonly projectId: string;
  readonly outdir: string;
  /** `<outdir>/stacks/<stack>`: where terraform runs and the local state lives. */
  readonly dir: string;
}

export interface SynthOptions extends Partial<ExampleStackOptions> {
  readonly projectId: string;
}

/** Fast defaults for the example stack: fail at once on desktops, give a job a minute. */
export function exampleOptions(opts: SynthOptions): ExampleStackOptions {
  return {
    region: REGION,
    desktopWait: Duration.seconds(0),
    jobTimeout: Duration.seconds(60),
    deletionPolicy: DeletionPolicy.UNSUBSCRIBE,
    ...opts,
  };
}

export class E2EHarness {
  emulator!: RunningEmulator;
  tf!: TerraformEnv;
  root!: string;
  /** Every command run through this harness, in order. */
  readonly runs: CommandRun[] = [];
  /** Folders whose files must never hold a credential. */
  readonly folders: string[] = [];
  private stackCount = 0;

  constructor(private readonly options: { readonly jobDurationMs: number; readonly credentials: EmulatorCredentials[]; readonly prefix: string }) {}

  async start(): Promise<void> {
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), `${this.options.prefix}-`));
    this.emulator = await startEmulator({ jobDurationMs: this.options.jobDurationMs, credentials: this.options.credentials });
    this.tf = await prepareTerraformEnv({ workDir: this.root, baseEnv: scrubbedEnv() });
  }

  async stop(): Promise<void> {
    await this.emulator?.stop();
    await this.tf?.cleanup();
    if (this.root && process.env.E2E_KEEP_TMP !== "1") fs.rmSync(this.root, { recursive: true, force: true });
  }

  /** A seeded, SUBSCRIBED project and an empty folder for its stack. */
  newStack(label: string): E2EStack {
    const projectId = newProjectId();
    this.emulator.control.addTenant(projectId, { region: REGION });
    const outdir = path.join(this.root, `${++this.stackCount}-${label}`, "cdktf.out");
    fs.mkdirSync(outdir, { recursive: true });
    this.folders.push(path.dirname(outdir));
    return { projectId, outdir, dir: path.join(outdir, "stacks", EXAMPLE_STACK) };
  }

  /** Synthesizes the example app's stack into `outdir`, in this process. */
  synthExample(stack: E2EStack, opts: Partial<ExampleStackOptions> = {}): void {
    const app = new App({ outdir: stack.outdir });
    new ExampleStack(app, EXAMPLE_STACK, exampleOptions({ projectId: stack.projectId, ...opts }));
    app.synth();
  }

  /** The environment for terraform: the stand-in, plus credentials and endpoint. */
  env(credentials: EmulatorCredentials, endpoint = this.emulator.url): NodeJS.ProcessEnv {
    return { ...this.tf.env, ...credentialEnv(credentials, endpoint) };
  }

  /** `terraform <args> -no-color` in the stack folder. */
  terraform(stack: E2EStack, env: NodeJS.ProcessEnv, ...args: string[]): Promise<CommandRun> {
    return this.run(`terraform ${args.join(" ")}`, "terraform", [...args, "-no-color"], { cwd: stack.dir, env });
  }

  /** Runs a command bounded by COMMAND_TIMEOUT_MS and records its output. */
  async run(label: string, file: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<CommandRun> {
    const started = Date.now();
    const result = await new Promise<CommandRun>((resolve, reject) => {
      const child = spawn(file, args, { cwd: opts.cwd, env: opts.env, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
      const timer = setTimeout(() => {
        stderr += `\n[e2e harness] killed after ${opts.timeoutMs ?? COMMAND_TIMEOUT_MS} ms\n`;
        child.kill("SIGKILL");
      }, opts.timeoutMs ?? COMMAND_TIMEOUT_MS);
      child.on("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.on("close", (code, signal) => {
        clearTimeout(timer);
        resolve({ label, code, signal, stdout, stderr, output: `${stdout}\n${stderr}`, ms: Date.now() - started });
      });
    });
    this.runs.push(result);
    // Kept with E2E_KEEP_TMP=1, for reading what Terraform said.
    fs.appendFileSync(path.join(this.root, "transcript.log"), `\n===== ${describeRun(result)}\n`);
    return result;
  }

  /** Requests of one route for one project, as the emulator logged them. */
  calls(projectId: string, method: string): number {
    return this.emulator.control.requests().filter((r) => r.method === method && r.path === `/v2/${projectId}/workspaces`).length;
  }

  deletes(projectId: string): number {
    return this.calls(projectId, "DELETE");
  }

  posts(projectId: string): number {
    return this.calls(projectId, "POST");
  }

  serviceStatus(projectId: string): unknown {
    return this.emulator.control.state(projectId).service.status;
  }

  cancelJobs(projectId: string): Array<Record<string, unknown>> {
    return this.emulator.control.state(projectId).jobs.filter((j) => j.job_type === "cancelWorkspace") as Array<Record<string, unknown>>;
  }
}

/** `terraform state list`: the addresses in the state, one per line. */
export async function stateList(h: E2EHarness, stack: E2EStack, env: NodeJS.ProcessEnv): Promise<string[]> {
  const listed = await h.terraform(stack, env, "state", "list");
  if (listed.code !== 0) throw new Error(`terraform state list failed (${listed.code}):\n${listed.output}`);
  return listed.stdout.split("\n").map((l) => l.trim()).filter((l) => l !== "");
}

/** Explains a failed expectation on a command with its whole output. */
export function describeRun(run: CommandRun): string {
  return `${run.label} exited ${run.code}${run.signal ? ` (${run.signal})` : ""} after ${run.ms} ms; output:\n${run.output}`;
}

/** Fails with the command's whole output unless it exited with `expected` ("failed": any non-zero code, not killed). */
export function expectExit(run: CommandRun, expected: number | "failed"): void {
  const ok = expected === "failed" ? run.code !== null && run.code !== 0 : run.code === expected;
  if (!ok) throw new Error(`expected exit ${expected === "failed" ? "non-zero" : expected}, but ${describeRun(run)}`);
}

/** Every regular file below `dir`, not following symbolic links (`.terraform/providers` links to the stand-in). */
export function filesBelow(dir: string): string[] {
  const out: string[] = [];
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) out.push(...filesBelow(full));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

export interface Leak {
  readonly where: string;
  readonly what: string;
}

/** Where any of the named secret values occurs in the given texts and files. */
export function findLeaks(secrets: Record<string, string>, texts: Array<{ where: string; text: string }>, files: string[]): Leak[] {
  const leaks: Leak[] = [];
  const check = (where: string, text: string) => {
    for (const [what, value] of Object.entries(secrets)) if (value && text.includes(value)) leaks.push({ where, what });
  };
  for (const t of texts) check(t.where, t.text);
  for (const f of files) check(f, fs.readFileSync(f, "latin1"));
  return leaks;
}

/** The secret values of a set of credentials, named for the failure message. */
export function secretsOf(named: Record<string, EmulatorCredentials>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, c] of Object.entries(named)) {
    out[`${name}.accessKey`] = c.accessKey;
    out[`${name}.secretKey`] = c.secretKey;
    if (c.securityToken) out[`${name}.securityToken`] = c.securityToken;
  }
  return out;
}
