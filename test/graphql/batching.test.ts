/**
 * Every back-end hop is batched: a page of 50 accounts with their Finance view, contacts, quotes, lines
 * and products costs exactly as many back-end requests as a page of 5, and requests at the same depth of
 * the query go out together rather than one after another.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resetSystems, startTestHub, type TestHub } from '../support/hub.js';

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub({ accounts: 120 });
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

function requestCounts(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [system, sim] of Object.entries({
    sales: hub.simulators.sales,
    finance: hub.simulators.finance,
  })) {
    for (const entry of sim.log.entries) {
      const label = `${system} ${entry.method} ${entry.entitySet ?? '-'}`;
      counts[label] = (counts[label] ?? 0) + 1;
    }
  }
  return counts;
}

describe('batching', () => {
  it('makes the same back-end requests for 50 accounts as for 5', async () => {
    // The Sales currencies and units are read once for all operations, not per operation
    // (reference-data.test.ts): read first, so that each page shows only what it costs itself.
    expect((await hub.graphql(deep, { first: 1 })).errors).toBeUndefined();
    resetSystems(hub);
    const five = await hub.graphql(deep, { first: 5 });
    expect(five.errors).toBeUndefined();
    const forFive = requestCounts();
    resetSystems(hub);
    const fifty = await hub.graphql(deep, { first: 50 });
    expect(fifty.errors).toBeUndefined();
    expect(fifty.data.accounts.nodes).toHaveLength(50);
    expect(requestCounts()).toEqual(forFive);
    // Every entity set the query touches was read, at most once per depth of the query.
    expect(Object.keys(forFive)).toEqual(
      expect.arrayContaining([
        'sales GET accounts',
        'finance GET CustomersV3',
        'sales GET contacts',
        'sales GET quotes',
        'sales GET quotedetails',
        'sales GET products',
        'finance GET SellableReleasedProducts',
      ]),
    );
    expect(Math.max(...Object.values(forFive))).toBeLessThanOrEqual(2);
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
  });
});
