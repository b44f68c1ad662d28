import { DEFAULT_POLL_POLICY, fixedPollPolicy } from "../../src/runtime/polling";

/** Simulates waiting for a job of `jobMs` with the default policy; progress as the hint gives it. */
function simulate(jobMs: number, progressAt: (t: number) => number | undefined): { looks: number; delayMs: number } {
  let t = 0;
  let looks = 0;
  let hint: number | undefined;
  for (; looks < 1000; ) {
    t += DEFAULT_POLL_POLICY.nextDelayMs(t, { progressFraction: hint });
    looks++;
    if (t >= jobMs) return { looks, delayMs: t - jobMs };
    hint = progressAt(t);
  }
  throw new Error("never noticed");
}

describe("DEFAULT_POLL_POLICY", () => {
  test("without progress: 10 % of the time waited, from 1 s to 30 s", () => {
    expect(DEFAULT_POLL_POLICY.nextDelayMs(0)).toBe(1000);
    expect(DEFAULT_POLL_POLICY.nextDelayMs(50_000)).toBe(5000);
    expect(DEFAULT_POLL_POLICY.nextDelayMs(3_600_000)).toBe(30_000);
    expect(DEFAULT_POLL_POLICY.nextDelayMs(50_000, { progressFraction: 0.005 })).toBe(5000);
  });

  test("with even progress, the end of a 120 s job is noticed within a second in fewer looks than every 10 s", () => {
    const { looks, delayMs } = simulate(120_000, (t) => Math.min(1, t / 120_000));
    expect(delayMs).toBeLessThan(1000);
    expect(looks).toBeLessThanOrEqual(12);
  });

  test("uneven progress cannot stretch a wait past the time waited or 30 s", () => {
    // Progress crawls to 10 % and then the job ends at once.
    for (const jobMs of [8_000, 60_000, 300_000]) {
      const { delayMs } = simulate(jobMs, (t) => Math.min(0.1, t / 6_000_000));
      expect(delayMs).toBeLessThanOrEqual(Math.min(jobMs, 30_000));
    }
    for (const elapsed of [2_000, 20_000, 200_000]) {
      expect(DEFAULT_POLL_POLICY.nextDelayMs(elapsed, { progressFraction: 0.02 })).toBeLessThanOrEqual(Math.min(Math.max(elapsed, 1000), 30_000));
    }
  });

  test("near the estimated end it aims just past it", () => {
    expect(DEFAULT_POLL_POLICY.nextDelayMs(10_000, { progressFraction: 0.9 })).toBe(Math.round((10_000 * 0.1) / 0.9 + 300));
  });

  test("progress that reads complete before the job is seen to end: look again within a second", () => {
    expect(DEFAULT_POLL_POLICY.nextDelayMs(119_000, { progressFraction: 1 })).toBe(1000);
  });

  test("a fixed policy is fixed", () => {
    expect(fixedPollPolicy(250).nextDelayMs(99_999, { progressFraction: 0.5 })).toBe(250);
  });
});
