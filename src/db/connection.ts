/**
 * Opens the hub's database — embedded PGlite (the default, data in a local folder) or PostgreSQL
 * (`DATABASE_URL`) — behind one drizzle instance, and brings its schema up to date from migrations/
 * before anything else touches it. Every failure becomes a `DatabaseError` that names the database (with
 * any password redacted) and the step that failed, so `main` can print it and exit non-zero.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';
import { sql, type Assume, type Logger as QueryLogger } from 'drizzle-orm';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import type { HubConfig } from '../config.js';
import { silentLogger, type Logger } from '../logging.js';
import { describeError, errorCode, rootCause } from './driver-errors.js';
import { createPostgresPool } from './postgres-pool.js';
import * as schema from './schema.js';

/**
 * What raw `execute` returns on either driver: pg's QueryResult and PGlite's Results both carry the
 * rows, which is all the hub reads from them.
 */
export interface HubQueryResultHKT extends PgQueryResultHKT {
  type: HubQueryResult<Assume<this['row'], Record<string, unknown>>>;
}

/** The part of a raw query's result both drivers give. */
export interface HubQueryResult<TRow> {
  rows: TRow[];
}

/** The drizzle instance both drivers share: every query builder, typed with the hub's schema. */
export type HubDb = PgDatabase<HubQueryResultHKT, typeof schema>;

/**
 * Where the database is. The hub's config always names a PGlite folder; tests may leave `dataDir` out
 * (or pass `memory://`) for a throw-away database in memory.
 */
export type DatabaseConfig = HubConfig['database'] | { kind: 'pglite'; dataDir?: string };

export interface OpenDatabaseOptions {
  /** Receives every SQL statement with its parameters (drizzle's logger). Default: none. */
  logger?: QueryLogger;
  /**
   * Where a PostgreSQL connection that fails while open is reported (a warning with the database's label
   * and the driver's code). Default: nowhere.
   */
  log?: Logger;
  /** How long to wait for a PostgreSQL connection before failing. Default: 10 s. */
  connectTimeoutMs?: number;
  /**
   * The name the PostgreSQL connections give the server, shown in `pg_stat_activity`; an
   * `application_name` in the URL or `PGAPPNAME` takes precedence. Default `hubApplicationName`.
   */
  applicationName?: string;
  /**
   * Told as each step of opening begins, so a caller can say what the wait is for: `create` (PGlite only,
   * a folder holding no database yet: seconds), `open`, then `migrate`. Default: nobody is told.
   */
  onStep?: (step: OpenStep) => void;
}

/** The steps of `openDatabase`, in order; `create` only for a PGlite folder without a database. */
export type OpenStep = 'create' | 'open' | 'migrate';

/** What the hub's PostgreSQL connections are called in `pg_stat_activity` unless configured otherwise. */
export const hubApplicationName = 'p2c-hub';

/** An open, migrated database. */
export interface Database {
  db: HubDb;
  kind: 'pglite' | 'postgres';
  /** Which database this is, safe to print: `PGlite at /abs/dir`, or the URL with its password redacted. */
  label: string;
  /** Closes the connections (pool or PGlite instance); safe to call more than once. */
  close(): Promise<void>;
  /** One trivial query; rejects with a DatabaseError when the database cannot answer. */
  ping(): Promise<void>;
  /**
   * PostgreSQL only: a new connection outside the pool, not yet connected, set up as the pool's (URL,
   * connect timeout, application name), for work that holds a session of its own (LISTEN). The caller
   * connects it, handles its 'error' event and ends it.
   */
  newClient?: () => pg.Client;
  /**
   * Runs one SQL text with positional parameters ($1…) outside drizzle, for a library that brings its own
   * SQL (the job engine). Without parameters the text may hold several statements.
   */
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

/** What `openDatabase` or `ping` was doing when the database failed. */
export type DatabaseStep = 'open' | 'connect' | 'migrate';

/** A database that cannot be opened, reached or migrated. Neither message nor fields hold a password. */
export class DatabaseError extends Error {
  override name = 'DatabaseError';
  constructor(
    /** The database's `label`. */
    readonly database: string,
    readonly step: DatabaseStep,
    /** The driver's error code when it gave one: `ECONNREFUSED`, or a SQLSTATE such as `28P01`. */
    readonly code: string | undefined,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * migrations/ at the project root, found from this file rather than the working directory, so the hub
 * migrates the same way whichever folder it is started from.
 */
export const migrationsFolder = fileURLToPath(new URL('../../migrations', import.meta.url));

const stepFailures: Record<DatabaseStep, string> = {
  open: 'could not be opened',
  connect: 'could not be connected to',
  migrate: 'could not be migrated',
};

/**
 * Opens the database the config names and applies every migration it has not had yet (each applied once,
 * recorded in `drizzle.__drizzle_migrations`). Rejects with a DatabaseError, after closing whatever it
 * opened, when the database cannot be opened, reached or migrated.
 */
export async function openDatabase(
  config: DatabaseConfig,
  options: OpenDatabaseOptions = {},
): Promise<Database> {
  if (config.kind === 'postgres') options.onStep?.('open');
  const opened =
    config.kind === 'postgres'
      ? openPostgres(config.url, options)
      : await openPglite(config.dataDir, options);
  const database = describeDatabase(opened);
  try {
    await database.ping();
    options.onStep?.('migrate');
    await opened.migrate().catch((error: unknown) => {
      throw failure(opened, 'migrate', error);
    });
  } catch (error) {
    await database.close().catch(() => undefined);
    throw error;
  }
  return database;
}

/** A database opened but not yet checked: the driver-specific parts `openDatabase` needs. */
interface OpenedDriver {
  db: HubDb;
  kind: Database['kind'];
  label: string;
  /** Strings to scrub from driver error messages (the password, raw and decoded). */
  secrets: string[];
  migrate(): Promise<void>;
  close(): Promise<void>;
  newClient?: () => pg.Client;
  executeSql: Database['executeSql'];
}

/**
 * PostgreSQL settings for every PGlite the hub opens, on top of PGlite's own start parameters (single user,
 * no fsync, no parallel workers…).
 *
 * `shared_buffers` is 16 MB instead of PostgreSQL's 128 MB. PGlite zeroes its whole shared memory at every
 * start, inside its WebAssembly memory, which can grow but never shrink: 128 MB of buffers held 128 MB
 * resident for the life of the process (and took about 0.3 s to clear at each start) to cache a database
 * of a few tens of MB (links, runs and their pages). Pages outside the buffers are read back from the
 * operating system's file cache, which does not count against the hub.
 */
export const pgliteSettings: readonly string[] = ['-c', 'shared_buffers=16MB'];

/** PGlite's start parameters with the hub's settings. */
const pgliteStartParams = [...PGlite.defaultStartParams, ...pgliteSettings];

async function openPglite(dataDir: string | undefined, options: OpenDatabaseOptions): Promise<OpenedDriver> {
  const inMemory = dataDir === undefined || dataDir.startsWith('memory://');
  const path = inMemory ? undefined : resolve(dataDir);
  const label = path === undefined ? 'PGlite in memory' : `PGlite at ${path}`;
  let client: PGlite;
  try {
    if (path !== undefined) await mkdir(path, { recursive: true });
  } catch (error) {
    throw failure({ label, secrets: [] }, 'open', error);
  }
  let compiled: Promise<PgliteWasmModule | undefined> = Promise.resolve(undefined);
  if (path !== undefined && !existsSync(join(path, 'PG_VERSION'))) {
    options.onStep?.('create');
    // Compiled while the other process creates the database: opening it then takes 0.2 s less.
    compiled = compilePglite();
    try {
      await createPgliteFolder(path);
    } catch (error) {
      throw failure({ label, secrets: [] }, 'open', error);
    }
  }
  options.onStep?.('open');
  try {
    const pgliteWasmModule = await compiled;
    client = await PGlite.create(path, {
      startParams: pgliteStartParams,
      // Used only in memory (tests, throw-away tries), where initdb runs in this process: the memory it
      // takes goes with the database.
      initDbStartParams: [...pgliteSettings],
      ...(pgliteWasmModule && { pgliteWasmModule }),
    });
  } catch (error) {
    // PGlite reports a damaged folder as a bare "Aborted()"; the operator needs the way out.
    throw failure({ label, secrets: [] }, 'open', error, path && unopenableFolderAdvice(path));
  }
  const db = drizzlePglite(client, { schema, logger: options.logger });
  return {
    db,
    kind: 'pglite',
    label,
    secrets: [],
    migrate: () => migratePglite(db, { migrationsFolder }),
    close: () => client.close(),
    // PGlite's extended protocol takes one statement; its simple protocol (exec) takes several.
    executeSql: async (text, values) => {
      if (values && values.length > 0) return client.query(text, values);
      try {
        const results = await client.exec(text);
        return { rows: results.at(-1)?.rows ?? [] };
      } catch (error) {
        // A script that failed after its BEGIN would leave PGlite's one session in an aborted transaction,
        // refusing every later query of the hub.
        await client.exec('rollback').catch(() => undefined);
        throw error;
      }
    },
  };
}

/**
 * The program `createPgliteFolder` runs in its own node process: PGlite (its CommonJS build, by path) creates
 * the database in the folder given, with the hub's settings, and closes it. Arguments: the path of PGlite's
 * entry point, the folder, the settings as JSON. Its failure is its exit code and its stderr.
 *
 * It ignores the stop signals: Ctrl-C at a terminal (or a service manager's SIGTERM to the group) reaches
 * it with the hub, which lets a start-up step finish before it stops rather than leave it half done. It
 * stays in the hub's process group and session, so it is scheduled as the hub is; SIGKILL still ends it,
 * and a creation cut short is made again by the next start.
 */
const createFolderProgram = `
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => {});
const [pglite, folder, settings] = process.argv.slice(1);
const { PGlite } = require(pglite);
const params = JSON.parse(settings);
PGlite.create(folder, { initDbStartParams: params, startParams: [...PGlite.defaultStartParams, ...params] })
  .then((db) => db.close())
  .catch((error) => {
    process.stderr.write(String((error && error.message) || error));
    process.exitCode = 1;
  });
`;

/** Where a folder's database is made before it is moved in; removed once moved, or by the next creation. */
const creatingPrefix = '.creating-';

/**
 * Makes a new PGlite database in `folder`, which holds none (no PG_VERSION), without holding its memory.
 *
 * PGlite creates a database by running initdb in a second, in-memory PostgreSQL next to the first and
 * copying its files over: about 600 MB for a few seconds, in WebAssembly memories that never shrink and
 * array buffers the garbage collector frees whenever it likes, so a hub that created its database in its
 * own process kept 500 MB or more resident. A short-lived node process does the creation instead; the
 * memory goes back to the system when it exits, and the hub then opens the folder as on any later start.
 *
 * The database is made in a folder of its own inside `folder` and moved in entry by entry, PG_VERSION
 * last: PGlite takes a folder with a PG_VERSION for a database, so a creation cut short (a kill, a failed
 * write) leaves a folder the next start creates again, never a half-made database. Entries a cut-short
 * move left behind are replaced; other files in the folder are left alone.
 */
async function createPgliteFolder(folder: string): Promise<void> {
  for (const entry of await readdir(folder)) {
    // Best effort: the helper of a hub that was killed may still be writing there for a few seconds.
    if (entry.startsWith(creatingPrefix))
      await rm(join(folder, entry), { recursive: true, force: true }).catch(() => undefined);
  }
  const staging = join(folder, `${creatingPrefix}${process.pid}-${Date.now()}`);
  const pglite = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  await runNode(['-e', createFolderProgram, pglite, staging, JSON.stringify(pgliteSettings)]);
  const entries = (await readdir(staging)).filter((entry) => entry !== 'PG_VERSION');
  for (const entry of [...entries, 'PG_VERSION']) {
    await rm(join(folder, entry), { recursive: true, force: true });
    await rename(join(staging, entry), join(folder, entry));
  }
  await rm(staging, { recursive: true, force: true });
}

/** PGlite's PostgreSQL compiled to a WebAssembly module, as PGlite takes it. */
type PgliteWasmModule = NonNullable<PGliteOptions['pgliteWasmModule']>;

/**
 * PGlite's PostgreSQL (`pglite.wasm`, next to its entry point), compiled; undefined if that fails, and
 * PGlite then compiles it itself as usual. (The hub's TypeScript libraries, ES2023 and Node's, declare no
 * `WebAssembly` global, hence the cast.)
 */
async function compilePglite(): Promise<PgliteWasmModule | undefined> {
  const { WebAssembly: wasm } = globalThis as unknown as {
    WebAssembly: { compile(bytes: Uint8Array): Promise<PgliteWasmModule> };
  };
  try {
    const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
    return await wasm.compile(await readFile(join(dirname(entry), 'pglite.wasm')));
  } catch {
    return undefined;
  }
}

/** Runs node with `args`; rejects with its stderr (or how it ended) unless it exits 0. */
function runNode(args: string[]): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', fail);
    child.once('close', (code, signal) => {
      if (code === 0) done();
      else
        fail(
          new Error(
            `creating the database ${signal ? `was stopped by ${signal}` : `failed (exit code ${code})`}` +
              (stderr.trim() ? `: ${stderr.trim()}` : ''),
          ),
        );
    });
  });
}

function openPostgres(url: string, options: OpenDatabaseOptions): OpenedDriver {
  const { connectTimeoutMs = 10_000, applicationName = hubApplicationName, log = silentLogger() } = options;
  const label = `PostgreSQL at ${redactUrl(url)}`;
  const pool = createPostgresPool({ url, label, connectTimeoutMs, applicationName, log });
  const db = drizzleNodePg(pool, { schema, logger: options.logger });
  return {
    db,
    kind: 'postgres',
    label,
    secrets: passwordsIn(url),
    migrate: () => withMigrationLock(pool, () => migrateNodePg(db, { migrationsFolder })),
    close: () => pool.end(),
    executeSql: (text, values) => pool.query(text, values),
    newClient: () =>
      new pg.Client({
        connectionString: url,
        connectionTimeoutMillis: connectTimeoutMs,
        fallback_application_name: applicationName,
      }),
  };
}

/**
 * Several hub instances may start together on one PostgreSQL database; an advisory lock lets one migrate
 * while the others wait, then find nothing left to do. (PGlite has a single client, so needs no lock.)
 */
async function withMigrationLock(pool: pg.Pool, migrate: () => Promise<void>): Promise<void> {
  const client = await pool.connect();
  let unlocked = false;
  try {
    await client.query(`select pg_advisory_lock(hashtext('p2c-hub:migrations'))`);
    await migrate();
    await client.query(`select pg_advisory_unlock(hashtext('p2c-hub:migrations'))`);
    unlocked = true;
  } finally {
    // A connection that may still hold the lock (its session is alive) is destroyed rather than pooled.
    client.release(!unlocked);
  }
}

function describeDatabase(opened: OpenedDriver): Database {
  let closing: Promise<void> | undefined;
  return {
    db: opened.db,
    kind: opened.kind,
    label: opened.label,
    ...(opened.newClient && { newClient: opened.newClient }),
    executeSql: opened.executeSql,
    close: () => (closing ??= opened.close()),
    ping: async () => {
      try {
        await opened.db.execute(sql`select 1`);
      } catch (error) {
        throw failure(opened, 'connect', error);
      }
    },
  };
}

/**
 * What to do with an embedded database folder PGlite cannot open, and what that costs: the folder holds
 * only the hub's own records, never the systems' data.
 */
export function unopenableFolderAdvice(folder: string): string {
  return (
    `The folder is damaged or was written by another program or PGlite version. To start afresh, stop every hub ` +
    `using it and move it aside (mv ${folder} ${folder}.broken); the next start creates an empty database there. ` +
    `Lost with it: the hub's sync run history, the links between Sales and Finance records and each flow's cursor, ` +
    `so the next runs read everything again; the data in Sales and Finance is not touched.`
  );
}

function failure(
  database: Pick<OpenedDriver, 'label' | 'secrets'>,
  step: DatabaseStep,
  error: unknown,
  advice?: string,
): DatabaseError {
  const root = rootCause(error);
  let reason = describeError(root);
  for (const secret of database.secrets) reason = reason.replaceAll(secret, '***');
  // The driver's error is attached as the cause only when there is no password it could echo: Node's
  // URL errors, for one, carry the whole input URL in a field.
  const cause = database.secrets.length === 0 ? { cause: error } : undefined;
  return new DatabaseError(
    database.label,
    step,
    errorCode(root),
    `${database.label} ${stepFailures[step]}: ${reason}${advice ? ` ${advice}` : ''}`,
    cause,
  );
}

/**
 * A PostgreSQL URL safe to print: the password in the user-info part and any `password` query parameter
 * (which pg also honours) become `***`. A URL that does not parse loses its query and its user info.
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    if (parsed.searchParams.has('password')) parsed.searchParams.set('password', '***');
    return parsed.toString().replace('password=%2A%2A%2A', 'password=***');
  } catch {
    const withoutQuery = url.replace(/[?#].*$/s, '');
    const at = withoutQuery.lastIndexOf('@');
    const scheme = withoutQuery.indexOf('://');
    return at > scheme && scheme >= 0
      ? `${withoutQuery.slice(0, scheme + 3)}***${withoutQuery.slice(at)}`
      : withoutQuery;
  }
}

/** Every spelling of the URL's passwords that a driver message might repeat. */
function passwordsIn(url: string): string[] {
  try {
    const parsed = new URL(url);
    const raw = [parsed.password, parsed.searchParams.get('password') ?? ''].filter((p) => p !== '');
    return [...new Set(raw.flatMap((p) => [p, safeDecode(p)]))].sort((a, b) => b.length - a.length);
  } catch {
    return [];
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
