/**
 * What a run tells its readers when the hub's own database fails it: one sentence with the driver's
 * reason and code, never the SQL drizzle puts in its message nor the database's address. Told on real
 * errors from the drivers.
 */
import { createServer } from 'node:net';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/connection.js';
import { describeDatabaseFailure } from '../../src/db/query-failures.js';
import { errorOf } from '../support/sync-outcomes.js';

describe('describeDatabaseFailure', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openDatabase({ kind: 'pglite' });
  });
  afterAll(async () => {
    await database?.close();
  });

  it('names a refused statement by the reason and code the database gave, without the statement', async () => {
    const error = await errorOf(() =>
      database.db.execute(sql`select secret_column from no_such_table where id = ${'ACC-1'}`),
    );
    expect(String((error as Error).message)).toContain('no_such_table'); // drizzle's own message has it
    expect(describeDatabaseFailure(error)).toBe(
      `the hub's database refused a query (relation "no_such_table" does not exist, 42P01)`,
    );
  });

  it('names a server that refuses the connection by the code alone, without its address', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    const client = new pg.Client({ connectionString: `postgres://hub@127.0.0.1:${port}/hub` });
    const error = await errorOf(() => client.connect());
    expect(describeDatabaseFailure(error)).toBe(`the hub's database was unavailable (ECONNREFUSED)`);
  });

  it.each([
    ['an error from elsewhere', new Error('Finance answered 500')],
    ['a string', 'Connection terminated'],
    ['undefined', undefined],
  ])('says nothing of %s', (_name, error) => {
    expect(describeDatabaseFailure(error)).toBeNull();
  });
});
