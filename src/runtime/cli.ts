#!/usr/bin/env node
/**
 * `workspace-subscription`: the program the destroy-time provisioner runs, and the
 * operator's tool. Node built-ins only; never imports cdktf.
 */
import { parseArgs } from "node:util";
import { COMMANDS, ENV, EXIT, SubscriptionSpec } from "./contract";
import { Env, Flags, RunSettings, readEnv, resolveIamEndpoint, resolveSettings } from "./config";
import { formatSeconds } from "./duration";
import { ExitError, badInput } from "./errors";
import { ApiClient, HttpError, TransportError } from "./http";
import { lookUpProjectId } from "./iam";
import { Outcome, describeAuthError } from "./operation";
import { streamReporter } from "./reporter";
import { formatStatus, readStatus } from "./status";
import { Subscriber } from "./subscribe";
import { Unsubscriber } from "./unsubscribe";
import { WorkspaceApi } from "./workspace-api";
import { runEmulatorCli } from "../emulator/cli";

export const VERSION = "0.1.0";

const MAIN_HELP = `Usage: workspace-subscription <command> [options]

Manage a Huawei Cloud Workspace subscription (the tenant's subscription to the
Workspace cloud-desktop service).

Commands:
  unsubscribe   Cancel the subscription safely: check that no desktops remain, send
                DELETE /v2/{project_id}/workspaces once, wait for the job, report.
                This is what the destroy step of a WorkspaceSubscription runs.
  subscribe     Open the subscription (POST once, wait for SUBSCRIBED) or adopt an
                open one. This is what the create step runs.
  status        Show the service, its desktops and any running job, and whether
                unsubscribe would go ahead now. Read-only.
  emulator      Run the local Workspace API emulator (for tests and demos).
  help          Show this help, or help for a command: help unsubscribe

Options:
  -h, --help     Show help
  -v, --version  Show the version

Exit codes:
  0 done: unsubscribed, already unsubscribed, adopted, opened, or retained by policy
  1 internal error            2 bad input (flag, variable or value; project not found)
  3 credentials or permission refused
  4 desktops remain (nothing cancelled)
  5 the job failed (cancellation or subscription)
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
                        (when absent, looked up from the region through IAM)
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
  ${ENV.securityToken} (or HUAWEICLOUD_SDK_SECURITY_TOKEN, OS_SECURITY_TOKEN) for temporary credentials
Retries of throttled or failed reads: ${ENV.maxRetries} (default 5).
Progress goes to stderr; the result line last.
`;

const IDENTITY_OPTIONS = `  --project-id ID       Project ID; looked up from the region through IAM when absent
                        [env ${ENV.projectId}]
  --region NAME         Region, e.g. cn-north-4        [env ${ENV.region}]
  --endpoint URL        Workspace endpoint             [env ${ENV.endpoint}]
  --json                Print the result as one JSON object on stdout
  -h, --help            Show this help`;

const SUBSCRIBE_HELP = `Usage: workspace-subscription subscribe [options]

Opens the Workspace subscription of one project, or adopts it.
  SUBSCRIBED              adopt it; list configured fields that differ. No POST.
  PREPARING/SUBSCRIBING   wait for the running job. No POST.
  CLOSED                  with ${ENV.subscription}: POST once, wait for SUBSCRIBED;
                          without it: fail (nothing to open it with).
A POST whose answer is lost is never re-sent: the service is read until it shows.

Options:
${IDENTITY_OPTIONS}
  --job-timeout DUR     Wait for SUBSCRIBED at most DUR [env ${ENV.jobTimeout}, default 30m]

${ENV.subscription}: JSON {"body": <ApplyWorkspace request body>, "domainPasswordEnv": "NAME"};
the AD domain password is read from the variable NAME, never from the JSON.
Credentials: as for unsubscribe (see: workspace-subscription unsubscribe --help).
`;

const STATUS_HELP = `Usage: workspace-subscription status [options]

Shows the service status, closable, remaining desktops (count and a few), any
running job, and whether unsubscribe would go ahead now. Sends only GET requests.

Options:
${IDENTITY_OPTIONS}
`;

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Env;
  readonly signal?: AbortSignal;
}

type CommandName = "unsubscribe" | "subscribe" | "status";

const COMMON_OPTIONS = {
  "project-id": { type: "string" },
  region: { type: "string" },
  endpoint: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

const COMMAND_OPTIONS = {
  unsubscribe: {
    ...COMMON_OPTIONS,
    "job-timeout": { type: "string" },
    "desktop-wait": { type: "string" },
    "deletion-policy": { type: "string" },
    "dry-run": { type: "boolean" },
  },
  subscribe: { ...COMMON_OPTIONS, "job-timeout": { type: "string" } },
  status: COMMON_OPTIONS,
} as const;

const HELP: Record<CommandName, string> = { unsubscribe: UNSUBSCRIBE_HELP, subscribe: SUBSCRIBE_HELP, status: STATUS_HELP };

function parseFlags(command: CommandName, args: string[]): Flags & { help?: boolean } {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: COMMAND_OPTIONS[command] });
  if (positionals.length > 0) throw badInput(`Unexpected argument "${positionals[0]}". See: workspace-subscription ${command} --help.`);
  const v = values as Record<string, string | boolean | undefined>;
  const str = (k: string) => v[k] as string | undefined;
  return {
    projectId: str("project-id"),
    region: str("region"),
    endpoint: str("endpoint"),
    jobTimeout: str("job-timeout"),
    desktopWait: str("desktop-wait"),
    deletionPolicy: str("deletion-policy"),
    dryRun: v["dry-run"] as boolean | undefined,
    json: v.json as boolean | undefined,
    help: v.help as boolean | undefined,
  };
}

/** Node's parseArgs messages, without its advice about positional arguments (no command takes any). */
export function describeFlagError(message: string): string {
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) return `Unknown option '${unknown[1]}'.`;
  return message.replace(/\s*To specify a positional argument.*$/s, "").replace(/\.?$/, ".");
}

function summaryLine(o: Outcome): string {
  const job = o.jobId ? `, job ${o.jobId}${o.jobStatus ? ` ${o.jobStatus}` : ""}` : "";
  return `${o.result}: project ${o.projectId} (${o.region})${job}; ${o.apiCalls} API call(s) in ${formatSeconds(o.elapsedMs / 1000)}`;
}

/** The create step's spec from HW_WORKSPACE_SUBSCRIPTION, with the AD password from the variable it names. */
function readSubscriptionSpec(env: Env): { spec?: SubscriptionSpec; domainPassword?: string } {
  const raw = env[ENV.subscription];
  if (raw === undefined || raw.trim() === "") return {};
  let spec: SubscriptionSpec;
  try {
    spec = JSON.parse(raw) as SubscriptionSpec;
  } catch {
    throw badInput(`${ENV.subscription} is not valid JSON.`);
  }
  if (!spec || typeof spec.body !== "object" || spec.body === null) throw badInput(`${ENV.subscription} must be a JSON object with a "body" object.`);
  if (!spec.domainPasswordEnv) return { spec };
  const domainPassword = env[spec.domainPasswordEnv];
  if (!domainPassword) {
    throw badInput(`The AD domain password is read from ${spec.domainPasswordEnv}, which is not set. Set it in the environment of terraform / cdktf (it is never stored in the stack or the state).`);
  }
  return { spec, domainPassword };
}

/**
 * Output that cannot carry a credential, whatever a server's message quotes: the secret
 * key and the token are replaced, the access key ID shortened to its first 4 characters.
 */
export function redactingIo(io: CliIo): CliIo {
  const secrets: Array<[string, string]> = [];
  for (const name of [ENV.secretKey, ENV.securityToken]) {
    const value = readEnv(io.env, name);
    if (value && value.length >= 4) secrets.push([value, "[redacted]"]);
  }
  const ak = readEnv(io.env, ENV.accessKey);
  if (ak && ak.length >= 8) secrets.push([ak, `${ak.slice(0, 4)}****`]);
  const clean = (text: string) => secrets.reduce((t, [secret, mask]) => t.split(secret).join(mask), text);
  return { ...io, stdout: (t) => io.stdout(clean(t)), stderr: (t) => io.stderr(clean(t)) };
}

export async function runCommand(command: CommandName, args: string[], rawIo: CliIo): Promise<number> {
  const io = redactingIo(rawIo);
  let json = args.includes("--json");
  const startedAt = Date.now();
  const reporter = streamReporter({ write: io.stderr, now: Date.now, startedAt });
  const clients: ApiClient[] = [];
  const client = (endpoint: string, settings: RunSettings, projectId?: string) => {
    const c = new ApiClient({
      endpoint,
      credentials: settings.credentials,
      projectId,
      maxRetries: settings.maxRetries,
      signal: io.signal,
      onRetry: (r) => reporter.progress(`${r.method} ${r.path}: ${r.reason}; retry ${r.attempt} in ${formatSeconds(r.waitMs / 1000)}`),
    });
    clients.push(c);
    return c;
  };
  try {
    const flags = parseFlags(command, args);
    if (flags.help) {
      io.stdout(HELP[command]);
      return EXIT.ok;
    }
    json = flags.json ?? false;
    // subscribe and status always act; only unsubscribe honours a RETAIN policy.
    const settings = resolveSettings(command === "unsubscribe" ? flags : { ...flags, deletionPolicy: "UNSUBSCRIBE" }, io.env);
    const subscription = command === "subscribe" ? readSubscriptionSpec(io.env) : {};
    if (command === "unsubscribe" && settings.deletionPolicy === "RETAIN") {
      // Nothing to look up or send: say so without touching the network.
      const outcome = await new Unsubscriber({ ...settings, projectId: settings.projectId ?? `(from region ${settings.region})` }, { api: new WorkspaceApi(client(settings.endpoint, settings), ""), reporter }).run();
      return finish(io, outcome, json);
    }
    let projectId = settings.projectId;
    if (!projectId) {
      const iamEndpoint = resolveIamEndpoint(io.env, settings.endpoint, settings.region);
      reporter.progress(`no project ID given: looking it up from region ${settings.region} via ${iamEndpoint}`);
      projectId = await lookUpProjectId(client(iamEndpoint, settings), settings.region);
      reporter.progress(`project ID for ${settings.region}: ${projectId}`);
    }
    const api = new WorkspaceApi(client(settings.endpoint, settings, projectId), projectId);
    const deps = { api, reporter, signal: io.signal };
    if (command === "status") {
      const report = await readStatus(api, { projectId, region: settings.region });
      if (json) io.stdout(JSON.stringify(report) + "\n");
      else io.stdout(formatStatus(report, Date.now() - startedAt));
      return EXIT.ok;
    }
    reporter.progress(
      `${settings.dryRun ? "dry run: " : ""}${command} project ${projectId} in ${settings.region} via ${settings.endpoint} (job timeout ${formatSeconds(settings.jobTimeoutSeconds)}${
        command === "unsubscribe" ? `, desktop wait ${formatSeconds(settings.desktopWaitSeconds)}, policy ${settings.deletionPolicy}` : subscription.spec ? ", open or adopt" : ", check only"
      })`,
    );
    const outcome =
      command === "subscribe"
        ? await new Subscriber({ projectId, region: settings.region, jobTimeoutSeconds: settings.jobTimeoutSeconds, ...subscription }, deps).run()
        : await new Unsubscriber({ ...settings, projectId }, deps).run();
    return finish(io, outcome, json);
  } catch (e) {
    const err =
      e instanceof ExitError
        ? e
        : String((e as NodeJS.ErrnoException).code ?? "").startsWith("ERR_PARSE_ARGS")
          ? badInput(`${describeFlagError((e as Error).message)} See: workspace-subscription ${command} --help.`)
          : e instanceof HttpError && (e.status === 401 || e.status === 403)
            ? new ExitError(EXIT.authRefused, "auth-refused", `${describeAuthError(e, Date.now())} Nothing was changed.`)
            : e instanceof HttpError || e instanceof TransportError
              ? new ExitError(EXIT.apiError, "api-error", `${e.message}. Nothing was changed. Check the endpoint and network, then run again.`)
              : new ExitError(EXIT.internal, "internal-error", `Unexpected error: ${e instanceof Error ? e.message : String(e)}`);
    io.stderr(`workspace-subscription: error (exit ${err.exitCode}, ${err.result}): ${err.message}\n`);
    if (json) io.stdout(JSON.stringify({ exitCode: err.exitCode, result: err.result, message: err.message, ...err.details }) + "\n");
    return err.exitCode;
  } finally {
    for (const c of clients) c.close();
  }
}

function finish(io: CliIo, outcome: Outcome, json: boolean): number {
  io.stderr(`workspace-subscription: ${outcome.message}\n`);
  io.stderr(`workspace-subscription: ${summaryLine(outcome)}\n`);
  if (json) io.stdout(JSON.stringify({ ...outcome }) + "\n");
  return outcome.exitCode;
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
      if (rest[0] === COMMANDS.emulator) return runEmulator(["--help"], io);
      else if (rest[0] && rest[0] in HELP) io.stdout(HELP[rest[0] as CommandName]);
      else io.stdout(MAIN_HELP);
      return command === undefined ? EXIT.badInput : EXIT.ok;
    case "-v":
    case "--version":
      io.stdout(`${VERSION}\n`);
      return EXIT.ok;
    case COMMANDS.unsubscribe:
    case COMMANDS.subscribe:
    case COMMANDS.status:
      return runCommand(command, rest, io);
    case COMMANDS.emulator:
      return runEmulator(rest, io);
    default:
      io.stderr(`workspace-subscription: unknown command "${command}". Commands: ${Object.values(COMMANDS).join(", ")}, help.\n`);
      return EXIT.badInput;
  }
}

async function runEmulator(args: string[], io: CliIo): Promise<number> {
  // The emulator never reads the environment, so real credentials there cannot leak into it.
  return runEmulatorCli(args, {}, { stdout: io.stdout, stderr: io.stderr, signal: io.signal });
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
