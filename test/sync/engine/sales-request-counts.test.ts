/**
 * What the products flow costs Sales, pinned per page of new products: the products of a page are
 * created by one bulk request, their price list items by one, their default price lists and states by
 * one, after the one read of the page's products by number, so a change that writes per product again
 * (a change set each, as before) or reads per record shows up here. Products are the flow with the most
 * writes around each record (product, price list item, default price list).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createConnectors, type Connectors } from '../../../src/connectors/index.js';
import { openDatabase, type Database } from '../../../src/db/connection.js';
import { createLinkStore } from '../../../src/db/links.js';
import { createRunStore } from '../../../src/db/runs.js';
import type { LoggedRequest } from '../../../src/simulators/core/request-log.js';
import {
  connectorEndpointFor,
  startSimulators,
  type RunningSimulators,
} from '../../../src/simulators/index.js';
import { createFlowRunner } from '../../../src/sync/engine/index.js';
import { flowPlans } from '../../../src/sync/flows/index.js';
import { productsPageSize } from '../../../src/sync/flows/products/index.js';
import { withValueMaps } from '../../../src/sync/flows/value-maps.js';
import { recordingRetryPolicy } from '../../support/systems.js';

let sim: RunningSimulators;
let connectors: Connectors;
let template: Record<string, unknown>;
let released = 0;
const databases: Database[] = [];

// Fresh simulators per test whose Finance sells no product yet, so a run writes exactly the products
// the test releases.
beforeEach(async () => {
  sim = await startSimulators({ accounts: 40 });
  const sellable = sim.finance.store.scan('SellableReleasedProducts');
  template = { ...sellable.find((row) => row['dataAreaId'] === 'usmf')! };
  for (const row of sellable) {
    sim.finance.store.remove('SellableReleasedProducts', {
      dataAreaId: row['dataAreaId'] ?? null,
      ProductNumber: row['ProductNumber'] ?? null,
    });
  }
  connectors = createConnectors({
    sales: connectorEndpointFor(sim.sales.origin),
    finance: connectorEndpointFor(sim.finance.origin),
    financeCompany: 'usmf',
    retry: recordingRetryPolicy([]),
    timeoutMs: 10_000,
  });
});
afterEach(async () => {
  await sim.close();
  await Promise.all(databases.splice(0).map((database) => database.close()));
});

/** Releases `count` new sellable products in Finance, copies of a seeded one; their numbers. */
function releaseProducts(count: number): string[] {
  return Array.from({ length: count }, () => {
    const number = `BULK-${String((released += 1)).padStart(5, '0')}`;
    sim.finance.store.insert('SellableReleasedProducts', {
      ...template,
      ProductNumber: number,
      ProductName: `Bulk product ${released}`,
    });
    return number;
  });
}

const reprice = (numbers: readonly string[], price: string): void => {
  for (const ProductNumber of numbers) {
    sim.finance.store.update(
      'SellableReleasedProducts',
      { dataAreaId: 'usmf', ProductNumber },
      { SalesPrice: price },
    );
  }
};

/** A top-level Sales request as `METHOD set` or `METHOD set/Message` (`POST products/CreateMultiple`). */
const describeRequest = (entry: LoggedRequest): string =>
  `${entry.method} ${entry.url
    .split('?')[0]!
    .replace(/^.*\/v9\.\d+\//, '')
    .replace('Microsoft.Dynamics.CRM.', '')}`;

/**
 * Runs the products flow in a full read at the engine's page size (500), on a database of its own so no
 * read position of an earlier run carries over; its counters and the top-level Sales requests it sent.
 */
async function runProducts() {
  const database = await openDatabase({ kind: 'pglite' });
  databases.push(database);
  const runs = createRunStore(database);
  const { id: runId } = await runs.createRun({ flows: ['products'], mode: 'FULL', dryRun: false });
  const runner = createFlowRunner({
    plans: flowPlans({}),
    connectors,
    runs,
    links: createLinkStore(database),
    valueMaps: withValueMaps(),
  });
  sim.sales.log.clear();
  const result = await runner({
    runId,
    flow: 'products',
    mode: 'FULL',
    dryRun: false,
    signal: new AbortController().signal,
    onProgress: () => {},
  });
  expect(result).toMatchObject({ status: 'completed' });
  const counters = (await runs.getRun(runId))!.flows[0]!.counters;
  const requests = sim.sales.log.entries
    .filter((entry) => !entry.inBatch && !entry.url.includes('oauth2'))
    .map(describeRequest);
  return { counters, requests };
}

/** How many of each request `requests` holds. */
const tally = (requests: readonly string[]): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const request of requests) counts[request] = (counts[request] ?? 0) + 1;
  return counts;
};

describe("Sales requests per page of products written (the flow's own page: 1,000)", () => {
  it('creating 2,000 products on their price lists takes 4 requests per page of 1,000 and 4 per run', async () => {
    expect(productsPageSize).toBe(1_000);
    const numbers = releaseProducts(2000);

    const { counters, requests } = await runProducts();

    expect(counters).toMatchObject({ created: 2000, updated: 0, failed: 0 });
    const pages = 2;
    expect(tally(requests)).toEqual({
      // Once per run: currencies and units (the engine's reference data), price lists (read by the first
      // page with a new product) and the sweep for products Finance no longer sells (one more products
      // read).
      'GET transactioncurrencies': 1,
      'GET uoms': 1,
      'GET pricelevels': 1,
      // Per page: the page's products read by number, then one bulk request per step, no $batch.
      'GET products': pages + 1,
      'POST products/CreateMultiple': pages,
      'POST productpricelevels/CreateMultiple': pages,
      'POST products/UpdateMultiple': pages,
    });
    expect(requests).toHaveLength(4 * pages + 4);
    for (const number of [numbers[0]!, numbers[999]!, numbers[1000]!, numbers.at(-1)!]) {
      const product = sim.sales.store.findByAlternateKey('products', { productnumber: number });
      expect(product, number).toMatchObject({
        statecode: 0,
        statuscode: 1,
        _pricelevelid_value: expect.any(String),
      });
      const items = sim.sales.store.findBy('productpricelevels', '_productid_value', product!['productid']!);
      expect(items.map((item) => Number(item['amount']))).toEqual([Number(template['SalesPrice'])]);
    }
  });

  it('repricing 2,000 products takes 4 requests per page of 1,000 and 3 per run', async () => {
    const numbers = releaseProducts(2000);
    await runProducts();
    reprice(numbers, '77.5');

    const { counters, requests } = await runProducts();

    expect(counters).toMatchObject({ updated: 2000, failed: 0 });
    const pages = 2;
    expect(tally(requests)).toEqual({
      // Once per run: currencies, units and the vanished-products sweep; no price lists, no product is new.
      'GET transactioncurrencies': 1,
      'GET uoms': 1,
      // Per page: products read, their price list items read, their items repriced (before the products,
      // so a product is never at Finance's price while its item is not), the products updated.
      'GET products': pages + 1,
      // (The items of 1,000 products are more ids than a URL takes: one `$batch` of GETs reads them.)
      'POST $batch': pages,
      'POST productpricelevels/UpdateMultiple': pages,
      'POST products/UpsertMultiple': pages,
    });
    expect(requests).toHaveLength(4 * pages + 3);
    const last = sim.sales.store.findByAlternateKey('products', { productnumber: numbers.at(-1)! });
    expect(Number(last?.['price'])).toBe(77.5);
    const items = sim.sales.store.findBy('productpricelevels', '_productid_value', last!['productid']!);
    expect(items.map((item) => Number(item['amount']))).toEqual([77.5]);
  });
});
