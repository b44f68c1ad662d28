/**
 * Progress for the people watching `cdktf destroy`: one line per change on stderr
 * (Terraform streams it), with the time waited so far. Stdout stays free for --json.
 */
import { formatSeconds } from "./duration";

export interface Reporter {
  /** A line of progress; `key` groups repeats so unchanged states are not printed on every poll. */
  progress(message: string, key?: string): void;
  /** A notice that is always printed. */
  notice(message: string): void;
}

export interface StreamReporterOptions {
  readonly write: (line: string) => void;
  readonly now: () => number;
  readonly startedAt: number;
  readonly prefix?: string;
  /** Reprint an unchanged progress line after this long (default 15 s), so a long wait shows it is alive. */
  readonly heartbeatMs?: number;
}

export function streamReporter(opts: StreamReporterOptions): Reporter {
  const prefix = opts.prefix ?? "workspace-subscription";
  const heartbeat = opts.heartbeatMs ?? 15_000;
  let lastKey: string | undefined;
  let lastAt = 0;
  const emit = (message: string) => {
    const elapsed = formatSeconds((opts.now() - opts.startedAt) / 1000);
    opts.write(`${prefix} [${elapsed.padStart(6)}] ${message}\n`);
  };
  return {
    progress(message, key = message) {
      const now = opts.now();
      if (key === lastKey && now - lastAt < heartbeat) return;
      lastKey = key;
      lastAt = now;
      emit(message);
    },
    notice(message) {
      lastKey = undefined;
      emit(message);
    },
  };
}

export const silentReporter: Reporter = { progress() {}, notice() {} };
