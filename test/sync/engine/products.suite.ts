/**
 * The products flow end to end: Finance sellable products become Sales products; Finance has no change
 * feed, so later runs tell unchanged products by the content hash stored with each link.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readSource, type SourcePage } from '../../../src/sync/engine/read.js';
import { outcomesSum, writeCount, type EngineHarness } from './harness.js';

let h: EngineHarness;

/** Finance product numbers of the company, in store order. */
function productNumbers(): string[] {
  return h.sim.finance.store
    .scan('SellableReleasedProducts')
    .filter((row) => row['dataAreaId'] === 'usmf')
    .map((row) => String(row['ProductNumber']));
}

function editProduct(number: string, changes: Record<string, string>): void {
  h.sim.finance.store.update(
    'SellableReleasedProducts',
    { dataAreaId: 'usmf', ProductNumber: number },
    changes,
  );
}

/** The products flow's requirements, run against the shared harness (`harness` is ready in beforeAll). */
export function productsSuite(harness: () => EngineHarness): void {
  describe('products flow', () => {
    beforeAll(async () => {
      h = harness();
    });

    it('creates or updates a Sales product for every sellable Finance product', async () => {
      const { result, counters } = await h.run('products');
      expect(result).toMatchObject({ status: 'completed' });
      expect(counters.read).toBe(productNumbers().length);
      expect(outcomesSum(counters)).toBe(counters.read);
      expect(counters.failed).toBe(0);
      expect(counters.created + counters.updated).toBeGreaterThan(0);

      const number = productNumbers()[0]!;
      const source = await h.connectors.finance.get('product', { ProductNumber: number });
      const target = await h.connectors.sales.get('product', number);
      expect(target).toMatchObject({
        productnumber: number,
        name: source?.ProductName,
        msdynce_ismaintainedexternally: true,
      });
      expect(Number(target?.price)).toBe(Number(source?.SalesPrice));
      const links = await h.links.findMany('product', [number]);
      expect(links.get(number.toLowerCase())).toMatchObject({
        salesId: target?.productid,
        financeKey: number,
      });
    });

    it('writes nothing and reads no Sales product on a second incremental run', async () => {
      h.sim.sales.log.clear();
      const { counters, result } = await h.run('products');
      expect(counters).toMatchObject({ created: 0, updated: 0, failed: 0, unchanged: counters.read });
      expect(writeCount(h.sim.sales)).toBe(0);
      // Finance gives no cheaper signal, and the run says what the comparison cost.
      expect(result.status === 'completed' && result.notes).toContain(
        'Finance has no change feed for SellableReleasedProducts and the entity no modified date, ' +
          `so all ${counters.read} records were read again and compared by their content hash; ${counters.read} were unchanged.`,
      );
      // The one Sales read is the check for products gone from Finance, not a comparison per product.
      expect(h.sim.sales.log.httpRequests({ method: 'GET', entitySet: 'products' })).toBe(1);
    });

    it('updates exactly the one product edited in Finance', async () => {
      const number = productNumbers()[1]!;
      editProduct(number, { SalesPrice: '123.45' });
      const { counters } = await h.run('products');
      expect(counters).toMatchObject({ updated: 1, created: 0, failed: 0, unchanged: counters.read - 1 });
      expect(Number((await h.connectors.sales.get('product', number))?.price)).toBe(123.45);
    });

    it('reports every outcome in a dry run and writes nothing', async () => {
      const number = productNumbers()[2]!;
      editProduct(number, { SalesPrice: '99.5' });
      h.sim.sales.log.clear();
      const { counters } = await h.run('products', { dryRun: true });
      expect(counters).toMatchObject({ updated: 1, failed: 0, unchanged: counters.read - 1 });
      expect(writeCount(h.sim.sales)).toBe(0);
      expect(Number((await h.connectors.sales.get('product', number))?.price)).not.toBe(99.5);
    });

    it('fails only the product that does not map, naming the missing unit', async () => {
      const [, , pending, broken] = productNumbers() as [string, string, string, string];
      // An organisation's unit map that lacks this product's unit symbol.
      const symbol = String(
        h.sim.finance.store.get('SellableReleasedProducts', { dataAreaId: 'usmf', ProductNumber: broken })?.[
          'SalesUnitSymbol'
        ],
      );
      editProduct(broken, { SalesUnitSymbol: 'box' });
      const { runId, counters } = await h.run('products');
      expect(counters).toMatchObject({ updated: 1, failed: 1, unchanged: counters.read - 2 });
      expect(Number((await h.connectors.sales.get('product', pending))?.price)).toBe(99.5);
      const failures = await h.runs.failures(runId, { first: 10 });
      expect(failures.items).toEqual([
        expect.objectContaining({
          recordKey: broken,
          code: 'MAPPING_FAILED',
          message: expect.stringMatching(/box/),
        }),
      ]);
      editProduct(broken, { SalesUnitSymbol: symbol });
    });

    it('reads Finance a page per request, never a whole server page, each page saying where to go on', async () => {
      const pageSize = 4;
      const total = productNumbers().length;
      expect(total).toBeGreaterThan(2 * pageSize);
      h.sim.finance.log.clear();
      const pages: SourcePage[] = [];
      for await (const page of readSource({
        connectors: h.connectors,
        source: { system: 'finance', kind: 'product', key: 'ProductNumber' },
        mode: 'FULL',
        pageSize,
        deltaLink: null,
        resumeAt: null,
        note: () => {},
      })) {
        pages.push(page);
      }
      // Every product once (a page's extra row is read again as the next page's first, never yielded twice).
      const read = pages.flatMap((page) =>
        page.rows.map((row) => (row as { ProductNumber: string }).ProductNumber),
      );
      expect(read.sort()).toEqual(productNumbers().sort());
      expect(pages.map((page) => page.resumeAt)).toEqual(
        pages.map((_, index) =>
          (index + 1) * pageSize < total ? { skip: (index + 1) * pageSize } : undefined,
        ),
      );
      // One request per page, each for a page and one row more (to know whether another page follows):
      // what the engine holds is one page, not F&O's 10,000-row page, however many products Finance has.
      const reads = h.sim.finance.log.entries
        .filter((entry) => entry.method === 'GET' && entry.entitySet === 'SellableReleasedProducts')
        .map((entry) => decodeURIComponent(entry.url));
      expect(reads).toHaveLength(Math.ceil(total / pageSize));
      for (const url of reads) expect(url).toMatch(new RegExp(`[?&]\\$top=${pageSize + 1}(&|$)`));
    });

    it('reports a product that is no longer sellable in Finance', async () => {
      const number = productNumbers().at(-1)!;
      h.sim.finance.store.remove('SellableReleasedProducts', { dataAreaId: 'usmf', ProductNumber: number });
      const { result } = await h.run('products');
      expect(result.status === 'completed' && result.notes.join(' ')).toMatch(
        new RegExp(`no longer sellable there \\(.*${number}`),
      );
    });
  });
}
