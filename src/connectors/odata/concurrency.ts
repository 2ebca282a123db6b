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
 * The queueing is p-limit's: it lets the limit change while requests wait (`limit.concurrency`).
 */
import pLimit from 'p-limit';
import type { ConcurrencyOptions } from './concurrency-settings.js';

export interface RequestSlots {
  /** Runs `send` once a slot is free; the slot is given back when its promise settles. */
  run<T>(send: () => Promise<T>): Promise<T>;
  /** Reads the hint, if any, from an answer's (lower-case) headers. */
  observe(headers: Readonly<Record<string, string>>): void;
  /** The bound now. */
  readonly limit: number;
  readonly active: number;
  readonly waiting: number;
}

export function createRequestSlots({ max, initial = max, hintHeader }: ConcurrencyOptions): RequestSlots {
  const limit = pLimit(Math.max(1, Math.min(initial, max)));
  return {
    run: (send) => limit(send),
    observe(headers) {
      if (!hintHeader) return;
      const hinted = Number(headers[hintHeader]);
      if (!Number.isSafeInteger(hinted) || hinted < 1) return;
      const bound = Math.min(hinted, max);
      if (bound !== limit.concurrency) limit.concurrency = bound;
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
  };
}
