/**
 * Injected faults and throttling: the misbehaviour a client must survive, on demand and
 * deterministically (the Nth matching call, not a random share).
 */
import { FaultSpec, ROUTE_NAMES, RouteName, ThrottleSpec } from "./types";

interface ArmedFault {
  readonly id: string;
  readonly spec: FaultSpec;
  readonly method: string | undefined;
  readonly routeName: RouteName | undefined;
  readonly pathPattern: RegExp | undefined;
  readonly nth: number;
  readonly times: number;
  seen: number;
  fired: number;
}

/** A short label for the request log, e.g. "status:503", "html:502", "drop-after". */
export function describeFault(spec: FaultSpec): string {
  const parts: string[] = [];
  if (spec.delayMs !== undefined) parts.push(`delay:${spec.delayMs}`);
  if (spec.drop) parts.push(`drop-${spec.drop}`);
  if (spec.status !== undefined) parts.push(`${spec.html ? "html" : "status"}:${spec.status}`);
  if (spec.processThenStatus !== undefined) parts.push(`process-then:${spec.processThenStatus}`);
  return parts.join(",");
}

function isHttpStatus(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 200 && value <= 599;
}

function requirePositiveInteger(name: string, value: unknown): void {
  if (value !== undefined && (typeof value !== "number" || !Number.isInteger(value) || value < 1)) {
    throw new Error(`fault ${name} must be a positive integer, got ${JSON.stringify(value)}`);
  }
}

export function validateFault(spec: FaultSpec): void {
  if (!spec || typeof spec.route !== "string" || spec.route.length === 0) {
    throw new Error(`fault route must be a route name (${ROUTE_NAMES.join(", ")}) or a path regular expression`);
  }
  requirePositiveInteger("nth", spec.nth);
  requirePositiveInteger("times", spec.times);
  if (spec.status !== undefined && !isHttpStatus(spec.status)) throw new Error(`fault status must be an HTTP status 200-599, got ${JSON.stringify(spec.status)}`);
  if (spec.processThenStatus !== undefined && !isHttpStatus(spec.processThenStatus)) {
    throw new Error(`fault processThenStatus must be an HTTP status 200-599, got ${JSON.stringify(spec.processThenStatus)}`);
  }
  if (spec.drop !== undefined && spec.drop !== "before" && spec.drop !== "after") throw new Error(`fault drop must be "before" or "after", got ${JSON.stringify(spec.drop)}`);
  if (spec.delayMs !== undefined && (typeof spec.delayMs !== "number" || !Number.isFinite(spec.delayMs) || spec.delayMs < 0)) {
    throw new Error(`fault delayMs must be a non-negative number, got ${JSON.stringify(spec.delayMs)}`);
  }
  if (spec.retryAfterSeconds !== undefined && (typeof spec.retryAfterSeconds !== "number" || spec.retryAfterSeconds < 0)) {
    throw new Error(`fault retryAfterSeconds must be a non-negative number, got ${JSON.stringify(spec.retryAfterSeconds)}`);
  }
  const outcomes = [spec.status !== undefined, spec.drop !== undefined, spec.processThenStatus !== undefined].filter(Boolean).length;
  if (outcomes > 1) throw new Error("a fault takes at most one of status, drop and processThenStatus");
  if (outcomes === 0 && spec.delayMs === undefined) throw new Error("a fault needs one of status, drop, processThenStatus or delayMs");
}

export class FaultBook {
  private faults: ArmedFault[] = [];
  private nextId = 1;

  add(spec: FaultSpec): string {
    validateFault(spec);
    const routeName = (ROUTE_NAMES as readonly string[]).includes(spec.route) ? (spec.route as RouteName) : undefined;
    let pathPattern: RegExp | undefined;
    if (!routeName) {
      try {
        pathPattern = new RegExp(spec.route);
      } catch (error) {
        throw new Error(`fault route ${JSON.stringify(spec.route)} is neither a route name (${ROUTE_NAMES.join(", ")}) nor a valid regular expression: ${(error as Error).message}`);
      }
    }
    const id = `fault-${this.nextId++}`;
    this.faults.push({
      id,
      spec: { ...spec },
      method: spec.method?.toUpperCase(),
      routeName,
      pathPattern,
      nth: spec.nth ?? 1,
      times: spec.times ?? 1,
      seen: 0,
      fired: 0,
    });
    return id;
  }

  clear(): void {
    this.faults = [];
  }

  /** Counts this call against every matching fault and returns the first one that fires for it. */
  take(method: string, route: RouteName | undefined, path: string): FaultSpec | undefined {
    let chosen: FaultSpec | undefined;
    for (const fault of this.faults) {
      if (fault.method !== undefined && fault.method !== method.toUpperCase()) continue;
      if (fault.routeName !== undefined ? fault.routeName !== route : !fault.pathPattern!.test(path)) continue;
      fault.seen += 1;
      if (!chosen && fault.seen >= fault.nth && fault.fired < fault.times) {
        fault.fired += 1;
        chosen = fault.spec;
      }
    }
    this.faults = this.faults.filter((f) => f.fired < f.times);
    return chosen;
  }
}

/** A token bucket on the emulator's clock. */
export class TokenBucket {
  private readonly capacity: number;
  private tokens: number;
  private lastMs: number;

  constructor(
    private readonly spec: ThrottleSpec,
    private readonly now: () => number,
  ) {
    if (typeof spec.ratePerSecond !== "number" || !(spec.ratePerSecond > 0) || !Number.isFinite(spec.ratePerSecond)) {
      throw new Error(`throttle ratePerSecond must be a positive number, got ${JSON.stringify(spec.ratePerSecond)}`);
    }
    if (spec.burst !== undefined && (typeof spec.burst !== "number" || !(spec.burst >= 1))) {
      throw new Error(`throttle burst must be at least 1, got ${JSON.stringify(spec.burst)}`);
    }
    this.capacity = spec.burst ?? Math.max(1, Math.ceil(spec.ratePerSecond));
    this.tokens = this.capacity;
    this.lastMs = now();
  }

  /** Takes a token; when none is left, returns the whole seconds until one will be (for Retry-After). */
  take(): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
    const now = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.lastMs) / 1000) * this.spec.ratePerSecond);
    this.lastMs = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - this.tokens) / this.spec.ratePerSecond)) };
  }
}
