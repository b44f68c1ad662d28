/**
 * `workspace-subscription emulator`: runs the emulator in the foreground until SIGINT or
 * SIGTERM (or the caller's abort signal). The main CLI wires this in; it is exported alone so
 * that the emulator stays an optional part of the bundle.
 */
import { parseArgs } from "node:util";
import { EXIT } from "../runtime/contract";
import { DEFAULT_REGION } from "./model";
import { DEMO_CREDENTIALS, LOOPBACK_HOSTS, startEmulator } from "./server";

export const EMULATOR_HELP = `Usage: workspace-subscription emulator [options]

Runs a local emulator of the Huawei Cloud Workspace API, and of the IAM project lookup, on
loopback only, for tests and demos. No request ever leaves this machine. Stop it with Ctrl-C.

Options:
  --port N                     TCP port (default: a free one)
  --host H                     ${LOOPBACK_HOSTS.join(", ")} (default 127.0.0.1); nothing else
  --seed-project ID[:REGION]   Seed a subscribed project; REGION defaults to ${DEFAULT_REGION}
                               (repeatable; two projects may share a region)
  --desktop ID:COUNT           Give a seeded project COUNT active desktops (repeatable)
  --job-duration D             How long cancel and subscribe jobs run: 500ms, 5s, 2m (default 3s)
  --print-credentials          Also print the demo SECRET key, as export lines. Without it only
                               the access key is printed, so the secret stays out of CI logs.
  --quiet                      Do not log requests to stderr
  -h, --help                   Show this help

Point a pipeline at it:
  export HW_WORKSPACE_ENDPOINT=<url> HW_IAM_ENDPOINT=<url>
  export HW_ACCESS_KEY=<access key> HW_SECRET_KEY=<secret key>   (see --print-credentials)

Steer it from another process through <url>/_emulator/ (tenants, desktops, job plans,
faults, throttling, request log); see src/emulator/README.md.

The emulator reads no environment variables, so real credentials in the environment are
never picked up. Exit status: 0 after a clean stop, 2 for bad options or a port in use.
`;

/** Output sinks and an optional stop signal; shaped like the main CLI's io so it can pass its own. */
export interface EmulatorCliIo {
  readonly stdout?: (text: string) => void;
  readonly stderr?: (text: string) => void;
  readonly signal?: AbortSignal;
}

class UsageError extends Error {}

interface CliSettings {
  readonly port: number;
  readonly host: string;
  readonly seeds: ReadonlyArray<{ projectId: string; region: string }>;
  readonly desktops: ReadonlyArray<{ projectId: string; count: number }>;
  readonly jobDurationMs: number | undefined;
  readonly printCredentials: boolean;
  readonly quiet: boolean;
  readonly help: boolean;
}

export function parseDuration(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(text.trim());
  if (!m) throw new UsageError(`${flag} wants a duration with a unit, e.g. 500ms, 5s or 2m; got ${JSON.stringify(text)}`);
  const unit = m[2] === "ms" ? 1 : m[2] === "s" ? 1000 : 60_000;
  return Math.round(Number(m[1]) * unit);
}

function parseSettings(argv: string[]): CliSettings {
  // Accept the subcommand name too, so callers may pass argv with or without it.
  const args = argv[0] === "emulator" ? argv.slice(1) : argv;
  let parsed;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: "string" },
        host: { type: "string" },
        "seed-project": { type: "string", multiple: true },
        desktop: { type: "string", multiple: true },
        "job-duration": { type: "string" },
        "print-credentials": { type: "boolean" },
        quiet: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const v = parsed.values;
  let port = 0;
  if (v.port !== undefined) {
    if (!/^\d+$/.test(v.port) || Number(v.port) > 65535) throw new UsageError(`--port wants an integer 0-65535, got ${JSON.stringify(v.port)}`);
    port = Number(v.port);
  }
  const host = v.host ?? "127.0.0.1";
  if (!LOOPBACK_HOSTS.includes(host)) throw new UsageError(`--host must be one of ${LOOPBACK_HOSTS.join(", ")} (the emulator never faces a network); got ${JSON.stringify(host)}`);
  const seeds = (v["seed-project"] ?? []).map((text) => {
    const colon = text.indexOf(":");
    const projectId = colon < 0 ? text : text.slice(0, colon);
    const region = colon < 0 ? DEFAULT_REGION : text.slice(colon + 1);
    if (!/^[^/:\s]{1,255}$/.test(projectId)) throw new UsageError(`--seed-project wants ID[:REGION] with a 1-255 character ID; got ${JSON.stringify(text)}`);
    if (!/^[a-z0-9][a-z0-9-]*$/.test(region)) throw new UsageError(`--seed-project region must look like cn-north-4; got ${JSON.stringify(region)}`);
    return { projectId, region };
  });
  const seeded = new Set(seeds.map((s) => s.projectId));
  if (seeded.size !== seeds.length) throw new UsageError("--seed-project names the same project ID twice");
  const desktops = (v.desktop ?? []).map((text) => {
    const colon = text.lastIndexOf(":");
    const projectId = text.slice(0, Math.max(0, colon));
    const countText = text.slice(colon + 1);
    if (colon < 0 || !/^\d+$/.test(countText) || Number(countText) < 1 || Number(countText) > 10000) {
      throw new UsageError(`--desktop wants PROJECT_ID:COUNT with COUNT 1-10000; got ${JSON.stringify(text)}`);
    }
    if (!seeded.has(projectId)) throw new UsageError(`--desktop ${text}: seed the project first with --seed-project ${projectId}`);
    return { projectId, count: Number(countText) };
  });
  return {
    port,
    host,
    seeds,
    desktops,
    jobDurationMs: v["job-duration"] === undefined ? undefined : parseDuration(v["job-duration"], "--job-duration"),
    printCredentials: v["print-credentials"] ?? false,
    quiet: v.quiet ?? false,
    help: v.help ?? false,
  };
}

/**
 * Runs the emulator until SIGINT, SIGTERM or `io.signal` aborts. Resolves to the exit status.
 * `_env` is accepted for symmetry with the main CLI and deliberately not read (see --help).
 */
export async function runEmulatorCli(argv: string[], _env: Readonly<Record<string, string | undefined>> = {}, io: EmulatorCliIo = {}): Promise<number> {
  const stdout = io.stdout ?? ((text: string) => void process.stdout.write(text));
  const stderr = io.stderr ?? ((text: string) => void process.stderr.write(text));
  let settings: CliSettings;
  try {
    settings = parseSettings(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    stderr(`workspace-subscription emulator: ${error.message}\nRun "workspace-subscription emulator --help" for the options.\n`);
    return EXIT.badInput;
  }
  if (settings.help) {
    stdout(EMULATOR_HELP);
    return EXIT.ok;
  }

  let emulator;
  try {
    emulator = await startEmulator({
      port: settings.port,
      host: settings.host,
      jobDurationMs: settings.jobDurationMs,
      log: settings.quiet ? undefined : (line) => stderr(`${new Date().toISOString()} ${line}\n`),
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "EADDRINUSE" ? `port ${settings.port} is in use; choose another --port or omit it for a free one` : (error as Error).message;
    stderr(`workspace-subscription emulator: cannot start: ${reason}\n`);
    return EXIT.badInput;
  }

  const lines = [`Workspace emulator listening on ${emulator.url}`, `  export HW_WORKSPACE_ENDPOINT=${emulator.url} HW_IAM_ENDPOINT=${emulator.url}`];
  if (settings.printCredentials) lines.push(`  export HW_ACCESS_KEY=${DEMO_CREDENTIALS.accessKey} HW_SECRET_KEY=${DEMO_CREDENTIALS.secretKey}`);
  else lines.push(`  export HW_ACCESS_KEY=${DEMO_CREDENTIALS.accessKey}   (secret key: run with --print-credentials)`);
  for (const seed of settings.seeds) {
    emulator.control.addTenant(seed.projectId, { region: seed.region });
    const count = settings.desktops.filter((d) => d.projectId === seed.projectId).reduce((sum, d) => sum + d.count, 0);
    for (let i = 0; i < count; i++) emulator.control.addDesktop(seed.projectId);
    lines.push(`  seeded project ${seed.projectId} (${seed.region}): SUBSCRIBED, ${count} desktop(s)`);
  }
  lines.push(`  control API: ${emulator.url}/_emulator/ (see src/emulator/README.md)`, "Stop with Ctrl-C.");
  stdout(lines.join("\n") + "\n");

  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      io.signal?.removeEventListener("abort", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    io.signal?.addEventListener("abort", stop);
    if (io.signal?.aborted) stop();
  });
  await emulator.stop();
  stdout("Workspace emulator stopped.\n");
  return EXIT.ok;
}
