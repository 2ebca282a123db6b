/**
 * The products flow's business rules beyond its field map, against both simulators over real HTTP: the
 * state a new Sales product starts in (PRODUCTS_CREATE_STATE), the price list it joins
 * (PRODUCTS_PRICE_LIST, else the first by name in its currency) and what becomes of products Finance no
 * longer sells (PRODUCTS_VANISHED). Every outcome is checked in the Sales simulator's store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub } from '../../../src/hub.js';
import type { Row } from '../../../src/simulators/core/model.js';
import { productLookups } from '../../../src/sync/flows/lookups.js';
import { SyncRequestError, type SyncManager } from '../../../src/sync/runs/types.js';
import { createReferenceData } from '../../../src/sync/reference.js';
import { isFinal } from '../../../src/vocabulary.js';
import { financeProductReleases, startEngineHarness, writeCount, type EngineHarness } from './harness.js';

let h: EngineHarness;

beforeAll(async () => {
  h = await startEngineHarness();
});
afterAll(async () => {
  await h?.close();
});

const ACTIVE = { statecode: 0, statuscode: 1 };
const RETIRED = { statecode: 1, statuscode: 2 };
const DRAFT = { statecode: 2, statuscode: 0 };

/** Finance product numbers of the company, in store order. */
const financeNumbers = (): string[] =>
  h.sim.finance.store
    .scan('SellableReleasedProducts')
    .filter((row) => row['dataAreaId'] === 'usmf')
    .map((row) => String(row['ProductNumber']));

const salesProduct = (number: string): Row | undefined =>
  h.sim.sales.store.findByAlternateKey('products', { productnumber: number });

const priceListId = (name: string): string =>
  String(h.sim.sales.store.scan('pricelevels').find((list) => list['name'] === name)?.['pricelevelid']);

const currencyId = (iso: string): string =>
  String(
    h.sim.sales.store.findByAlternateKey('transactioncurrencies', { isocurrencycode: iso })?.[
      'transactioncurrencyid'
    ],
  );

/** The price list items of a Sales product. */
const itemsOf = (product: Row | undefined): Row[] =>
  h.sim.sales.store.findBy('productpricelevels', '_productid_value', product?.['productid'] ?? null);

const stateOf = (product: Row | undefined) => ({
  statecode: product?.['statecode'],
  statuscode: product?.['statuscode'],
});

const { release: releaseProduct, edit: editProduct } = financeProductReleases(() => h, {
  prefix: 'NEW',
  name: 'New product',
  template: () =>
    h.sim.finance.store.scan('SellableReleasedProducts').find((row) => row['dataAreaId'] === 'usmf')!,
});

const removeProduct = (number: string): void => {
  h.sim.finance.store.remove('SellableReleasedProducts', { dataAreaId: 'usmf', ProductNumber: number });
};

const notesOf = (result: { status: string; notes?: string[] }): string =>
  result.status === 'completed'
    ? (result.notes ?? []).join('\n')
    : `not completed: ${JSON.stringify(result)}`;

describe('new Sales products', () => {
  it('are created Active by default, on the first price list by name in their currency, at Finance’s price', async () => {
    const seeded = new Set(h.sim.data.sales.products.map((p) => String(p['productnumber']).toLowerCase()));
    const missing = financeNumbers().filter((number) => !seeded.has(number.toLowerCase()));
    expect(missing.length).toBeGreaterThan(0);
    h.sim.sales.log.clear();

    const { counters } = await h.run('products');
    expect(counters).toMatchObject({ created: missing.length, failed: 0 });
    // "Wholesale USD" was set up before "Retail USD", but "Retail USD" comes first by name.
    const retailUsd = priceListId('Retail USD');
    for (const number of missing) {
      const product = salesProduct(number);
      const source = h.sim.finance.store.get('SellableReleasedProducts', {
        dataAreaId: 'usmf',
        ProductNumber: number,
      });
      expect(stateOf(product), number).toEqual(ACTIVE);
      expect(product?.['_pricelevelid_value']).toBe(retailUsd);
      expect(itemsOf(product)).toEqual([
        expect.objectContaining({
          _pricelevelid_value: retailUsd,
          _uomid_value: product?.['_defaultuomid_value'],
          _transactioncurrencyid_value: currencyId('USD'),
          pricingmethodcode: 1,
        }),
      ]);
      expect(Number(itemsOf(product)[0]?.['amount'])).toBe(Number(source?.['SalesPrice']));
    }
    // Price lists are read once per run; a page's price list items go in one CreateMultiple, no $batch.
    expect(h.sim.sales.log.httpRequests({ method: 'GET', entitySet: 'pricelevels' })).toBe(1);
    const pages = Math.ceil(counters.read / 15);
    expect(h.sim.sales.log.httpRequests({ method: 'POST', entitySet: '$batch' })).toBe(0);
    expect(
      h.sim.sales.log.httpRequests({ method: 'POST', entitySet: 'productpricelevels' }),
    ).toBeLessThanOrEqual(pages);
  });

  it('are created Draft when PRODUCTS_CREATE_STATE is draft, still on their price list', async () => {
    const number = releaseProduct();
    const { counters } = await h.run('products', { products: { createState: 'draft' } });
    expect(counters).toMatchObject({ created: 1, failed: 0 });
    const product = salesProduct(number);
    expect(stateOf(product)).toEqual(DRAFT);
    expect(product?.['_pricelevelid_value']).toBe(priceListId('Retail USD'));
    expect(itemsOf(product)).toHaveLength(1);
  });

  it('keep their state on update, while the price of their item follows Finance', async () => {
    const draft = 'NEW-0001';
    const active = financeNumbers()[0]!;
    editProduct(draft, { SalesPrice: '321.5' });
    editProduct(active, { SalesPrice: '654.25' });
    h.sim.sales.log.clear();
    const { counters } = await h.run('products', { products: { createState: 'draft' } });
    expect(counters).toMatchObject({ updated: 2, created: 0, failed: 0 });
    expect(stateOf(salesProduct(draft))).toEqual(DRAFT);
    expect(stateOf(salesProduct(active))).toEqual(ACTIVE);
    expect(Number(salesProduct(draft)?.['price'])).toBe(321.5);
    expect(Number(itemsOf(salesProduct(draft))[0]?.['amount'])).toBe(321.5);
    expect(Number(itemsOf(salesProduct(active))[0]?.['amount'])).toBe(654.25);
    // One batched read of the items to reprice, one UpdateMultiple of the items, then one UpsertMultiple
    // of the products.
    expect(h.sim.sales.log.httpRequests({ method: 'GET', entitySet: 'productpricelevels' })).toBe(1);
    expect(h.sim.sales.log.httpRequests({ method: 'POST', entitySet: 'productpricelevels' })).toBe(1);
    expect(h.sim.sales.log.httpRequests({ method: 'POST', entitySet: 'products' })).toBe(1);
    expect(h.sim.sales.log.httpRequests({ method: 'POST', entitySet: '$batch' })).toBe(0);
  });

  it('join the configured default price list (PRODUCTS_PRICE_LIST) when it has their currency', async () => {
    const number = releaseProduct();
    const { counters } = await h.run('products', { products: { priceList: 'wholesale usd' } });
    expect(counters).toMatchObject({ created: 1, failed: 0 });
    const product = salesProduct(number);
    expect(product?.['_pricelevelid_value']).toBe(priceListId('Wholesale USD'));
    expect(itemsOf(product).map((item) => item['_pricelevelid_value'])).toEqual([
      priceListId('Wholesale USD'),
    ]);
  });

  it('fail only the product whose currency has no price list, naming the currency, in a dry run too', async () => {
    const pound = releaseProduct({ CurrencyCode: 'GBP' });
    const dollar = releaseProduct();
    const failure = expect.objectContaining({
      recordKey: pound,
      code: 'MISSING_DEPENDENCY',
      message: 'No Sales price list has currency GBP; create one or set PRODUCTS_PRICE_LIST',
    });

    h.sim.sales.log.clear();
    const dry = await h.run('products', { dryRun: true });
    expect(dry.counters).toMatchObject({ created: 1, failed: 1 });
    expect((await h.runs.failures(dry.runId, { first: 10 })).items).toEqual([failure]);
    expect(writeCount(h.sim.sales)).toBe(0);

    const { runId, counters } = await h.run('products');
    expect(counters).toMatchObject({ created: 1, failed: 1 });
    expect((await h.runs.failures(runId, { first: 10 })).items).toEqual([failure]);
    expect(salesProduct(pound)).toBeUndefined();
    expect(stateOf(salesProduct(dollar))).toEqual(ACTIVE);
    removeProduct(pound);
  });

  it('fail with a clear reason when the configured default price list does not exist', async () => {
    const number = releaseProduct();
    const { runId, counters } = await h.run('products', { products: { priceList: 'Contract USD' } });
    expect(counters).toMatchObject({ created: 0, failed: 1 });
    expect((await h.runs.failures(runId, { first: 10 })).items).toEqual([
      expect.objectContaining({
        recordKey: number,
        message: "PRODUCTS_PRICE_LIST names 'Contract USD', which is not an active Sales price list",
      }),
    ]);
    removeProduct(number);
  });

  it('cannot go on a quote while Draft, so the quotes flow never meets one; its lookups still find it', async () => {
    const draft = salesProduct('NEW-0001')!;
    const line = h.sim.sales.store.scan('quotedetails').find((l) => l['_productid_value'] !== null)!;
    const [refused] = await h.connectors.sales.upsert('quoteLine', [
      {
        key: { id: String(line['quotedetailid']) },
        body: { 'productid@odata.bind': `/products(${String(draft['productid'])})` },
      },
    ]);
    expect(refused?.outcome).toBe('failed');
    expect(refused?.error?.message).toMatch(
      /NEW-0001 is a draft: only active products can be added to a quote/,
    );

    const reference = await productLookups(
      h.connectors,
      [String(draft['productid'])],
      createReferenceData({ currencies: [], units: [] }),
    );
    expect(reference.lookups?.externalProductNumberById?.(String(draft['productid']))).toBe('NEW-0001');
  });
});

describe('Sales products Finance no longer sells', () => {
  let gone: string;

  beforeAll(async () => {
    // Everything in step first, so each run below writes only what vanished.
    await h.run('products');
    gone = financeNumbers().find((number) => salesProduct(number)?.['statecode'] === 0)!;
    removeProduct(gone);
  });

  it('are reported in the flow’s notes and left alone under report (the default)', async () => {
    h.sim.sales.log.clear();
    const { result } = await h.run('products');
    expect(notesOf(result)).toMatch(
      new RegExp(`1 Sales product\\(s\\) .* no longer sellable there \\(${gone}\\); they were not retired`),
    );
    expect(stateOf(salesProduct(gone))).toEqual(ACTIVE);
    expect(writeCount(h.sim.sales)).toBe(0);
  });

  it('are only reported as to be retired in a dry run under retire, with nothing written', async () => {
    h.sim.sales.log.clear();
    const { result } = await h.run('products', { dryRun: true, products: { vanished: 'retire' } });
    expect(notesOf(result)).toMatch(new RegExp(`\\(${gone}\\); a real run would retire them`));
    expect(stateOf(salesProduct(gone))).toEqual(ACTIVE);
    expect(writeCount(h.sim.sales)).toBe(0);
  });

  it('are retired (statecode 1) under retire, and neither reported nor written again', async () => {
    const { result } = await h.run('products', { products: { vanished: 'retire' } });
    expect(notesOf(result)).toMatch(new RegExp(`retired 1 in Sales \\(statecode 1 Retired\\): ${gone}\\.`));
    expect(stateOf(salesProduct(gone))).toEqual(RETIRED);

    h.sim.sales.log.clear();
    for (const vanished of ['retire', 'report'] as const) {
      const again = await h.run('products', { products: { vanished } });
      expect(notesOf(again.result)).not.toMatch(/no longer sellable/);
    }
    expect(writeCount(h.sim.sales)).toBe(0);
  });

  it('are retired twenty at a time in one $batch, the note naming the first ten', async () => {
    const twenty = financeNumbers()
      .filter((number) => salesProduct(number)?.['statecode'] === 0)
      .slice(0, 20);
    expect(twenty).toHaveLength(20);
    for (const number of twenty) removeProduct(number);
    h.sim.sales.log.clear();

    const { result } = await h.run('products', { products: { vanished: 'retire' } });
    const listed = /retired 20 in Sales \(statecode 1 Retired\): (.*) and 10 more\./.exec(notesOf(result));
    expect(listed?.[1]?.split(', ')).toHaveLength(10);
    for (const number of listed?.[1]?.split(', ') ?? []) expect(twenty).toContain(number);
    for (const number of twenty) expect(stateOf(salesProduct(number)), number).toEqual(RETIRED);
    expect(h.sim.sales.log.httpRequests({ method: 'POST', entitySet: '$batch' })).toBe(1);
    expect(h.sim.sales.log.counts()['PATCH products']).toBe(20);
  });
});

describe('the hub', () => {
  let sync: SyncManager;
  let close: () => Promise<void>;

  async function finished(runId: string) {
    for (;;) {
      const snapshot = await sync.snapshot(runId);
      if (snapshot && isFinal(snapshot.run.status)) return snapshot.run;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async function start(products: Parameters<typeof startHub>[0]['products']) {
    await close?.();
    const hub = await startHub({
      connectors: h.connectors,
      database: h.database,
      port: 0,
      host: '127.0.0.1',
      products,
      // Its minute's look at Sales and Finance would add requests to the counts under test.
      watchAvailability: false,
    });
    sync = hub.sync;
    close = () => hub.close();
  }

  afterAll(async () => {
    await close?.();
  });

  it('refuses to start the products flow when PRODUCTS_PRICE_LIST names no Sales price list', async () => {
    await start({ priceList: 'Contract USD' });
    const refused = await sync
      .start({ flows: ['products'], mode: 'INCREMENTAL', dryRun: false })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(SyncRequestError);
    expect((refused as SyncRequestError).problems).toEqual([
      "PRODUCTS_PRICE_LIST names 'Contract USD', which is not an active Sales price list (they are 'Retail EUR', 'Retail USD', 'Wholesale USD')",
    ]);
    // Flows that add no products do not depend on it.
    const accounts = await sync.start({ flows: ['accounts'], mode: 'INCREMENTAL', dryRun: true });
    expect((await finished(accounts.run.id)).status).not.toBe('FAILED');
  });

  it('runs the products flow with the configured settings', async () => {
    await start({ createState: 'draft', vanished: 'retire' });
    const created = releaseProduct();
    const gone = financeNumbers().find((number) => salesProduct(number)?.['statecode'] === 0)!;
    removeProduct(gone);
    const run = await sync.start({ flows: ['products'], mode: 'INCREMENTAL', dryRun: false });
    const ended = await finished(run.run.id);
    expect(ended.status).toBe('SUCCEEDED');
    expect(stateOf(salesProduct(created))).toEqual(DRAFT);
    expect(stateOf(salesProduct(gone))).toEqual(RETIRED);
    expect(ended.flows[0]?.notes.join(' ')).toMatch(new RegExp(`retired 1 in Sales .*${gone}`));
  });
});
