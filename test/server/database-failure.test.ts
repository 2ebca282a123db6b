/**
 * The hub survives its PostgreSQL dropping connections, as in a failover: the real program in a child
 * process, its connections terminated from outside (`pg_terminate_backend`) while a sync runs — while
 * idle, and while a page's transaction waits on a lock this test holds, so that a commit dies in flight.
 * The process stays up and logs each failure as a JSON line, the killed page is committed again once
 * (nothing lost, nothing counted twice), `/readyz` reports the database down while it refuses
 * connections, and Finance ends with every account exactly once, with values a further run leaves alone.
 *
 * Needs PostgreSQL (`TEST_DATABASE_URL`); Sales and Finance are simulators in this process, slowed so a
 * page of 500 accounts takes a good second.
 */
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { hubApplicationName } from '../../src/db/connection.js';
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

const startSync = `mutation Start($mode: SyncMode!) {
  startSync(input: { flows: [ACCOUNTS], mode: $mode }) { id }
}`;
const runQuery = `query Run($id: ID!) {
  syncRun(id: $id) { status error totals { read created updated unchanged skipped failed } }
}`;

interface RunView {
  status: string;
  error: string | null;
  totals: Record<'read' | 'created' | 'updated' | 'unchanged' | 'skipped' | 'failed', number>;
}

const accounts = 2_000; // four pages of 500
const finalStatuses = ['SUCCEEDED', 'COMPLETED_WITH_ERRORS', 'FAILED', 'CANCELLED'];
/** How many times connections are terminated at whatever moment, besides the two in commits. */
const blindKills = 5;

/** The run as the hub reports it; null while the hub's own query fails (its connection was just killed). */
async function runView(hub: MainProcess, id: string): Promise<RunView | null> {
  const { data } = await hub.graphql<{ syncRun: RunView | null }>(runQuery, { id });
  return data?.syncRun ?? null;
}

/** Polls `check` every 50 ms until it returns a value; fails after `timeoutMs` with `what`. */
async function until<T>(what: string, check: () => Promise<T | null | undefined>, timeoutMs = 30_000) {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline;) {
    const value = await check();
    if (value !== null && value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const runUntil = (hub: MainProcess, id: string, what: string, done: (run: RunView) => boolean) =>
  until(what, async () => {
    const run = await runView(hub, id);
    return run && (done(run) || finalStatuses.includes(run.status)) ? run : null;
  });

async function probe(hub: MainProcess, path: string): Promise<{ status: number; body: any }> {
  const response = await fetch(new URL(path, hub.url));
  return { status: response.status, body: await response.json() };
}

describe.skipIf(!adminUrl || !postgres)(
  'a hub whose PostgreSQL drops its connections (needs TEST_DATABASE_URL)',
  () => {
    let systems: ExternalSystems;
    let place: TestPlace;
    let database: string;
    let admin: pg.Client;
    let hub: MainProcess | undefined;

    /** Terminates every connection of the hub to its database; resolves with how many there were. */
    async function terminateHubConnections(): Promise<number> {
      // In the select list, not the where clause: there it could run before the filter, on every backend.
      const { rows } = await admin.query<{ terminated: boolean }>(
        `select pg_terminate_backend(pid) as terminated from pg_stat_activity
         where datname = $1 and application_name = $2`,
        [database, hubApplicationName],
      );
      return rows.filter((row) => row.terminated).length;
    }

    /**
     * Holds the run's row locked until a hub connection waits for it (the next page's commit starts by
     * locking that row), then terminates the hub's connections and lets go: the commit dies in flight.
     * Resolves with the statement that was waiting.
     */
    async function killTheNextCommit(runId: string): Promise<string> {
      const locker = new pg.Client({ connectionString: (place.config as { url: string }).url });
      await locker.connect();
      try {
        await locker.query('begin');
        await locker.query('select id from sync_runs where id = $1 for update', [runId]);
        const waiting = await until('a hub connection waiting on the run row', async () => {
          const { rows } = await admin.query<{ query: string }>(
            `select query from pg_stat_activity where datname = $1 and application_name = $2
             and wait_event_type = 'Lock'`,
            [database, hubApplicationName],
          );
          return rows[0]?.query;
        });
        expect(await terminateHubConnections()).toBeGreaterThan(0);
        return waiting;
      } finally {
        await locker.query('rollback');
        await locker.end();
      }
    }

    beforeAll(async () => {
      systems = await startExternalSystems({ accounts, clientSecret: 'database-failure-client-secret' });
      place = await postgres!.createPlace();
      database = new URL((place.config as { url: string }).url).pathname.slice(1);
      admin = new pg.Client({ connectionString: adminUrl, application_name: 'hub-test-admin' });
      await admin.connect();
    });
    afterEach(() => hub?.kill());
    afterAll(async () => {
      await admin?.query(`alter database ${database} allow_connections true`).catch(() => undefined);
      await admin?.end();
      await place?.dispose();
      await systems?.close();
    });

    it('stays up, commits each killed page once, reports the database down while it is, and loses nothing', async () => {
      // One page processed at a time (SYNC_PAGES_IN_FLIGHT), so that each killed commit is the next page's
      // and the count can be followed page by page; pages in flight have crash tests of their own.
      hub = await startMainProcess({
        ...systems.env,
        DATABASE_URL: (place.config as { url: string }).url,
        SYNC_PAGES_IN_FLIGHT: '1',
      });
      // If the hub goes away, its last words say why (the failure itself only shows a refused connection).
      const hubProcess = hub;
      onTestFailed(() => console.error(`hub output (end):\n${hubProcess.output().slice(-6_000)}`));
      const before = customersByAccount(systems);
      for (const system of [systems.sales, systems.finance]) system.faults.set({ latencyMs: 100 });

      const started = await hub.graphql<{ startSync: { id: string } }>(startSync, { mode: 'INCREMENTAL' });
      const runId = started.data!.startSync.id;
      const firstPage = await runUntil(hub, runId, 'the first page', (run) => run.totals.read > 0);
      expect(firstPage.status, 'the run ended too soon; slow the systems down more').toBe('RUNNING');

      // Pages 2 and 3 each lose their connection in the middle of their commit.
      for (const page of [2, 3]) {
        const waiting = await killTheNextCommit(runId);
        expect(waiting, `page ${page}`).toMatch(
          /^update "sync_runs" set "updated_at" = now\(\).*returning "dry_run"$/s,
        );
        const committed = await runUntil(hub, runId, `page ${page}`, (run) => run.totals.read >= page * 500);
        expect(committed.totals.read, `page ${page}`).toBe(page * 500);
      }
      // During page 4, connections terminated whenever they happen to be: mostly idle, now and then in use.
      for (let kill = 0; kill < blindKills; kill += 1) {
        await terminateHubConnections();
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
      for (const system of [systems.sales, systems.finance]) system.faults.reset();

      const finished = await runUntil(hub, runId, 'the end of the run', () => false);
      // Every page counted once: the killed commits were tried again only after seeing they had not landed.
      expect(finished).toMatchObject({
        status: 'SUCCEEDED',
        error: null,
        totals: { read: accounts, failed: 0 },
      });
      expect((await probe(hub, '/healthz')).status).toBe(200);

      const after = customersByAccount(systems);
      const eligible = numberedAccounts(systems);
      for (const number of eligible) expect(after.get(number), number).toBe(1);
      const added = [...after].filter(([key, n]) => n !== (before.get(key) ?? 0));
      expect(added.every(([key]) => eligible.includes(key))).toBe(true);

      // A database that refuses connections is down for /readyz, and up again once it takes them.
      await admin.query(`alter database ${database} allow_connections false`);
      try {
        await terminateHubConnections();
        const down = await until('/readyz to report the database down', async () => {
          const answer = await probe(hub!, '/readyz');
          return answer.body.components?.database?.status === 'down' ? answer : null;
        });
        expect(down.status).toBe(503);
      } finally {
        await admin.query(`alter database ${database} allow_connections true`);
      }
      await until('/readyz to report the database up', async () => {
        const answer = await probe(hub!, '/readyz');
        return answer.body.components?.database?.status === 'up' ? answer : null;
      });

      // Every value is right: a FULL run compares each account with its customer and changes nothing.
      systems.finance.log.clear();
      const full = await hub.graphql<{ startSync: { id: string } }>(startSync, { mode: 'FULL' });
      const check = await runUntil(hub, full.data!.startSync.id, 'the FULL run', () => false);
      expect(check).toMatchObject({
        status: 'SUCCEEDED',
        totals: { read: accounts, created: 0, updated: 0, failed: 0 },
      });
      // No write, alone or inside a $batch (whose envelope is a POST: long key lookups are read that way).
      const writes = systems.finance.log.entries.filter(
        (entry) => ['POST', 'PATCH', 'DELETE'].includes(entry.method) && entry.entitySet !== '$batch',
      );
      expect(writes).toEqual([]);

      // Alive throughout, and everything it said is a JSON log line: no crash, no stray stack trace.
      expect((await probe(hub, '/healthz')).status).toBe(200);
      const lines = hub
        .output()
        .split('\n')
        .filter((line) => line.trim() !== '');
      const logged = lines.map((line) => {
        try {
          return JSON.parse(line) as Record<string, unknown>;
        } catch {
          throw new Error(`not a JSON log line: ${line}`);
        }
      });
      const inUse = logged.filter(
        (line) => line['level'] === 'warn' && /: a connection in use failed: /.test(String(line['msg'])),
      );
      expect(inUse.length).toBeGreaterThanOrEqual(2);
      expect(inUse[0]).toMatchObject({ inUse: true, database: expect.stringMatching(/^PostgreSQL at /) });
      expect(logged).toContainEqual(
        expect.objectContaining({
          level: 'warn',
          runId,
          flow: 'accounts',
          msg: expect.stringMatching(
            /^The accounts flow waits for the database: the hub's database was unavailable \(.*\); trying again in \d+ ms$/,
          ),
        }),
      );
      expect(hub.output()).not.toContain("Emitted 'error' event");
    }, 120_000);
  },
);
