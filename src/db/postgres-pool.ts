/**
 * The hub's PostgreSQL connection pool, made to outlive connections the server drops (a failover, a
 * restart, `pg_terminate_backend`, a network blip).
 *
 * - A pg client whose connection dies emits 'error' — idle in the pool or checked out, even when the
 *   query in flight has already been rejected with it — and an 'error' event nobody listens to ends the
 *   process. So every client gets a listener as it joins the pool, which logs the failure once as a
 *   warning. The pool's own 'error' event, which repeats the idle ones, is only acknowledged.
 * - A checked-out client whose connection dies is released there and then, so the pool discards it.
 *   drizzle releases a transaction's client in `finally`, but not when BEGIN itself fails: that dead
 *   client would stay checked out for good, and a few outages would use up the pool. Releasing is made
 *   idempotent, so drizzle's own release, when it comes, does nothing.
 */
import pg from 'pg';
import type { Logger } from '../logging.js';
import { describeError, errorCode } from './driver-errors.js';

export interface PostgresPoolOptions {
  url: string;
  /** The database as it may be printed (password redacted), for the log lines. */
  label: string;
  connectTimeoutMs: number;
  /** Used unless the URL or `PGAPPNAME` names the connections. */
  applicationName: string;
  log: Logger;
}

type ConnectCallback = (
  error: Error | undefined,
  client: pg.PoolClient | undefined,
  done: (release?: unknown) => void,
) => void;

/** pg's pool whose clients may be released more than once; the first release counts. */
class ReleaseOncePool extends pg.Pool {
  override connect(): Promise<pg.PoolClient>;
  override connect(callback: ConnectCallback): void;
  override connect(callback?: ConnectCallback): Promise<pg.PoolClient> | void {
    if (!callback) {
      // Through the callback, so that release is wrapped before anything else can run.
      return new Promise((resolve, reject) =>
        this.connect((error, client) => (client ? resolve(client) : reject(error))),
      );
    }
    super.connect((error, client, done) => {
      if (!client) return callback(error, client, done);
      const once = releaseOnce(client);
      callback(error, once, (release) => once.release(release as Error | boolean | undefined));
    });
  }
}

/** Makes `client.release` (set anew by the pool at every checkout) do something the first time only. */
function releaseOnce(client: pg.PoolClient): pg.PoolClient {
  const release = client.release;
  let released = false;
  client.release = (error) => {
    if (released) return;
    released = true;
    release(error);
  };
  return client;
}

/** A pool over `url` as described above. */
export function createPostgresPool(options: PostgresPoolOptions): pg.Pool {
  const { url, label, connectTimeoutMs, applicationName, log } = options;
  const pool = new ReleaseOncePool({
    connectionString: url,
    connectionTimeoutMillis: connectTimeoutMs,
    // A fallback, so that the operator's own name (in the URL or PGAPPNAME) wins.
    fallback_application_name: applicationName,
  });
  const checkedOut = new WeakSet<pg.PoolClient>();
  pool.on('acquire', (client) => checkedOut.add(client));
  pool.on('release', (_error, client) => checkedOut.delete(client));
  pool.on('connect', (client) => {
    let reported = false;
    client.on('error', (error: Error) => {
      const inUse = checkedOut.has(client);
      // Released with the error, the client is discarded rather than pooled again.
      if (inUse) client.release(error);
      // A dying connection often reports twice: the server's "terminating connection", then the socket's end.
      if (reported) return;
      reported = true;
      const code = errorCode(error);
      log.warn(
        { database: label, inUse, ...(code !== undefined && { code }) },
        `${label}: ${inUse ? 'a connection in use' : 'an idle connection'} failed: ${describeError(error)}; ` +
          `the pool replaces it${inUse ? ', and the work on it fails' : ''}`,
      );
    });
  });
  pool.on('error', () => {
    // Already logged by the client's own listener.
  });
  return pool;
}
