/**
 * Durations on the command line and in the environment: a whole number of seconds,
 * optionally with a unit suffix (`90`, `90s`, `30m`, `1h`).
 */
const UNIT_SECONDS: Record<string, number> = { "": 1, s: 1, m: 60, h: 3600 };

/** Seconds, or undefined when the text is not a duration. */
export function parseDurationSeconds(text: string): number | undefined {
  const m = /^\s*(\d+)\s*([smh]?)\s*$/i.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * UNIT_SECONDS[m[2].toLowerCase()];
}

/** `95` -> `1m35s`; for humans reading progress lines. */
export function formatSeconds(totalSeconds: number): string {
  const s = Math.max(0, Math.round(totalSeconds));
  if (s < 60) return `${s}s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, "0")}m` : `${m}m${String(rest).padStart(2, "0")}s`;
}
