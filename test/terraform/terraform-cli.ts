/**
 * Test support: run the real `terraform` binary in a folder, bounded in time,
 * and read what it left behind.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export interface TerraformRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout and stderr together, for messages that may land on either. */
  readonly output: string;
}

export interface StartedTerraform {
  readonly pid: number;
  readonly done: Promise<TerraformRun>;
  kill(signal: NodeJS.Signals): void;
}

const DEFAULT_TIMEOUT_MS = 45_000;

/** Starts `terraform <args...> -no-color` in `cwd`; killed if it outlives `timeoutMs`. */
export function startTerraform(
  cwd: string,
  env: NodeJS.ProcessEnv,
  args: readonly string[],
  timeoutMs = DEFAULT_TIMEOUT_MS,
): StartedTerraform {
  const child = spawn("terraform", [...args, "-no-color"], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const done = new Promise<TerraformRun>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, output: `${stdout}\n${stderr}` });
    });
  });
  if (child.pid === undefined) throw new Error("terraform did not start");
  return { pid: child.pid, done, kill: (signal) => child.kill(signal) };
}

export function terraform(cwd: string, env: NodeJS.ProcessEnv, ...args: string[]): Promise<TerraformRun> {
  return startTerraform(cwd, env, args).done;
}

export interface StateResource {
  readonly type: string;
  readonly name: string;
  readonly instances: Array<{ attributes: { id: string; triggers: Record<string, string> | null } }>;
}

/** The resources in a folder's local state file (empty if there is none). */
export function readStateResources(dir: string, file = "terraform.tfstate"): StateResource[] {
  const statePath = path.join(dir, file);
  if (!fs.existsSync(statePath)) return [];
  return (JSON.parse(fs.readFileSync(statePath, "utf8")) as { resources: StateResource[] }).resources;
}

/** The single null_resource instance's attributes in the state. */
export function onlyNullResource(dir: string, file?: string): { id: string; triggers: Record<string, string> | null } {
  const resources = readStateResources(dir, file);
  expect(resources).toHaveLength(1);
  expect(resources[0].type).toBe("null_resource");
  return resources[0].instances[0].attributes;
}

/** True if the process exists and is not a zombie waiting for a parent to reap it. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return true; // no /proc here: trust kill(0)
  }
}

/** Waits until none of the pids is alive; returns those still alive at the deadline. */
export async function waitForExit(pids: readonly number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const alive = pids.filter(isAlive);
    if (alive.length === 0 || Date.now() > deadline) return alive;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Pids and RPC names from the stand-in's call log. */
export function readRpcLog(file: string): Array<{ pid: number; rpc: string }> {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      const [pid, rpc] = line.split(" ");
      return { pid: Number(pid), rpc };
    });
}
