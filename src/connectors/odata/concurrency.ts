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
 * A bound on requests in flight does not bound their rate, and service protection limits are rates
 * (Dataverse: 6,000 requests per user in a sliding 300 s window; F&O's optional user limits alike). So
 * a 429 also teaches the client a pace. Dataverse's request-count 429 (0x80072322) states its limit
 * ("Number of requests exceeded the limit of 6000 over time window of 300 seconds."): from then on at
 * most 95 % of that many start in any such window. Another system's 429 states none, but its Retry-After
 * says when its window admits again: the window began after the last pause in sending at least that long,
 * the requests started since are what it allowed, and at most 95 % of that many start in any window from
 * that pause to the end of the wait (a sliding window, as the systems count). Another 429 while
 * paced (others share the allowance, or the estimate was high) lowers the pace by a fifth; a pace that
 * held requests back for a whole window without a 429 grows by a twentieth (an estimate may be low too),
 * never beyond 95 % of a stated limit. A pace that has seen
 * no 429 for ten of its windows is dropped: the load that caused it (F&O throttles a busy environment)
 * may be gone. Without a pace, a run that outruns the limit spends a whole Retry-After idle at every
 * 429; paced, it keeps just under the limit.
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
  /** The pace learned from 429s: at most `requests` start in any `windowMs`; null when none holds. */
  pace: Pace | null;
}

export interface Pace {
  requests: number;
  windowMs: number;
}

/** The share of what a system allowed before its 429 that a paced client sends. */
const paceShare = 0.95;
/** Another 429 while paced: the pace drops to this share of itself. */
const paceDecrease = 0.8;
/**
 * A learned pace that held requests back for a whole window without a 429 grows by this share: what a
 * 429 that states no limit teaches is an estimate, and one too low would otherwise hold for good.
 */
const paceIncrease = 0.05;
/** A pace that has seen no 429 for this many of its windows is dropped. */
const paceForgottenAfterWindows = 10;
/**
 * Fewer starts than this within the Retry-After before a 429 teach no pace: a system that throttles so
 * few requests is not counting a rate worth pacing to (a busy moment, a scripted refusal); the pause and
 * the halved bound answer it.
 */
const minimumPacedRequests = 20;
/** Dataverse's 429 for too many requests at once: a bound on concurrency, which teaches no pace. */
const concurrencyLimitCode = '0x80072326';
/** Dataverse's 429 for too many requests in its window, whose message states the limit. */
const requestLimitCode = '0x80072322';
const statedLimit = /limit of ([\d,]+) over time window of (\d+) seconds/;

export interface RequestSlots {
  /**
   * Runs `send` once a slot is free and no throttle pause holds the system; the slot is given back when
   * its promise settles. An aborted `signal` ends a wait for the pause with the signal's reason.
   */
  run<T>(send: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  /** Reads the hint, if any, from a good answer's (lower-case) headers, and counts the answer. */
  observe(headers: Readonly<Record<string, string>>): void;
  /**
   * The system answered 429 (with the error `code` and message it gave, if any): no request starts for
   * `waitMs`, the bound halves, and requests are paced (see the module comment).
   */
  throttled(waitMs: number, code?: string, message?: string): void;
  /** The bound now. */
  readonly limit: number;
  readonly active: number;
  readonly waiting: number;
  state(): SlotsState;
}

interface PaceState extends Pace {
  lastThrottledAt: number;
  /** When it was last set, lowered or raised. */
  changedAt: number;
  /** Whether it has held a request back since then. */
  held: boolean;
  /** What it may grow to: 95 % of a stated limit; unbounded for a learned one. */
  most: number;
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
  let pace: PaceState | null = null;
  /**
   * When requests started (epoch ms), oldest first, from `first` on: kept for Dataverse's 300 s window or
   * the longest Retry-After seen, so the first 429 can tell how many the system allowed before it.
   */
  const starts: number[] = [];
  let first = 0;
  let keepMs = 300_000;
  const forget = (before: number) => {
    while (first < starts.length && starts[first]! <= before) first += 1;
    // Compact now and then rather than shifting on every start.
    if (first > 1_024 && first * 2 > starts.length) {
      starts.splice(0, first);
      first = 0;
    }
  };
  const startedSince = (since: number): number => {
    // Binary search: the starts are in order.
    let low = first;
    let high = starts.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (starts[middle]! <= since) low = middle + 1;
      else high = middle;
    }
    return starts.length - low;
  };
  const setLimit = (bound: number) => {
    goodAnswers = 0;
    if (bound !== limit.concurrency) limit.concurrency = bound;
  };

  /** A new 429 (not one of a burst answered together): sets or lowers the pace. */
  function learnPace(at: number, waitMs: number, stated: Pace | undefined): void {
    if (stated && !pace) {
      const requests = Math.max(1, Math.floor(stated.requests * paceShare));
      pace = {
        requests,
        windowMs: stated.windowMs,
        lastThrottledAt: at,
        changedAt: at,
        held: false,
        most: requests,
      };
    } else if (pace) {
      pace = {
        ...pace,
        requests: Math.max(1, Math.floor(pace.requests * paceDecrease)),
        windowMs: Math.max(pace.windowMs, waitMs),
        lastThrottledAt: at,
        changedAt: at,
        held: false,
      };
    } else {
      // A sliding window that admits again in `waitMs` began at a start with no other start in the
      // `waitMs` before it (else that one would still count), so at the first start after the last such
      // pause in sending (or the first one remembered). What the system accepted since then, less this
      // request and the ones still in flight (which met the same limit), is its allowance for a window
      // from there to the end of the wait.
      let since = starts.length - 1;
      while (since > first && starts[since]! - starts[since - 1]! < waitMs) since -= 1;
      const allowed = starts.length - since - 1 - limit.activeCount;
      if (since < first || allowed < minimumPacedRequests) return;
      pace = {
        requests: Math.max(1, Math.floor(allowed * paceShare)),
        windowMs: Math.max(waitMs, at + waitMs - starts[since]!),
        lastThrottledAt: at,
        changedAt: at,
        held: false,
        most: Infinity,
      };
    }
    keepMs = Math.max(keepMs, pace.windowMs);
  }

  async function untilResumed(signal: AbortSignal | undefined): Promise<void> {
    for (let wait = pausedUntil - now(); wait > 0; wait = pausedUntil - now()) await sleep(wait, signal);
  }

  /** Waits until the pace lets one more request start, then counts its start. */
  async function paced(signal: AbortSignal | undefined): Promise<void> {
    for (;;) {
      const at = now();
      if (pace && at - pace.lastThrottledAt > paceForgottenAfterWindows * pace.windowMs) pace = null;
      if (pace?.held && at - pace.changedAt >= pace.windowMs && pace.requests < pace.most) {
        const requests = Math.min(
          pace.most,
          pace.requests + Math.max(1, Math.floor(pace.requests * paceIncrease)),
        );
        pace = { ...pace, requests, changedAt: at, held: false };
      }
      const inWindow = pace ? startedSince(at - pace.windowMs) : 0;
      if (!pace || inWindow < pace.requests) break;
      pace.held = true;
      // The oldest start inside the window leaves it at its start plus the window, as the system sees it
      // a moment later than the client started it (a hundredth of the window for that delay's spread).
      const leaves = starts[starts.length - inWindow]! + pace.windowMs * 1.01;
      await sleep(Math.max(1, leaves - at), signal);
      await untilResumed(signal);
    }
    const at = now();
    starts.push(at);
    forget(at - keepMs);
  }

  return {
    run: (send, signal) =>
      limit(async () => {
        await untilResumed(signal);
        await paced(signal);
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
    throttled(waitMs, code, message) {
      const at = now();
      const wait = Math.max(0, waitMs);
      if (pausedUntil <= at) {
        setLimit(Math.max(1, Math.floor(limit.concurrency / 2)));
        if (wait > 0 && code !== concurrencyLimitCode) learnPace(at, wait, limitStatedIn(code, message));
      }
      pausedUntil = Math.max(pausedUntil, at + wait);
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
      pace: pace ? { requests: pace.requests, windowMs: pace.windowMs } : null,
    }),
  };
}

/** The limit Dataverse's request-count 429 states in its message; undefined for any other 429. */
function limitStatedIn(code: string | undefined, message: string | undefined): Pace | undefined {
  const match = code === requestLimitCode ? statedLimit.exec(message ?? '') : null;
  if (!match) return undefined;
  const requests = Number(match[1]!.replaceAll(',', ''));
  const windowMs = Number(match[2]) * 1000;
  return requests >= 1 && windowMs >= 1000 ? { requests, windowMs } : undefined;
}

/** Waits `ms`; an aborted `signal` ends the wait with the signal's reason. */
async function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await delay(ms, undefined, signal ? { signal } : {});
  } catch (error) {
    throw signal?.aborted ? signal.reason : error;
  }
}
