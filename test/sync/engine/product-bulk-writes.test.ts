/**
 * The products flow writes new products with bulk messages one table at a time (products, then their
 * price list items, then their default price lists) and still never leaves a product outside its price
 * list: a product whose item Sales refuses is deleted again and fails alone, the rest of its page is
 * written whole. Against both simulators over real HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Row } from '../../../src/simulators/core/model.js';
import { startEngineHarness, type EngineHarness } from './harness.js';

let h: EngineHarness;

beforeAll(async () => {
  h = await startEngineHarness();
  await h.run('products'); // the seeded products, so the runs under test write only the ones released here
});
afterAll(async () => {
  await h?.close();
});

let released = 0;

function releaseProduct(changes: Record<string, string> = {}): string {
  const template = h.sim.finance.store
    .scan('SellableReleasedProducts')
    .find((row) => row['dataAreaId'] === 'usmf' && row['CurrencyCode'] === 'USD')!;
  const number = `PBW-${String((released += 1)).padStart(4, '0')}`;
  h.sim.finance.store.insert('SellableReleasedProducts', {
    ...template,
    ProductNumber: number,
    ProductName: `Bulk-written product ${released}`,
    ...changes,
  });
  return number;
}

const salesProduct = (number: string): Row | undefined =>
  h.sim.sales.store.findByAlternateKey('products', { productnumber: number });

const itemsOf = (product: Row | undefined): Row[] =>
  h.sim.sales.store.findBy('productpricelevels', '_productid_value', product?.['productid'] ?? null);

describe('new products written with bulk messages', () => {
  it('delete again a product whose price list item Sales refuses, failing it alone; the others are written whole', async () => {
    const first = Array.from({ length: 30 }, () => releaseProduct());
    const euro = releaseProduct({ CurrencyCode: 'EUR' });
    const after = [releaseProduct(), releaseProduct()];
    const euroList = h.sim.sales.store.scan('pricelevels').find((list) => list['name'] === 'Retail EUR')!;
    let removed = false;
    h.sim.sales.log.clear();

    // Once the run has read the price lists (on its first page with a new product), "Retail EUR" goes
    // away in Sales: the euro product's item is then refused, after the product itself was created.
    const { runId, counters } = await h.run('products', {
      onProgress: (progress) => {
        if (removed || progress.created === 0) return;
        h.sim.sales.store.remove('pricelevels', { pricelevelid: euroList['pricelevelid'] ?? null });
        removed = true;
      },
    });

    expect(counters).toMatchObject({ created: 32, failed: 1 });
    const failures = (await h.runs.failures(runId, { first: 10 })).items;
    expect(failures).toEqual([expect.objectContaining({ recordKey: euro, code: 'WRITE_FAILED' })]);
    expect(failures[0]?.message).toMatch(/pricelevel|price list/i);
    // It was created (CreateMultiple), then deleted again in the same write, its item never written.
    expect(h.sim.sales.log.counts()['DELETE products']).toBe(1);
    expect(salesProduct(euro)).toBeUndefined();
    for (const number of [...first, ...after]) {
      const product = salesProduct(number);
      expect(product?.['_pricelevelid_value'], number).toBeTruthy();
      expect(itemsOf(product), number).toHaveLength(1);
    }
  });
});
