/**
 * Run leases in the run store: a run in progress whose owner lives is never failed by another instance;
 * one whose owner is gone — its lease ran out, or its process no longer runs on this machine — is failed
 * with a sentence naming the owner and why. Without leases every run in progress counts as left behind.
 */
import { sql } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { interruptedError, type RunOwner, type RunStore } from '../../src/db/runs.js';
import { syncRuns } from '../../src/db/schema.js';
import { backends } from './backends.js';
import { useRunStorePlace } from './run-store-place.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const here = 'hub-host-a';
const living = new Set([101, 102]);
/** What an instance on `here` knows: pids 101 and 102 run there, no other. */
const leftBehind = { host: here, isAlive: (pid: number) => living.has(pid) };
const owner = (instance: string, host: string, pid: number): RunOwner => ({ instance, host, pid });

describe.each(backends.map((backend) => [backend.name, backend] as const))(
  'run leases on %s',
  (_name, backend) => {
    let database: Database;
    let runs: RunStore;
    useRunStorePlace(backend, (opened) => ({ database, runs } = opened));

    const start = async (
      flow: 'accounts' | 'products' | 'contacts' | 'quotes',
      by?: RunOwner,
      leaseMs = 60_000,
    ) => {
      const run = await runs.createRun({
        flows: [flow],
        mode: 'FULL',
        dryRun: false,
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
      const dead = await start('contacts', owner('hub-c', here, 999));
      const lapsed = await start('quotes', owner('hub-d', 'hub-host-d', 8));
      await expire(lapsed.id);

      expect(await runs.markInterrupted(leftBehind)).toEqual([dead.id, lapsed.id].sort());
      expect(await runs.markInterrupted(leftBehind)).toEqual([]);
      for (const { id } of [mine, elsewhere]) expect((await runs.getRun(id))?.status).toBe('RUNNING');
      const deadRun = (await runs.getRun(dead.id))!;
      expect(deadRun).toMatchObject({
        status: 'FAILED',
        error: `interrupted: instance hub-c (pid 999 on ${here}) stopped while this run was in progress`,
      });
      expect(deadRun.flows[0]).toMatchObject({ status: 'FAILED', error: deadRun.error });
      expect((await runs.getRun(lapsed.id))?.error).toMatch(
        /^interrupted: instance hub-d \(pid 8 on hub-host-d\) stopped renewing its lease, which ran out at \d{4}-\d\d-\d\dT[\d:.]+Z$/,
      );
      for (const { id } of [mine, elsewhere]) await runs.setRunStatus(id, 'SUCCEEDED');
    });

    it("renews only its own runs' leases, and only while they are in progress", async () => {
      const a = owner('hub-a', 'hub-host-x', 1);
      const b = owner('hub-b', 'hub-host-y', 2);
      const ours = await start('accounts', a, 1_000);
      const theirs = await start('products', b, 1_000);
      await Promise.all([expire(ours.id), expire(theirs.id)]);
      await runs.renewLeases([ours.id, theirs.id], a, 60_000);
      expect(await runs.markInterrupted(leftBehind)).toEqual([theirs.id]);
      expect((await runs.getRun(ours.id))?.status).toBe('RUNNING');
      await runs.setRunStatus(ours.id, 'SUCCEEDED');
      await runs.renewLeases([ours.id], a, 60_000); // finished: nothing to renew, nothing changes
      expect((await runs.getRun(ours.id))?.status).toBe('SUCCEEDED');
    });

    it('fails every run in progress, owned or not, for a hub that knows it is alone', async () => {
      const owned = await start('accounts', owner('hub-a', here, 101));
      const unowned = await start('products');
      expect(await runs.markInterrupted()).toEqual([owned.id, unowned.id].sort());
      expect((await runs.getRun(owned.id))?.error).toBe(interruptedError);
    });

    it('counts a run no instance claimed as left behind, whoever looks', async () => {
      const unowned = await start('contacts');
      expect(await runs.markInterrupted(leftBehind)).toEqual([unowned.id]);
      expect((await runs.getRun(unowned.id))?.error).toBe(interruptedError);
    });
  },
);
