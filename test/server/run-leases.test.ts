/**
 * Two hub processes on one PostgreSQL database, each signing the runs it executes: an instance that
 * starts beside a running sync leaves it alone, and each says at /readyz which runs it holds. (A run whose
 * instance is killed is taken over: takeover.test.ts.)
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type TestPlace, postgresBackend } from '../db/backends.js';
import {
  type ExternalSystems,
  type MainProcess,
  startExternalSystems,
  startMainProcess,
} from '../support/main-process.js';

const adminUrl = process.env.TEST_DATABASE_URL;
const postgres = postgresBackend;

const accounts = 2_000; // four pages of 500
const leaseMs = 2_000;
const finalStatuses = ['SUCCEEDED', 'COMPLETED_WITH_ERRORS', 'FAILED', 'CANCELLED'];
const startSync = `mutation($mode: SyncMode!) { startSync(input: { flows: [ACCOUNTS], mode: $mode }) { id } }`;
const runQuery = `query($id: ID!) { syncRun(id: $id) { id status error totals { read } flows { notes } } }`;

interface Run {
  id: string;
  status: string;
  error: string | null;
  totals: { read: number };
  flows: { notes: string[] }[];
}

async function runOn(hub: MainProcess, id: string): Promise<Run> {
  const { data, errors } = await hub.graphql<{ syncRun: Run }>(runQuery, { id });
  if (errors) throw new Error(JSON.stringify(errors));
  return data!.syncRun;
}

/** Polls the run on `hub` until `until` holds; each look is a real query. */
async function waitForRun(hub: MainProcess, id: string, until: (run: Run) => boolean): Promise<Run> {
  let run: Run | undefined;
  await vi.waitFor(
    async () => {
      run = await runOn(hub, id);
      expect(until(run)).toBe(true);
    },
    { timeout: 90_000, interval: 100 },
  );
  return run!;
}

async function start(hub: MainProcess, mode: 'FULL' | 'INCREMENTAL'): Promise<string> {
  const { data, errors } = await hub.graphql<{ startSync: { id: string } }>(startSync, { mode });
  if (errors) throw new Error(JSON.stringify(errors));
  return data!.startSync.id;
}

describe.skipIf(!adminUrl || !postgres)('runs held by live hub instances (needs TEST_DATABASE_URL)', () => {
  let systems: ExternalSystems;
  let place: TestPlace;
  let env: Record<string, string>;
  const hubs: MainProcess[] = [];
  const hub = async (instance: string) => {
    const started = await startMainProcess({ ...env, HUB_INSTANCE_ID: instance });
    hubs.push(started);
    return started;
  };

  beforeAll(async () => {
    systems = await startExternalSystems({ accounts, clientSecret: 'run-leases-client-secret' });
    place = await postgres!.createPlace();
    env = {
      ...systems.env,
      DATABASE_URL: (place.config as { url: string }).url,
      HUB_RUN_LEASE_MS: String(leaseMs),
    };
  }, 120_000);
  afterEach(() => {
    for (const system of [systems.sales, systems.finance]) system.faults.reset();
  });
  afterAll(async () => {
    await Promise.all(hubs.map((started) => started.stop('SIGTERM')));
    for (const started of hubs) started.kill();
    await place?.dispose();
    await systems?.close();
  });

  it('leaves a running sync alone when another instance starts beside it', async () => {
    const a = await hub('hub-a');
    // Slowed, so the run is still going while the second instance starts and looks around.
    for (const system of [systems.sales, systems.finance]) system.faults.set({ latencyMs: 400 });
    const runId = await start(a, 'FULL');
    await waitForRun(a, runId, (run) => run.status === 'RUNNING');

    const b = await hub('hub-b');
    expect((await runOn(b, runId)).status).toBe('RUNNING');
    // Each instance's /readyz says which runs it holds.
    const roleOf = async (instance: MainProcess) =>
      ((await (await fetch(new URL('/readyz', instance.url))).json()) as { instance?: unknown }).instance;
    expect(await roleOf(a)).toEqual({ id: 'hub-a', executingRuns: [runId] });
    expect(await roleOf(b)).toEqual({ id: 'hub-b', executingRuns: [] });
    const ended = await waitForRun(b, runId, (run) => finalStatuses.includes(run.status));
    expect(ended).toMatchObject({ status: 'SUCCEEDED', error: null, totals: { read: accounts } });
    expect(b.output()).not.toContain('left behind');
  }, 180_000);
});
