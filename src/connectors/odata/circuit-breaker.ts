/**
 * A circuit breaker per system, so a system that is down is not hammered. After `failureThreshold`
 * requests in a row fail in a way that means "the system is unavailable", the breaker opens: requests
 * fail at once, unsent, until a cool-down has passed. Then one trial request goes through (half-open):
 * any answer closes the breaker, another such failure re-opens it for twice as long, up to
 * `maxCoolDownMs`. Requests arriving while the trial is under way wait for its outcome: they go on once
 * it closed the breaker and fail at once if it re-opened it, so a sync with several requests in flight
 * neither fails for want of a turn nor sends them all to a system that may still be down.
 *
 * It counts requests, not HTTP attempts: the breaker sees what the retry policy made of a request, so a
 * 503 that a retry got past is no failure, and one counted failure is already several refused attempts.
 *
 * Written here rather than taken from a library (under a hundred lines of code): opossum trips on a
 * failure percentage over a rolling window, not on consecutive failures, has a fixed reset timeout and
 * runs its own timers (its current major also needs Node 22); cockatiel has a consecutive breaker and
 * exponential half-open delays, but its current major needs Node 22 too, reads `Date.now()` (no clock to
 * inject) and keeps when it opened and when it retries private. Both would need as much glue as this file.
 */
import { ODataError } from './errors.js';

export type CircuitState = 'closed' | 'open' | 'half-open';

/** What a health endpoint can show about one system's breaker. */
export interface CircuitHealth {
  state: CircuitState;
  /** Requests in a row that failed as "unavailable"; any answer resets it. */
  consecutiveFailures: number;
  /** When the breaker opened (or last re-opened); null while closed. */
  openedAt: Date | null;
  /** When a trial request is let through; in the past while half-open, null while closed. */
  nextTryAt: Date | null;
  /** The latest failure counted, one line without path or headers (`HTTP 503: …`); null after an answer. */
  lastFailure: string | null;
}

export interface CircuitBreakerOptions {
  /**
   * Requests in a row that must fail before the breaker opens. Default 5: with the default retry policy
   * that is 25 refused attempts, beyond a blip. `Infinity` never opens it.
   */
  failureThreshold?: number;
  /** How long the breaker stays open the first time. Default 30 s. */
  coolDownMs?: number;
  /** Longest cool-down: each failed trial doubles the last one up to this. Default 5 min. */
  maxCoolDownMs?: number;
  /**
   * Whether a request's error means the system is unavailable. Default `isUnavailability`. An
   * `ODataError` that is not counts as an answer (the system is up); any other error (the caller
   * cancelled, no token) counts as neither.
   */
  isFailure?: (error: unknown) => boolean;
  /** Called when the breaker opens, re-opens or closes, for logs. Must not throw. */
  onStateChange?: (health: CircuitHealth) => void;
  /** Clock in epoch milliseconds, for tests. Default `Date.now`. */
  now?: () => number;
}

export interface CircuitBreaker {
  /**
   * Runs `action` unless the breaker is open; then throws what `refuse` makes of the breaker's health
   * and the time by its clock.
   */
  run<T>(action: () => Promise<T>, refuse: (health: CircuitHealth, now: number) => Error): Promise<T>;
  health(): CircuitHealth;
}

/**
 * 502, 503 and 504 (what gateways and a starting or overloaded service answer), timeouts and failed
 * connections. Not 4xx, which are answers about the request, nor 429, which the retry policy handles
 * with Retry-After, nor 500: F&O answers business-validation errors with 500, so a run of bad records
 * would open the breaker.
 */
export function isUnavailability(error: unknown): boolean {
  if (!(error instanceof ODataError)) return false;
  if (error.kind === 'timeout' || error.kind === 'network') return true;
  return error.kind === 'http' && unavailableStatuses.has(error.status);
}

const unavailableStatuses = new Set([502, 503, 504]);

interface Opened {
  at: number;
  coolDownMs: number;
}

export function createCircuitBreaker({
  failureThreshold = 5,
  coolDownMs = 30_000,
  maxCoolDownMs = 300_000,
  isFailure = isUnavailability,
  onStateChange,
  now = Date.now,
}: CircuitBreakerOptions = {}): CircuitBreaker {
  let failures = 0;
  let lastFailure: string | null = null;
  let opened: Opened | null = null;
  /** Settles when the trial under way ends, whatever its outcome; null when none is. */
  let trial: Promise<void> | null = null;

  function state(): CircuitState {
    if (!opened) return 'closed';
    return now() < opened.at + opened.coolDownMs ? 'open' : 'half-open';
  }

  function health(): CircuitHealth {
    return {
      state: state(),
      consecutiveFailures: failures,
      openedAt: opened ? new Date(opened.at) : null,
      nextTryAt: opened ? new Date(opened.at + opened.coolDownMs) : null,
      lastFailure,
    };
  }

  function answered(): void {
    failures = 0;
    lastFailure = null;
    if (!opened) return;
    opened = null;
    onStateChange?.(health());
  }

  function failed(error: unknown, trial: boolean): void {
    failures += 1;
    lastFailure = reasonOf(error);
    // A request sent before the breaker opened may fail after it: it neither re-opens nor prolongs it.
    if (trial && opened) opened = { at: now(), coolDownMs: Math.min(opened.coolDownMs * 2, maxCoolDownMs) };
    else if (!opened && failures >= failureThreshold) opened = { at: now(), coolDownMs };
    else return;
    onStateChange?.(health());
  }

  return {
    async run(action, refuse) {
      let current = state();
      // Behind a trial: its outcome decides (closed: go on; re-opened: refused; neither: maybe the trial).
      while (current === 'half-open' && trial) {
        await trial;
        current = state();
      }
      if (current === 'open') throw refuse(health(), now());
      const isTrial = current === 'half-open';
      let endTrial = () => {};
      if (isTrial) trial = new Promise<void>((resolve) => (endTrial = resolve));
      try {
        const result = await action();
        answered();
        return result;
      } catch (error) {
        if (isFailure(error)) failed(error, isTrial);
        else if (error instanceof ODataError) answered();
        throw error;
      } finally {
        if (isTrial) {
          trial = null;
          endTrial();
        }
      }
    },
    health,
  };
}

/** `HTTP 503: …`, `timeout: …`, `network: …`: what went wrong, without the request's path. */
function reasonOf(error: unknown): string {
  if (!(error instanceof ODataError)) return error instanceof Error ? error.message : String(error);
  return `${error.kind === 'http' ? `HTTP ${error.status}` : error.kind}: ${error.message}`;
}
