/**
 * How many HTTP requests a client has in flight to its system at once: never more than the system's
 * bound, whoever asks (GraphQL operations, sync runs, health probes of one process share it). Requests
 * past the bound wait their turn in arrival order; a retry's wait holds no slot.
 *
 * Dataverse says how many it wants: every Web API answer carries `x-ms-dop-hint`, "the recommended degree
 * of parallelism" for the environment, which Microsoft's parallel-operations guidance tells clients to
 * follow. A client that follows it starts at `initial` and takes the hint from then on, never above
 * `max`. Finance and Operations publishes no such figure, only priority-based throttling; its bound is a
 * fixed small number.
 *
 * Throttling slows only the system that throttles. A 429 pauses every request to that system until its
 * Retry-After has passed (requests already in flight finish; none starts) and halves the bound; each
 * round of good answers (as many as the bound) raises it by one again, up to the hint or the maximum:
 * additive increase, multiplicative decrease (AIMD), as TCP shares a link. The other system's slots are
 * another object, so its requests go on meanwhile. 429s that arrive together (every request in flight
 * meets the same throttle) halve the bound once: a 429 during a pause only extends the pause.
 *
 * The queueing is p-limit's: it lets the limit change while requests wait (`limit.concurrency`).
 */
import { setTimeout as delay } from 'node:timers/promises';
import pLimit from 'p-limit';
import type { ConcurrencyOptions } from './concurrency-settings.js';

export interface SlotsState {
  /** The bound now: lowered after a 429, climbing back towards `ceiling` with good answers. */
  limit: number;
  /** What the bound climbs back to: the system's hint (Sales) or the configured maximum. */
  ceiling: number;
  active: number;
  waiting: number;
  /** Until when (epoch ms) no request starts, after a 429; null when the system is not throttled. */
  pausedUntil: number | null;
}

export interface RequestSlots {
  /**
   * Runs `send` once a slot is free and no throttle pause holds the system; the slot is given back when
   * its promise settles. An aborted `signal` ends a wait for the pause with the signal's reason.
   */
  run<T>(send: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  /** Reads the hint, if any, from a good answer's (lower-case) headers, and counts the answer. */
  observe(headers: Readonly<Record<string, string>>): void;
  /** The system answered 429: no request starts for `waitMs`, and the bound halves. */
  throttled(waitMs: number): void;
  /** The bound now. */
  readonly limit: number;
  readonly active: number;
  readonly waiting: number;
  state(): SlotsState;
}

export function createRequestSlots(
  { max, initial = max, hintHeader }: ConcurrencyOptions,
  now: () => number = Date.now,
): RequestSlots {
  let ceiling = Math.max(1, Math.min(initial, max));
  const limit = pLimit(ceiling);
  let pausedUntil = 0;
  /** Good answers since the bound last changed: a round of them raises a lowered bound by one. */
  let goodAnswers = 0;
  const setLimit = (bound: number) => {
    goodAnswers = 0;
    if (bound !== limit.concurrency) limit.concurrency = bound;
  };

  async function untilResumed(signal: AbortSignal | undefined): Promise<void> {
    for (let wait = pausedUntil - now(); wait > 0; wait = pausedUntil - now()) {
      try {
        await delay(wait, undefined, signal ? { signal } : {});
      } catch (error) {
        throw signal?.aborted ? signal.reason : error;
      }
    }
  }

  return {
    run: (send, signal) =>
      limit(async () => {
        await untilResumed(signal);
        return send();
      }),
    observe(headers) {
      const hinted = hintHeader ? Number(headers[hintHeader]) : NaN;
      if (Number.isSafeInteger(hinted) && hinted >= 1) {
        const lowered = limit.concurrency < ceiling;
        ceiling = Math.min(hinted, max);
        // Following the hint, the bound is the hint; after a 429 it climbs back to it a round at a time.
        if (!lowered || limit.concurrency > ceiling) return setLimit(ceiling);
      }
      // Answers that come in during a pause were sent before the 429: they say nothing of the new bound.
      if (limit.concurrency >= ceiling || pausedUntil > now()) return;
      goodAnswers += 1;
      if (goodAnswers >= limit.concurrency) setLimit(limit.concurrency + 1);
    },
    throttled(waitMs) {
      const at = now();
      if (pausedUntil <= at) setLimit(Math.max(1, Math.floor(limit.concurrency / 2)));
      pausedUntil = Math.max(pausedUntil, at + Math.max(0, waitMs));
    },
    get limit() {
      return limit.concurrency;
    },
    get active() {
      return limit.activeCount;
    },
    get waiting() {
      return limit.pendingCount;
    },
    state: () => ({
      limit: limit.concurrency,
      ceiling,
      active: limit.activeCount,
      waiting: limit.pendingCount,
      pausedUntil: pausedUntil > now() ? pausedUntil : null,
    }),
  };
}
