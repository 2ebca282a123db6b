/**
 * Run leases in the run store: a run in progress whose owner lives is never failed by another instance;
 * one whose owner is gone — its lease ran out, or its process no longer runs on this machine — is left
 * behind, and one that cannot go on is failed with a sentence naming the owner and why. A run no instance
 * holds is never left behind: it waits for an instance to claim it.
 */
import { sql } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import type { RunOwner, RunStore } from '../../src/db/runs.js';
import { syncRuns } from '../../src/db/schema.js';
import { backends } from './backends.js';
import { useRunStorePlace } from './run-store-place.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const here = 'hub-host-a';
const living = new Set([101, 102]);
/** What an instance on `here` knows: pids 101 and 102 run there, no other. */
const leftBehind = { host: here, isAlive: (pid: number) => living.has(pid) };
const owner = (instance: string, host: string, pid: number): RunOwner => ({ instance, host, pid });
/** Every run left behind fails: these tests look at which runs count, not at handing them over. */
const cannotResume = () => false;
/** What a sweep that finds nothing resolves with. */
const nothing = { released: [], failed: [] };

describe.each(backends.map((backend) => [backend.name, backend] as const))(
  'run leases on %s',
  (_name, backend) => {
    let database: Database;
    let runs: RunStore;
    useRunStorePlace(backend, (opened) => ({ database, runs } = opened));

    const start = async (
      flow: 'accounts' | 'products' | 'contacts' | 'quotes',
      by?: RunOwner,
      {
        leaseMs = 60_000,
        dryRun = false,
        retryOf,
      }: { leaseMs?: number; dryRun?: boolean; retryOf?: string } = {},
    ) => {
      const run = await runs.createRun({
        flows: [flow],
        mode: 'FULL',
        dryRun,
        retryOf: retryOf ?? null,
        ...(by && { owner: { owner: by, leaseMs } }),
      });
      await runs.setRunStatus(run.id, 'RUNNING');
      return run;
    };
    /** Moves a run's lease into the past, as if its owner had stopped renewing it long ago. */
    const expire = (id: string) =>
      database.db
        .update(syncRuns)
        .set({ leaseExpiresAt: sql`now() - interval '1 second'` })
        .where(sql`${syncRuns.id} = ${id}`);

    it('leaves alone the runs of live owners, here or elsewhere, and fails the ones left behind, saying why', async () => {
      const mine = await start('accounts', owner('hub-a', here, 101));
      const elsewhere = await start('products', owner('hub-b', 'hub-host-b', 7));
      // A dry run and a retry, the runs the hub fails rather than hands on: their sentences are the hub's.
      const dead = await start('contacts', owner('hub-c', here, 999), { dryRun: true });
      const retried = await start('quotes');
      await runs.setRunStatus(retried.id, 'COMPLETED_WITH_ERRORS');
      const lapsed = await start('quotes', owner('hub-d', 'hub-host-d', 8), { retryOf: retried.id });
      await expire(lapsed.id);

      expect(await runs.sweepLeftBehind(leftBehind, cannotResume)).toEqual({
        released: [],
        failed: [dead.id, lapsed.id].sort(),
      });
      expect(await runs.sweepLeftBehind(leftBehind, cannotResume)).toEqual(nothing);
      for (const { id } of [mine, elsewhere]) expect((await runs.getRun(id))?.status).toBe('RUNNING');
      const deadRun = (await runs.getRun(dead.id))!;
      expect(deadRun).toMatchObject({
        status: 'FAILED',
        error:
          `interrupted: instance hub-c (pid 999 on ${here}) stopped while this run was in progress; ` +
          'a dry run keeps no read position to go on from, so start it again',
      });
      expect(deadRun.flows[0]).toMatchObject({ status: 'FAILED', error: deadRun.error });
      const lapsedRun = (await runs.getRun(lapsed.id))!;
      expect(lapsedRun.status).toBe('FAILED');
      expect(lapsedRun.error).toMatch(
        /^interrupted: instance hub-d \(pid 8 on hub-host-d\) stopped renewing its lease, which ran out at \d{4}-\d\d-\d\dT[\d:.]+Z; a retry of failed records keeps no read position to go on from, so start it again$/,
      );
      expect(lapsedRun.flows[0]).toMatchObject({ status: 'FAILED', error: lapsedRun.error });
      for (const { id } of [mine, elsewhere]) await runs.setRunStatus(id, 'SUCCEEDED');
    });

    it("renews only its own runs' leases, and only while they are in progress", async () => {
      const a = owner('hub-a', 'hub-host-x', 1);
      const b = owner('hub-b', 'hub-host-y', 2);
      const ours = await start('accounts', a, { leaseMs: 1_000 });
      const theirs = await start('products', b, { leaseMs: 1_000 });
      await Promise.all([expire(ours.id), expire(theirs.id)]);
      await runs.renewLeases([ours.id, theirs.id], a, 60_000);
      expect(await runs.sweepLeftBehind(leftBehind, cannotResume)).toEqual({
        released: [],
        failed: [theirs.id],
      });
      expect((await runs.getRun(ours.id))?.status).toBe('RUNNING');
      await runs.setRunStatus(ours.id, 'SUCCEEDED');
      await runs.renewLeases([ours.id], a, 60_000); // finished: nothing to renew, nothing changes
      expect((await runs.getRun(ours.id))?.status).toBe('SUCCEEDED');
    });

    it('fails at once, for a lone hub restarted, the runs its former process left, never the ones it executes', async () => {
      // The same instance name, a new process: pid 999 is gone, pid 101 is this hub now. The lease of the
      // former process's run still runs: on its own machine a hub need not wait for it.
      const former = await start('accounts', owner('hub-a', here, 999), { dryRun: true });
      const executing = await start('products', owner('hub-a', here, 101), { dryRun: true });
      await expire(executing.id); // as if the database had been away longer than the lease
      const lone = { ...leftBehind, executing: [executing.id] };

      expect(await runs.sweepLeftBehind(lone, cannotResume)).toEqual({ released: [], failed: [former.id] });
      expect(await runs.getRun(former.id)).toMatchObject({
        status: 'FAILED',
        error:
          `interrupted: instance hub-a (pid 999 on ${here}) stopped while this run was in progress; ` +
          'a dry run keeps no read position to go on from, so start it again',
      });
      expect((await runs.getRun(executing.id))?.status).toBe('RUNNING');
      // Only `executing` kept it: its lease ran out, so any other instance counts it as left behind.
      expect(await runs.sweepLeftBehind(leftBehind, cannotResume)).toEqual({
        released: [],
        failed: [executing.id],
      });
    });

    it('never counts a run no instance holds as left behind, whoever looks: it waits to be claimed', async () => {
      const queued = await runs.createRun({ flows: ['contacts'], mode: 'FULL', dryRun: true });
      const released = await start('quotes', undefined, { dryRun: true }); // in progress, as after a hand-back
      expect(await runs.sweepLeftBehind(leftBehind, cannotResume)).toEqual(nothing);
      expect(await runs.getRun(queued.id)).toMatchObject({
        status: 'QUEUED',
        error: null,
        ownerInstance: null,
      });
      expect(await runs.getRun(released.id)).toMatchObject({
        status: 'RUNNING',
        error: null,
        ownerInstance: null,
      });
      expect(await runs.unownedRuns()).toEqual([queued.id, released.id]);
      for (const { id } of [queued, released]) await runs.setRunStatus(id, 'CANCELLED');
    });
  },
);
