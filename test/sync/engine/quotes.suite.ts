/**
 * The quotes flow end to end, after accounts, products and contacts: activated quotes become Finance
 * quotations, header and lines written together in one change set, so Finance never holds half a quote.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { Row } from '../../../src/simulators/core/model.js';
import { QUOTE_ACTIVE } from '../../../src/sync/flows/index.js';
import { outcomesSum, writeCount, type EngineHarness } from './harness.js';

let h: EngineHarness;

const linesOf = (quote: Row): Row[] =>
  h.sim.sales.store.findBy('quotedetails', '_quoteid_value', quote['quoteid'] ?? null);
const financeLines = (number: string) =>
  h.sim.finance.store.findBy('SalesQuotationLines', 'SalesQuotationNumber', number);

/** Active quotes whose lines all passed (their quotation exists in Finance after the first run). */
function syncedQuotes(): Row[] {
  return h.sim.sales.store.scan('quotes').filter(
    (quote) =>
      quote['statecode'] === QUOTE_ACTIVE &&
      linesOf(quote).length > 0 &&
      h.sim.finance.store.get('SalesQuotationHeadersV2', {
        dataAreaId: 'usmf',
        SalesQuotationNumber: quote['quotenumber'] ?? null,
      }) !== undefined,
  );
}

async function editLine(line: Row, body: Record<string, unknown>): Promise<void> {
  const [result] = await h.connectors.sales.upsert('quoteLine', [
    { key: { id: String(line['quotedetailid']) }, body },
  ]);
  expect(result?.outcome).toBe('updated');
}

/** The quotes flow's requirements, run against the shared harness (`harness` is ready in beforeAll). */
export function quotesSuite(harness: () => EngineHarness): void {
  describe('quotes flow', () => {
    beforeAll(async () => {
      h = harness();
      // Its dependencies first (idempotent: unchanged records are not written again).
      for (const flow of ['accounts', 'products', 'contacts'] as const) {
        const { result } = await h.run(flow);
        expect(result.status).toBe('completed');
      }
    });

    it('writes activated quotes with their lines and skips the others with the reason', async () => {
      const { result, counters, runId } = await h.run('quotes');
      expect(result).toMatchObject({ status: 'completed' });
      expect(counters.read).toBe(h.sim.sales.store.count('quotes'));
      expect(outcomesSum(counters)).toBe(counters.read);
      expect(counters.skipped).toBeGreaterThan(0);
      // Every skipped quote is counted under the reason of the rule that skipped it.
      const { skips } = (await h.runs.getRun(runId))!.flows[0]!;
      expect(skips.reduce((sum, skip) => sum + skip.count, 0)).toBe(counters.skipped);
      const notActivated = h.sim.sales.store
        .scan('quotes')
        .filter((q) => q['quotenumber'] && q['statecode'] !== QUOTE_ACTIVE).length;
      expect(skips).toContainEqual({ reason: 'quote not activated', count: notActivated });
      expect(counters.created + counters.updated).toBeGreaterThan(0);

      const quote = syncedQuotes()[0]!;
      const number = String(quote['quotenumber']);
      const header = await h.connectors.finance.get('quoteHeader', { SalesQuotationNumber: number });
      const account = await h.connectors.sales.get('account', { id: String(quote['_customerid_value']) });
      expect(header).toMatchObject({
        SalesQuotationName: String(quote['name']).slice(0, 60),
        RequestingCustomerAccountNumber: account?.accountnumber,
        InvoiceCustomerAccountNumber: account?.accountnumber,
      });
      expect(
        financeLines(number)
          .map((l) => l['LineCreationSequenceNumber'])
          .sort(),
      ).toEqual(
        linesOf(quote)
          .map((l) => l['sequencenumber'])
          .sort(),
      );
    });

    it('writes nothing on a second incremental run', async () => {
      h.sim.finance.log.clear();
      const { counters } = await h.run('quotes');
      expect(counters).toEqual({ read: 0, created: 0, updated: 0, unchanged: 0, skipped: 0, failed: 0 });
      expect(writeCount(h.sim.finance)).toBe(0);
    });

    it('updates a changed line in one change set, and a dry run writes nothing', async () => {
      const quote = syncedQuotes()[1]!;
      const line = linesOf(quote)[0]!;
      await editLine(line, { quantity: 7 });
      const changed = await h.run('quotes', { dryRun: true });
      expect(changed.counters).toMatchObject({ updated: 1 });
      h.sim.finance.log.clear();
      const { counters } = await h.run('quotes');
      // Editing a line also touches its quote in Sales (totals), so the quote is read and updated once.
      expect(counters).toMatchObject({ updated: 1, failed: 0 });
      // One `$batch` reads the quotation with its lines, one writes the change set.
      expect(h.sim.finance.log.httpRequests({ method: 'POST' })).toBe(2);
      const written = financeLines(String(quote['quotenumber'])).find(
        (l) => l['LineCreationSequenceNumber'] === line['sequencenumber'],
      );
      expect(Number(written?.['RequestedSalesQuantity'])).toBe(7);
    });

    it('fails the whole quote when Finance refuses one line, leaving its quotation as it was', async () => {
      const quote = syncedQuotes()[2]!;
      const number = String(quote['quotenumber']);
      const before = financeLines(number).map((l) => ({ ...l }));
      // A product Sales says is maintained in Finance, but Finance does not know: Finance refuses the line.
      // It is Active, since Sales refuses a Draft product on a quote line.
      const ghostId = randomUUID();
      const [ghost] = await h.connectors.sales.upsert('product', [
        {
          key: { id: ghostId },
          body: {
            productnumber: 'GHOST-1',
            name: 'Ghost',
            msdynce_ismaintainedexternally: true,
            statecode: 0,
          },
        },
      ]);
      expect(ghost?.outcome).toBe('created');
      await editLine(linesOf(quote)[0]!, { 'productid@odata.bind': `/products(${ghostId})` });
      const { runId, counters } = await h.run('quotes');
      expect(counters).toMatchObject({ failed: 1 });
      const failures = await h.runs.failures(runId, { first: 10 });
      expect(failures.items).toEqual([
        expect.objectContaining({
          recordKey: number,
          code: 'WRITE_FAILED',
          message: expect.stringMatching(/GHOST-1/),
        }),
      ]);
      expect(financeLines(number)).toEqual(before);
    });
    it('deletes in Finance the line removed in Sales, in the same change set as the quote', async () => {
      const quote = syncedQuotes().find((q) => linesOf(q).length > 1)!;
      const number = String(quote['quotenumber']);
      const [gone] = linesOf(quote);
      h.sim.sales.store.remove('quotedetails', { quotedetailid: gone!['quotedetailid'] ?? null });
      // Removing a line is seen through its quote, which Sales touches when its lines change (an active
      // quote is read-only through the API, so the simulator's store stands in for Sales here).
      h.sim.sales.store.update(
        'quotes',
        { quoteid: quote['quoteid'] ?? null },
        { name: quote['name'] ?? null },
      );
      h.sim.finance.log.clear();
      const { counters } = await h.run('quotes');
      expect(counters).toMatchObject({ updated: 1, failed: 0 });
      // One `$batch` reads the quotation with its lines, one writes the change set.
      expect(h.sim.finance.log.httpRequests({ method: 'POST' })).toBe(2);
      expect(
        financeLines(number)
          .map((l) => l['LineCreationSequenceNumber'])
          .sort(),
      ).toEqual(
        linesOf(quote)
          .map((l) => l['sequencenumber'])
          .sort(),
      );
    });
  });
}
