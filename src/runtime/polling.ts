/**
 * When to look again while waiting. Short jobs are noticed within about a second;
 * long ones are checked at an interval that grows with the time already waited, so
 * the delay in noticing the end stays a small share of the job's length while the
 * number of calls grows only with the logarithm of it.
 */
export interface PollPolicy {
  /** Milliseconds to wait before the next look, given how long we have waited so far. */
  nextDelayMs(elapsedMs: number): number;
}

export const DEFAULT_POLL_POLICY: PollPolicy = {
  nextDelayMs(elapsedMs: number): number {
    if (elapsedMs < 2_000) return 500;
    return Math.min(10_000, Math.max(1_000, Math.round(elapsedMs * 0.1)));
  },
};

/** A fixed interval, for tests and for users who want one. */
export function fixedPollPolicy(intervalMs: number): PollPolicy {
  return { nextDelayMs: () => intervalMs };
}
