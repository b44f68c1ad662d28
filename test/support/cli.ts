import { spawn } from "node:child_process";
import * as path from "node:path";
import { main } from "../../src/runtime/cli";
import { DEMO_CREDENTIALS } from "../../src/emulator";

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Environment for a run against an emulator: credentials plus the endpoint, nothing inherited. */
export function emulatorEnv(url: string, extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    HW_ACCESS_KEY: DEMO_CREDENTIALS.accessKey,
    HW_SECRET_KEY: DEMO_CREDENTIALS.secretKey,
    HW_WORKSPACE_ENDPOINT: url,
    HW_REGION_NAME: "cn-north-4",
    HW_MAX_RETRIES: "3",
    ...extra,
  };
}

/** Runs the CLI in this process: fast, and the same code the bundle holds. */
export async function runCli(args: string[], env: Record<string, string | undefined>, signal?: AbortSignal): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const code = await main(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env, signal });
  return { code, stdout, stderr };
}

export const BUNDLE = path.resolve(__dirname, "../../lib/bundle/workspace-subscription.js");

/** Runs the built single-file program as the provisioner does: `node <file>`, environment only. */
export function runBundle(args: string[], env: Record<string, string | undefined>, timeoutMs = 60_000): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BUNDLE, ...args], { env: { PATH: process.env.PATH, ...env } as NodeJS.ProcessEnv });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}
