/**
 * Opening the database: migrations run on open, exactly once per database, on both drivers; a database
 * that cannot be opened, reached or migrated fails with a message that says which and why, and never
 * shows a password.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  DatabaseError,
  migrationsFolder,
  openDatabase,
  redactUrl,
  type Database,
  type DatabaseConfig,
} from '../../src/db/connection.js';
import { createLinkStore } from '../../src/db/links.js';
import { backends, type TestPlace } from './backends.js';

// Every PGlite start compiles WebAssembly and may run initdb: seconds each on a busy two-core machine.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const migrationCount = (
  JSON.parse(readFileSync(join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] }
).entries.length;

/** Everything opened in a test is closed after it, whether the test passed or not. */
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function open(config: DatabaseConfig, statements?: string[]): Promise<Database> {
  const database = await openDatabase(config, {
    logger: statements && { logQuery: (query) => statements.push(query) },
  });
  cleanups.push(() => database.close());
  return database;
}

async function place(backend: (typeof backends)[number], persistent = true): Promise<TestPlace> {
  const created = await backend.createPlace({ persistent });
  cleanups.push(() => created.dispose());
  return created;
}

async function appliedMigrations(database: Database): Promise<number> {
  const result = await database.db.execute<{ count: number }>(
    sql`select count(*)::int as count from drizzle.__drizzle_migrations`,
  );
  return result.rows[0]!.count;
}

async function failureOf(promise: Promise<unknown>): Promise<DatabaseError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(DatabaseError);
  return error as DatabaseError;
}

describe('migrations folder', () => {
  it('is found from the source file, not the working directory, and holds at least one migration', () => {
    expect(migrationsFolder).toBe(join(import.meta.dirname, '..', '..', 'migrations'));
    expect(migrationCount).toBeGreaterThan(0);
  });
});

describe('PGlite', () => {
  it('applies the migrations to a fresh database in memory', async () => {
    const database = await open({ kind: 'pglite' });
    expect(database.kind).toBe('pglite');
    expect(database.label).toBe('PGlite in memory');
    expect(await appliedMigrations(database)).toBe(migrationCount);
    await database.ping();
  });

  it('treats memory:// as in memory', async () => {
    const database = await open({ kind: 'pglite', dataDir: 'memory://' });
    expect(database.label).toBe('PGlite in memory');
    expect(await appliedMigrations(database)).toBe(migrationCount);
  });

  it('creates a missing data folder and applies the migrations there', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'hub-db-test-'));
    cleanups.push(() => rm(parent, { recursive: true, force: true }));
    const dataDir = join(parent, 'nested', 'data');
    const database = await open({ kind: 'pglite', dataDir });
    expect(database.label).toBe(`PGlite at ${dataDir}`);
    expect(await appliedMigrations(database)).toBe(migrationCount);
  });

  it('fails with a message naming the folder when the data folder cannot be created', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'hub-db-test-'));
    cleanups.push(() => rm(parent, { recursive: true, force: true }));
    const file = join(parent, 'a-file');
    await writeFile(file, 'not a folder');
    const error = await failureOf(openDatabase({ kind: 'pglite', dataDir: join(file, 'data') }));
    expect(error.step).toBe('open');
    expect(error.message).toContain(`PGlite at ${join(file, 'data')} could not be opened: `);
    expect(error.code).toBe('ENOTDIR');
  });
});

describe.each(backends.map((backend) => [backend.name, backend] as const))('%s', (_name, backend) => {
  it('applies the migrations to a fresh database', async () => {
    const target = await place(backend);
    const database = await open(target.config);
    expect(database.kind).toBe(backend.name === 'PGlite' ? 'pglite' : 'postgres');
    expect(await appliedMigrations(database)).toBe(migrationCount);
  });

  it('keeps the data when reopened, and does not apply the migrations again', async () => {
    const target = await place(backend);
    const first = await open(target.config);
    await createLinkStore(first).upsert({ entity: 'account', businessKey: 'ACC-1', financeKey: 'US-001' });
    await first.close();

    const statements: string[] = [];
    const again = await open(target.config, statements);
    const links = await createLinkStore(again).findMany('account', ['acc-1']);
    expect(links.get('acc-1')?.financeKey).toBe('US-001');
    expect(await appliedMigrations(again)).toBe(migrationCount);
    expect(statements.filter((s) => /create table "record_links"/i.test(s))).toEqual([]);
  });

  it('fails at the migrate step, closing what it opened, when a migration cannot be applied', async () => {
    const target = await place(backend);
    // A table of the same name the migrations did not create: the first migration cannot run.
    await target.exec('create table record_links (id int)');
    const error = await failureOf(openDatabase(target.config));
    expect(error.step).toBe('migrate');
    expect(error.message).toMatch(/could not be migrated: relation "record_links" already exists$/);
    expect(error.code).toBe('42P07');
  });

  it('closes idempotently, and ping then reports the database unreachable', async () => {
    const database = await openDatabase((await place(backend, false)).config);
    await database.close();
    await database.close();
    const error = await failureOf(database.ping());
    expect(error.step).toBe('connect');
    expect(error.message).toContain(`${database.label} could not be connected to: `);
  });
});

describe('a PostgreSQL database that cannot be reached', () => {
  const url = 'postgres://nobody:secret@127.0.0.1:1/none';

  it('fails with a message naming the database and the reason, never the password', async () => {
    const error = await failureOf(openDatabase({ kind: 'postgres', url }));
    expect(error.message).toBe(
      'PostgreSQL at postgres://nobody:***@127.0.0.1:1/none could not be connected to: connect ECONNREFUSED 127.0.0.1:1',
    );
    expect(error).toMatchObject({ step: 'connect', code: 'ECONNREFUSED' });
    // What main would print, cause and fields included.
    expect(inspect(error, { depth: 10 })).not.toContain('secret');
    expect(String(error.stack)).not.toContain('secret');
  });

  it('redacts a password that needs URL escaping, or one given as a query parameter', async () => {
    const error = await failureOf(
      openDatabase({
        kind: 'postgres',
        url: 'postgres://nobody:s%40cr%2Fet@127.0.0.1:1/none?password=other',
      }),
    );
    for (const secret of ['s%40cr%2Fet', 's@cr/et', 'other']) {
      expect(inspect(error, { depth: 10 })).not.toContain(secret);
    }
  });
});

describe('redactUrl', () => {
  it.each([
    ['postgres://u:pw@db.example.com:5432/hub', 'postgres://u:***@db.example.com:5432/hub'],
    ['postgresql://u@db/hub', 'postgresql://u@db/hub'],
    ['postgres://db/hub?sslmode=require&password=pw', 'postgres://db/hub?sslmode=require&password=***'],
    ['postgres://u:p/w@[bad/hub?password=pw', 'postgres://***@[bad/hub'],
  ])('%s → %s', (url, redacted) => {
    expect(redactUrl(url)).toBe(redacted);
  });
});
