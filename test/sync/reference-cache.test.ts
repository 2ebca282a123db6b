/**
 * The process's shared copy of the Sales currencies and units: one read answers every caller until it
 * is a minute old or a run ends, callers that ask together share one read, and a read that failed is
 * never kept.
 */
import { describe, expect, it } from 'vitest';
import { createReferenceCache, referenceDataTtlMs } from '../../src/sync/reference-cache.js';
import { createReferenceData, type ReferenceData } from '../../src/sync/reference.js';

/** A read whose answer the test gives: `resolve` with a currency's ISO code, or `reject`. */
interface PendingRead {
  resolve(iso: string): void;
  reject(error: Error): void;
}

/** A cache over a loader the test answers by hand, on a clock the test moves. */
function setup() {
  const reads: PendingRead[] = [];
  let clockMs = 1_000_000;
  const cache = createReferenceCache({
    load: () =>
      new Promise<ReferenceData>((resolve, reject) =>
        reads.push({
          resolve: (iso) =>
            resolve(
              createReferenceData({
                currencies: [{ transactioncurrencyid: 'c-1', isocurrencycode: iso }],
                units: [],
              }),
            ),
          reject,
        }),
      ),
    now: () => clockMs,
  });
  return {
    cache,
    reads,
    advance: (ms: number) => void (clockMs += ms),
    iso: async (data: Promise<ReferenceData>) => (await data).currencyIsoById('c-1'),
  };
}

describe('the reference data cache', () => {
  it('answers callers that ask together with one read', async () => {
    const { cache, reads, iso } = setup();
    const asked = [cache.get(), cache.get(), cache.get()];
    expect(reads).toHaveLength(1);
    reads[0]!.resolve('EUR');
    expect(await Promise.all(asked.map(iso))).toEqual(['EUR', 'EUR', 'EUR']);
  });

  it('answers from the copy until it is as old as the expiry, then reads again', async () => {
    const { cache, reads, advance, iso } = setup();
    const first = cache.get();
    reads[0]!.resolve('EUR');
    await first;
    advance(referenceDataTtlMs - 1);
    expect(await iso(cache.get())).toBe('EUR');
    expect(reads).toHaveLength(1);
    advance(1);
    const renewed = cache.get();
    expect(reads).toHaveLength(2);
    reads[1]!.resolve('USD');
    expect(await iso(renewed)).toBe('USD');
  });

  it('keeps no failed read: the next caller reads again', async () => {
    const { cache, reads, iso } = setup();
    const failed = cache.get();
    reads[0]!.reject(new Error('Sales is unavailable'));
    await expect(failed).rejects.toThrow('Sales is unavailable');
    const retried = cache.get();
    expect(reads).toHaveLength(2);
    reads[1]!.resolve('EUR');
    expect(await iso(retried)).toBe('EUR');
  });

  it('reads again after an invalidation, even when the copy is fresh', async () => {
    const { cache, reads, iso } = setup();
    const first = cache.get();
    reads[0]!.resolve('EUR');
    await first;
    cache.invalidate();
    const after = cache.get();
    expect(reads).toHaveLength(2);
    reads[1]!.resolve('USD');
    expect(await iso(after)).toBe('USD');
  });

  it('never keeps a read that was in flight when invalidated, nor lets its failure drop the new one', async () => {
    const { cache, reads, iso } = setup();
    const before = cache.get();
    cache.invalidate();
    const after = cache.get();
    expect(reads).toHaveLength(2);
    // The caller of the older read still gets its answer, or its failure.
    reads[0]!.reject(new Error('Sales is unavailable'));
    await expect(before).rejects.toThrow('Sales is unavailable');
    reads[1]!.resolve('USD');
    expect(await iso(after)).toBe('USD');
    expect(await iso(cache.get())).toBe('USD');
    expect(reads).toHaveLength(2);
  });

  it('keeps the copy read after an invalidation when the older read answers last', async () => {
    const { cache, reads, iso } = setup();
    const before = cache.get();
    cache.invalidate();
    const after = cache.get();
    reads[1]!.resolve('USD');
    reads[0]!.resolve('EUR');
    expect(await iso(before)).toBe('EUR');
    expect(await iso(after)).toBe('USD');
    expect(await iso(cache.get())).toBe('USD');
    expect(reads).toHaveLength(2);
  });
});
