/**
 * Wires the hashicorp/null stand-in into Terraform for child processes only.
 *
 * It writes a Terraform CLI configuration into a fresh temporary folder and
 * returns an environment whose TF_CLI_CONFIG_FILE names it. The user's own
 * CLI configuration, plugin cache and lock files elsewhere are never touched.
 *
 * The CLI configuration does two things:
 * - `dev_overrides` makes plan/apply/destroy/import run the stand-in directly,
 *   without `terraform init` (enough for a folder without a `backend` block);
 * - a `filesystem_mirror` holding the stand-in as version 3.2.4 lets
 *   `terraform init` succeed offline, which a configuration with a `backend`
 *   block (every cdktf stack) needs, and which `cdktf deploy` always runs.
 *   Without it, init tries the registry for hashicorp/null and fails even
 *   though dev_overrides is set.
 */
import { execFile } from "node:child_process";
import { promises as fsp } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { PROVIDER_EXECUTABLE, PROVIDER_SOURCE, RPC_LOG_ENV } from "./contract";
import { COMPILED_MAIN, DIST_DIR, MIRROR_DIR, TOOL_ROOT } from "./tool-paths";

const execFileAsync = promisify(execFile);

/** The hashicorp/null release the stand-in imitates; @cdktf/provider-null 11 pins it. */
export const DEFAULT_PROVIDER_VERSION = "3.2.4";

/** Read by the launcher, so that Terraform runs the stand-in with the same Node as the caller. */
export const NODE_BINARY_ENV = "NULL_STANDIN_NODE";

export interface PrepareTerraformEnvOptions {
  /**
   * Folder in which the temporary folder (CLI configuration) is created.
   * @default os.tmpdir()
   */
  readonly workDir?: string;
  /**
   * Environment the returned one starts from.
   * @default process.env
   */
  readonly baseEnv?: NodeJS.ProcessEnv;
  /**
   * Version the stand-in claims in the filesystem mirror. It must satisfy the
   * configuration's `required_providers` constraint for `terraform init`.
   * @default "3.2.4"
   */
  readonly providerVersion?: string;
  /**
   * If set, every RPC the stand-in receives is appended to this file as
   * "<pid> <rpc>" (for tests and debugging).
   * @default - no log
   */
  readonly rpcLogFile?: string;
}

export interface TerraformEnv {
  /** Environment for child `terraform` (or `cdktf`) processes. */
  readonly env: NodeJS.ProcessEnv;
  /** The generated CLI configuration (inside the temporary folder). */
  readonly cliConfigFile: string;
  /** The folder that dev_overrides points hashicorp/null at. */
  readonly providerDir: string;
  /** Removes the temporary folder. Safe to call more than once. */
  cleanup(): Promise<void>;
}

export async function prepareTerraformEnv(options: PrepareTerraformEnvOptions = {}): Promise<TerraformEnv> {
  const version = options.providerVersion ?? DEFAULT_PROVIDER_VERSION;
  if (!/^\d+\.\d+\.\d+$/.test(version)) {
    throw new Error(`providerVersion must look like "3.2.4", got "${version}".`);
  }
  await ensureStandInBuilt();
  const providerDir = await writeMirrorPackage(version);

  const tempDir = await fsp.mkdtemp(path.join(options.workDir ?? os.tmpdir(), "null-standin-"));
  const cliConfigFile = path.join(tempDir, "terraform.rc");
  await fsp.writeFile(cliConfigFile, cliConfiguration(providerDir), "utf8");

  const env: NodeJS.ProcessEnv = { ...(options.baseEnv ?? process.env) };
  env.TF_CLI_CONFIG_FILE = cliConfigFile;
  delete env.TERRAFORM_CONFIG; // older name of TF_CLI_CONFIG_FILE
  // A shared plugin cache would receive a copy of the stand-in: keep it out.
  delete env.TF_PLUGIN_CACHE_DIR;
  delete env.TF_REATTACH_PROVIDERS;
  env.TF_IN_AUTOMATION = "1";
  env.TF_INPUT = "0";
  env.CHECKPOINT_DISABLE = "1";
  env[NODE_BINARY_ENV] = process.execPath;
  if (options.rpcLogFile !== undefined) env[RPC_LOG_ENV] = options.rpcLogFile;
  else delete env[RPC_LOG_ENV];

  return {
    env,
    cliConfigFile,
    providerDir,
    cleanup: () => fsp.rm(tempDir, { recursive: true, force: true }),
  };
}

function hclString(value: string): string {
  // JSON's string escapes are also HCL's.
  return JSON.stringify(value);
}

function cliConfiguration(providerDir: string): string {
  const address = `registry.terraform.io/${PROVIDER_SOURCE}`;
  return [
    "# Written by tools/null-provider for child processes of one run:",
    "# Terraform uses the offline stand-in for hashicorp/null instead of the registry.",
    "provider_installation {",
    "  dev_overrides {",
    `    ${hclString(PROVIDER_SOURCE)} = ${hclString(providerDir)}`,
    "  }",
    "  filesystem_mirror {",
    `    path    = ${hclString(MIRROR_DIR)}`,
    `    include = [${hclString(address)}]`,
    "  }",
    "  direct {",
    `    exclude = [${hclString(address)}]`,
    "  }",
    "}",
    "",
  ].join("\n");
}

/** Go's names for this platform, as in Terraform's `linux_amd64`. */
export function terraformPlatform(platform: NodeJS.Platform = process.platform, arch: string = process.arch): string {
  if (platform === "win32") {
    throw new Error("The hashicorp/null stand-in has only a POSIX shell launcher; it does not run on Windows.");
  }
  const goArch: Record<string, string> = { x64: "amd64", arm64: "arm64", ia32: "386", arm: "arm" };
  return `${platform}_${goArch[arch] ?? arch}`;
}

/**
 * Lays out `<mirror>/registry.terraform.io/hashicorp/null/<version>/<os_arch>/
 * terraform-provider-null_v<version>`: an unpacked filesystem-mirror package,
 * which Terraform also accepts as a dev_overrides folder.
 *
 * The launcher's text holds no absolute path, so its checksum (recorded by
 * `terraform init` in .terraform.lock.hcl) is the same on every machine and
 * with every Node; that Node comes from NULL_STANDIN_NODE, or PATH.
 */
async function writeMirrorPackage(version: string): Promise<string> {
  const packageDir = path.join(MIRROR_DIR, "registry.terraform.io", PROVIDER_SOURCE, version, terraformPlatform());
  const launcher = path.join(packageDir, `${PROVIDER_EXECUTABLE}_v${version}`);
  const mainFromPackage = path.relative(packageDir, COMPILED_MAIN).split(path.sep).join("/");
  const text = [
    "#!/bin/sh",
    "# Launcher of the offline stand-in for hashicorp/null (tools/null-provider).",
    "# Generated by prepareTerraformEnv(); Terraform runs it as a provider plugin.",
    'here=$(CDPATH= cd -P -- "$(dirname -- "$0")" && pwd) || exit 1',
    `exec "\${${NODE_BINARY_ENV}:-node}" "$here/${mainFromPackage}" "$@"`,
    "",
  ].join("\n");

  await fsp.mkdir(packageDir, { recursive: true });
  const current = await fsp.readFile(launcher, "utf8").catch(() => null);
  if (current !== text) {
    // Write then rename, so a concurrent Terraform never runs half a file.
    const partial = `${launcher}.${process.pid}.partial`;
    await fsp.writeFile(partial, text, { mode: 0o755 });
    await fsp.rename(partial, launcher);
  }
  await fsp.chmod(launcher, 0o755);
  return packageDir;
}

const BUILD_LOCK = path.join(DIST_DIR, ".build-lock");
const BUILD_STAMP = path.join(DIST_DIR, ".build-stamp");
const LOCK_WAIT_MS = 120_000;
const LOCK_STALE_MS = 120_000;

/**
 * Compiles tools/null-provider with tsc when dist/ is missing or older than
 * any source. Several test workers may call this at once: a lock folder
 * makes one of them build while the others wait.
 */
export async function ensureStandInBuilt(): Promise<void> {
  if (!(await isBuildStale())) return;
  await fsp.mkdir(DIST_DIR, { recursive: true });
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      await fsp.mkdir(BUILD_LOCK);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const lockAge = await fsp.stat(BUILD_LOCK).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (lockAge > LOCK_STALE_MS) await fsp.rm(BUILD_LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`Timed out waiting for another build of the stand-in (${BUILD_LOCK}).`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    if (!(await isBuildStale())) return; // another worker built it meanwhile
    const tsc = require.resolve("typescript/bin/tsc");
    try {
      await execFileAsync(process.execPath, [tsc, "-p", TOOL_ROOT], { cwd: TOOL_ROOT, timeout: 120_000 });
    } catch (error) {
      const output = error as { stdout?: string; stderr?: string; message: string };
      throw new Error(
        `Building the hashicorp/null stand-in failed (tsc -p ${TOOL_ROOT}):\n${output.stdout ?? ""}${output.stderr ?? ""}${output.message}`,
      );
    }
    await fsp.writeFile(BUILD_STAMP, `${new Date().toISOString()}\n`);
  } finally {
    await fsp.rm(BUILD_LOCK, { recursive: true, force: true });
  }
}

async function isBuildStale(): Promise<boolean> {
  const [stamp, main] = await Promise.all([mtimeOf(BUILD_STAMP), mtimeOf(COMPILED_MAIN)]);
  if (stamp === null || main === null) return true;
  const sources = [path.join(TOOL_ROOT, "tsconfig.json"), path.join(TOOL_ROOT, "index.ts"), ...(await sourceFiles())];
  const newest = Math.max(...(await Promise.all(sources.map(mtimeOf))).map((m) => m ?? Infinity));
  return newest > stamp;
}

async function sourceFiles(): Promise<string[]> {
  const dir = path.join(TOOL_ROOT, "src");
  return (await fsp.readdir(dir)).filter((name) => name.endsWith(".ts")).map((name) => path.join(dir, name));
}

async function mtimeOf(file: string): Promise<number | null> {
  return fsp.stat(file).then((s) => s.mtimeMs, () => null);
}
