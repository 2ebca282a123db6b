/**
 * The Sales currencies and units every mapped value resolves against, shared by all GraphQL operations
 * of the process for a short while instead of read from Sales by each one. They change rarely (an admin
 * adds a currency or a unit), so a minute-old copy is fine for reads; a sync run that ends drops the copy
 * (`invalidate`), so a run that changed them is seen at once. Flow runs read their own copy at their
 * start and never use this one.
 */
import type { ReferenceData } from './reference.js';

/**
 * How long one read of the reference data answers operations, in milliseconds: long enough that a busy
 * hub reads Sales about once a minute, short enough that an admin's change in Sales shows within one.
 */
export const referenceDataTtlMs = 60_000;

export interface ReferenceCacheOptions {
  /** Reads the reference data from Sales. */
  load: () => Promise<ReferenceData>;
  /** How long a read answers, from the moment it was asked. Default `referenceDataTtlMs`. */
  ttlMs?: number;
  /** The clock, in epoch milliseconds. Default `Date.now`. */
  now?: () => number;
}

export interface ReferenceCache {
  /**
   * The reference data: the copy read less than `ttlMs` ago, or the read in flight, or a new read.
   * Concurrent callers share one read; a read that fails is not kept, so the next call tries again.
   */
  get(): Promise<ReferenceData>;
  /** Drops the copy: the next `get` reads again. Callers already waiting on a read still get its answer. */
  invalidate(): void;
}

/** A read and when it was asked; `settled` once it answered, when it starts to age. */
interface Entry {
  data: Promise<ReferenceData>;
  askedAtMs: number;
  settled: boolean;
}

export function createReferenceCache({
  load,
  ttlMs = referenceDataTtlMs,
  now = Date.now,
}: ReferenceCacheOptions): ReferenceCache {
  let entry: Entry | null = null;

  const fresh = (current: Entry): boolean => !current.settled || now() - current.askedAtMs < ttlMs;

  function read(): Entry {
    const started: Entry = { data: load(), askedAtMs: now(), settled: false };
    // Only the entry still current is touched: a read dropped by `invalidate` meanwhile must not come
    // back as the copy, nor a failure of it drop the read that replaced it.
    started.data.then(
      () => {
        started.settled = true;
      },
      () => {
        if (entry === started) entry = null;
      },
    );
    return started;
  }

  return {
    get() {
      if (entry === null || !fresh(entry)) entry = read();
      return entry.data;
    },
    invalidate() {
      entry = null;
    },
  };
}
