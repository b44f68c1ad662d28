/**
 * The job poll policies compared side by side. Only "shipped" is the program's own
 * (DEFAULT_POLL_POLICY from the build); the others are references:
 *  - huawei: what Huawei's Terraform resource does (first look after 10 s, then every 10 s);
 *  - before: DEFAULT_POLL_POLICY as it was before issue 5, frozen here so that before and
 *    after are always measured in the same run;
 *  - tight: the time-only rule made twice as fine (5 % of the time waited), to show what
 *    a smaller delay costs in calls;
 *  - doubling: the "about 1 s, 2 s, 4 s ..." schedule, capped at 10 s;
 *  - progress: a prototype that estimates the remaining time from the job's reported
 *    progress. The runtime cannot use it yet (PollPolicy only sees the time waited);
 *    it is measured to show what wiring progress in would buy.
 */
"use strict";
const { DEFAULT_POLL_POLICY, fixedPollPolicy } = require("../lib/runtime/polling");

const huawei = fixedPollPolicy(10_000);

const before = {
  nextDelayMs(elapsedMs) {
    if (elapsedMs < 2_000) return 500;
    return Math.min(10_000, Math.max(1_000, Math.round(elapsedMs * 0.1)));
  },
};

/** The shipped policy's fallback alone (no progress): 10 % of the time waited, 1 s to 30 s. What shipped between "before" and now. */
const timeOnly = { nextDelayMs: (elapsedMs) => Math.min(30_000, Math.max(1_000, Math.round(elapsedMs * 0.1))) };

/** What "within a few percent" costs when only the time waited is known: 5 % of it, 1 s to 30 s. */
const tight = { nextDelayMs: (elapsedMs) => Math.min(30_000, Math.max(1_000, Math.round(elapsedMs * 0.05))) };

const doubling = { nextDelayMs: (elapsedMs) => Math.min(10_000, Math.max(1_000, elapsedMs)) };

/**
 * `readFraction()` returns the job's progress (0..1) as its last ShowJob answer showed it
 * (the mean of the sub-jobs' `process`), or undefined. While the end is more than 3 s
 * away it aims a little short of it (95 % of the estimated remaining time), then just
 * past it; until the job has reported 5 % it falls back to the shipped policy. Assumes
 * the job began when we started waiting, true right after our own DELETE.
 */
function progressAware(readFraction, fallback = DEFAULT_POLL_POLICY) {
  return {
    nextDelayMs(elapsedMs) {
      const fraction = elapsedMs > 0 ? readFraction() : undefined;
      if (fraction === undefined || !(fraction >= 0.05) || fraction >= 1) return fallback.nextDelayMs(elapsedMs);
      const remainingMs = (elapsedMs * (1 - fraction)) / fraction;
      if (remainingMs < 3_000) return Math.max(200, Math.round(remainingMs + 300));
      return Math.min(60_000, Math.round(remainingMs * 0.95));
    },
  };
}

/** The job's progress from the emulator's own view of it: what ShowJob answers now. */
function fractionFromEmulator(control, project) {
  return () => {
    const jobs = control.state(project).jobs;
    const job = jobs[jobs.length - 1];
    if (!job || !Array.isArray(job.sub_jobs) || job.sub_jobs.length === 0) return undefined;
    const sum = job.sub_jobs.reduce((a, s) => a + (typeof s.process === "number" ? s.process : 0), 0);
    return sum / (100 * job.sub_jobs.length);
  };
}

const POLICIES = [
  { key: "huawei", label: "Huawei baseline (10 s, then every 10 s)", make: () => huawei },
  { key: "before", label: "ours before (0.5 s to 2 s, then 10 % of waited, cap 10 s)", make: () => before },
  { key: "timeonly", label: "time only: 10 % of waited, 1 s to 30 s (ours without progress)", make: () => timeOnly },
  { key: "shipped", label: "ours (DEFAULT_POLL_POLICY as built: progress-aware, time-only fallback)", make: () => DEFAULT_POLL_POLICY },
  { key: "tight", label: "5 % of waited, 1 s to 30 s (reference)", make: () => tight },
  { key: "doubling", label: "doubling 1, 2, 4, 8 s ... cap 10 s", make: () => doubling },
  { key: "progress", label: "progress read fresh from the emulator (best case)", make: (control, project) => progressAware(fractionFromEmulator(control, project)) },
];

module.exports = { POLICIES, huawei, before, timeOnly, tight, doubling, progressAware, fractionFromEmulator };
