/**
 * What the products flow costs Sales: HTTP requests per 1,000 products written, pinned, so a change that
 * sends records one by one again (or reads per record) shows up here. Products are the flow with the most
 * writes around each record (product, price list item, default price list), written with bulk messages.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createConnectors, type Connectors } from '../../../src/connectors/index.js';
import { openDatabase, type Database } from '../../../src/db/connection.js';
import { createLinkStore } from '../../../src/db/links.js';
import { createRunStore } from '../../../src/db/runs.js';
import {
  connectorEndpointFor,
  startSimulators,
  type RunningSimulators,
} from '../../../src/simulators/index.js';
import { createFlowRunner } from '../../../src/sync/engine/index.js';
import { flowPlans } from '../../../src/sync/flows/index.js';
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

/**
 * Runs the products flow in a full read with `pageSize` (default: the engine's 500), on a database of its
 * own so no read position of an earlier run carries over; its counters and the Sales HTTP requests sent.
 */
async function runProducts(pageSize?: number) {
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
    ...(pageSize !== undefined && { pageSize }),
  });
  sim.sales.log.clear();
  await runner({
    runId,
    flow: 'products',
    mode: 'FULL',
    dryRun: false,
    signal: new AbortController().signal,
    onProgress: () => {},
  });
  const counters = (await runs.getRun(runId))!.flows[0]!.counters;
  const requests = sim.sales.log.entries.filter((e) => !e.inBatch && !e.url.includes('oauth2'));
  return { counters, requests: requests.length };
}

describe('Sales requests per 1,000 products written', () => {
  it('creating 1,000 products on their price lists in a page of 1,000 takes 8 requests, 4 of them per page', async () => {
    const numbers = releaseProducts(1000);

    const { counters, requests } = await runProducts(1000);

    expect(counters).toMatchObject({ created: 1000, updated: 0, failed: 0 });
    // Once per run: currencies and units (the engine's reference data), price lists, and the sweep for
    // products Finance no longer sells (one page per 5,000 Sales products). Per page: the products read
    // by number, CreateMultiple products, CreateMultiple price list items, UpdateMultiple default price
    // lists and states.
    expect(requests).toBe(4 + 4);
    const last = sim.sales.store.findByAlternateKey('products', { productnumber: numbers.at(-1)! });
    expect(last).toMatchObject({ statecode: 0, _pricelevelid_value: expect.any(String) });
    expect(
      sim.sales.store.findBy('productpricelevels', '_productid_value', last!['productid']!),
    ).toHaveLength(1);
  });

  it('repricing 1,000 products in a page of 1,000 takes 7 requests, 4 of them per page', async () => {
    const numbers = releaseProducts(1000);
    await runProducts(1000);
    reprice(numbers, '77.5');

    const { counters, requests } = await runProducts(1000);

    expect(counters).toMatchObject({ updated: 1000, failed: 0 });
    // Once per run: currencies, units and the vanished-products sweep. Per page: products read, their
    // price list items read, UpdateMultiple items, UpsertMultiple products.
    expect(requests).toBe(3 + 4);
    const last = sim.sales.store.findByAlternateKey('products', { productnumber: numbers.at(-1)! });
    expect(Number(last?.['price'])).toBe(77.5);
    const items = sim.sales.store.findBy('productpricelevels', '_productid_value', last!['productid']!);
    expect(items.map((item) => Number(item['amount']))).toEqual([77.5]);
  });

  it('at the engine’s default page of 500, a page of new products takes the same 4 requests', async () => {
    releaseProducts(500);
    const { counters, requests } = await runProducts();
    expect(counters).toMatchObject({ created: 500, failed: 0 });
    expect(requests).toBe(4 + 4);
  });
});
