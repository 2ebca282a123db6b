/**
 * The accounts flow end to end: Sales accounts become Finance customers through the real connectors and
 * simulators, pages commit with the change-feed cursor, and later runs write only what changed.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { SalesAccount } from '../../../src/connectors/sales/types.js';
import type { FinanceCustomer } from '../../../src/connectors/finance/types.js';
import { outcomesSum, writeCount, type EngineHarness } from './harness.js';

let h: EngineHarness;

async function salesAccount(number: string): Promise<SalesAccount> {
  const account = await h.connectors.sales.get('account', number);
  if (!account) throw new Error(`no account ${number}`);
  return account;
}

async function financeCustomer(number: string): Promise<FinanceCustomer | null> {
  return h.connectors.finance.get('customer', { CustomerAccount: number });
}

/** Numbered accounts in Sales, in store order. */
function accountNumbers(): string[] {
  return h.sim.sales.store
    .scan('accounts')
    .flatMap((row) => (typeof row['accountnumber'] === 'string' ? [row['accountnumber']] : []));
}

async function editAccount(number: string, body: Record<string, unknown>): Promise<void> {
  const [result] = await h.connectors.sales.upsert('account', [{ key: number, body }]);
  expect(result?.outcome).toBe('updated');
}

/** The accounts flow's requirements, run against the shared harness (`harness` is ready in beforeAll). */
export function accountsSuite(harness: () => EngineHarness): void {
  describe('accounts flow', () => {
    beforeAll(async () => {
      h = harness();
    });

    it('creates or updates a customer for every numbered account and skips the rest', async () => {
      let progressCalls = 0;
      const { result, counters } = await h.run('accounts', { onProgress: () => (progressCalls += 1) });
      expect(result).toMatchObject({ status: 'completed' });
      expect(result.status === 'completed' && result.notes.join(' ')).toMatch(/No change-tracking token/);
      expect(counters.read).toBe(h.sim.sales.store.count('accounts'));
      expect(outcomesSum(counters)).toBe(counters.read);
      expect(counters.skipped).toBe(counters.read - accountNumbers().length);
      expect(counters.failed).toBe(0);
      expect(counters.created + counters.updated).toBeGreaterThan(0);
      expect(progressCalls).toBeGreaterThan(1);

      const number = accountNumbers()[0]!;
      const account = await salesAccount(number);
      const customer = await financeCustomer(number);
      expect(customer).toMatchObject({
        CustomerAccount: number,
        OrganizationName: account.name?.slice(0, 100) ?? null,
        PrimaryContactEmail: account.emailaddress1,
        PrimaryContactPhone: account.telephone1,
        IsExternallyMaintained: 'Yes',
      });
      expect((await h.runs.getCursor('accounts'))?.deltaLink).toBeTruthy();
      const links = await h.links.findMany('account', [number]);
      expect(links.get(number.toLowerCase())).toMatchObject({
        salesId: account.accountid,
        financeKey: number,
      });
    });

    it('writes nothing on a second incremental run', async () => {
      h.sim.finance.log.clear();
      h.sim.sales.log.clear();
      const { result, counters } = await h.run('accounts');
      expect(result).toEqual({ status: 'completed', notes: [] });
      expect(counters).toEqual({ read: 0, created: 0, updated: 0, unchanged: 0, skipped: 0, failed: 0 });
      expect(writeCount(h.sim.finance)).toBe(0);
      expect(writeCount(h.sim.sales)).toBe(0);
    });

    it('updates exactly the one account edited in Sales', async () => {
      const number = accountNumbers()[1]!;
      await editAccount(number, { telephone1: '+1 555 0100' });
      const { counters } = await h.run('accounts');
      expect(counters).toMatchObject({ read: 1, updated: 1, created: 0, unchanged: 0, failed: 0 });
      expect((await financeCustomer(number))?.PrimaryContactPhone).toBe('+1 555 0100');
    });

    it('reads a page’s Finance customers once: the upsert writes with the rows the comparison read', async () => {
      const [first, second] = accountNumbers().slice(3, 5) as [string, string];
      await editAccount(first, { telephone1: '+1 555 0131' });
      await editAccount(second, { telephone1: '+1 555 0132' });
      h.sim.finance.log.clear();
      const { counters } = await h.run('accounts');
      expect(counters).toMatchObject({ read: 2, updated: 2, failed: 0 });
      // One page: one read of its customers, one $batch of its writes, nothing else.
      expect(h.sim.finance.log.httpRequests({ method: 'GET', entitySet: 'CustomersV3' })).toBe(1);
      expect(h.sim.finance.log.httpRequests({ method: 'POST', entitySet: '$batch' })).toBe(1);
      expect((await financeCustomer(second))?.PrimaryContactPhone).toBe('+1 555 0132');
    });

    it('reports every outcome in a dry run and writes nothing', async () => {
      const number = accountNumbers()[2]!;
      await editAccount(number, { telephone1: '+1 555 0199' });
      const cursorBefore = await h.runs.getCursor('accounts');
      h.sim.finance.log.clear();
      const { result, counters } = await h.run('accounts', { mode: 'FULL', dryRun: true });
      expect(result).toEqual({ status: 'completed', notes: [expect.stringMatching(/Dry run/)] });
      expect(counters.read).toBe(h.sim.sales.store.count('accounts'));
      expect(counters.updated).toBe(1);
      expect(outcomesSum(counters)).toBe(counters.read);
      expect(writeCount(h.sim.finance)).toBe(0);
      expect((await financeCustomer(number))?.PrimaryContactPhone).not.toBe('+1 555 0199');
      expect((await h.runs.getCursor('accounts'))?.deltaLink).toBe(cursorBefore?.deltaLink);
    });

    it('fails only the record Finance refuses, with the infolog message', async () => {
      const [, , good, bad] = accountNumbers() as [string, string, string, string];
      // A customer group Finance does not know: every write of this customer fails validation.
      h.sim.finance.store.update(
        'CustomersV3',
        { dataAreaId: 'usmf', CustomerAccount: bad },
        { CustomerGroupId: 'ZZ' },
      );
      await editAccount(bad, { telephone1: '+1 555 0111' });
      const { runId, counters } = await h.run('accounts');
      // The dry run's edit of `good` is still pending, so two records changed.
      expect(counters).toMatchObject({ read: 2, updated: 1, failed: 1 });
      expect((await financeCustomer(good))?.PrimaryContactPhone).toBe('+1 555 0199');
      const failures = await h.runs.failures(runId, { first: 10 });
      expect(failures.items).toEqual([
        expect.objectContaining({
          recordKey: bad,
          code: 'WRITE_FAILED',
          message: expect.stringMatching(/Customer group/),
        }),
      ]);
      // The link says so too, and keeps the ids of the last successful sync.
      const link = (await h.links.findMany('account', [bad])).get(bad.toLowerCase());
      expect(link).toMatchObject({
        state: 'FAILED',
        lastError: expect.stringMatching(/Customer group/),
        financeKey: bad,
      });
      expect(link?.salesId).toBeTruthy();

      // A retry that fails the record again records it as the second attempt.
      const retry = await h.run('accounts', { onlyKeys: [bad] });
      const again = await h.runs.failures(retry.runId, { first: 10 });
      expect(again.items).toEqual([expect.objectContaining({ recordKey: bad, attempt: 2 })]);
    });

    it('retries only the given keys', async () => {
      const [first] = accountNumbers() as [string];
      h.sim.finance.log.clear();
      const { counters } = await h.run('accounts', { onlyKeys: [first] });
      expect(counters).toEqual({ read: 1, created: 0, updated: 0, unchanged: 1, skipped: 0, failed: 0 });
      expect(writeCount(h.sim.finance)).toBe(0);
    });

    it('fails the flow naming Finance when Finance is down, keeping the pages already committed', async () => {
      const cursorBefore = await h.runs.getCursor('accounts');
      // Finance answers the first page, then refuses the next read (a 400 is not retried).
      const { result, counters } = await h.run('accounts', {
        mode: 'FULL',
        pagesInFlight: 1,
        onProgress: () =>
          h.sim.finance.faults.failNext(1, {
            status: 400,
            match: { method: 'GET', entitySet: 'CustomersV3' },
          }),
      });
      expect(result.status).toBe('failed');
      expect(result.status === 'failed' && result.error).toMatch(/Finance/);
      expect(counters.read).toBe(15);
      // The delta link moves only with the last page; the committed page left the position after it.
      const cursor = await h.runs.getCursor('accounts');
      expect(cursor?.deltaLink).toBe(cursorBefore?.deltaLink);
      expect(cursor?.checkpoint).toEqual({ nextLink: expect.stringContaining('$skiptoken=') });
    });

    it('resumes after the last committed page of a read that was cut off', async () => {
      // The run before failed after its first page of 15 (see the test above).
      const { result, counters } = await h.run('accounts');
      expect(result.status === 'completed' && result.notes.join(' ')).toMatch(/Resumed the read/);
      expect(counters.read).toBe(h.sim.sales.store.count('accounts') - 15);
      const cursor = await h.runs.getCursor('accounts');
      expect(cursor?.checkpoint).toBeNull();
      expect(cursor?.deltaLink).toContain('$deltatoken=');
    });

    it('falls back to a full read, with a note, when the stored token has expired', async () => {
      const { id: runId } = await h.runs.createRun({
        flows: ['accounts'],
        mode: 'INCREMENTAL',
        dryRun: false,
      });
      // Issued long ago: Sales answers with its expired-token error (0x80044352).
      const stale = `${h.sim.sales.serviceRoot}/accounts?$deltatoken=1!2020-01-01T00:00:00.000Z`;
      await h.runs.resetCursor('accounts');
      await h.runs.commitPage({ runId, flow: 'accounts', cursor: { deltaLink: stale } });
      const { result, counters } = await h.run('accounts');
      expect(result.status === 'completed' && result.notes.join(' ')).toMatch(/token was refused/);
      expect(counters.read).toBe(h.sim.sales.store.count('accounts'));
      expect((await h.runs.getCursor('accounts'))?.deltaLink).not.toBe(stale);
    });

    it('fails the flow, keeping the stored token, when Sales refuses it for another reason than its age', async () => {
      const { id: runId } = await h.runs.createRun({
        flows: ['accounts'],
        mode: 'INCREMENTAL',
        dryRun: false,
      });
      const malformed = `${h.sim.sales.serviceRoot}/accounts?$deltatoken=not-a-token`;
      await h.runs.resetCursor('accounts');
      await h.runs.commitPage({ runId, flow: 'accounts', cursor: { deltaLink: malformed } });
      const { result, counters } = await h.run('accounts');
      expect(result).toMatchObject({ status: 'failed' });
      expect(counters.read).toBe(0);
      expect((await h.runs.getCursor('accounts'))?.deltaLink).toBe(malformed);
      // Put right for the tests that follow: a full read stores a new delta link.
      await h.runs.resetCursor('accounts');
      await h.run('accounts', { mode: 'FULL' });
    });

    it('stores its links relative to Sales, and reads everything again after one from another address', async () => {
      const { id: runId } = await h.runs.createRun({
        flows: ['accounts'],
        mode: 'INCREMENTAL',
        dryRun: false,
      });
      // As left by a hub whose Sales (or embedded simulator) had another address.
      const elsewhere = 'http://127.0.0.1:9/api/data/v9.2/accounts?$deltatoken=1!2026-01-01T00:00:00Z';
      await h.runs.commitPage({ runId, flow: 'accounts', cursor: { deltaLink: elsewhere } });
      const { result, counters } = await h.run('accounts');
      expect(result.status === 'completed' && result.notes.join(' ')).toMatch(/another Sales address/);
      expect(counters.read).toBe(h.sim.sales.store.count('accounts'));
      expect((await h.runs.getCursor('accounts'))?.deltaLink).toMatch(/^accounts\?.*\$deltatoken=/);
    });

    it('stops between pages when cancelled', async () => {
      const controller = new AbortController();
      const { result, counters } = await h.run('accounts', {
        mode: 'FULL',
        dryRun: true,
        signal: controller.signal,
        pagesInFlight: 1,
        onProgress: () => controller.abort(),
      });
      expect(result).toEqual({ status: 'cancelled' });
      expect(counters.read).toBe(15);
    });

    it('syncs only the configured relationship types, skipping the others with the reason', async () => {
      const rows = h.sim.sales.store.scan('accounts');
      const numbered = rows.filter((row) => typeof row['accountnumber'] === 'string');
      const others = numbered.filter((row) => row['customertypecode'] !== 3).length;
      expect(others).toBeGreaterThan(0);
      const { runId, counters } = await h.run('accounts', {
        mode: 'FULL',
        dryRun: true,
        flowSettings: { accountRelationshipTypes: [3] },
      });
      expect(counters.skipped).toBe(rows.length - numbered.length + others);
      const flow = (await h.runs.getRun(runId))?.flows[0];
      expect(flow?.skips).toContainEqual({
        reason: 'relationship type not synced (ACCOUNTS_RELATIONSHIP_TYPES)',
        count: others,
      });
    });
  });
}
