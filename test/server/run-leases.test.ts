/**
 * Hub processes on one PostgreSQL database, each signing the runs it executes: an instance that starts
 * beside a running sync leaves it alone, and each says at /readyz which runs it holds; an instance stopped
 * with SIGTERM hands its run back to another; a frozen one loses its run when its lease runs out and,
 * woken, writes nothing more. (A run whose instance is killed is taken over: takeover.test.ts.)
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type TestPlace, postgresBackend } from '../db/backends.js';
import {
  type ExternalSystems,
  type MainProcess,
  startExternalSystems,
  startMainProcess,
} from '../support/main-process.js';
import { customersByAccount, numberedAccounts } from '../support/sync-outcomes.js';

const adminUrl = process.env.TEST_DATABASE_URL;
const postgres = postgresBackend;

const accounts = 2_000; // four pages of 500
const leaseMs = 2_000;
const finalStatuses = ['SUCCEEDED', 'COMPLETED_WITH_ERRORS', 'FAILED', 'CANCELLED'];
const startSync = `mutation($mode: SyncMode!) { startSync(input: { flows: [ACCOUNTS], mode: $mode }) { id } }`;
const runQuery = `query($id: ID!) { syncRun(id: $id) { id status error notes totals { read } flows { notes } } }`;

interface Run {
  id: string;
  status: string;
  error: string | null;
  notes: string[];
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
    // Slowed, so the run is still going while the second instance starts and looks around: at 400 ms a
    // request, a loaded machine once started the second instance only after the run had ended.
    for (const system of [systems.sales, systems.finance]) system.faults.set({ latencyMs: 1_000 });
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
  /** The instance of `among` that executes the run (from /readyz), once one does. */
  async function executorOf(among: MainProcess[], runId: string): Promise<MainProcess> {
    return vi.waitFor(
      async () => {
        const found: MainProcess[] = [];
        for (const instance of among) {
          const body = (await (await fetch(new URL('/readyz', instance.url))).json()) as {
            instance: { executingRuns: string[] };
          };
          if (body.instance.executingRuns.includes(runId)) found.push(instance);
        }
        expect(found).toHaveLength(1);
        return found[0]!;
      },
      { timeout: 30_000, interval: 50 },
    );
  }

  it('hands the run back when the instance executing it is stopped (SIGTERM); another goes on after its page', async () => {
    const [a, b] = hubs as [MainProcess, MainProcess];
    for (const system of [systems.sales, systems.finance]) system.faults.set({ latencyMs: 400 });
    const runId = await start(a, 'FULL');
    const owner = await executorOf([a, b], runId);
    const other = owner === a ? b : a;
    await waitForRun(owner, runId, (run) => run.totals.read >= 500);
    expect(await owner.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    hubs.splice(hubs.indexOf(owner), 1);

    for (const system of [systems.sales, systems.finance]) system.faults.reset();
    const ended = await waitForRun(other, runId, (run) => finalStatuses.includes(run.status));
    expect(ended).toMatchObject({ status: 'SUCCEEDED', error: null, totals: { read: accounts } });
    expect(ended.notes).toEqual([
      expect.stringMatching(
        /^Taken over by instance hub-[ab] \(pid \d+ on \S+\) at \S+Z: instance hub-[ab] \(pid \d+ on \S+\) was stopped and handed the run back after committing its page in hand; it went on after the last committed page\.$/,
      ),
    ]);
    const inFinance = customersByAccount(systems);
    for (const account of numberedAccounts(systems)) expect(inFinance.get(account), account).toBe(1);
  }, 180_000);

  it('takes the run of a frozen instance (SIGSTOP) over once its lease runs out; woken, that instance writes nothing more', async () => {
    const c = await hub('hub-c');
    const d = await hub('hub-d');
    for (const system of [systems.sales, systems.finance]) system.faults.set({ latencyMs: 400 });
    const runId = await start(c, 'FULL');
    const owner = await executorOf([c, d], runId);
    const other = owner === c ? d : c;
    await waitForRun(owner, runId, (run) => run.totals.read >= 500);
    // Alive by its pid, but renewing nothing: as an instance on a machine that is cut off.
    owner.signal('SIGSTOP');
    const taken = await waitForRun(other, runId, (run) => run.notes.length === 1);
    expect(taken.notes[0]).toMatch(
      /: instance hub-[cd] \(pid \d+ on \S+\) stopped renewing its lease, which ran out at \S+Z; it went on after the last committed page\.$/,
    );
    owner.signal('SIGCONT');

    for (const system of [systems.sales, systems.finance]) system.faults.reset();
    const ended = await waitForRun(other, runId, (run) => finalStatuses.includes(run.status));
    // Every account read once: the woken instance committed no page after the takeover.
    expect(ended).toMatchObject({ status: 'SUCCEEDED', error: null, totals: { read: accounts } });
    await vi.waitFor(() =>
      expect(owner.output()).toContain(
        'sync run taken over by another instance: this instance stopped executing it',
      ),
    );
    const inFinance = customersByAccount(systems);
    for (const account of numberedAccounts(systems)) expect(inFinance.get(account), account).toBe(1);
  }, 180_000);
});
