/**
 * A sync whose process dies mid-run loses and duplicates nothing. The sync runs in a child process
 * (crash-child.ts) that kills itself with SIGKILL at a chosen point; this process runs the simulators,
 * then opens the same database as the next start of the hub would: it sees the run's owner gone, takes
 * the run over and finishes it after its last committed page.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createConnectors } from '../../../src/connectors/index.js';
import { openDatabase, type Database } from '../../../src/db/connection.js';
import { createLinkStore } from '../../../src/db/links.js';
import { createRunStore, type RunStore, type SyncRunRecord } from '../../../src/db/runs.js';
import {
  connectorEndpointFor,
  startSimulators,
  type RunningSimulators,
} from '../../../src/simulators/index.js';
import { createFlowRunner } from '../../../src/sync/engine/index.js';
import { flowPlans } from '../../../src/sync/flows/index.js';
import type { RunSnapshot, SyncManager } from '../../../src/sync/runs/types.js';
import { withValueMaps } from '../../../src/sync/flows/value-maps.js';
import { startSyncManager } from '../../support/sync-manager.js';
import { backends, type TestPlace } from '../../db/backends.js';
import { customersByAccount, numberedAccounts } from '../../support/sync-outcomes.js';

const pageSize = 10;
const child = fileURLToPath(new URL('./crash-child.ts', import.meta.url));

/** Runs the accounts flow in a child process that SIGKILLs itself at `killAt`; resolves with its run id. */
async function syncUntilKilled(sim: RunningSimulators, place: TestPlace, killAt: string): Promise<string> {
  const process_ = spawn(process.execPath, ['--import', 'tsx', child], {
    env: {
      ...process.env,
      SALES_ORIGIN: sim.sales.origin,
      FINANCE_ORIGIN: sim.finance.origin,
      DATABASE: JSON.stringify(place.config),
      FLOW: 'accounts',
      PAGE_SIZE: String(pageSize),
      KILL_AT: killAt,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  process_.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  process_.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const signal = await new Promise<NodeJS.Signals | null>((resolve) =>
    process_.on('exit', (_code, exitSignal) => resolve(exitSignal)),
  );
  if (signal !== 'SIGKILL') throw new Error(`the sync process was not killed (${signal}): ${stderr}`);
  const runId = stdout.trim();
  if (!runId) throw new Error(`the sync process died before creating its run: ${stderr}`);
  return runId;
}

/** The hub as it starts again over the same database: takes over the runs left behind, then syncs. */
async function restart(sim: RunningSimulators, database: Database) {
  const connectors = createConnectors({
    sales: connectorEndpointFor(sim.sales.origin),
    finance: connectorEndpointFor(sim.finance.origin),
    financeCompany: 'usmf',
  });
  const runs = createRunStore(database);
  const sync = await startSyncManager(database, {
    runs,
    runner: createFlowRunner({
      plans: flowPlans(),
      connectors,
      runs,
      links: createLinkStore(database),
      valueMaps: withValueMaps(),
      pageSize,
    }),
    financeCompanies: () => connectors.finance.companies(),
    company: 'usmf',
  });
  managers.push(sync);
  return { runs, sync };
}

const managers: SyncManager[] = [];

/** The run once it has a final status (the manager that took it over publishes on its own bus). */
async function ended(runs: RunStore, runId: string): Promise<SyncRunRecord> {
  for (let waited = 0; waited < 30_000; waited += 50) {
    const run = await runs.getRun(runId);
    if (run && run.status !== 'QUEUED' && run.status !== 'RUNNING') return run;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`run ${runId} did not end within 30 s`);
}

/** Starts an incremental accounts run and resolves with its final snapshot. */
async function runToEnd(sync: SyncManager): Promise<RunSnapshot> {
  const started = await sync.start({ flows: ['accounts'], mode: 'INCREMENTAL', dryRun: false });
  return new Promise((resolve) => {
    const unsubscribe = sync.events.subscribe(started.run.id, (snapshot) => {
      if (snapshot.run.status === 'QUEUED' || snapshot.run.status === 'RUNNING') return;
      unsubscribe();
      resolve(snapshot);
    });
  });
}

describe.each(backends)('a sync killed mid-run, on $name', (backend) => {
  // Four scenarios, each with fresh systems and a fresh database.
  describe.each([
    {
      killAt: 'commit:2',
      when: 'between pages',
    },
    {
      killAt: 'write:2',
      when: "after Finance took a page's writes but before the page was committed",
    },
    {
      killAt: 'prefetch:2',
      when: 'after the next page was read ahead but before the page in hand was committed',
    },
    {
      // 40 accounts in pages of 10: the fourth commit is the last page's, with the new delta link.
      killAt: 'commit:4',
      when: 'after its last page was committed but before the flow ended',
    },
  ])('killed $when', ({ killAt }) => {
    let sim: RunningSimulators;
    let place: TestPlace;
    let database: Database;
    let killedRun: string;
    let before: Map<string, number>;

    beforeAll(async () => {
      sim = await startSimulators({ accounts: 40 });
      place = await backend.createPlace({ persistent: true });
      before = customersByAccount(sim);
      killedRun = await syncUntilKilled(sim, place, killAt);
      database = await openDatabase(place.config);
    }, 60_000);

    afterEach(async () => {
      for (const manager of managers.splice(0)) await manager.shutdown();
    });

    afterAll(async () => {
      await database?.close();
      await sim?.close();
      await place?.dispose();
    });

    it('is taken over by the next start, which finishes it after the last committed page: nothing lost, nothing created twice', async () => {
      const { runs } = await restart(sim, database);
      const run = await ended(runs, killedRun);
      expect(run.status).toBe('SUCCEEDED');
      // Every record counted once: the pages the killed process committed, and the rest read after them.
      expect(run.totals.read).toBe(sim.sales.store.count('accounts'));
      expect(run.notes).toEqual([
        expect.stringMatching(
          /^Taken over by instance \S+ \(pid \d+ on \S+\) at \S+Z: instance \S+ \(pid \d+ on \S+\) stopped while this run was in progress; it went on after the last committed page\.$/,
        ),
      ]);
      expect(run.flows[0]?.notes).toContain(
        'Went on after the last page this run committed before it was taken over: those records were not read again.',
      );

      const after = customersByAccount(sim);
      for (const number of numberedAccounts(sim)) expect(after.get(number), number).toBe(1);
      // Nothing but the synced accounts was added, each once.
      const added = [...after].filter(([key, n]) => n !== (before.get(key) ?? 0));
      expect(added.every(([key]) => numberedAccounts(sim).includes(key))).toBe(true);
    });

    it('then has nothing left to do', async () => {
      const { sync } = await restart(sim, database);
      sim.finance.log.clear();
      const { run } = await runToEnd(sync);
      expect(run.status).toBe('SUCCEEDED');
      expect(run.totals.read).toBe(0);
      expect(sim.finance.log.httpRequests({ method: 'POST' })).toBe(0);
    });
  });
});
