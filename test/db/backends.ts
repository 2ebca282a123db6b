/**
 * The databases the db tests run against: PGlite always, PostgreSQL too when `TEST_DATABASE_URL` is set.
 * Every PostgreSQL place is a database of its own, created for the test and dropped after it, so test
 * files can run in parallel and runs repeat without leftovers. That needs a role allowed to create
 * databases (the `postgres` superuser in CI).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { DatabaseConfig } from '../../src/db/connection.js';

/** An empty place a database can be opened at, and raw SQL against it that bypasses the hub. */
export interface TestPlace {
  config: DatabaseConfig;
  /** Runs SQL on the place with its own connection, closed again before this resolves. */
  exec(statements: string): Promise<void>;
  /** Removes the place: the folder or the PostgreSQL database. */
  dispose(): Promise<void>;
}

export interface TestBackend {
  name: 'PGlite' | 'PostgreSQL';
  /** A new, empty place. PGlite keeps it in a temp folder when `persistent`, otherwise in memory. */
  createPlace(options?: { persistent?: boolean }): Promise<TestPlace>;
}

const pglite: TestBackend = {
  name: 'PGlite',
  async createPlace({ persistent = false } = {}) {
    if (!persistent) {
      // An in-memory PGlite lives only as long as its instance, so there is nothing to prepare with.
      return {
        config: { kind: 'pglite' },
        exec: () => Promise.reject(new Error('exec needs a persistent PGlite place')),
        dispose: async () => undefined,
      };
    }
    const dataDir = await mkdtemp(join(tmpdir(), 'hub-db-test-'));
    return {
      config: { kind: 'pglite', dataDir },
      async exec(statements) {
        const client = await PGlite.create(dataDir);
        try {
          await client.exec(statements);
        } finally {
          await client.close();
        }
      },
      dispose: () => rm(dataDir, { recursive: true, force: true }),
    };
  },
};

function postgres(adminUrl: string): TestBackend {
  const withAdmin = async <T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return await use(client);
    } finally {
      await client.end();
    }
  };
  return {
    name: 'PostgreSQL',
    async createPlace() {
      const name = `hub_test_${process.pid}_${randomBytes(4).toString('hex')}`;
      // template0: nobody connects to it, so parallel files never trip over "source database is in use".
      await withAdmin(adminUrl, (admin) => admin.query(`create database ${name} template template0`));
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      return {
        config: { kind: 'postgres', url: url.toString() },
        exec: (statements) =>
          withAdmin(url.toString(), async (client) => void (await client.query(statements))),
        dispose: () =>
          withAdmin(
            adminUrl,
            async (admin) => void (await admin.query(`drop database if exists ${name} with (force)`)),
          ),
      };
    },
  };
}

/** PGlite, and PostgreSQL when `TEST_DATABASE_URL` names a server, for `describe.each`. */
export const backends: TestBackend[] = [
  pglite,
  ...(process.env.TEST_DATABASE_URL ? [postgres(process.env.TEST_DATABASE_URL)] : []),
];

/** The PostgreSQL backend, for tests that need a real server (LISTEN/NOTIFY, several processes); undefined without `TEST_DATABASE_URL`. */
export const postgresBackend: TestBackend | undefined = backends.find(
  (backend) => backend.name === 'PostgreSQL',
);
