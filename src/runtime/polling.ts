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
/** What the last look showed, beyond the time waited. */
export interface PollHint {
  /** The job's reported progress as a fraction (0..1), when it reports one. */
  readonly progressFraction?: number;
}

export interface PollPolicy {
  /** Milliseconds to wait before the next look, given how long we have waited so far. */
  nextDelayMs(elapsedMs: number, hint?: PollHint): number;
}

/** Share of the time already waited that the next wait may add: the worst delay in noticing, relative to the job. */
const GROWTH = 0.1;
/** Below this, looking more often costs calls without telling anything sooner that matters. */
const MIN_DELAY_MS = 1_000;
/** So that a long wait still shows progress and notices the end within half a minute. */
const MAX_DELAY_MS = 30_000;

/** Progress below this says too little about the rate to extrapolate from. */
const MIN_PROGRESS = 0.01;
/** When the estimated end is this close, aim just past it. */
const NEAR_END_MS = 3_000;
/**
 * The most a progress estimate may stretch one wait, as a share of the time waited (and
 * never past MAX_DELAY_MS): a job whose progress runs uneven is still noticed within
 * min(its length, 30 s), while an even one is followed with about as many looks as a
 * doubling schedule and noticed within a fraction of a second.
 */
const ESTIMATE_STRETCH = 1;

function timeBased(elapsedMs: number): number {
  return Math.min(MAX_DELAY_MS, Math.max(MIN_DELAY_MS, Math.round(elapsedMs * GROWTH)));
}

/**
 * With the job's progress, the time left is estimated as if progress grew evenly since
 * the wait began, and the next look aims just short of the estimated end (just past it
 * when it is near). An estimate may stretch a wait to at most the time already waited
 * and 30 s. Without usable progress, the time-based rule applies.
 */
export const DEFAULT_POLL_POLICY: PollPolicy = {
  nextDelayMs(elapsedMs: number, hint?: PollHint): number {
    const base = timeBased(elapsedMs);
    const fraction = hint?.progressFraction;
    if (fraction === undefined || !(fraction >= MIN_PROGRESS) || elapsedMs <= 0) return base;
    // Reported complete but not yet seen to end: the end is a moment away.
    if (fraction >= 1) return Math.min(base, MIN_DELAY_MS);
    const remainingMs = (elapsedMs * (1 - fraction)) / fraction;
    if (remainingMs < NEAR_END_MS) return Math.max(200, Math.round(remainingMs + 300));
    return Math.round(Math.min(remainingMs * 0.95, Math.max(base, elapsedMs * ESTIMATE_STRETCH), MAX_DELAY_MS));
  },
};

/** A fixed interval, for tests and for users who want one. */
export function fixedPollPolicy(intervalMs: number): PollPolicy {
  return { nextDelayMs: () => intervalMs };
}
