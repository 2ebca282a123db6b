/**
 * A sync whose own database goes away mid-run, through a loopback proxy this test cuts (every connection
 * dropped, new ones refused) at a chosen page commit:
 *
 * - a page whose commit landed but whose answer was lost is not committed twice: the engine reads the
 *   flow's counters back before trying again, so nothing is counted twice;
 * - a database that stays away beyond the retries fails the flow with a sentence naming the database
 *   (no SQL, no address); the run's final status waits for the database and is recorded once it is back,
 *   rather than leaving the run RUNNING; and the next INCREMENTAL run resumes after the last committed
 *   page, leaving Finance with every account exactly once.
 *
 * Needs PostgreSQL (`TEST_DATABASE_URL`); the simulators run in this process, unslowed.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createConnectors, type Connectors } from '../../../src/connectors/index.js';
import { openDatabase, type Database } from '../../../src/db/connection.js';
import { createLinkStore } from '../../../src/db/links.js';
import { createRunStore, type RunStore } from '../../../src/db/runs.js';
import {
  connectorEndpointFor,
  startSimulators,
  type RunningSimulators,
} from '../../../src/simulators/index.js';
import { createFlowRunner, type DatabaseRetryPolicy } from '../../../src/sync/engine/index.js';
import { flowPlans } from '../../../src/sync/flows/index.js';
import type { RunSnapshot, SyncManager } from '../../../src/sync/runs/types.js';
import { withValueMaps } from '../../../src/sync/flows/value-maps.js';
import { startSyncManager } from '../../support/sync-manager.js';
import { captureLogs, type CapturedLogs } from '../../support/logs.js';
import { type TestPlace, postgresBackend } from '../../db/backends.js';
import { startTcpProxy, type TcpProxy } from '../../db/tcp-proxy.js';
import { customersByAccount, numberedAccounts } from '../../support/sync-outcomes.js';

const adminUrl = process.env.TEST_DATABASE_URL;
const postgres = postgresBackend;

const accounts = 60;
const pageSize = 15;

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

/** Short waits, so a database that stays away fails the flow in a fraction of a second. */
const quickRetry: DatabaseRetryPolicy = { attempts: 3, waitMs: () => 20 };

/** Resolves with the run's first final snapshot. */
function finalSnapshot(sync: SyncManager, runId: string): Promise<RunSnapshot> {
  return new Promise((resolve) => {
    const unsubscribe = sync.events.subscribe(runId, (snapshot) => {
      if (snapshot.run.status === 'QUEUED' || snapshot.run.status === 'RUNNING') return;
      unsubscribe();
      resolve(snapshot);
    });
  });
}

describe.skipIf(!adminUrl || !postgres)('a sync whose database goes away (needs TEST_DATABASE_URL)', () => {
  let sim: RunningSimulators;
  let place: TestPlace;
  let proxy: TcpProxy;
  let database: Database;
  /** The same database without the proxy: what the test reads while the hub's side is cut off. */
  let direct: Database;
  let logs: CapturedLogs;
  let connectors: Connectors;
  const managers: SyncManager[] = [];

  /**
   * A sync manager over the proxied database whose `nth` page commit first does `before` and then, if
   * `after` is given, does that once the commit has landed and fails as the database then fails.
   */
  async function syncWith(fault?: {
    nth: number;
    before?: () => Promise<void>;
    after?: () => Promise<unknown>;
    policy?: DatabaseRetryPolicy;
  }): Promise<SyncManager> {
    const store = createRunStore(database);
    let commits = 0;
    const runs: RunStore = {
      ...store,
      async commitPage(page) {
        commits += 1;
        if (commits !== fault?.nth) return store.commitPage(page);
        await fault.before?.();
        const counters = await store.commitPage(page);
        if (fault.after) throw await fault.after();
        return counters;
      },
    };
    const policy = fault?.policy ?? quickRetry;
    const manager = await startSyncManager(database, {
      runs,
      runner: createFlowRunner({
        plans: flowPlans(),
        connectors,
        runs,
        links: createLinkStore(database),
        valueMaps: withValueMaps(),
        pageSize,
        databaseRetry: policy,
        logger: logs.logger,
      }),
      financeCompanies: () => connectors.finance.companies(),
      company: 'usmf',
      databaseRetry: policy,
      logger: logs.logger,
    });
    managers.push(manager);
    return manager;
  }

  async function runAccounts(sync: SyncManager): Promise<RunSnapshot> {
    const started = await sync.start({ flows: ['accounts'], mode: 'INCREMENTAL', dryRun: false });
    return finalSnapshot(sync, started.run.id);
  }

  beforeEach(async () => {
    sim = await startSimulators({ accounts });
    connectors = createConnectors({
      sales: connectorEndpointFor(sim.sales.origin),
      finance: connectorEndpointFor(sim.finance.origin),
      financeCompany: 'usmf',
    });
    place = await postgres!.createPlace();
    const url = new URL((place.config as { url: string }).url);
    proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    logs = captureLogs();
    database = await openDatabase(
      { kind: 'postgres', url: proxy.urlFor(url.toString()) },
      { log: logs.logger, connectTimeoutMs: 2_000 },
    );
    direct = await openDatabase(place.config);
  });
  afterEach(async () => {
    for (const manager of managers.splice(0)) await manager.shutdown();
    await database?.close();
    await direct?.close();
    await proxy?.close();
    await place?.dispose();
    await sim?.close();
  });

  it('does not commit a page twice when its commit landed but the answer was lost', async () => {
    const before = customersByAccount(sim);
    const sync = await syncWith({
      nth: 2,
      // The commit is in; then the database goes and the hub hears only of the failure.
      after: async () => {
        await proxy.cut();
        return database.ping().then(
          () => new Error('the database still answered'),
          (error: unknown) => error,
        );
      },
      // It comes back while the engine waits to try again.
      policy: {
        attempts: 5,
        waitMs: (attempt) => {
          if (attempt === 1) void proxy.restore();
          return 100;
        },
      },
    });
    const { run } = await runAccounts(sync);

    expect(run.status).toBe('SUCCEEDED');
    // Every record counted once: the lost answer was not taken for a commit that did not happen.
    expect(run.totals.read).toBe(accounts);
    expect(run.totals.failed).toBe(0);
    expect(logs.lines()).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        flow: 'accounts',
        msg: expect.stringMatching(
          /^The accounts flow waits for the database: the hub's database was unavailable/,
        ),
      }),
    );
    const after = customersByAccount(sim);
    for (const number of numberedAccounts(sim)) expect(after.get(number), number).toBe(1);
    expect([...after].filter(([key, n]) => n !== (before.get(key) ?? 0)).length).toBeGreaterThan(0);
  });

  it('fails the flow naming the database, records the final status once it is back, and resumes', async () => {
    const before = customersByAccount(sim);
    const sync = await syncWith({ nth: 2, before: () => proxy.cut() });
    const started = await sync.start({ flows: ['accounts'], mode: 'INCREMENTAL', dryRun: false });
    const ended = finalSnapshot(sync, started.run.id);

    // The flow gave up; its final status and the run's wait for the database, which is still away.
    await expect
      .poll(() =>
        logs.lines().some((line) => /^A final status of the sync run waits/.test(String(line['msg']))),
      )
      .toBe(true);
    const stored = createRunStore(direct);
    expect((await stored.getRun(started.run.id))?.status).toBe('RUNNING');

    await proxy.restore();
    const { run } = await ended;
    // Page 1 moved records, so the run completed with errors; its accounts flow failed, saying why.
    expect(run.status).toBe('COMPLETED_WITH_ERRORS');
    expect(run.totals.read).toBe(pageSize);
    const [flow] = run.flows;
    expect(flow?.status).toBe('FAILED');
    expect(flow?.error).toMatch(/^The accounts flow stopped: the hub's database was unavailable \([^()]+\)$/);
    expect(flow?.error).not.toMatch(/select|insert|update|127\.0\.0\.1|5432/i);
    expect(await stored.getRun(started.run.id)).toMatchObject({ status: 'COMPLETED_WITH_ERRORS' });

    // The next run reads on after the last committed page; Finance ends with each account once.
    const next = await runAccounts(await syncWith());
    expect(next.run.status).toBe('SUCCEEDED');
    expect(next.run.totals.read).toBe(accounts - pageSize);
    expect(next.run.flows[0]?.notes).toContain(
      `Resumed the read where run ${started.run.id} stopped: the records it committed were not read again.`,
    );
    const after = customersByAccount(sim);
    for (const number of numberedAccounts(sim)) expect(after.get(number), number).toBe(1);
    const added = [...after].filter(([key, n]) => n !== (before.get(key) ?? 0));
    expect(added.every(([key]) => numberedAccounts(sim).includes(key))).toBe(true);

    sim.finance.log.clear();
    const idle = await runAccounts(await syncWith());
    expect(idle.run).toMatchObject({ status: 'SUCCEEDED', totals: { read: 0 } });
    expect(sim.finance.log.httpRequests({ method: 'POST' })).toBe(0);
  });
});
