#!/usr/bin/env node
/**
 * `workspace-subscription`: the program the destroy-time provisioner runs, and the
 * operator's tool. Node built-ins only; never imports cdktf.
 */
import { parseArgs } from "node:util";
import { COMMANDS, ENV, EXIT } from "./contract";
import { Env, Flags, resolveSettings } from "./config";
import { ExitError } from "./errors";
import { ApiClient } from "./http";
import { streamReporter } from "./reporter";
import { Outcome, Unsubscriber } from "./unsubscribe";
import { WorkspaceApi } from "./workspace-api";
import { formatSeconds } from "./duration";

export const VERSION = "0.1.0";

const MAIN_HELP = `Usage: workspace-subscription <command> [options]

Manage a Huawei Cloud Workspace subscription (the tenant's subscription to the
Workspace cloud-desktop service).

Commands:
  unsubscribe   Cancel the subscription safely: check that no desktops remain, send
                DELETE /v2/{project_id}/workspaces once, wait for the job, report.
                This is what the destroy step of a WorkspaceSubscription runs.
  emulator      Run the local Workspace API emulator (for tests and demos).
  help          Show this help, or help for a command: help unsubscribe

Options:
  -h, --help     Show help
  -v, --version  Show the version

Exit codes:
  0 done, already unsubscribed, or retained by policy
  1 internal error            2 bad input (flag, variable or value)
  3 credentials or permission refused
  4 desktops remain (nothing cancelled)
  5 the cancellation job failed
  6 timed out                 7 interrupted (SIGINT/SIGTERM)
  8 API error (unreachable, unexpected answer)
`;

const UNSUBSCRIBE_HELP = `Usage: workspace-subscription unsubscribe [options]

Cancels the Workspace subscription of one project. IRREVERSIBLE.
  1. Reads the service. CLOSED: nothing to do. DEREGISTERING: waits for that job.
  2. Lists every desktop. If any remain (records with status DELETED do not count),
     stops before any DELETE, or waits up to --desktop-wait for them to go.
  3. Sends DELETE /v2/{project_id}/workspaces exactly once. An answer lost after the
     request was sent is resolved by reading the service, never by sending again.
  4. Waits for the job; success only when the job and every sub-job succeeded, or
     the service reads CLOSED.

Options (flags override the environment):
  --project-id ID       Project ID                     [env ${ENV.projectId}]
  --region NAME         Region, e.g. cn-north-4        [env ${ENV.region}]
  --endpoint URL        Workspace endpoint             [env ${ENV.endpoint}]
                        default https://workspace.{region}.myhuaweicloud.com
                        (myhuaweicloud.eu for eu-west-1*, ${ENV.cloud} overrides the domain)
  --job-timeout DUR     Wait for the job at most DUR   [env ${ENV.jobTimeout}, default 30m]
  --desktop-wait DUR    Wait for desktops to go        [env ${ENV.desktopWait}, default 0: fail at once]
  --deletion-policy P   UNSUBSCRIBE or RETAIN          [env ${ENV.deletionPolicy}, default UNSUBSCRIBE]
  --dry-run             Check everything up to the DELETE, send nothing; exit 0 if a real
                        run would go ahead, 4 if desktops block it
  --json                Print the result as one JSON object on stdout
  -h, --help            Show this help

DUR is seconds, or a number with s, m or h (90, 90s, 30m, 1h).

Credentials come only from the environment, never from flags:
  ${ENV.accessKey} (or HUAWEICLOUD_SDK_AK, OS_ACCESS_KEY)
  ${ENV.secretKey} (or HUAWEICLOUD_SDK_SK, OS_SECRET_KEY)
  ${ENV.securityToken} (or HUAWEICLOUD_SDK_SECURITY_TOKEN) for temporary credentials
Retries of throttled or failed reads: ${ENV.maxRetries} (default 5).
Progress goes to stderr; the result line last.
`;

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Env;
  readonly signal?: AbortSignal;
}

function parseUnsubscribeFlags(args: string[]): Flags & { help?: boolean } {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      "project-id": { type: "string" },
      region: { type: "string" },
      endpoint: { type: "string" },
      "job-timeout": { type: "string" },
      "desktop-wait": { type: "string" },
      "deletion-policy": { type: "string" },
      "dry-run": { type: "boolean" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (positionals.length > 0) throw new ExitError(EXIT.badInput, "bad-input", `Unexpected argument "${positionals[0]}". See: workspace-subscription unsubscribe --help`);
  return {
    projectId: values["project-id"],
    region: values.region,
    endpoint: values.endpoint,
    jobTimeout: values["job-timeout"],
    desktopWait: values["desktop-wait"],
    deletionPolicy: values["deletion-policy"],
    dryRun: values["dry-run"],
    json: values.json,
    help: values.help,
  };
}

function summaryLine(o: Outcome): string {
  const job = o.jobId ? `, job ${o.jobId}${o.jobStatus ? ` ${o.jobStatus}` : ""}` : "";
  return `${o.result}: project ${o.projectId} (${o.region})${job}; ${o.apiCalls} API call(s) in ${formatSeconds(o.elapsedMs / 1000)}`;
}

export async function runUnsubscribe(args: string[], io: CliIo): Promise<number> {
  let json = args.includes("--json");
  const startedAt = Date.now();
  const reporter = streamReporter({ write: io.stderr, now: Date.now, startedAt });
  let client: ApiClient | undefined;
  try {
    const flags = parseUnsubscribeFlags(args);
    if (flags.help) {
      io.stdout(UNSUBSCRIBE_HELP);
      return EXIT.ok;
    }
    json = flags.json ?? false;
    const settings = resolveSettings(flags, io.env);
    client = new ApiClient({
      endpoint: settings.endpoint,
      credentials: settings.credentials,
      projectId: settings.projectId,
      maxRetries: settings.maxRetries,
      signal: io.signal,
      onRetry: (r) => reporter.progress(`${r.method} ${r.path}: ${r.reason}; retry ${r.attempt} in ${formatSeconds(r.waitMs / 1000)}`),
    });
    reporter.progress(
      `${settings.dryRun ? "dry run: " : ""}unsubscribe project ${settings.projectId} in ${settings.region} via ${settings.endpoint} (job timeout ${formatSeconds(settings.jobTimeoutSeconds)}, desktop wait ${formatSeconds(settings.desktopWaitSeconds)}, policy ${settings.deletionPolicy})`,
    );
    const api = new WorkspaceApi(client, settings.projectId);
    const outcome = await new Unsubscriber(settings, { api, reporter, signal: io.signal }).run();
    io.stderr(`workspace-subscription: ${outcome.message}\n`);
    io.stderr(`workspace-subscription: ${summaryLine(outcome)}\n`);
    if (json) io.stdout(JSON.stringify({ ...outcome }) + "\n");
    return outcome.exitCode;
  } catch (e) {
    const err =
      e instanceof ExitError
        ? e
        : String((e as NodeJS.ErrnoException).code ?? "").startsWith("ERR_PARSE_ARGS")
          ? new ExitError(EXIT.badInput, "bad-input", `${(e as Error).message}. Nothing was sent. See: workspace-subscription unsubscribe --help`)
          : new ExitError(EXIT.internal, "internal-error", `Unexpected error: ${e instanceof Error ? e.message : String(e)}`);
    io.stderr(`workspace-subscription: error (exit ${err.exitCode}, ${err.result}): ${err.message}\n`);
    if (json) io.stdout(JSON.stringify({ exitCode: err.exitCode, result: err.result, message: err.message, ...err.details }) + "\n");
    return err.exitCode;
  } finally {
    client?.close();
  }
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  // The provisioner runs the program without arguments and names the command in its environment.
  const fromEnv = argv.length === 0 ? io.env[ENV.command]?.trim() : undefined;
  const [command, ...rest] = fromEnv ? [fromEnv] : argv;
  switch (command) {
    case undefined:
    case "help":
    case "-h":
    case "--help":
      if (rest[0] === COMMANDS.unsubscribe) io.stdout(UNSUBSCRIBE_HELP);
      else if (rest[0] === COMMANDS.emulator) return runEmulator(["--help"], io);
      else io.stdout(MAIN_HELP);
      return command === undefined ? EXIT.badInput : EXIT.ok;
    case "-v":
    case "--version":
      io.stdout(`${VERSION}\n`);
      return EXIT.ok;
    case COMMANDS.unsubscribe:
      return runUnsubscribe(rest, io);
    case COMMANDS.emulator:
      return runEmulator(rest, io);
    default:
      io.stderr(`workspace-subscription: unknown command "${command}". Commands: unsubscribe, emulator, help.\n`);
      return EXIT.badInput;
  }
}

async function runEmulator(args: string[], io: CliIo): Promise<number> {
  void args;
  io.stderr("workspace-subscription: the emulator is not wired in yet\n");
  return EXIT.internal;
}

if (require.main === module) {
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (name: string) => {
    signals++;
    if (signals > 1) process.exit(EXIT.interrupted);
    process.stderr.write(`workspace-subscription: ${name} received, stopping\n`);
    controller.abort();
  };
  process.on("SIGINT", () => onSignal("SIGINT"));
  process.on("SIGTERM", () => onSignal("SIGTERM"));
  main(process.argv.slice(2), {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
    signal: controller.signal,
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`workspace-subscription: unexpected failure: ${e instanceof Error ? e.stack : String(e)}\n`);
      process.exitCode = EXIT.internal;
    },
  );
}
