/**
 * What every bench section shares: the machine's description, a high-resolution wall
 * clock, a virtual clock that skips sleeps, and one in-process unsubscribe run.
 * Plain JavaScript over the built lib/, so `npm run bench` needs nothing but a build.
 */
"use strict";
const os = require("node:os");
const { performance } = require("node:perf_hooks");
const { ApiClient, AbortedError, sleep: realSleep } = require("../lib/runtime/http");
const { WorkspaceApi } = require("../lib/runtime/workspace-api");
const { Unsubscriber } = require("../lib/runtime/unsubscribe");
const { silentReporter } = require("../lib/runtime/reporter");
const { DEMO_CREDENTIALS } = require("../lib/emulator");

/** Epoch milliseconds with sub-millisecond resolution. */
const wall = () => performance.timeOrigin + performance.now();

function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0] ? cpus[0].model.trim() : "unknown",
    cores: cpus.length,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
  };
}

/**
 * Real time plus every sleep skipped. Shared by the emulator and the client, it lets a
 * 120 s job run in milliseconds while the time spent in requests still counts.
 */
class VirtualClock {
  constructor() {
    this.skippedMs = 0;
    this.now = () => wall() + this.skippedMs;
    this.sleep = (ms, signal) => {
      if (signal && signal.aborted) return Promise.reject(new AbortedError());
      this.skippedMs += Math.max(0, ms);
      return new Promise((resolve) => setImmediate(resolve));
    };
  }
}

const REAL_CLOCK = { now: wall, sleep: realSleep };

/** A 32-hex project ID, distinct per (section, index). */
function projectId(section, index) {
  return section.toString(16).padStart(8, "0") + index.toString(16).padStart(24, "0");
}

/**
 * One Unsubscriber run in this process, as the CLI wires it, but with the clock and
 * the job poll policy injected. Resolves with the outcome (or the error) and the
 * clock's time at the moment the run settled.
 */
async function unsubscribeInProcess({ url, project, clock, policy, maxRetries = 5 }) {
  const client = new ApiClient({
    endpoint: url,
    credentials: DEMO_CREDENTIALS,
    projectId: project,
    maxRetries,
    now: () => new Date(clock.now()),
    sleep: clock.sleep,
  });
  const api = new WorkspaceApi(client, project);
  const run = new Unsubscriber(
    { projectId: project, region: "cn-north-4", jobTimeoutSeconds: 1800, desktopWaitSeconds: 0, deletionPolicy: "UNSUBSCRIBE", dryRun: false },
    { api, reporter: silentReporter, now: clock.now, sleep: clock.sleep, jobPoll: policy },
  );
  try {
    const outcome = await run.run();
    return { ok: outcome.result === "unsubscribed", result: outcome.result, settledAt: clock.now(), calls: client.callCount };
  } catch (e) {
    return { ok: false, result: e && e.result ? e.result : String(e), message: e && e.message, settledAt: clock.now(), calls: client.callCount };
  } finally {
    client.close();
  }
}

/** The emulator's clock time at which the project's cancellation job ended (from the one accepted DELETE). */
function jobEndFromLog(records, project, durationMs) {
  const accepted = records.filter((r) => r.route === "CancelWorkspace" && r.status === 202 && r.path === `/v2/${project}/workspaces`);
  if (accepted.length !== 1) return { endMs: NaN, accepted: accepted.length };
  return { endMs: accepted[0].time + durationMs, accepted: 1 };
}

/** ShowJob's end_time has whole seconds only; used to cross-check the log-derived end. */
function jobEndFromState(state) {
  const job = state.jobs[state.jobs.length - 1];
  if (!job || !job.end_time) return NaN;
  return Date.parse(String(job.end_time).replace(" ", "T") + "Z");
}

const median = (xs) => {
  const s = [...xs].filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const max = (xs) => (xs.length ? Math.max(...xs) : NaN);
const quantile = (xs, q) => {
  const s = [...xs].filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

module.exports = { wall, machine, VirtualClock, REAL_CLOCK, projectId, unsubscribeInProcess, jobEndFromLog, jobEndFromState, median, mean, max, quantile };

const path = require("node:path");
const { spawn } = require("node:child_process");
const BUNDLE = path.resolve(__dirname, "..", "lib", "bundle", "workspace-subscription.js");

/** Environment for the bundled program against an emulator; nothing inherited but PATH. */
function bundleEnv(url, project, extra = {}) {
  return {
    PATH: process.env.PATH,
    HW_ACCESS_KEY: DEMO_CREDENTIALS.accessKey,
    HW_SECRET_KEY: DEMO_CREDENTIALS.secretKey,
    HW_WORKSPACE_ENDPOINT: url,
    HW_REGION_NAME: "cn-north-4",
    HW_PROJECT_ID: project,
    ...extra,
  };
}

/**
 * Spawns `node <args>` and resolves at its exit with the wall-clock times of spawn and
 * exit. Killed after `timeoutMs`, so a hung child cannot hang the bench.
 */
function spawnNode(args, env, timeoutMs = 120_000) {
  return new Promise((resolve, reject) => {
    const spawnedAt = wall();
    const child = spawn(process.execPath, args, { env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (c) => {
      if (stderr.length < 20_000) stderr += c;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("exit", (code, signal) => {
      const exitedAt = wall();
      clearTimeout(timer);
      resolve({ code: code === null ? -1 : code, signal, spawnedAt, exitedAt, get stderr() { return stderr; } });
    });
  });
}

module.exports.BUNDLE = BUNDLE;
module.exports.bundleEnv = bundleEnv;
module.exports.spawnNode = spawnNode;
