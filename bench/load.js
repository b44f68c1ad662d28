/**
 * Section 4: 50 projects unsubscribed at once, as `terraform destroy -parallelism=50`
 * runs them, against an emulator that throttles every signed route. Once as 50 child
 * processes of the bundled program (what Terraform really starts), and once per poll
 * policy as 50 concurrent runs in this process, so the policies meet the same load.
 */
"use strict";
const { startEmulator } = require("../lib/emulator");
const { POLICIES } = require("./policies");
const { wall, REAL_CLOCK, projectId, unsubscribeInProcess, jobEndFromLog, median, max, BUNDLE, bundleEnv, spawnNode } = require("./common");

const PROJECTS = 50;
const THROTTLE = { ratePerSecond: 20, burst: 20 };
const JOB_MS = 5_000;
/** 1 + the default HW_MAX_RETRIES: a request that meets this many 429s in a row gives up. */
const ATTEMPTS = 6;

/** Most 429s in a row on one project's requests: how close a run came to exhausting its retries. */
function worstStreak(records) {
  let worst = 0;
  let streak = 0;
  for (const r of records) {
    streak = r.status === 429 ? streak + 1 : 0;
    worst = Math.max(worst, streak);
  }
  return worst;
}

/** Most runs alive at one instant. */
function peakOverlap(runs) {
  const events = runs.flatMap((r) => [[r.startedAt, 1], [r.settledAt, -1]]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let alive = 0;
  let peak = 0;
  for (const [, d] of events) peak = Math.max(peak, (alive += d));
  return peak;
}

/** Most requests arriving within any one-second window. */
function peakPerSecond(times) {
  const t = [...times].sort((a, b) => a - b);
  let peak = 0;
  for (let i = 0, j = 0; j < t.length; j++) {
    while (t[j] - t[i] >= 1000) i++;
    peak = Math.max(peak, j - i + 1);
  }
  return peak;
}

async function loadRun(variant, sectionId) {
  const emu = await startEmulator({ now: wall, jobDurationMs: JOB_MS });
  const { control, url } = emu;
  const projects = Array.from({ length: PROJECTS }, (_, i) => projectId(sectionId, i));
  for (const p of projects) control.addTenant(p);
  control.throttle(THROTTLE);
  control.clearRequests();
  try {
    const started = wall();
    const outcomes = await Promise.all(
      projects.map(async (project) => {
        if (variant.mode === "processes") {
          const run = await spawnNode([BUNDLE, "unsubscribe", "--project-id", project], bundleEnv(url, project), 240_000);
          return { project, ok: run.code === 0, startedAt: run.spawnedAt, settledAt: run.exitedAt, detail: run.code === 0 ? "" : `exit ${run.code}: ${run.stderr.trim().split("\n").pop()}` };
        }
        const startedAt = wall();
        const run = await unsubscribeInProcess({ url, project, clock: REAL_CLOCK, policy: variant.policy.make(control, project) });
        return { project, ok: run.ok, startedAt, settledAt: run.settledAt, detail: run.ok ? "" : `${run.result}: ${run.message}` };
      }),
    );
    const wallMs = wall() - started;
    const records = control.requests();
    const perProject = outcomes.map((o) => {
      const mine = records.filter((r) => r.path.startsWith(`/v2/${o.project}/`));
      const end = jobEndFromLog(mine, o.project, JOB_MS);
      return { ...o, accepted: end.accepted, noticeMs: o.settledAt - end.endMs, totalMs: o.settledAt - started, worst429Streak: worstStreak(mine) };
    });
    const byStatus = (route, status) => records.filter((r) => (route ? r.route === route : true) && r.status === status).length;
    const signed = records.filter((r) => r.route !== undefined);
    return {
      variant: variant.key,
      label: variant.label,
      succeeded: perProject.filter((p) => p.ok).length,
      failures: perProject.filter((p) => !p.ok).map((p) => p.detail).slice(0, 5),
      projectsWithOneDelete: perProject.filter((p) => p.accepted === 1).length,
      deletesAccepted: byStatus("CancelWorkspace", 202),
      deletesThrottled: byStatus("CancelWorkspace", 429),
      deletesOther: records.filter((r) => r.route === "CancelWorkspace" && r.status !== 202 && r.status !== 429).length,
      requests: signed.length,
      throttled: byStatus(undefined, 429),
      showJob: records.filter((r) => r.route === "ShowJob").length,
      peakConcurrency: control.peakConcurrency(),
      runsInFlight: peakOverlap(perProject),
      peakArrivalsPerSecond: peakPerSecond(signed.map((r) => r.time)),
      worst429Streak: max(perProject.map((p) => p.worst429Streak)),
      oneShortOfGivingUp: perProject.filter((p) => p.worst429Streak >= ATTEMPTS - 1).length,
      wallMs,
      medianNoticeMs: median(perProject.map((p) => p.noticeMs)),
      maxNoticeMs: max(perProject.map((p) => p.noticeMs)),
      medianTotalMs: median(perProject.map((p) => p.totalMs)),
    };
  } finally {
    await emu.stop();
  }
}

/** Medians over rounds for the measures, sums for the counts that must be exact, the worst for streaks. */
function combine(rounds) {
  const first = rounds[0];
  const med = (f) => median(rounds.map((r) => r[f]));
  return {
    variant: first.variant,
    label: first.label,
    rounds: rounds.length,
    runs: rounds.length * PROJECTS,
    succeeded: rounds.reduce((a, r) => a + r.succeeded, 0),
    failures: rounds.flatMap((r) => r.failures).slice(0, 5),
    projectsWithOneDelete: rounds.reduce((a, r) => a + r.projectsWithOneDelete, 0),
    deletesAccepted: rounds.reduce((a, r) => a + r.deletesAccepted, 0),
    deletesOther: rounds.reduce((a, r) => a + r.deletesOther, 0),
    deletesThrottled: med("deletesThrottled"),
    requests: med("requests"),
    throttled: med("throttled"),
    showJob: med("showJob"),
    peakConcurrency: Math.max(...rounds.map((r) => r.peakConcurrency)),
    runsInFlight: Math.max(...rounds.map((r) => r.runsInFlight)),
    peakArrivalsPerSecond: Math.max(...rounds.map((r) => r.peakArrivalsPerSecond)),
    worst429Streak: Math.max(...rounds.map((r) => r.worst429Streak)),
    oneShortOfGivingUp: rounds.reduce((a, r) => a + r.oneShortOfGivingUp, 0),
    wallMs: med("wallMs"),
    wallMsAll: rounds.map((r) => r.wallMs),
    medianTotalMs: med("medianTotalMs"),
    medianNoticeMs: med("medianNoticeMs"),
    maxNoticeMs: Math.max(...rounds.map((r) => r.maxNoticeMs)),
  };
}

const IN_PROCESS_ROUNDS = 3;
const PROCESS_ROUNDS = 1;

async function loadSection(progress) {
  const byKey = (k) => POLICIES.find((p) => p.key === k);
  const inProcess = ["huawei", "before", "timeonly", "shipped"].map((key) => ({ key, mode: "in-process", policy: byKey(key), label: `in process: ${byKey(key).label}` }));
  const bundle = { key: "bundle", mode: "processes", label: `${PROJECTS} child processes of the bundle (its built-in policy, ours)` };
  const samples = new Map();
  const keep = (row) => samples.set(row.variant, [...(samples.get(row.variant) || []), row]);
  let sectionId = 0x4001;
  for (let round = 0; round < IN_PROCESS_ROUNDS; round++) {
    // Each policy gets its own emulator and bucket; running them at once puts them in the
    // same moment of the machine's life, which matters more than their sharing its CPU
    // (in-process runs use little of it).
    progress(`load: round ${round + 1} of ${IN_PROCESS_ROUNDS}, ${inProcess.length} policies x ${PROJECTS} in-process runs at once, each against its own emulator`);
    const rows = await Promise.all(inProcess.map((v) => loadRun(v, sectionId++)));
    rows.forEach(keep);
  }
  for (let round = 0; round < PROCESS_ROUNDS; round++) {
    progress(`load: ${bundle.label}`);
    keep(await loadRun(bundle, sectionId++));
  }
  const rows = [bundle, ...inProcess].map((v) => combine(samples.get(v.key)));
  return { projects: PROJECTS, throttle: THROTTLE, jobMs: JOB_MS, attempts: ATTEMPTS, inProcessRounds: IN_PROCESS_ROUNDS, processRounds: PROCESS_ROUNDS, rows };
}

module.exports = { loadSection };
