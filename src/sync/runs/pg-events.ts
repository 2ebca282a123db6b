/**
 * The run event bus of a hub on PostgreSQL: every instance on the database hears every run's snapshots,
 * whichever instance publishes them, through LISTEN/NOTIFY on one connection of its own per instance.
 *
 * - Local subscribers get a publish at once, from the in-process bus; the same snapshot comes back
 *   through NOTIFY and is ignored (it carries this bus's publisher id), so each is delivered once.
 * - PostgreSQL delivers notifications in commit order, to every listener alike, and this bus sends its
 *   publishes one after another on its one connection: every instance sees one publisher's updates in
 *   the order they were published. A sequence number per publisher and run drops what was seen already
 *   (a publish sent again after its connection died without saying whether it had gone through).
 * - The connection may die (a failover, `pg_terminate_backend`): the bus connects again, backing off up
 *   to `reconnectDelayMs.max`, listens again and then sends what was published meanwhile (per run only
 *   the newest snapshot, which tells the whole state). Notifications sent by others while it was not
 *   listening never come; `catchUp` reads the runs that changed meanwhile from the database, and each one
 *   newer than what its subscribers last got (by the run's `updatedAt`) is delivered to them.
 * - Snapshots travel whole, in as many notifications as they need (see pg-event-wire.ts for why).
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { describeError } from '../../db/driver-errors.js';
import { isDatabaseOutage } from '../../db/outages.js';
import { silentLogger, type Logger } from '../../logging.js';
import type { RunEventBus, RunSnapshot } from './types.js';
import { createInProcessEventBus } from './events.js';
import { decodeSnapshot, encodeSnapshot, parsePart, toParts, type WireHeader } from './pg-event-wire.js';

export interface PostgresEventBusOptions {
  /** A new, unconnected connection to the hub's database (`Database.newClient`); called again to reconnect. */
  createClient: () => pg.Client;
  /** The NOTIFY channel every instance of one hub shares. Default `defaultRunEventChannel`. */
  channel?: string;
  /** Where lost connections, reconnections and dropped publishes are reported. Default: nowhere. */
  logger?: Logger;
  /** The wait before connecting again: `first` after a loss, doubling up to `max`. Default 100 ms and 5 s. */
  reconnectDelayMs?: { first: number; max: number };
  /** How long `close` waits for publishes not yet sent. Default 5 s. */
  closeTimeoutMs?: number;
  /** Told about a local listener that threw (see the in-process bus). Default: logs it. */
  onListenerError?: (error: unknown, snapshot: RunSnapshot) => void;
  /** Told about every snapshot received from another instance, as it is delivered (for benchmarks). */
  onReceived?: (header: WireHeader, snapshot: RunSnapshot) => void;
  /**
   * After a reconnect: the runs changed since `since` (the moment the connection was lost, a second
   * early), as snapshots. Default: none are read, and subscribers wait for each run's next update.
   */
  catchUp?: (since: Date) => Promise<RunSnapshot[]>;
}

export interface PostgresEventBus extends RunEventBus {
  /** This bus's publisher id, in every notification it sends. */
  readonly publisherId: string;
  /** Whether the bus is listening now (false while it reconnects). */
  readonly listening: boolean;
  /** Local listeners of `runId` (or `'*'`); without an argument, of every key together. */
  listenerCount(runId?: string): number;
  /** Connects and listens; resolves once notifications are heard. Rejects if the first connection fails. */
  start(): Promise<void>;
  /** Sends what is still unsent (waiting up to `closeTimeoutMs`), stops listening and closes the connection. */
  close(): Promise<void>;
}

export const defaultRunEventChannel = 'p2c_hub_run_events';

/** Runs whose last sequence is remembered per publisher; a run that quiet for this long is long finished. */
const maxTrackedRuns = 10_000;
/** Snapshots waiting for the rest of their parts; more means parts were lost, so the oldest go. */
const maxAssembling = 100;
/** Publishes kept while the connection is down; past this the oldest go (each is a whole run's state). */
const maxUnsent = 10_000;

interface Unsent {
  runId: string;
  payloads: string[];
}

/** A RunEventBus over PostgreSQL LISTEN/NOTIFY, as described above. Call `start` before publishing. */
export function createPostgresEventBus(options: PostgresEventBusOptions): PostgresEventBus {
  const {
    createClient,
    channel = defaultRunEventChannel,
    logger = silentLogger(),
    reconnectDelayMs = { first: 100, max: 5_000 },
    closeTimeoutMs = 5_000,
    onListenerError,
    onReceived,
    catchUp,
  } = options;
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) {
    throw new Error(
      `The run event channel must be a lower-case SQL identifier; got ${JSON.stringify(channel)}.`,
    );
  }
  const local = createInProcessEventBus(onListenerError ? { onListenerError } : {});
  const publisherId = randomUUID();
  let sequence = 0;
  /** `<publisher> <run id>` → the last sequence delivered; in least recently updated order. */
  const lastDelivered = new Map<string, number>();
  /** `<publisher> <sequence>` → the parts heard so far. */
  const assembling = new Map<string, { parts: (string | undefined)[]; received: number }>();
  const unsent: Unsent[] = [];
  /** Run id → the `updatedAt` (epoch ms) of the last snapshot delivered locally, for catching up. */
  const deliveredAt = new Map<string, number>();
  let lostAt: Date | null = null;
  let client: pg.Client | null = null;
  let closed = false;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let delayMs = reconnectDelayMs.first;
  let sending: Promise<void> | null = null;

  function receive(payload: string): void {
    const part = parsePart(payload);
    if (!part || part.publisher === publisherId) return;
    let json = part.data;
    if (part.parts > 1) {
      const key = `${part.publisher} ${part.sequence}`;
      let entry = assembling.get(key);
      if (!entry) {
        entry = { parts: new Array<string | undefined>(part.parts), received: 0 };
        assembling.set(key, entry);
        if (assembling.size > maxAssembling) assembling.delete(assembling.keys().next().value!);
      }
      if (entry.parts[part.part] === undefined) entry.received += 1;
      entry.parts[part.part] = part.data;
      if (entry.received < part.parts) return;
      assembling.delete(key);
      json = entry.parts.join('');
    }
    let snapshot: RunSnapshot;
    try {
      snapshot = decodeSnapshot(json);
    } catch (error) {
      logger.warn(`A run event on ${channel} could not be read and is skipped: ${describeError(error)}`);
      return;
    }
    const runKey = `${part.publisher} ${snapshot.run.id}`;
    const last = lastDelivered.get(runKey);
    if (last !== undefined && part.sequence <= last) return;
    lastDelivered.delete(runKey);
    lastDelivered.set(runKey, part.sequence);
    if (lastDelivered.size > maxTrackedRuns) lastDelivered.delete(lastDelivered.keys().next().value!);
    onReceived?.(part, snapshot);
    deliver(snapshot);
  }

  /** Publishes to local subscribers and remembers how new the run's state is. */
  function deliver(snapshot: RunSnapshot): void {
    const { id, updatedAt } = snapshot.run;
    deliveredAt.delete(id);
    deliveredAt.set(id, Math.max(new Date(updatedAt).getTime(), deliveredAt.get(id) ?? 0));
    if (deliveredAt.size > maxTrackedRuns) deliveredAt.delete(deliveredAt.keys().next().value!);
    local.publish(snapshot);
  }

  /** Delivers the runs that changed while the connection was down, each only if newer than its last. */
  async function caughtUp(since: Date): Promise<void> {
    if (!catchUp) return;
    try {
      for (const snapshot of await catchUp(since)) {
        const seen = deliveredAt.get(snapshot.run.id);
        if (seen === undefined || new Date(snapshot.run.updatedAt).getTime() > seen) deliver(snapshot);
      }
    } catch (error) {
      logger.warn(
        { channel },
        `The runs changed while the run event connection was down could not be read: ${describeError(error)}`,
      );
    }
  }

  async function connect(): Promise<void> {
    const next = createClient();
    // Registered before connecting: an 'error' event nobody listens to would end the process.
    next.on('error', (error) => lost(next, error));
    next.on('end', () => lost(next, new Error('the connection ended')));
    next.on('notification', (message) => {
      if (message.channel === channel && message.payload !== undefined) receive(message.payload);
    });
    try {
      await next.connect();
      await next.query(`listen ${channel}`);
    } catch (error) {
      next.removeAllListeners('end');
      await next.end().catch(() => undefined);
      throw error;
    }
    if (closed) {
      await next.end().catch(() => undefined);
      return;
    }
    // Parts cut off by the previous connection's end will never be completed.
    assembling.clear();
    client = next;
    delayMs = reconnectDelayMs.first;
  }

  function lost(which: pg.Client, error: unknown): void {
    if (which !== client) return;
    client = null;
    lostAt ??= new Date(Date.now() - 1_000);
    which.end().catch(() => undefined);
    if (closed) return;
    logger.warn(
      { channel },
      `The run event connection failed: ${describeError(error)}; reconnecting (updates from other instances ` +
        `wait until then; the runs that change meanwhile are read again once it is back)`,
    );
    scheduleReconnect();
  }

  function scheduleReconnect(): void {
    if (closed || reconnectTimer) return;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      connect().then(
        () => {
          if (!client) return;
          logger.info({ channel }, 'The run event connection is back; listening again');
          void flush();
          const since = lostAt;
          lostAt = null;
          if (since) void caughtUp(since);
        },
        (error: unknown) => {
          logger.warn({ channel }, `Reconnecting the run event connection failed: ${describeError(error)}`);
          delayMs = Math.min(delayMs * 2, reconnectDelayMs.max);
          scheduleReconnect();
        },
      );
    }, delayMs);
    reconnectTimer.unref();
  }

  /** Sends the unsent publishes in order, one statement each, while connected. */
  function flush(): Promise<void> {
    sending ??= (async () => {
      while (unsent.length > 0 && client) {
        const on = client;
        try {
          // One statement, so one transaction: the parts of a snapshot are delivered all together or not at all.
          await on.query('select pg_notify($1, payload) from unnest($2::text[]) as payload', [
            channel,
            unsent[0]!.payloads,
          ]);
          unsent.shift();
        } catch (error) {
          if (isDatabaseOutage(error) || on !== client) {
            // Kept, and sent again once connected: receivers drop it if it had gone through after all.
            lost(on, error);
            break;
          }
          const dropped = unsent.shift()!;
          logger.error(
            { channel, runId: dropped.runId },
            `A run event could not be sent to other instances: ${describeError(error)}`,
          );
        }
      }
    })().finally(() => (sending = null));
    return sending;
  }

  return {
    publisherId,
    get listening() {
      return client !== null;
    },
    listenerCount: (runId) => local.listenerCount(runId),
    subscribe: (runId, listener) => local.subscribe(runId, listener),

    publish(snapshot) {
      deliver(snapshot);
      if (closed) return;
      sequence += 1;
      const header = { publisher: publisherId, sequence, publishedAtMs: Date.now() };
      const runId = snapshot.run.id;
      if (!client) {
        // Not connected: the newest snapshot of a run is all its subscribers elsewhere need.
        const older = unsent.findIndex((entry, index) => index > 0 && entry.runId === runId);
        if (older > 0) unsent.splice(older, 1);
        if (unsent.length >= maxUnsent) unsent.shift();
      }
      unsent.push({ runId, payloads: toParts(header, encodeSnapshot(snapshot)) });
      void flush();
    },

    async start() {
      await connect();
    },

    async close() {
      if (closed) return;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, closeTimeoutMs)));
      await Promise.race([flush(), timeout]);
      clearTimeout(timer);
      closed = true;
      clearTimeout(reconnectTimer);
      const last = client;
      client = null;
      if (unsent.length > 0) {
        logger.warn({ channel, unsent: unsent.length }, 'Run events not sent to other instances at shutdown');
      }
      await last?.end().catch(() => undefined);
    },
  };
}
