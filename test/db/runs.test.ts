/**
 * The run store's lifecycle: runs move from QUEUED to a final status that never changes again, list
 * newest first in stable pages, are failed or handed on when the hub restarts mid-run, and are purged
 * after the retention period while runs in progress are kept.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { openDatabase, type Database } from '../../src/db/connection.js';
import { rootCause } from '../../src/db/driver-errors.js';
import {
  createRunStore,
  RunStoreError,
  type RunOwner,
  type RunStore,
  type SyncRunRecord,
} from '../../src/db/runs.js';
import { flowNames, runStatuses, type FlowName } from '../../src/vocabulary.js';
import { backends, type TestPlace } from './backends.js';
import { useRunStorePlace } from './run-store-place.js';

// Every PGlite start compiles WebAssembly and may run initdb: seconds each on a busy two-core machine.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const zero = { read: 0, created: 0, updated: 0, unchanged: 0, skipped: 0, failed: 0 };
const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000);

/** The hub that crashed mid-run, as it signed its runs. */
const crashed: RunOwner = { instance: 'hub-1', host: 'hub-host', pid: 1 };
/** What the same hub, restarted alone on its machine as pid 2, passes when it looks for runs left behind. */
const restarted = { host: 'hub-host', isAlive: (pid: number) => pid === 2 };
/** The error of a dry run `crashed` left behind: it has no read position to go on from. */
const interrupted =
  'interrupted: instance hub-1 (pid 1 on hub-host) stopped while this run was in progress; ' +
  'a dry run keeps no read position to go on from, so start it again';

describe.each(backends.map((backend) => [backend.name, backend] as const))(
  'run store on %s',
  (_name, backend) => {
    let database: Database;
    let runs: RunStore;
    useRunStorePlace(backend, (opened) => ({ database, runs } = opened));
    beforeEach(async () => {
      await database.db.execute(sql`delete from sync_runs`);
    });

    const start = (flows: FlowName[] = ['accounts', 'contacts']) =>
      runs.createRun({ flows, mode: 'INCREMENTAL', dryRun: false });

    it('creates a QUEUED run with a QUEUED flow for each flow, in run order', async () => {
      const created = await runs.createRun({
        flows: ['products', 'accounts', 'quotes'],
        mode: 'FULL',
        dryRun: true,
        requestedBy: 'admin@contoso.com',
      });
      expect(created).toMatchObject({
        status: 'QUEUED',
        mode: 'FULL',
        dryRun: true,
        requestedBy: 'admin@contoso.com',
        retryOf: null,
        error: null,
        startedAt: null,
        finishedAt: null,
        totals: zero,
      });
      expect(created.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
      expect(created.createdAt).toBeInstanceOf(Date);
      expect(created.flows.map((f) => [f.flow, f.status])).toEqual([
        ['products', 'QUEUED'],
        ['accounts', 'QUEUED'],
        ['quotes', 'QUEUED'],
      ]);
      for (const flow of created.flows) expect(flow).toMatchObject({ notes: [], skips: [] });
      expect(await runs.getRun(created.id)).toEqual(created);
    });

    it('stores every flow and status the hub names, and its tables refuse any other', async () => {
      const run = await start([...flowNames]);
      expect(run.flows.map((f) => f.flow)).toEqual(flowNames);
      for (const status of runStatuses) {
        await database.db.execute(sql`update sync_runs set status = ${status} where id = ${run.id}`);
        await database.db.execute(sql`update sync_run_flows set status = ${status} where run_id = ${run.id}`);
      }
      const refusal = (statement: ReturnType<typeof sql>) =>
        database.db.execute(statement).then(
          () => 'accepted',
          (error: unknown) => String((rootCause(error) as Error).message),
        );
      expect(await refusal(sql`update sync_runs set status = 'PAUSED' where id = ${run.id}`)).toContain(
        'sync_runs_status_check',
      );
      expect(
        await refusal(
          sql`update sync_run_flows set flow = 'shipments' where run_id = ${run.id} and flow = 'quotes'`,
        ),
      ).toContain('sync_run_flows_flow_check');
    });

    it.each([[[]], [['accounts', 'accounts']], [['shipments']]])(
      'refuses the flow list %j',
      async (flows) => {
        await expect(
          runs.createRun({ flows: flows as FlowName[], mode: 'INCREMENTAL', dryRun: false }),
        ).rejects.toThrow(
          /createRun expects one or more distinct flows of accounts, contacts, products, quotes/,
        );
      },
    );

    it('stamps the start on RUNNING and the finish on a final status, which never changes again', async () => {
      const run = await start(['accounts', 'contacts', 'quotes']);
      expect(await runs.setRunStatus(run.id, 'RUNNING')).toBe(true);
      expect(await runs.setFlowStatus(run.id, 'accounts', 'RUNNING', { estimatedTotal: 120 })).toBe(true);
      expect(await runs.setFlowStatus(run.id, 'accounts', 'SUCCEEDED')).toBe(true);
      await runs.setFlowStatus(run.id, 'contacts', 'CANCELLED', { error: 'skipped: accounts failed' });
      expect(await runs.setRunStatus(run.id, 'COMPLETED_WITH_ERRORS', { error: 'quotes did not run' })).toBe(
        true,
      );

      const finished = (await runs.getRun(run.id))!;
      expect(finished).toMatchObject({ status: 'COMPLETED_WITH_ERRORS', error: 'quotes did not run' });
      expect(finished.startedAt).toBeInstanceOf(Date);
      expect(finished.finishedAt!.getTime()).toBeGreaterThanOrEqual(finished.startedAt!.getTime());
      const [accounts, contacts, quotes] = finished.flows;
      expect(accounts).toMatchObject({ status: 'SUCCEEDED', estimatedTotal: 120, error: null });
      expect(accounts!.startedAt).toBeInstanceOf(Date);
      expect(accounts!.finishedAt).toBeInstanceOf(Date);
      expect(contacts).toMatchObject({
        status: 'CANCELLED',
        error: 'skipped: accounts failed',
        startedAt: null,
      });
      // A finished run never shows a flow still in progress.
      expect(quotes).toMatchObject({ status: 'CANCELLED', error: 'quotes did not run' });

      expect(await runs.setRunStatus(run.id, 'RUNNING')).toBe(false);
      expect(await runs.setFlowStatus(run.id, 'accounts', 'FAILED')).toBe(false);
      expect(await runs.getRun(run.id)).toEqual(finished);
    });

    it("keeps the notes a flow finished with, in order, and never changes a finished flow's notes", async () => {
      const run = await start(['accounts', 'contacts']);
      await runs.setRunStatus(run.id, 'RUNNING');
      await runs.setFlowStatus(run.id, 'accounts', 'RUNNING');
      const notes = [
        'The change-tracking token was refused (expired); reading everything again.',
        '3 record(s) deleted in Sales were not deleted in Finance.',
        'Dry run: nothing was written to Sales or Finance.',
      ];
      expect(await runs.setFlowStatus(run.id, 'accounts', 'SUCCEEDED', { notes })).toBe(true);
      // A status change without notes keeps them, and a finished flow takes no other notes.
      expect(await runs.setFlowStatus(run.id, 'accounts', 'FAILED', { notes: ['late'] })).toBe(false);
      await runs.setFlowStatus(run.id, 'contacts', 'RUNNING', { notes: ['\'quoted\' "note", {braces}'] });
      await runs.setFlowStatus(run.id, 'contacts', 'COMPLETED_WITH_ERRORS');

      const [accounts, contacts] = (await runs.getRun(run.id))!.flows;
      expect(accounts!.notes).toEqual(notes);
      expect(contacts!.notes).toEqual(['\'quoted\' "note", {braces}']);
    });

    it('answers null and changes nothing for a run that does not exist', async () => {
      expect(await runs.getRun('no-such-run')).toBeNull();
      expect(await runs.setRunStatus('no-such-run', 'RUNNING')).toBe(false);
      expect(await runs.setFlowStatus('no-such-run', 'accounts', 'RUNNING')).toBe(false);
    });

    it('lists runs newest first in pages that stay stable while runs are added', async () => {
      const made: SyncRunRecord[] = [];
      for (let i = 0; i < 5; i++) made.push(await start());
      const newestFirst = made.map((run) => run.id).reverse();

      const first = await runs.listRuns({ first: 2 });
      expect(first.items.map((run) => run.id)).toEqual(newestFirst.slice(0, 2));
      expect(first.hasNextPage).toBe(true);
      expect(first.items[0]!.flows).toHaveLength(2);
      await start(); // a new run lands before the pages already read, so it moves nothing after them
      const second = await runs.listRuns({ first: 2, after: first.items.at(-1)!.id });
      const third = await runs.listRuns({ first: 2, after: second.items.at(-1)!.id });
      expect([...second.items, ...third.items].map((run) => run.id)).toEqual(newestFirst.slice(2));
      expect(third.hasNextPage).toBe(false);
    });

    it('lists the runs of one status', async () => {
      const [a, b, c] = [await start(), await start(), await start()];
      await runs.setRunStatus(a.id, 'FAILED', { error: 'Sales unavailable' });
      await runs.setRunStatus(c.id, 'FAILED', { error: 'Finance unavailable' });
      const failed = await runs.listRuns({ first: 10, status: 'FAILED' });
      expect(failed.items.map((run) => run.id)).toEqual([c.id, a.id]);
      expect((await runs.listRuns({ first: 10, status: 'QUEUED' })).items.map((run) => run.id)).toEqual([
        b.id,
      ]);
    });

    it('refuses a page size below 1', async () => {
      await expect(runs.listRuns({ first: 0 })).rejects.toThrow(
        'first must be a whole number of at least 1, got 0.',
      );
    });

    it('finds the run in progress that includes a flow, and none once it finished', async () => {
      const run = await start(['accounts', 'contacts']);
      expect(await runs.runningRunFor('contacts')).toBe(run.id);
      expect(await runs.runningRunFor('quotes')).toBeNull();
      await runs.setRunStatus(run.id, 'RUNNING');
      expect(await runs.runningRunFor('accounts')).toBe(run.id);
      await runs.setRunStatus(run.id, 'SUCCEEDED');
      expect(await runs.runningRunFor('accounts')).toBeNull();
    });

    it('lists the runs changed since a moment, by their last change, with their flows', async () => {
      const quiet = await start(['products']);
      await database.db.execute(
        sql`update sync_runs set updated_at = now() - interval '1 hour' where id = ${quiet.id}`,
      );
      const since = new Date(Date.now() - 60_000);
      const first = await start(['accounts']);
      const second = await start(['contacts']);
      await runs.commitPage({ runId: first.id, flow: 'accounts', counters: { read: 3 } });
      const changed = await runs.changedSince(since);
      expect(changed.map((run) => run.id)).toEqual([second.id, first.id]);
      expect(changed[1]?.flows[0]?.counters.read).toBe(3);
      expect(await runs.changedSince(since, 1)).toHaveLength(1);
    });

    it('refuses an exclusive run while a run in progress shares a flow, naming that run', async () => {
      const running = await start(['accounts', 'contacts']);
      const refused = await runs
        .createRun({ flows: ['contacts', 'quotes'], mode: 'INCREMENTAL', dryRun: false, exclusive: true })
        .catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(RunStoreError);
      expect(refused).toMatchObject({
        code: 'SYNC_ALREADY_RUNNING',
        runId: running.id,
        message: `Run ${running.id} is QUEUED and includes contacts; wait for it to finish or cancel it.`,
      });
      const other = await runs.createRun({
        flows: ['products'],
        mode: 'FULL',
        dryRun: false,
        exclusive: true,
      });
      expect(other.status).toBe('QUEUED');
    });

    it('lets only one of two concurrent exclusive starts through', async () => {
      const input = { flows: ['quotes'] as FlowName[], mode: 'INCREMENTAL' as const, dryRun: false };
      const results = await Promise.allSettled([
        runs.createRun({ ...input, exclusive: true }),
        runs.createRun({ ...input, exclusive: true }),
      ]);
      expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect((await runs.listRuns({ first: 10 })).items).toHaveLength(1);
    });

    it('keeps recent and unfinished runs when purging, and deletes old ones with their failures', async () => {
      const old = await start(['accounts']);
      await runs.setRunStatus(old.id, 'RUNNING');
      await runs.commitPage({
        runId: old.id,
        flow: 'accounts',
        failures: [{ recordKey: 'ACC-1', message: 'no' }],
        cursor: { deltaLink: 'd' },
      });
      await runs.setRunStatus(old.id, 'COMPLETED_WITH_ERRORS', { finishedAt: daysAgo(46) });
      const recent = await start(['accounts']);
      await runs.setRunStatus(recent.id, 'SUCCEEDED', { finishedAt: daysAgo(44) });
      const retry = await runs.createRun({
        flows: ['accounts'],
        mode: 'INCREMENTAL',
        dryRun: false,
        retryOf: old.id,
      });
      await database.db.execute(
        sql`update sync_runs set created_at = now() - interval '90 days' where id = ${retry.id}`,
      );

      expect(await runs.purgeOlderThan()).toBe(1);
      expect(await runs.getRun(old.id)).toBeNull();
      expect((await runs.getRun(recent.id))?.status).toBe('SUCCEEDED');
      expect((await runs.getRun(retry.id))?.retryOf).toBeNull();
      const left = await database.db.execute<{ n: number }>(
        sql`select count(*)::int as n from sync_failures`,
      );
      expect(left.rows[0]!.n).toBe(0);
      // The cursor stays; only its pointer to the purged run goes.
      expect(await runs.getCursor('accounts')).toMatchObject({ deltaLink: 'd', lastRunId: null });

      expect(await runs.purgeOlderThan(30)).toBe(1);
      await expect(runs.purgeOlderThan(-1)).rejects.toThrow(RangeError);
    });

    it('fails the runs a crashed hub left in progress, at once, leaving finished runs and finished flows alone', async () => {
      const done = await start(['accounts']);
      await runs.setRunStatus(done.id, 'SUCCEEDED');
      // Dry runs, which the hub fails rather than hands on; their leases still run.
      const byCrashed = (flows: FlowName[]) =>
        runs.createRun({
          flows,
          mode: 'INCREMENTAL',
          dryRun: true,
          owner: { owner: crashed, leaseMs: 60_000 },
        });
      const queued = await byCrashed(['products']);
      const running = await byCrashed(['accounts', 'contacts', 'quotes']);
      await runs.setRunStatus(running.id, 'RUNNING');
      await runs.setFlowStatus(running.id, 'accounts', 'SUCCEEDED');
      await runs.setFlowStatus(running.id, 'contacts', 'RUNNING');

      expect(await runs.sweepLeftBehind(restarted, () => false)).toEqual({
        released: [],
        failed: [queued.id, running.id],
      });
      expect(await runs.sweepLeftBehind(restarted, () => false)).toEqual({ released: [], failed: [] });
      for (const id of [queued.id, running.id]) {
        const run = (await runs.getRun(id))!;
        expect(run).toMatchObject({ status: 'FAILED', error: interrupted });
        expect(run.finishedAt).toBeInstanceOf(Date);
      }
      expect((await runs.getRun(running.id))!.flows.map((f) => [f.flow, f.status, f.error])).toEqual([
        ['accounts', 'SUCCEEDED', null],
        ['contacts', 'FAILED', interrupted],
        ['quotes', 'FAILED', interrupted],
      ]);
      expect((await runs.getRun(done.id))?.status).toBe('SUCCEEDED');
    });
  },
);

describe.each(backends.map((backend) => [backend.name, backend] as const))(
  'a restart on %s',
  (_name, backend) => {
    let place: TestPlace;
    afterAll(() => place?.dispose());

    it('fails the dry run the hub died in, and hands the real one on to go on after its last committed page', async () => {
      place = await backend.createPlace({ persistent: true });
      const before = await openDatabase(place.config);
      const dying = createRunStore(before);
      const lease = { owner: crashed, leaseMs: 60_000 };
      const run = await dying.createRun({ flows: ['products'], mode: 'FULL', dryRun: false, owner: lease });
      const dry = await dying.createRun({ flows: ['accounts'], mode: 'FULL', dryRun: true, owner: lease });
      for (const [id, flow] of [
        [run.id, 'products'],
        [dry.id, 'accounts'],
      ] as const) {
        await dying.setRunStatus(id, 'RUNNING');
        await dying.setFlowStatus(id, flow, 'RUNNING');
      }
      for (const page of [1, 2]) {
        await dying.commitPage({
          runId: run.id,
          flow: 'products',
          counters: { read: 500 },
          cursor: { checkpoint: { page } },
          owner: crashed.instance,
        });
      }
      await dying.commitPage({ runId: dry.id, flow: 'accounts', counters: { read: 300 } });
      await before.close(); // the process stops here, mid-run

      const after = await openDatabase(place.config);
      try {
        const store = createRunStore(after);
        // As the hub decides: a dry run or a retry keeps no read position, so only a real run goes on.
        const canResume = (left: { dryRun: boolean; retryOf: string | null }) =>
          !left.dryRun && left.retryOf === null;
        expect(await store.sweepLeftBehind(restarted, canResume)).toEqual({
          released: [run.id],
          failed: [dry.id],
        });
        const failed = (await store.getRun(dry.id))!;
        expect(failed).toMatchObject({ status: 'FAILED', error: interrupted });
        expect(failed.flows[0]).toMatchObject({ status: 'FAILED', counters: { read: 300 } });

        const released = (await store.getRun(run.id))!;
        expect(released).toMatchObject({ status: 'RUNNING', error: null, ownerInstance: null });
        expect(released.flows[0]).toMatchObject({ status: 'RUNNING', counters: { read: 1_000 } });
        expect(await store.getCursor('products')).toMatchObject({
          checkpoint: { page: 2 },
          lastRunId: run.id,
        });
        expect(await store.unownedRuns()).toEqual([run.id]);
        expect(await store.claimRun(run.id, { ...crashed, pid: 2 }, 60_000)).toBe(true);
        expect((await store.getRun(run.id))?.notes).toEqual([
          expect.stringMatching(
            /^Taken over by instance hub-1 \(pid 2 on hub-host\) at [0-9T:-]+Z: instance hub-1 \(pid 1 on hub-host\) stopped while this run was in progress; it went on after the last committed page\.$/,
          ),
        ]);
      } finally {
        await after.close();
      }
    });
  },
);
