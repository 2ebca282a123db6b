/**
 * Listings page with opaque cursors that stay stable while data changes, and filters reach the
 * back-ends as escaped literals.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resetSystems, startTestHub, type TestHub } from '../support/hub.js';

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub({ accounts: 60 });
});
afterAll(() => hub.close());
beforeEach(() => resetSystems(hub));

const page = `query($first: Int, $after: String, $filter: AccountFilter) {
  accounts(first: $first, after: $after, filter: $filter) {
    edges { cursor node { accountNumber name } }
    pageInfo { hasNextPage endCursor }
  }
}`;

async function walk(
  first: number,
  filter?: Record<string, unknown>,
  between?: (pageNumber: number) => Promise<void>,
) {
  const numbers: string[] = [];
  let after: string | null = null;
  for (let pageNumber = 0; pageNumber < 100; pageNumber++) {
    const { data, errors }: { data?: any; errors?: unknown } = await hub.graphql(page, {
      first,
      after,
      ...(filter ? { filter } : {}),
    });
    expect(errors).toBeUndefined();
    numbers.push(
      ...data.accounts.edges.map((e: { node: { accountNumber: string } }) => e.node.accountNumber),
    );
    if (!data.accounts.pageInfo.hasNextPage) return numbers;
    after = data.accounts.pageInfo.endCursor;
    await between?.(pageNumber);
  }
  throw new Error('did not reach the last page');
}

describe('account listing', () => {
  it('walks every numbered account exactly once, page by page, one Sales request per page', async () => {
    const expected = hub.simulators.data.sales.accounts.map((a) => a['accountnumber']).filter(Boolean);
    const numbers = await walk(7);
    expect(numbers.sort()).toEqual([...expected].sort());
    expect(hub.simulators.sales.log.httpRequests({ method: 'GET', entitySet: 'accounts' })).toBe(
      Math.ceil(expected.length / 7),
    );
  });

  it('keeps cursors stable when accounts are added between pages', async () => {
    const before = await walk(10);
    const after = await walk(10, undefined, async (pageNumber) => {
      await hub.simulators.sales.store.transaction(() =>
        hub.simulators.sales.store.insert('accounts', {
          accountid: `00000000-0000-0000-0000-${String(900 + pageNumber).padStart(12, '0')}`,
          name: `AAA inserted ${pageNumber}`,
          accountnumber: `ACC-NEW-${pageNumber}`,
        }),
      );
    });
    // Rows inserted before the cursor ("AAA…" sorts first) are not seen; nothing already listed repeats or goes missing.
    expect(after).toEqual(before);
  });

  it('filters by name prefix and by account number, with quotes in the value', async () => {
    const { data } = await hub.graphql(page, { first: 50, filter: { nameStartsWith: "O'Brien" } });
    const names = data.accounts.edges.map((e: { node: { name: string } }) => e.node.name);
    expect(names.every((n: string) => n.toLowerCase().startsWith("o'brien"))).toBe(true);
    const sent = decodeURIComponent(hub.simulators.sales.log.entries.at(-1)!.url);
    expect(sent).toContain("startswith(name,'O''Brien')");
    const one = hub.simulators.data.sales.accounts.find((a) => a['accountnumber'])!;
    const exact = await hub.graphql(page, { filter: { accountNumber: one['accountnumber'] } });
    expect(
      exact.data.accounts.edges.map((e: { node: { accountNumber: string } }) => e.node.accountNumber),
    ).toEqual([one['accountnumber']]);
  });

  it('lists products from Finance with the same cursor mechanics', async () => {
    const query = `query($after: String) { products(first: 15, after: $after) { nodes { productNumber } pageInfo { hasNextPage endCursor } } }`;
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const { data }: { data?: any } = await hub.graphql(query, { after });
      seen.push(...data.products.nodes.map((p: { productNumber: string }) => p.productNumber));
      if (!data.products.pageInfo.hasNextPage) break;
      after = data.products.pageInfo.endCursor;
    }
    const expected = hub.simulators.data.finance.SellableReleasedProducts.filter(
      (p) => p['dataAreaId'] === 'usmf',
    ).map((p) => p['ProductNumber']);
    expect(seen.sort()).toEqual([...expected].sort());
  });
});
