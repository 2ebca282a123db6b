/**
 * PostgreSQL connections that die under the hub — terminated by the server (`pg_terminate_backend`, as
 * in a failover) while idle in the pool or inside a transaction between two statements — never end the
 * process: the work on the connection fails with an outage error, the failure is one warning line in the
 * hub's log, and the next query gets a new connection. A connection lost under a BEGIN, which drizzle
 * never hands back, is discarded by the pool rather than kept checked out. The connections carry an
 * application name, so operators can find them in `pg_stat_activity`.
 *
 * Needs PostgreSQL (`TEST_DATABASE_URL`): PGlite has no connections to lose.
 */
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { hubApplicationName, openDatabase, type Database } from '../../src/db/connection.js';
import { isDatabaseOutage } from '../../src/db/outages.js';
import { captureLogs, type CapturedLogs } from '../support/logs.js';
import { postgresBackend, type TestPlace } from './backends.js';
import { startTcpProxy } from './tcp-proxy.js';

const adminUrl = process.env.TEST_DATABASE_URL;
const postgres = postgresBackend;

vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

describe.skipIf(!adminUrl || !postgres)('PostgreSQL connections that fail (needs TEST_DATABASE_URL)', () => {
  let place: TestPlace;
  let url: string;
  let admin: pg.Client;
  let logs: CapturedLogs;
  let database: Database;
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => uncaught.push(error);

  /** Terminates the hub's connection with backend `pid`, or all of them; resolves with how many. */
  async function terminate(pid?: number): Promise<number> {
    // In the select list, not the where clause: there it could run before the filter, on every backend.
    const { rows } = await admin.query<{ terminated: boolean }>(
      `select pg_terminate_backend(pid) as terminated from pg_stat_activity
         where datname = $1 and application_name = $2 and ($3::int is null or pid = $3)`,
      [new URL(url).pathname.slice(1), hubApplicationName, pid ?? null],
    );
    return rows.filter((row) => row.terminated).length;
  }

  /** The warnings about failed connections logged so far. */
  const connectionWarnings = () => logs.lines().filter((line) => line['level'] === 'warn' && 'inUse' in line);

  beforeAll(async () => {
    place = await postgres!.createPlace();
    url = (place.config as { url: string }).url;
    admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    process.on('uncaughtException', onUncaught);
  });
  afterAll(async () => {
    process.off('uncaughtException', onUncaught);
    await admin?.end();
    await place?.dispose();
  });
  beforeEach(async () => {
    uncaught.length = 0;
    logs = captureLogs();
    database = await openDatabase(place.config, { log: logs.logger });
  });
  afterEach(async () => {
    await database?.close();
    vi.restoreAllMocks();
  });

  it(`names its connections '${hubApplicationName}' in pg_stat_activity, unless the URL names them`, async () => {
    const name = async (db: Database) =>
      (await db.db.execute<{ name: string }>(sql`select current_setting('application_name') as name`))
        .rows[0]!.name;
    expect(await name(database)).toBe(hubApplicationName);
    const named = await openDatabase({ kind: 'postgres', url: `${url}?application_name=billing-hub` });
    try {
      expect(await name(named)).toBe('billing-hub');
    } finally {
      await named.close();
    }
  });

  it('fails a transaction whose connection is terminated between two statements', async () => {
    const outcome = database.db
      .transaction(async (tx) => {
        const { rows } = await tx.execute<{ pid: number }>(sql`select pg_backend_pid() as pid`);
        expect(await terminate(rows[0]!.pid)).toBe(1);
        // The client learns of it between the statements, with no query of its own in flight.
        await expect.poll(() => connectionWarnings().length).toBe(1);
        await tx.execute(sql`select 1`);
      })
      .then(
        () => new Error('the transaction went through'),
        (error: unknown) => error,
      );
    expect(isDatabaseOutage(await outcome)).toBe(true);
    expect(connectionWarnings()).toEqual([expect.objectContaining({ inUse: true, code: '57P01' })]);
    await database.ping();
    expect(uncaught).toEqual([]);
  });

  it('keeps no connection checked out when a transaction loses it during BEGIN, however often', async () => {
    const target = new URL(url);
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const proxied = await openDatabase(
      { kind: 'postgres', url: proxy.urlFor(url) },
      { log: logs.logger, connectTimeoutMs: 2_000 },
    );
    try {
      // More times than the pool has connections (10): each one kept would be lost to the pool for good.
      for (let round = 0; round < 12; round += 1) {
        await proxied.ping(); // a connection idle in the pool, for the transaction to take
        const dropped = proxy.hold();
        const transaction = proxied.db
          .transaction(async () => undefined)
          .then(
            () => new Error('the transaction went through'),
            (error: unknown) => error,
          );
        await dropped; // BEGIN was sent, and waits for an answer that will not come
        await proxy.cut();
        expect(isDatabaseOutage(await transaction), `round ${round}`).toBe(true);
        await proxy.restore();
      }
      await proxied.ping();
      expect(uncaught).toEqual([]);
    } finally {
      await proxied.close();
      await proxy.close();
    }
  });

  it('logs an idle pooled connection that is terminated as a JSON warning, not on the console', async () => {
    const console_ = vi.spyOn(console, 'error');
    await database.ping(); // leaves a connection idle in the pool (or more, from the migrations)
    const idle = await terminate();
    expect(idle).toBeGreaterThan(0);
    await expect.poll(() => connectionWarnings().length).toBe(idle);
    expect(connectionWarnings()[0]).toMatchObject({
      level: 'warn',
      inUse: false,
      code: '57P01',
      msg: expect.stringMatching(
        /^PostgreSQL at .+: an idle connection failed: terminating connection due to administrator command; the pool replaces it$/,
      ),
    });
    await database.ping();
    expect(uncaught).toEqual([]);
    expect(console_).not.toHaveBeenCalled();
  });
});
