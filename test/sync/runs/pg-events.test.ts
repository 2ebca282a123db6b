/**
 * The PostgreSQL run event bus: two buses on one database stand for two hub instances. What one
 * publishes, the other's subscribers get in order and once, its own subscribers once too; a snapshot
 * past NOTIFY's 8,000 bytes arrives whole; a notification heard twice is delivered once; and a listening
 * connection terminated from outside comes back by itself. Needs PostgreSQL (`TEST_DATABASE_URL`).
 */
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SyncRunRecord } from '../../../src/db/runs.js';
import type { RunSnapshot } from '../../../src/sync/runs/types.js';
import { partDataBytes } from '../../../src/sync/runs/pg-event-wire.js';
import {
  createPostgresEventBus,
  defaultRunEventChannel,
  type PostgresEventBus,
} from '../../../src/sync/runs/pg-events.js';
import { type TestPlace, postgresBackend } from '../../db/backends.js';

const adminUrl = process.env.TEST_DATABASE_URL;
const postgres = postgresBackend;

const counters = { read: 0, created: 0, updated: 0, unchanged: 0, skipped: 0, failed: 0 };

/** A run's snapshot as the manager publishes it; `read` tells the updates apart. */
function snapshot(runId: string, read: number, notes: string[] = []): RunSnapshot {
  const at = new Date(Date.UTC(2025, 0, 1, 12, 0, read % 60));
  const run: SyncRunRecord = {
    id: runId,
    status: 'RUNNING',
    mode: 'FULL',
    dryRun: false,
    requestedBy: 'ops',
    retryOf: null,
    error: null,
    flows: [
      {
        flow: 'accounts',
        status: 'RUNNING',
        counters: { ...counters, read },
        estimatedTotal: 2_000,
        startedAt: at,
        finishedAt: null,
        error: null,
        notes,
        skips: [],
      },
    ],
    totals: { ...counters, read },
    createdAt: at,
    startedAt: at,
    finishedAt: null,
    updatedAt: at,
    ownerInstance: 'hub-a',
    notes: [],
    triggerKind: 'PERSON',
    triggerName: null,
  };
  return { run, rates: { accounts: { recordsPerSecond: 250.5, etaSeconds: 4 } } };
}

describe.skipIf(!adminUrl || !postgres)('PostgreSQL run event bus (needs TEST_DATABASE_URL)', () => {
  let place: TestPlace;
  let url: string;
  let admin: pg.Client;
  const buses: PostgresEventBus[] = [];

  /** A started bus whose connections are called `name` in pg_stat_activity. */
  async function bus(
    name: string,
    catchUp?: (since: Date) => Promise<RunSnapshot[]>,
  ): Promise<PostgresEventBus> {
    const created = createPostgresEventBus({
      ...(catchUp && { catchUp }),
      createClient: () => new pg.Client({ connectionString: url, application_name: name }),
      // Long enough for the test to see the bus without a connection before it reconnects.
      reconnectDelayMs: { first: 300, max: 1_000 },
    });
    buses.push(created);
    await created.start();
    return created;
  }

  /** Every snapshot `bus` delivers to a '*' subscriber, as `<run> <read>`. */
  function heardOn(target: PostgresEventBus): string[] {
    const heard: string[] = [];
    target.subscribe('*', (s) => heard.push(`${s.run.id} ${s.run.totals.read}`));
    return heard;
  }

  beforeAll(async () => {
    place = await postgres!.createPlace();
    url = (place.config as { url: string }).url;
    admin = new pg.Client({ connectionString: url, application_name: 'bus-test-admin' });
    await admin.connect();
  });
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((b) => b.close()));
  });
  afterAll(async () => {
    await admin?.end();
    await place?.dispose();
  });

  it("delivers every snapshot of another instance's runs in order, and its own once", async () => {
    const [one, two] = [await bus('bus-one'), await bus('bus-two')];
    const onOne = heardOn(one);
    const onTwo = heardOn(two);
    const published: string[] = [];
    for (let read = 1; read <= 200; read += 1) {
      const runId = `run-${read % 3}`;
      one.publish(snapshot(runId, read));
      published.push(`${runId} ${read}`);
    }
    await vi.waitFor(() => expect(onTwo).toHaveLength(200), { timeout: 10_000 });
    expect(onTwo).toEqual(published);
    // The publisher's subscribers heard each at once, and not again when its own notification came back.
    two.publish(snapshot('marker', 0));
    await vi.waitFor(() => expect(onOne).toContain('marker 0'), { timeout: 10_000 });
    expect(onOne).toEqual([...published, 'marker 0']);
    expect(onTwo).toEqual([...published, 'marker 0']);
  });

  it('delivers a snapshot larger than a notification whole, dates as dates', async () => {
    const [one, two] = [await bus('bus-one'), await bus('bus-two')];
    const received: RunSnapshot[] = [];
    two.subscribe('run-big', (s) => received.push(s));
    // Notes with characters of 2 to 4 bytes, so that parts are cut between bytes of one character.
    const notes = Array.from({ length: 1_000 }, (_, i) => `note ${i}: naïve café € 𝄞 ${'x'.repeat(i % 7)}`);
    const big = snapshot('run-big', 7, notes);
    expect(Buffer.byteLength(JSON.stringify(big))).toBeGreaterThan(3 * partDataBytes);
    one.publish(big);
    await vi.waitFor(() => expect(received).toHaveLength(1), { timeout: 10_000 });
    expect(received[0]).toEqual(big);
    expect(received[0]!.run.createdAt).toBeInstanceOf(Date);
  });

  it('delivers a notification heard twice only once', async () => {
    const [one, two] = [await bus('bus-one'), await bus('bus-two')];
    const onTwo = heardOn(two);
    const spy = new pg.Client({ connectionString: url, application_name: 'bus-test-spy' });
    await spy.connect();
    try {
      const payloads: string[] = [];
      spy.on('notification', (message) => payloads.push(message.payload!));
      await spy.query(`listen ${defaultRunEventChannel}`);
      one.publish(snapshot('run-1', 1));
      one.publish(snapshot('run-1', 2));
      await vi.waitFor(() => expect(payloads).toHaveLength(2), { timeout: 10_000 });
      // Both sent again, as a publisher does whose connection died before PostgreSQL confirmed them.
      await spy.query('select pg_notify($1, p) from unnest($2::text[]) as p', [
        defaultRunEventChannel,
        payloads,
      ]);
      one.publish(snapshot('run-1', 3));
      await vi.waitFor(() => expect(onTwo).toContain('run-1 3'), { timeout: 10_000 });
      expect(onTwo).toEqual(['run-1 1', 'run-1 2', 'run-1 3']);
    } finally {
      await spy.end();
    }
  });

  it.each(['the listening instance', 'the publishing instance'])(
    'comes back by itself when the connection of %s is terminated',
    async (which) => {
      const [one, two] = [await bus('bus-one'), await bus('bus-two')];
      const onTwo = heardOn(two);
      one.publish(snapshot('run-1', 1));
      await vi.waitFor(() => expect(onTwo).toEqual(['run-1 1']), { timeout: 10_000 });

      const victim = which === 'the listening instance' ? 'bus-two' : 'bus-one';
      const { rows } = await admin.query<{ terminated: boolean }>(
        `select pg_terminate_backend(pid) as terminated from pg_stat_activity where application_name = $1`,
        [victim],
      );
      expect(rows.filter((row) => row.terminated)).toHaveLength(1);
      const terminated = victim === 'bus-two' ? two : one;
      await vi.waitFor(() => expect(terminated.listening).toBe(false), { timeout: 10_000, interval: 5 });
      // Published while the publisher may have no connection: sent once it has one again.
      one.publish(snapshot('run-1', 2));
      await vi.waitFor(() => expect(terminated.listening).toBe(true), { timeout: 10_000 });

      const onOne = heardOn(one);
      one.publish(snapshot('run-1', 3));
      two.publish(snapshot('run-2', 4));
      await vi.waitFor(() => expect(onTwo).toContain('run-1 3'), { timeout: 10_000 });
      await vi.waitFor(() => expect(onOne).toContain('run-2 4'), { timeout: 10_000 });
      // Another instance's updates of one run keep their order; the two runs' updates may interleave.
      const runOne = onTwo.filter((heard) => heard.startsWith('run-1'));
      if (victim === 'bus-one') expect(runOne).toEqual(['run-1 1', 'run-1 2', 'run-1 3']);
      // An instance that was not listening misses what was sent meanwhile; the run's next update follows.
      else expect(runOne.filter((heard) => heard !== 'run-1 2')).toEqual(['run-1 1', 'run-1 3']);
      expect(onTwo.filter((heard) => heard === 'run-2 4')).toHaveLength(1);
    },
  );
  it('after a reconnect, delivers the runs that changed meanwhile (read back), each only if newer than the last', async () => {
    const asked: Date[] = [];
    // What the database holds by then: run-1 moved on while bus-two was not listening; run-0 did not.
    const changed = [snapshot('run-0', 0), snapshot('run-1', 1), snapshot('run-1', 2)];
    const one = await bus('bus-one');
    const two = await bus('bus-two', async (since) => {
      asked.push(since);
      return changed;
    });
    const onTwo = heardOn(two);
    one.publish(snapshot('run-1', 1));
    await vi.waitFor(() => expect(onTwo).toEqual(['run-1 1']), { timeout: 10_000 });
    const before = Date.now();
    await admin.query(
      `select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'bus-two'`,
    );
    await vi.waitFor(() => expect(asked).toHaveLength(1), { timeout: 10_000 });
    await vi.waitFor(() => expect(onTwo).toEqual(['run-1 1', 'run-0 0', 'run-1 2']), { timeout: 10_000 });
    // Asked from a second before the connection was lost.
    expect(asked[0]!.getTime()).toBeGreaterThanOrEqual(before - 1_500);
    expect(asked[0]!.getTime()).toBeLessThanOrEqual(Date.now());
  });
});
