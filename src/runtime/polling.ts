/**
 * When to look again while waiting. The only thing a policy sees is how long it has
 * waited, so it cannot know when the job will end; it bounds the cost of not knowing.
 *
 * The default looks again after 10 % of the time waited so far, but never sooner than
 * 1 s and never later than 30 s. So the end of a job is noticed within about
 * max(1 s, 10 % of its length) (5 % on average), and the number of looks grows with the
 * logarithm of the job's length: about 10 in the first 10 s, 24 more per tenfold after
 * that, fewer than a fixed 10 s interval from roughly ten minutes on. `npm run bench`
 * measures it against Huawei's own schedule (BENCHMARKS.md).
 */
export interface PollPolicy {
  /** Milliseconds to wait before the next look, given how long we have waited so far. */
  nextDelayMs(elapsedMs: number): number;
}

/** Share of the time already waited that the next wait may add: the worst delay in noticing, relative to the job. */
const GROWTH = 0.1;
/** Below this, looking more often costs calls without telling anything sooner that matters. */
const MIN_DELAY_MS = 1_000;
/** So that a long wait still shows progress and notices the end within half a minute. */
const MAX_DELAY_MS = 30_000;

export const DEFAULT_POLL_POLICY: PollPolicy = {
  nextDelayMs(elapsedMs: number): number {
    return Math.min(MAX_DELAY_MS, Math.max(MIN_DELAY_MS, Math.round(elapsedMs * GROWTH)));
  },
};

/** A fixed interval, for tests and for users who want one. */
export function fixedPollPolicy(intervalMs: number): PollPolicy {
  return { nextDelayMs: () => intervalMs };
}
