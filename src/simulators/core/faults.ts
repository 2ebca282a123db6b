/**
 * Fault injection for a simulator: the bad days of a real system, on demand. Configured at start and
 * changed at run time by tests (`simulator.faults.set(...)`, `failNext`, `hangNext`).
 *
 * - `latencyMs`: added before every answer.
 * - `throttle`: after `maxRequests` requests within `windowMs`, answer 429 with Retry-After (Dataverse
 *   service-protection shape on Sales, F&O's plain-text message on Finance) until the window slides.
 *   As Dataverse's sliding window does, Retry-After says when the window next admits a request (a client
 *   need not wait the whole window), and a request sent while refused counts too, pushing that later.
 * - `unavailableRate` / `hangRate`: a share of requests answered 503, or never answered at all. Drawn from
 *   a seeded generator so a run is repeatable.
 * - `failNext(n, { status, match })` / `hangNext(n, { match })`: the next n matching requests, exactly.
 */

export interface ThrottleOptions {
  maxRequests: number;
  windowMs: number;
  /** A fixed Retry-After instead of the time until the window admits a request again. */
  retryAfterSeconds?: number;
}

export interface FaultOptions {
  latencyMs: number;
  throttle: ThrottleOptions | null;
  unavailableRate: number;
  hangRate: number;
  seed: number;
}

export interface FaultMatch {
  method?: string;
  entitySet?: string;
}

export type FaultDecision =
  | { kind: 'none' }
  | { kind: 'hang' }
  | { kind: 'status'; status: number; code?: string; message?: string }
  | { kind: 'throttle'; retryAfterSeconds: number; limit?: ThrottleLimit };

/** The limit a throttle decision enforced, for the answer's message (Dataverse names it). */
export interface ThrottleLimit {
  maxRequests: number;
  windowSeconds: number;
}

export interface Faults {
  readonly options: Readonly<FaultOptions>;
  set(options: Partial<FaultOptions>): void;
  reset(): void;
  /** The next `count` matching requests fail with `status` (429s carry Retry-After: `retryAfterSeconds`). */
  /**
   * The next `count` matching requests fail with `status`, answered in the system's error shape with
   * `code` and `message` when given (e.g. Dataverse's 0x80044352 for an expired change-tracking token).
   */
  failNext(
    count: number,
    options?: {
      status?: number;
      retryAfterSeconds?: number;
      code?: string;
      message?: string;
      match?: FaultMatch;
    },
  ): void;
  hangNext(count: number, options?: { match?: FaultMatch }): void;
  /** Decides the fate of one request; counts it against the throttle window. */
  decide(request: { method: string; entitySet?: string }): FaultDecision;
}

export const noFaults: FaultOptions = {
  latencyMs: 0,
  throttle: null,
  unavailableRate: 0,
  hangRate: 0,
  seed: 1,
};

interface Scripted {
  remaining: number;
  decision: FaultDecision;
  match: FaultMatch | undefined;
}

export function createFaults(initial: Partial<FaultOptions> = {}, now: () => number = Date.now): Faults {
  let options: FaultOptions = { ...noFaults, ...initial };
  let random = mulberry32(options.seed);
  let scripted: Scripted[] = [];
  let window: number[] = [];

  const matches = (match: FaultMatch | undefined, request: { method: string; entitySet?: string }): boolean =>
    !match ||
    ((!match.method || match.method.toUpperCase() === request.method.toUpperCase()) &&
      (!match.entitySet || match.entitySet === request.entitySet));

  return {
    get options() {
      return options;
    },
    set(changes) {
      options = { ...options, ...changes };
      if (changes.seed !== undefined) random = mulberry32(changes.seed);
    },
    reset() {
      options = { ...noFaults };
      random = mulberry32(options.seed);
      scripted = [];
      window = [];
    },
    failNext(count, { status = 503, retryAfterSeconds = 1, code, message, match } = {}) {
      const decision: FaultDecision =
        status === 429
          ? { kind: 'throttle', retryAfterSeconds }
          : {
              kind: 'status',
              status,
              ...(code !== undefined && { code }),
              ...(message !== undefined && { message }),
            };
      scripted.push({ remaining: count, decision, match });
    },
    hangNext(count, { match } = {}) {
      scripted.push({ remaining: count, decision: { kind: 'hang' }, match });
    },
    decide(request) {
      const script = scripted.find((s) => s.remaining > 0 && matches(s.match, request));
      if (script) {
        script.remaining -= 1;
        scripted = scripted.filter((s) => s.remaining > 0);
        return script.decision;
      }
      const throttle = options.throttle;
      if (throttle) {
        const t = now();
        window = window.filter((at) => at > t - throttle.windowMs);
        window.push(t);
        if (window.length > throttle.maxRequests) {
          // Admitted again once all but maxRequests - 1 of the window's requests have left it.
          const admitsAt = window[window.length - throttle.maxRequests]! + throttle.windowMs;
          const retryAfterSeconds =
            throttle.retryAfterSeconds ?? Math.max(1, Math.ceil((admitsAt - t) / 1000));
          const limit = { maxRequests: throttle.maxRequests, windowSeconds: throttle.windowMs / 1000 };
          return { kind: 'throttle', retryAfterSeconds, limit };
        }
      }
      if (options.hangRate > 0 && random() < options.hangRate) return { kind: 'hang' };
      if (options.unavailableRate > 0 && random() < options.unavailableRate)
        return { kind: 'status', status: 503 };
      return { kind: 'none' };
    },
  };
}

/** A small seeded PRNG (public domain) so injected failures repeat run after run. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
