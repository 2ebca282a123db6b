/**
 * Which database errors are outages (readers answer around them) and which are the hub's own mistakes
 * (they surface): told apart on real errors from the drivers, not on hand-made ones.
 */
import { createServer } from 'node:net';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connection.js';
import { isDatabaseOutage } from '../../src/db/outages.js';
import { errorOf } from '../support/sync-outcomes.js';

const adminUrl = process.env.TEST_DATABASE_URL;

/** A port nothing listens on: taken, then freed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('isDatabaseOutage', () => {
  it('is true for a PostgreSQL server that refuses the connection', async () => {
    const client = new pg.Client({ connectionString: `postgres://hub@127.0.0.1:${await closedPort()}/hub` });
    expect(isDatabaseOutage(await errorOf(() => client.connect()))).toBe(true);
  });

  it.skipIf(!adminUrl)('is true for a query whose connection the server terminated', async () => {
    const victim = new pg.Client({ connectionString: adminUrl });
    await victim.connect();
    victim.on('error', () => undefined);
    const pid = (await victim.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      const query = errorOf(() => victim.query('select pg_sleep(5)'));
      await admin.query('select pg_terminate_backend($1)', [pid]);
      expect(isDatabaseOutage(await query)).toBe(true);
    } finally {
      await admin.end();
      await victim.end().catch(() => undefined);
    }
  });

  it('is false for a statement the database refuses (a bug, not an outage)', async () => {
    const database = await openDatabase({ kind: 'pglite' });
    try {
      const error = await errorOf(() => database.db.execute(sql`select * from no_such_table`));
      expect(isDatabaseOutage(error)).toBe(false);
    } finally {
      await database.close();
    }
  });

  it.each([
    ['a plain error', new Error('something else')],
    ['a string', 'Connection terminated'],
    ['undefined', undefined],
  ])('is false for %s', (_name, error) => {
    expect(isDatabaseOutage(error)).toBe(false);
  });

  it('looks through the causes drizzle wraps around a driver error', () => {
    const driver = Object.assign(new Error('terminating connection due to administrator command'), {
      code: '57P01',
    });
    expect(isDatabaseOutage(new Error('Failed query: select 1', { cause: driver }))).toBe(true);
  });
});
