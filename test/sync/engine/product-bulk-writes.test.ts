/**
 * The products flow writes new products in three bulk steps (products, then their price list items, then
 * their default price lists and states), so Sales can hold a product between two steps: when the hub is
 * killed there, or when Sales refuses the later step. Such a half-created product (no default price list)
 * is completed by the next run that writes it, each missing part once; a complete product's state is
 * never touched. Against both simulators over real HTTP, the half-created states made in the Sales
 * simulator as a crash between the steps leaves them.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Row } from '../../../src/simulators/core/model.js';
import { financeProductReleases, startEngineHarness, writeCount, type EngineHarness } from './harness.js';

let h: EngineHarness;

beforeAll(async () => {
  h = await startEngineHarness();
  await h.run('products'); // the seeded products, so the runs under test write only the ones released here
});
afterAll(async () => {
  await h?.close();
});

const ACTIVE = { statecode: 0, statuscode: 1 };
const RETIRED = { statecode: 1, statuscode: 2 };
const DRAFT = { statecode: 2, statuscode: 0 };

/** The Finance product new ones are copied from: sold in USD, and in Sales already (seeded, synced). */
const template = (): Row =>
  h.sim.finance.store
    .scan('SellableReleasedProducts')
    .find((row) => row['dataAreaId'] === 'usmf' && row['CurrencyCode'] === 'USD')!;

const { release: releaseProduct, edit: editProduct } = financeProductReleases(() => h, {
  prefix: 'PBW',
  name: 'Bulk-written product',
  template,
});

const salesProduct = (number: string): Row | undefined =>
  h.sim.sales.store.findByAlternateKey('products', { productnumber: number });

const itemsOf = (product: Row | undefined): Row[] =>
  h.sim.sales.store.findBy('productpricelevels', '_productid_value', product?.['productid'] ?? null);

const stateOf = (product: Row | undefined) => ({
  statecode: product?.['statecode'],
  statuscode: product?.['statuscode'],
});

const priceList = (name: string): Row =>
  h.sim.sales.store.scan('pricelevels').find((list) => list['name'] === name)!;

/**
 * What the first bulk step leaves of a product when the hub dies right after it: the product as the flow
 * creates it (here a copy of the template's Sales product with the released number), in Draft, with no
 * price list item and no default price list.
 */
function createdByFirstStep(number: string): Row {
  const counterpart = salesProduct(String(template()['ProductNumber']))!;
  return h.sim.sales.store.insert('products', {
    ...counterpart,
    productid: randomUUID(),
    productnumber: number,
    _pricelevelid_value: null,
    ...DRAFT,
  });
}

/** What the second bulk step adds: the product's item on Retail USD in its unit, at `amount`. */
function itemBySecondStep(product: Row, amount: string): Row {
  return h.sim.sales.store.insert('productpricelevels', {
    productpricelevelid: randomUUID(),
    _pricelevelid_value: priceList('Retail USD')['pricelevelid'] ?? null,
    _productid_value: product['productid'] ?? null,
    _uomid_value: product['_defaultuomid_value'] ?? null,
    _transactioncurrencyid_value: product['_transactioncurrencyid_value'] ?? null,
    amount,
    pricingmethodcode: 1,
  });
}

/** Expects `number` complete in Sales: on Retail USD at `price`, with that list as default, in `state`. */
function expectComplete(number: string, price: number, state: typeof ACTIVE | typeof DRAFT): void {
  const product = salesProduct(number);
  const retailUsd = priceList('Retail USD')['pricelevelid'];
  expect(stateOf(product), number).toEqual(state);
  expect(product?.['_pricelevelid_value'], number).toBe(retailUsd);
  expect(Number(product?.['price']), number).toBe(price);
  expect(itemsOf(product), number).toEqual([
    expect.objectContaining({
      _pricelevelid_value: retailUsd,
      _uomid_value: product?.['_defaultuomid_value'],
      pricingmethodcode: 1,
    }),
  ]);
  expect(Number(itemsOf(product)[0]?.['amount']), number).toBe(price);
}

describe('new products written with bulk messages', () => {
  it('fail alone when their price list goes away mid-run, left Draft without a default price list; the others are written whole', async () => {
    const first = Array.from({ length: 30 }, () => releaseProduct());
    const euro = releaseProduct({ CurrencyCode: 'EUR' });
    const after = [releaseProduct(), releaseProduct()];
    const euroList = priceList('Retail EUR');
    let removed = false;

    // Once the run has read the price lists (on its first page with a new product), "Retail EUR" goes
    // away in Sales: a later step of the euro product is then refused, after the product was created.
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
    expect(salesProduct(euro)).toMatchObject({ ...DRAFT, _pricelevelid_value: null });
    // Its item may be there or not, as the step Sales refused was the item's or the default price list's.
    expect(itemsOf(salesProduct(euro)).length).toBeLessThanOrEqual(1);
    for (const number of [...first, ...after])
      expectComplete(number, Number(template()['SalesPrice']), ACTIVE);

    // Once the price list is back, the next run completes the product instead of creating it again.
    h.sim.sales.store.insert('pricelevels', euroList);
    const again = await h.run('products');
    expect(again.counters).toMatchObject({ created: 0, updated: 1, failed: 0 });
    const product = salesProduct(euro);
    expect(stateOf(product)).toEqual(ACTIVE);
    expect(product?.['_pricelevelid_value']).toBe(euroList['pricelevelid']);
    expect(itemsOf(product).map((item) => item['_pricelevelid_value'])).toEqual([euroList['pricelevelid']]);
  });
});

describe('a product a crash left half-created in Sales', () => {
  it('is completed by the next run when it has neither item nor default price list: its item at Finance’s price, its default price list, Active', async () => {
    const number = releaseProduct({ SalesPrice: '432.1' });
    createdByFirstStep(number);
    h.sim.sales.log.clear();

    const { counters } = await h.run('products');

    expect(counters).toMatchObject({ created: 0, updated: 1, failed: 0 });
    expectComplete(number, 432.1, ACTIVE);
    // The item by one bulk request, then the product's fields, default price list and state by another.
    expect(h.sim.sales.log.counts()).toMatchObject({
      'POST productpricelevels': 1,
      'POST products': 1,
    });
    expect(h.sim.sales.log.httpRequests({ method: 'POST', entitySet: '$batch' })).toBe(0);

    // Complete now: the next run finds nothing to write.
    h.sim.sales.log.clear();
    const again = await h.run('products');
    expect(again.counters).toMatchObject({ created: 0, updated: 0, failed: 0 });
    expect(writeCount(h.sim.sales)).toBe(0);
  });

  it('is completed when it has its item but no default price list, the item repriced to Finance’s price, no second item added', async () => {
    const number = releaseProduct({ SalesPrice: '210' });
    const product = createdByFirstStep(number);
    itemBySecondStep(product, '199.99'); // Finance's price changed between the crash and the next run
    h.sim.sales.log.clear();

    const { counters } = await h.run('products');

    expect(counters).toMatchObject({ created: 0, updated: 1, failed: 0 });
    expectComplete(number, 210, ACTIVE);
    // One batched read of its items, the item repriced, then the product: no item created.
    expect(h.sim.sales.log.httpRequests({ method: 'GET', entitySet: 'productpricelevels' })).toBe(1);
    expect(h.sim.sales.log.counts()).toMatchObject({ 'POST productpricelevels': 1, 'POST products': 1 });
  });

  it('is completed with only its default price list when its item is already at Finance’s price', async () => {
    const number = releaseProduct({ SalesPrice: '55' });
    const product = createdByFirstStep(number);
    itemBySecondStep(product, '55');
    h.sim.sales.log.clear();

    const { counters } = await h.run('products');

    expect(counters).toMatchObject({ updated: 1, failed: 0 });
    expectComplete(number, 55, ACTIVE);
    expect(h.sim.sales.log.counts()['POST productpricelevels']).toBeUndefined();
    expect(h.sim.sales.log.counts()['POST products']).toBe(1);
  });

  it('stays Draft when PRODUCTS_CREATE_STATE is draft, and still gets its item and default price list', async () => {
    const number = releaseProduct({ SalesPrice: '77' });
    createdByFirstStep(number);

    const { counters } = await h.run('products', { products: { createState: 'draft' } });

    expect(counters).toMatchObject({ updated: 1, failed: 0 });
    expectComplete(number, 77, DRAFT);
  });

  it('is reported as to be updated by a dry run, which writes nothing', async () => {
    const number = releaseProduct();
    createdByFirstStep(number);
    h.sim.sales.log.clear();

    const { counters } = await h.run('products', { dryRun: true });

    expect(counters).toMatchObject({ created: 0, updated: 1, failed: 0 });
    expect(writeCount(h.sim.sales)).toBe(0);
    expect(salesProduct(number)).toMatchObject({ ...DRAFT, _pricelevelid_value: null });
    await h.run('products'); // complete it, so the tests after this one write only their own products
  });

  it('fails, naming the currency, when no price list has its currency, as a new product would', async () => {
    const number = releaseProduct({ CurrencyCode: 'GBP' });
    const product = createdByFirstStep(number);
    const pound = h.sim.sales.store.findByAlternateKey('transactioncurrencies', { isocurrencycode: 'GBP' });
    h.sim.sales.store.update(
      'products',
      { productid: product['productid'] ?? null },
      { _transactioncurrencyid_value: pound?.['transactioncurrencyid'] ?? null },
    );

    const { runId, counters } = await h.run('products');

    expect(counters).toMatchObject({ updated: 0, failed: 1 });
    expect((await h.runs.failures(runId, { first: 10 })).items).toEqual([
      expect.objectContaining({
        recordKey: number,
        code: 'MISSING_DEPENDENCY',
        message: 'No Sales price list has currency GBP; create one or set PRODUCTS_PRICE_LIST',
      }),
    ]);
    expect(salesProduct(number)).toMatchObject({ ...DRAFT, _pricelevelid_value: null });
    h.sim.finance.store.remove('SellableReleasedProducts', { dataAreaId: 'usmf', ProductNumber: number });
  });
});

describe('a complete product', () => {
  it('keeps its state on update, Draft while new products are created Active, or retired by an administrator', async () => {
    const draft = releaseProduct();
    const retired = releaseProduct();
    await h.run('products', { products: { createState: 'draft' } });
    h.sim.sales.store.update(
      'products',
      { productid: salesProduct(retired)?.['productid'] ?? null },
      RETIRED,
    );
    editProduct(draft, { SalesPrice: '12.5' });
    editProduct(retired, { SalesPrice: '13.5' });

    const { counters } = await h.run('products');

    expect(counters).toMatchObject({ created: 0, updated: 2, failed: 0 });
    expect(stateOf(salesProduct(draft))).toEqual(DRAFT);
    expect(stateOf(salesProduct(retired))).toEqual(RETIRED);
    expect(Number(itemsOf(salesProduct(draft))[0]?.['amount'])).toBe(12.5);
    expect(Number(itemsOf(salesProduct(retired))[0]?.['amount'])).toBe(13.5);
  });
});
