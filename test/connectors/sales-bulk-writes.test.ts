/**
 * The Sales connector writes with Dataverse's bulk messages (CreateMultiple, UpsertMultiple,
 * UpdateMultiple) where the table supports them, and falls back to `$batch` with continue-on-error where
 * it does not or a chunk fails as a whole — against the Sales simulator over real HTTP.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSalesConnector, type SalesConnector } from '../../src/connectors/sales/connector.js';
import { salesTarget } from '../../src/sync/engine/write.js';
import { guid, salesAccounts } from '../support/fixtures.js';
import { startTestSystems, type TestSystems } from '../support/systems.js';

let systems: TestSystems;
let sales: SalesConnector;

beforeAll(async () => {
  systems = await startTestSystems({
    salesData: {
      accounts: salesAccounts(8),
      transactioncurrencies: [
        { transactioncurrencyid: guid(701), isocurrencycode: 'USD', currencyname: 'US Dollar' },
      ],
    },
  });
});
afterAll(() => systems.close());
beforeEach(() => {
  // A connector of its own per test: which tables refuse bulk messages is remembered per connector.
  sales = createSalesConnector({ client: systems.connectors.sales.client });
  systems.sales.faults.reset();
  systems.sales.log.clear();
});

const byNumber = (accountnumber: string) =>
  systems.sales.store.findByAlternateKey('accounts', { accountnumber });
/** HTTP requests that called `message` on an entity set. */
const messages = (message: string) =>
  systems.sales.log.entries.filter((e) => !e.inBatch && e.url.includes(`Microsoft.Dynamics.CRM.${message}`))
    .length;
const batches = () => systems.sales.log.httpRequests({ method: 'POST', entitySet: '$batch' });

describe('bulk upserts', () => {
  it('creates new records by CreateMultiple and updates existing ones by UpsertMultiple, 1,000 a request', async () => {
    const created = Array.from({ length: 1005 }, (_, i) => ({
      key: `BULK-${String(i + 1).padStart(5, '0')}`,
      body: { name: `Bulk ${i + 1}`, creditlimit: '10.25' },
      existing: null,
    }));
    const updated = [1, 2, 3].map((n) => ({
      key: `ACC-${String(n).padStart(5, '0')}`,
      body: { name: `Updated ${n}` },
      existing: { id: guid(n) },
    }));

    const results = await sales.upsert('account', [...updated, ...created]);

    expect(messages('CreateMultiple')).toBe(2); // 1,000 + 5
    expect(messages('UpsertMultiple')).toBe(1);
    expect(batches()).toBe(0);
    expect(results.slice(0, 3)).toEqual([1, 2, 3].map((n) => ({ outcome: 'updated', id: guid(n) })));
    expect(byNumber('ACC-00002')).toMatchObject({ name: 'Updated 2', telephone1: expect.any(String) });
    const last = byNumber('BULK-01005');
    expect(last).toMatchObject({ name: 'Bulk 1005', creditlimit: '10.25' });
    expect(results[3 + 1004]).toEqual({ outcome: 'created', id: last?.['accountid'] });
    expect(results.every((result) => result.outcome !== 'failed')).toBe(true);
  });

  it('writes a chunk with one bad record again one record at a time: only that one fails, with its own message', async () => {
    const results = await sales.upsert('account', [
      { key: 'ACC-00004', body: { name: 'Fine update' }, existing: { id: guid(4) } },
      { key: 'ACC-00005', body: { fax: 'F'.repeat(51) }, existing: { id: guid(5) } },
      { key: 'ACC-00006', body: { name: 'Another fine update' }, existing: { id: guid(6) } },
    ]);

    expect(messages('UpsertMultiple')).toBe(1);
    expect(batches()).toBe(1);
    expect(results.map((result) => result.outcome)).toEqual(['updated', 'failed', 'updated']);
    expect(results[1]?.error?.message).toMatch(/maximum allowed length of '50'/);
    expect(byNumber('ACC-00004')).toMatchObject({ name: 'Fine update' });
    expect(byNumber('ACC-00006')).toMatchObject({ name: 'Another fine update' });
    expect(byNumber('ACC-00005')?.['fax']).not.toBe('F'.repeat(51));
  });

  it('falls back per record when a record believed new was created meanwhile, updating it', async () => {
    const results = await sales.upsert('account', [
      { key: 'ACC-00007', body: { name: 'Was there after all' }, existing: null },
      { key: 'RACE-NEW-1', body: { name: 'Really new' }, existing: null },
    ]);

    expect(messages('CreateMultiple')).toBe(1);
    expect(batches()).toBe(1);
    expect(results).toEqual([
      { outcome: 'updated', id: guid(7) },
      { outcome: 'created', id: byNumber('RACE-NEW-1')?.['accountid'] },
    ]);
    expect(byNumber('ACC-00007')).toMatchObject({ name: 'Was there after all' });
  });

  it('upserts records whose existence the caller does not know in $batch, as before', async () => {
    const results = await sales.upsert('account', [{ key: 'UNKNOWN-1', body: { name: 'Unknown' } }]);
    expect(messages('CreateMultiple') + messages('UpsertMultiple')).toBe(0);
    expect(batches()).toBe(1);
    expect(results).toEqual([{ outcome: 'created', id: byNumber('UNKNOWN-1')?.['accountid'] }]);
  });

  it('falls back to $batch on a table that refuses bulk messages, and goes straight there afterwards', async () => {
    const usd = { key: 'USD', existing: { id: guid(701) } };

    const first = await sales.upsert('currency', [{ ...usd, body: { currencyname: 'US Dollar (1)' } }]);
    expect(first).toEqual([{ outcome: 'updated', id: guid(701) }]);
    expect(messages('UpsertMultiple')).toBe(1); // refused
    expect(batches()).toBe(1);

    systems.sales.log.clear();
    const second = await sales.upsert('currency', [{ ...usd, body: { currencyname: 'US Dollar (2)' } }]);
    expect(second).toEqual([{ outcome: 'updated', id: guid(701) }]);
    expect(messages('UpsertMultiple')).toBe(0);
    expect(batches()).toBe(1);
    expect(
      systems.sales.store.findByAlternateKey('transactioncurrencies', { isocurrencycode: 'USD' }),
    ).toMatchObject({ currencyname: 'US Dollar (2)' });
    // Other tables still go by bulk messages.
    await sales.upsert('account', [
      { key: 'ACC-00008', body: { name: 'Still bulk' }, existing: { id: guid(8) } },
    ]);
    expect(messages('UpsertMultiple')).toBe(1);
  });

  it('leaves a chunk Sales keeps answering 503 to the retry policy, never writing it again per record', async () => {
    systems.sales.faults.failNext(10, { status: 503, match: { method: 'POST', entitySet: 'accounts' } });
    await expect(
      sales.upsert('account', [{ key: 'ACC-00003', body: { name: 'Not now' }, existing: { id: guid(3) } }]),
    ).rejects.toMatchObject({ status: 503 });
    expect(batches()).toBe(0);
    systems.sales.faults.reset();
  });
});

describe('bulk writes of operations', () => {
  it('sends update-only writes by UpdateMultiple; a missing record fails alone with not found', async () => {
    const results = await sales.writeMultiple([
      { method: 'PATCH', kind: 'account', key: 'ACC-00001', body: { name: 'Only update' }, only: 'update' },
      { method: 'PATCH', kind: 'account', key: 'NOT-THERE', body: { name: 'Nobody' }, only: 'update' },
    ]);

    expect(messages('UpdateMultiple')).toBe(1);
    expect(batches()).toBe(1);
    expect(results[0]).toMatchObject({ outcome: 'updated' });
    expect(results[1]).toMatchObject({ outcome: 'failed', error: { status: 404 } });
    expect(byNumber('ACC-00001')).toMatchObject({ name: 'Only update' });
    expect(byNumber('NOT-THERE')).toBeUndefined();
  });

  it('sends creates by CreateMultiple and answers each with its new id, in the order given', async () => {
    const results = await sales.writeMultiple([
      { method: 'PATCH', kind: 'account', key: 'OPS-1', body: { name: 'Ops 1' }, only: 'create' },
      { method: 'POST', kind: 'account', body: { name: 'Ops 2', accountnumber: 'OPS-2' } },
    ]);
    expect(messages('CreateMultiple')).toBe(1);
    expect(results).toEqual([
      { outcome: 'created', id: byNumber('OPS-1')?.['accountid'] },
      { outcome: 'created', id: byNumber('OPS-2')?.['accountid'] },
    ]);
  });
});

describe('the sync engine’s Sales target', () => {
  it('writes a page with one CreateMultiple and one UpsertMultiple, answering the Sales ids the links keep', async () => {
    const target = salesTarget(systems.connectors, 'account', 'accountnumber');
    const current = await target.readCurrent(['ACC-00002', 'PAGE-NEW-1']);
    const record = (key: string, name: string) => ({
      key,
      values: { name },
      source: {},
      ...(current.get(key.toLowerCase()) ? { existing: current.get(key.toLowerCase())! } : {}),
    });
    systems.sales.log.clear();

    const results = await target.write(
      [record('ACC-00002', 'Page update'), record('PAGE-NEW-1', 'Page create')],
      undefined as never, // the Sales target compares nothing
    );

    expect(messages('CreateMultiple')).toBe(1);
    expect(messages('UpsertMultiple')).toBe(1);
    expect(batches()).toBe(0);
    expect(results).toEqual([
      { outcome: 'updated', id: guid(2) },
      { outcome: 'created', id: byNumber('PAGE-NEW-1')?.['accountid'] },
    ]);
    expect(byNumber('ACC-00002')).toMatchObject({ name: 'Page update' });
  });
});
