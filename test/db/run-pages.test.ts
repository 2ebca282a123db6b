/**
 * Page commits: a page's counters, skip counts, failures, links, key claims and cursor advance commit
 * together or not at all; counters only grow; every skipped record is counted under its reason; failures
 * list in pages and gather per flow for retries; key claims are looked up a page's keys at a time and go
 * when their flow ends; a dry run writes no links and moves no cursor.
 */
import { sql } from 'drizzle-orm';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { createLinkStore } from '../../src/db/links.js';
import { RunStoreError, type PageCommit, type RunStore } from '../../src/db/runs.js';
import type { FlowName } from '../../src/vocabulary.js';
import { backends } from './backends.js';
import { useRunStorePlace } from './run-store-place.js';

/** drizzle wraps a driver error in "Failed query: …"; the innermost cause is the database's own. */
function rootCause(error: unknown): Error {
  let current = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  if (!(current instanceof Error)) throw new Error(`expected an Error, got ${String(current)}`);
  return current;
}

// Every PGlite start compiles WebAssembly and may run initdb: seconds each on a busy two-core machine.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

describe.each(backends.map((backend) => [backend.name, backend] as const))(
  'page commits on %s',
  (_name, backend) => {
    let database: Database;
    let runs: RunStore;
    useRunStorePlace(backend, (opened) => ({ database, runs } = opened));
    beforeEach(async () => {
      await database.db.execute(sql`delete from sync_runs`);
      await database.db.execute(sql`delete from sync_cursors`);
      await database.db.execute(sql`delete from record_links`);
    });

    const running = async (flows: FlowName[] = ['accounts', 'contacts'], dryRun = false) => {
      const run = await runs.createRun({ flows, mode: 'INCREMENTAL', dryRun });
      await runs.setRunStatus(run.id, 'RUNNING');
      return run.id;
    };
    const count = async (table: 'sync_failures' | 'record_links'): Promise<number> => {
      const result = await database.db.execute<{ n: number }>(
        sql`select count(*)::int as n from ${sql.identifier(table)}`,
      );
      return result.rows[0]!.n;
    };

    it("adds each page's counters to its flow and to the run's totals", async () => {
      const runId = await running();
      await runs.commitPage({ runId, flow: 'accounts', counters: { read: 100, created: 60, unchanged: 40 } });
      const after = await runs.commitPage({ runId, flow: 'accounts', counters: { read: 50, updated: 50 } });
      await runs.commitPage({
        runId,
        flow: 'contacts',
        counters: { read: 10, skipped: 10 },
        skips: new Map([['no contact number', 10]]),
      });
      expect(after).toEqual({ read: 150, created: 60, updated: 50, unchanged: 40, skipped: 0, failed: 0 });
      expect((await runs.getRun(runId))!.totals).toEqual({
        read: 160,
        created: 60,
        updated: 50,
        unchanged: 40,
        skipped: 10,
        failed: 0,
      });
    });

    it('adds concurrent pages without losing any', async () => {
      const runId = await running();
      await Promise.all(
        Array.from({ length: 20 }, () => runs.commitPage({ runId, flow: 'accounts', counters: { read: 5 } })),
      );
      expect((await runs.getRun(runId))!.flows[0]!.counters.read).toBe(100);
    });

    it.each([
      ['a negative increment', { read: -1 }, 'got read: -1'],
      ['a fractional increment', { created: 1.5 }, 'got created: 1.5'],
    ])('refuses %s, because counters only grow', async (_case, counters, detail) => {
      const runId = await running();
      await runs.commitPage({ runId, flow: 'accounts', counters: { read: 3, created: 3 } });
      const page = {
        runId,
        flow: 'accounts' as const,
        counters,
        failures: [{ recordKey: 'A', message: 'x' }],
      };
      await expect(runs.commitPage(page)).rejects.toThrow(
        `commitPage expects counter increments as whole numbers of at least 0, because counters only grow; ${detail}`,
      );
      expect((await runs.getRun(runId))!.flows[0]!.counters).toMatchObject({
        read: 3,
        created: 3,
        failed: 0,
      });
      expect(await count('sync_failures')).toBe(0);
    });

    it('counts skipped records by reason across pages, the counts adding up to skipped', async () => {
      const runId = await running();
      await runs.commitPage({
        runId,
        flow: 'accounts',
        counters: { read: 5, created: 2 },
        skips: new Map([['no account number', 3]]),
      });
      await runs.commitPage({
        runId,
        flow: 'accounts',
        counters: { read: 4 },
        skips: new Map([
          ['no account number', 1],
          ['write-in line', 2],
          // Reason texts are kept as given, whatever they hold.
          ['a reason with \'quotes\', "double quotes" and ü', 1],
          ['__proto__', 0],
        ]),
      });
      await runs.commitPage({ runId, flow: 'accounts', counters: { read: 1, unchanged: 1 } });
      await runs.commitPage({ runId, flow: 'contacts', skips: new Map([['no contact number', 1]]) });

      const [accounts, contacts] = (await runs.getRun(runId))!.flows;
      expect(accounts!.counters).toMatchObject({ read: 10, created: 2, unchanged: 1, skipped: 7 });
      // Most first; a reason counted 0 times is no reason at all.
      expect(accounts!.skips).toEqual([
        { reason: 'no account number', count: 4 },
        { reason: 'write-in line', count: 2 },
        { reason: 'a reason with \'quotes\', "double quotes" and ü', count: 1 },
      ]);
      expect(contacts!.skips).toEqual([{ reason: 'no contact number', count: 1 }]);
      expect(contacts!.counters.skipped).toBe(1);
    });

    it('adds concurrent pages’ skip counts without losing any', async () => {
      const runId = await running();
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          runs.commitPage({
            runId,
            flow: 'accounts',
            counters: { read: 2 },
            skips: new Map([
              ['no account number', 1],
              [`reason ${i % 4}`, 1],
            ]),
          }),
        ),
      );
      const [accounts] = (await runs.getRun(runId))!.flows;
      expect(accounts!.counters.skipped).toBe(40);
      expect(accounts!.skips).toEqual([
        { reason: 'no account number', count: 20 },
        { reason: 'reason 0', count: 5 },
        { reason: 'reason 1', count: 5 },
        { reason: 'reason 2', count: 5 },
        { reason: 'reason 3', count: 5 },
      ]);
    });

    it.each<[string, Partial<PageCommit>, string]>([
      [
        'skipped records without a reason',
        { counters: { read: 2, skipped: 2 } },
        'got skipped: 2 and skip counts adding up to 0',
      ],
      [
        'skip counts that do not add up to skipped',
        { counters: { read: 3, skipped: 3 }, skips: new Map([['no account number', 2]]) },
        'got skipped: 3 and skip counts adding up to 2',
      ],
      [
        'a negative skip count',
        { skips: new Map([['no account number', -1]]) },
        'got "no account number": -1',
      ],
      ['a fractional skip count', { skips: new Map([['no account number', 0.5]]) }, ': 0.5'],
      ['a blank reason', { skips: new Map([['  ', 1]]) }, 'got "  ": 1'],
    ])('refuses %s, writing nothing of the page', async (_case, page, detail) => {
      const runId = await running();
      await expect(
        runs.commitPage({ runId, flow: 'accounts', failures: [{ recordKey: 'A', message: 'x' }], ...page }),
      ).rejects.toThrow(detail);
      const [accounts] = (await runs.getRun(runId))!.flows;
      expect(accounts).toMatchObject({ counters: { read: 0, skipped: 0, failed: 0 }, skips: [] });
      expect(await count('sync_failures')).toBe(0);
    });

    it('counts failures as failed unless told otherwise, and lists them oldest first in pages', async () => {
      const runId = await running();
      const failures = Array.from({ length: 5 }, (_, i) => ({ recordKey: `ACC-${i}`, message: `bad ${i}` }));
      await runs.commitPage({ runId, flow: 'accounts', counters: { read: 5 }, failures });
      await runs.commitPage({
        runId,
        flow: 'contacts',
        counters: { read: 1, failed: 1 },
        failures: [{ recordKey: 'CON-1', message: 'no account', code: 'DEPENDENCY' }],
      });
      expect((await runs.getRun(runId))!.flows.map((f) => f.counters.failed)).toEqual([5, 1]);

      const first = await runs.failures(runId, { first: 3, flow: 'accounts' });
      expect(first.items.map((f) => f.recordKey)).toEqual(['ACC-0', 'ACC-1', 'ACC-2']);
      expect(first.items[0]).toMatchObject({
        runId,
        flow: 'accounts',
        message: 'bad 0',
        code: null,
        attempt: 1,
      });
      expect(first.items[0]!.at).toBeInstanceOf(Date);
      const rest = await runs.failures(runId, { first: 3, after: first.items.at(-1)!.id });
      expect(rest.items.map((f) => f.recordKey)).toEqual(['ACC-3', 'ACC-4', 'CON-1']);
      expect(rest.items[2]!.code).toBe('DEPENDENCY');
      expect(rest.hasNextPage).toBe(false);
    });

    it('finds and counts failures by a text in the key or message, taking % and _ literally', async () => {
      const runId = await running();
      await runs.commitPage({
        runId,
        flow: 'accounts',
        counters: { read: 4 },
        failures: [
          { recordKey: 'ACC-100', message: 'Credit limit 100% over' },
          { recordKey: 'ACC-200', message: 'Unknown group' },
          { recordKey: 'ACC_300', message: 'unknown currency' },
          { recordKey: 'ACC-400', message: 'Timeout' },
        ],
      });
      const keys = async (search: string) =>
        (await runs.failures(runId, { first: 10, search })).items.map((f) => f.recordKey);
      expect(await keys('UNKNOWN')).toEqual(['ACC-200', 'ACC_300']);
      expect(await keys('acc-1')).toEqual(['ACC-100']);
      expect(await keys('100%')).toEqual(['ACC-100']);
      expect(await keys('_')).toEqual(['ACC_300']);
      expect(await keys('\\')).toEqual([]);
      expect(await runs.countFailures(runId, { search: 'unknown' })).toBe(2);
      expect(await runs.countFailures(runId, { flow: 'accounts' })).toBe(4);
      expect(await runs.countFailures(runId, { flow: 'contacts' })).toBe(0);
      const page = await runs.failures(runId, { first: 1, search: 'unknown' });
      expect(page).toMatchObject({ items: [{ recordKey: 'ACC-200' }], hasNextPage: true });
    });

    it('gathers the failed keys per flow in run order, once each with the highest attempt', async () => {
      const runId = await running(['accounts', 'contacts']);
      await runs.commitPage({
        runId,
        flow: 'contacts',
        failures: [{ recordKey: 'CON-9', message: 'x', attempt: 2 }],
      });
      await runs.commitPage({
        runId,
        flow: 'accounts',
        failures: [
          { recordKey: 'ACC-2', message: 'x' },
          { recordKey: 'ACC-1', message: 'x' },
          { recordKey: 'ACC-2', message: 'again', attempt: 3 },
        ],
      });
      const keys = await runs.failureKeys(runId);
      expect([...keys]).toEqual([
        [
          'accounts',
          [
            { recordKey: 'ACC-2', attempt: 3 },
            { recordKey: 'ACC-1', attempt: 1 },
          ],
        ],
        ['contacts', [{ recordKey: 'CON-9', attempt: 2 }]],
      ]);
      expect((await runs.failureKeys(await running())).size).toBe(0);
    });

    it('commits the links and the cursor with the page; a cursor field left out keeps its value', async () => {
      const runId = await running();
      await runs.commitPage({
        runId,
        flow: 'accounts',
        counters: { read: 1, created: 1 },
        links: [{ entity: 'account', businessKey: 'ACC-1', financeKey: 'ACC-1', lastRunId: runId }],
        cursor: { deltaLink: 'https://sales/delta?token=1', checkpoint: { nextLink: 'page-2', read: 1 } },
      });
      const found = await createLinkStore(database).findMany('account', ['acc-1']);
      expect(found.get('acc-1')).toMatchObject({ financeKey: 'ACC-1', lastRunId: runId });
      await runs.commitPage({ runId, flow: 'accounts', cursor: { checkpoint: null } });
      const cursor = await runs.getCursor('accounts');
      expect(cursor).toMatchObject({
        deltaLink: 'https://sales/delta?token=1',
        checkpoint: null,
        lastRunId: runId,
      });
      expect(cursor!.updatedAt).toBeInstanceOf(Date);

      await runs.resetCursor('accounts');
      expect(await runs.getCursor('accounts')).toBeNull();
    });

    it('keeps a checkpoint as the JSON object it was given', async () => {
      const runId = await running();
      const checkpoint = {
        page: 3,
        skipToken: '"123"',
        nested: { keys: ['A', 'b'], done: false, none: null },
      };
      await runs.commitPage({ runId, flow: 'accounts', cursor: { checkpoint } });
      expect((await runs.getCursor('accounts'))!.checkpoint).toEqual(checkpoint);
    });

    it('keeps the keys each page claims for its flow and run, and forgets them when the flow ends', async () => {
      const runId = await running();
      const other = await running(['accounts']);
      await runs.commitPage({
        runId,
        flow: 'accounts',
        counters: { read: 2, created: 2 },
        claims: [
          { key: 'ACC-1', claimedBy: 'id-1' },
          { key: 'ACC-2', claimedBy: 'id-2' },
        ],
      });
      // A key claimed already keeps its first claim; a page committed again changes nothing.
      await runs.commitPage({
        runId,
        flow: 'accounts',
        counters: { read: 1, unchanged: 1 },
        claims: [{ key: 'acc-1', claimedBy: 'id-1' }],
      });
      await runs.commitPage({ runId, flow: 'contacts', claims: [{ key: 'ACC-3', claimedBy: 'id-3' }] });
      await runs.commitPage({
        runId: other,
        flow: 'accounts',
        claims: [{ key: 'ACC-4', claimedBy: 'id-4' }],
      });

      // Only the keys asked for, of that run and flow.
      expect(await runs.claimedKeys(runId, 'accounts', ['Acc-1', 'ACC-3', 'ACC-4', 'ACC-9'])).toEqual(
        new Map([['acc-1', 'id-1']]),
      );
      expect(await runs.claimedKeys(runId, 'accounts', [])).toEqual(new Map());
      expect(await runs.claimedKeys(runId, 'contacts', ['acc-3'])).toEqual(new Map([['acc-3', 'id-3']]));

      await runs.setFlowStatus(runId, 'accounts', 'SUCCEEDED');
      expect(await runs.claimedKeys(runId, 'accounts', ['ACC-1', 'ACC-2'])).toEqual(new Map());
      expect(await runs.claimedKeys(runId, 'contacts', ['ACC-3'])).toEqual(new Map([['acc-3', 'id-3']]));
      await runs.setRunStatus(runId, 'CANCELLED');
      expect(await runs.claimedKeys(runId, 'contacts', ['ACC-3'])).toEqual(new Map());
      expect(await runs.claimedKeys(other, 'accounts', ['ACC-4'])).toEqual(new Map([['acc-4', 'id-4']]));
    });

    it('takes a dry run’s key claims, which decide duplicates as in a real run', async () => {
      const runId = await running(['accounts'], true);
      await runs.commitPage({ runId, flow: 'accounts', claims: [{ key: 'ACC-1', claimedBy: 'id-1' }] });
      expect(await runs.claimedKeys(runId, 'accounts', ['ACC-1'])).toEqual(new Map([['acc-1', 'id-1']]));
    });

    describe('when a step of the page fails', () => {
      // Each case breaks a later step, after the steps before it have written: counters, then failures,
      // then links and key claims, then the cursor. The database's own error says which step failed.
      const failAt: [string, () => Promise<Partial<PageCommit>>, string][] = [
        [
          'a failure that breaks a constraint',
          async () => ({ failures: [{ recordKey: 'X', message: 'x', attempt: 0 }] }),
          'violates check constraint "sync_failures_attempt_check"',
        ],
        [
          'a link outside the closed sets',
          async () => ({ links: [{ entity: 'shipment' as 'account', businessKey: 'S-1' }] }),
          'violates check constraint "record_links_entity_check"',
        ],
        [
          'the cursor write, the last step',
          async () => {
            await database.db.execute(sql`create or replace function refuse_cursor() returns trigger
            language plpgsql as $$ begin raise exception 'cursor write refused'; end $$`);
            await database.db.execute(sql`create trigger refuse_cursor before insert or update on sync_cursors
            for each row execute function refuse_cursor()`);
            return {};
          },
          'cursor write refused',
        ],
      ];

      it.each(failAt)(
        'leaves counters, failures, links and cursor as they were: %s',
        async (_case, breakIt, reason) => {
          const runId = await running();
          const committed = { runId, flow: 'accounts' as const, counters: { read: 10, created: 10 } };
          await runs.commitPage({ ...committed, cursor: { deltaLink: 'token-1', checkpoint: { page: 1 } } });
          const before = { run: await runs.getRun(runId), cursor: await runs.getCursor('accounts') };
          try {
            const page: PageCommit = {
              ...committed,
              skips: new Map([['no account number', 2]]),
              failures: [{ recordKey: 'ACC-7', message: 'Finance refused the customer group' }],
              links: [{ entity: 'account', businessKey: 'ACC-8', lastRunId: runId }],
              claims: [{ key: 'ACC-8', claimedBy: 'id-8' }],
              cursor: { deltaLink: 'token-2', checkpoint: { page: 2 } },
              ...(await breakIt()),
            };
            const error = await runs.commitPage(page).catch((thrown: unknown) => thrown);
            expect(rootCause(error).message).toContain(reason);
          } finally {
            await database.db.execute(sql`drop trigger if exists refuse_cursor on sync_cursors`);
          }
          const after = { run: await runs.getRun(runId), cursor: await runs.getCursor('accounts') };
          expect(after.run!.flows).toEqual(before.run!.flows);
          expect(after.run!.flows[0]!.skips).toEqual([]);
          expect(after.cursor).toEqual(before.cursor);
          expect(await count('sync_failures')).toBe(0);
          expect(await count('record_links')).toBe(0);
          expect(await runs.claimedKeys(runId, 'accounts', ['ACC-8'])).toEqual(new Map());
        },
      );
    });

    it('refuses pages of a finished run, a finished flow, a flow not in the run, or no run', async () => {
      const runId = await running(['accounts', 'contacts']);
      await runs.setFlowStatus(runId, 'accounts', 'SUCCEEDED');
      const refusal = (page: PageCommit) =>
        runs.commitPage(page).catch((error: unknown) => error as RunStoreError);
      expect(await refusal({ runId, flow: 'accounts', counters: { read: 1 } })).toMatchObject({
        code: 'RUN_FINISHED',
        message: `Flow accounts of run ${runId} is SUCCEEDED; it takes no more pages.`,
      });
      expect(await refusal({ runId, flow: 'quotes' })).toMatchObject({ code: 'FLOW_NOT_IN_RUN' });
      expect(await refusal({ runId: 'nope', flow: 'accounts' })).toMatchObject({ code: 'RUN_NOT_FOUND' });
      await runs.setRunStatus(runId, 'CANCELLED');
      const late = await refusal({ runId, flow: 'contacts', failures: [{ recordKey: 'C', message: 'x' }] });
      expect(late).toBeInstanceOf(RunStoreError);
      expect(late).toMatchObject({
        code: 'RUN_FINISHED',
        message: `Run ${runId} is CANCELLED; it takes no more pages.`,
      });
      expect(await count('sync_failures')).toBe(0);
    });

    it('records a dry run’s counters, skips and failures but refuses its links and cursor moves', async () => {
      const runId = await running(['accounts'], true);
      await runs.commitPage({
        runId,
        flow: 'accounts',
        counters: { read: 3, created: 1 },
        skips: new Map([['no account number', 1]]),
        failures: [{ recordKey: 'A', message: 'x' }],
      });
      for (const write of [
        { links: [{ entity: 'account' as const, businessKey: 'A' }] },
        { cursor: { deltaLink: 'token' } },
      ]) {
        await expect(
          runs.commitPage({ runId, flow: 'accounts', counters: { read: 1 }, ...write }),
        ).rejects.toMatchObject({
          code: 'DRY_RUN_WRITE',
        });
      }
      const recorded = (await runs.getRun(runId))!;
      expect(recorded.totals).toMatchObject({ read: 3, created: 1, skipped: 1, failed: 1 });
      expect(recorded.flows[0]!.skips).toEqual([{ reason: 'no account number', count: 1 }]);
      expect(await runs.getCursor('accounts')).toBeNull();
      expect(await count('record_links')).toBe(0);
    });
  },
);
