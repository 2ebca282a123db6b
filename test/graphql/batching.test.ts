/**
 * Every back-end hop is batched: a page of 500 accounts with their Finance view, contacts, quotes, lines
 * and products costs exactly as many back-end requests to each system as a page of 5 or 50, and requests
 * at the same depth of the query go out together rather than one after another. Pages of orders (with
 * lines, products, charges and invoices) and of invoices cost the same whatever their size too.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defaultLimits } from '../../src/server/limit-settings.js';
import { backEndRequestCounts, resetSystems, startTestHub, type TestHub } from '../support/hub.js';

let hub: TestHub;
beforeAll(async () => {
  // A 500-account page with everything under it costs far more than the default cost limit allows (see
  // limit-settings.ts): this hub is configured for it, as an operator would for such a client. The
  // connectors wait as long as the hub's default (30 s) rather than the test hubs' 1 s: on a loaded machine
  // a $batch of 500 customers' reads can take longer than 1 s, and resending it would be counted twice.
  hub = await startTestHub({
    accounts: 560,
    limits: { ...defaultLimits, maxCost: 2_000_000 },
    timeoutMs: 30_000,
  });
});
afterAll(() => hub.close());
beforeEach(() => resetSystems(hub));

const deep = `query($first: Int) {
  accounts(first: $first) {
    nodes {
      accountNumber name currency
      finance { CustomerAccount CreditLimit }
      contacts { contactNumber fullName finance { __typename } }
      quotes { quoteNumber lines { quantity product { productNumber name finance { ProductName } } } }
    }
  }
}`;

/** HTTP requests per system and per `system METHOD entity set` since the last reset (batch parts not counted). */
function requestCounts(): { sales: number; finance: number; requests: Record<string, number> } {
  const requests = backEndRequestCounts(hub);
  const totals = { sales: 0, finance: 0 };
  for (const [label, count] of Object.entries(requests))
    totals[label.split(' ')[0] as 'sales' | 'finance'] += count;
  return { ...totals, requests };
}

const orders = `query($first: Int) {
  orders(first: $first) {
    nodes {
      orderNumber status financeStatus
      finance { SalesOrderNumber }
      account { name finance { CustomerAccount } }
      quote { quoteNumber }
      lines { quantity discount roundingCharge status product { productNumber name finance { ProductName } } }
      invoices { invoiceNumber totalAmount sales { invoiceid } lines { quantity product { productNumber } } }
    }
  }
}`;

const invoices = `query($first: Int) {
  invoices(first: $first) {
    nodes {
      invoiceNumber isFreeText totalAmount
      sales { invoiceid }
      account { name }
      order { status financeStatus }
      lines { quantity sales { invoicedetailid } product { productNumber name } }
    }
  }
}`;

/** The request counts of `query` at each page size (after a first read of the Sales reference data). */
async function countsAt(query: string, field: string, sizes: readonly number[]) {
  expect((await hub.graphql(query, { first: 1 })).errors).toBeUndefined();
  const counts = [];
  for (const first of sizes) {
    resetSystems(hub);
    const page = await hub.graphql(query, { first });
    expect(page.errors).toBeUndefined();
    expect(page.data[field].nodes).toHaveLength(first);
    counts.push(requestCounts());
  }
  return counts;
}

describe('batching', () => {
  it('makes the same number of back-end requests to each system for 5, 50 and 500 accounts', async () => {
    // The Sales currencies and units are read once for all operations, not per operation
    // (reference-data.test.ts): read first, so that each page shows only what it costs itself.
    expect((await hub.graphql(deep, { first: 1 })).errors).toBeUndefined();
    const counts = [];
    for (const first of [5, 50, 500]) {
      resetSystems(hub);
      const page = await hub.graphql(deep, { first });
      expect(page.errors).toBeUndefined();
      expect(page.data.accounts.nodes).toHaveLength(first);
      counts.push(requestCounts());
    }
    // Sales: accounts; contacts and quotes; quote lines with their products (one $expand). Finance: the
    // customers; the contacts' contact persons and customers, and the quotation lines; the products.
    expect(counts.map(({ sales, finance }) => ({ sales, finance }))).toEqual([
      { sales: 4, finance: 5 },
      { sales: 4, finance: 5 },
      { sales: 4, finance: 5 },
    ]);
    expect(counts[0]!.requests).toEqual({
      'sales GET accounts': 1,
      'sales GET contacts': 1,
      'sales GET quotes': 1,
      'sales GET quotedetails': 1,
      'finance GET CustomersV3': 2,
      'finance GET ContactPersons': 1,
      'finance GET SalesQuotationLines': 1,
      'finance GET SellableReleasedProducts': 1,
    });
    // 500 accounts' keys do not fit one URL: the reads that need several go as the parts of one $batch.
    expect(counts[2]!.requests['finance POST $batch']).toBeGreaterThan(0);
  });

  it('sends the requests of one depth together, not one after another', async () => {
    const latencyMs = 300;
    hub.simulators.sales.faults.set({ latencyMs });
    hub.simulators.finance.faults.set({ latencyMs });
    const { errors } = await hub.graphql(deep, { first: 10 });
    expect(errors).toBeUndefined();
    const arrivals = (sim: { log: typeof hub.simulators.sales.log }, set: string) =>
      sim.log.entries.find((e) => e.entitySet === set)!.at;
    // Depth 2 of the query: the Finance customers, the contacts and the quotes of the listed accounts.
    const depth2 = [
      arrivals(hub.simulators.finance, 'CustomersV3'),
      arrivals(hub.simulators.sales, 'contacts'),
      arrivals(hub.simulators.sales, 'quotes'),
    ];
    // Sequential requests would arrive at least one latency apart; together they arrive within a fraction of it.
    expect(Math.max(...depth2) - Math.min(...depth2)).toBeLessThan(latencyMs / 2);
    // The whole query is four round trips deep: the accounts; their customers, contacts and quotes; the
    // contacts' Finance views and both systems' quote lines, each Sales line with its product ($expand);
    // the Finance products.
    const times = [hub.simulators.sales, hub.simulators.finance]
      .flatMap((sim) => sim.log.entries.filter((e) => !e.inBatch).map((e) => e.at))
      .sort((a, b) => a - b);
    const waves = times.filter((at, i) => i === 0 || at - times[i - 1]! > latencyMs / 2).length;
    expect(waves).toBe(4);
  });

  it('makes the same number of back-end requests to each system for 20 and 200 orders', async () => {
    const counts = await countsAt(orders, 'orders', [20, 200]);
    // Sales: the orders; their accounts, quotes, lines (each with its product, $expand) and invoices; the
    // invoices of Finance's that the order's Sales invoices did not include (by number); the invoice
    // lines. Finance: the orders, and the order lines with their charges (one $batch); the customers and
    // the invoices; the products and the invoice lines.
    expect(counts.map(({ sales, finance }) => ({ sales, finance }))).toEqual([
      { sales: 7, finance: 6 },
      { sales: 7, finance: 6 },
    ]);
    expect(counts[0]!.requests).toEqual({
      'sales GET salesorders': 1,
      'sales GET accounts': 1,
      'sales GET quotes': 1,
      'sales GET salesorderdetails': 1,
      'sales GET invoices': 2,
      'sales GET invoicedetails': 1,
      'finance GET SalesOrderHeadersV2': 1,
      'finance POST $batch': 1,
      'finance GET CustomersV3': 1,
      'finance GET SalesInvoiceHeadersV2': 1,
      'finance GET SalesInvoiceLinesV2': 1,
      'finance GET SellableReleasedProducts': 1,
    });
  });

  it('makes the same number of back-end requests to each system for 5 and 50 invoices', async () => {
    const counts = await countsAt(invoices, 'invoices', [5, 50]);
    // Finance: the invoices; the invoice lines, the orders; the products. Sales: the invoices and the
    // invoice lines (by invoice number, with their products), the accounts and the orders.
    expect(counts.map(({ sales, finance }) => ({ sales, finance }))).toEqual([
      { sales: 4, finance: 4 },
      { sales: 4, finance: 4 },
    ]);
    expect(counts[0]!.requests).toEqual({
      'finance GET SalesInvoiceHeadersV2': 1,
      'finance GET SalesInvoiceLinesV2': 1,
      'finance GET SalesOrderHeadersV2': 1,
      'finance GET SellableReleasedProducts': 1,
      'sales GET invoices': 1,
      'sales GET invoicedetails': 1,
      'sales GET accounts': 1,
      'sales GET salesorders': 1,
    });
  });
});
