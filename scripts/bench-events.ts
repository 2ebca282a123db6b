/**
 * `npm run bench:events`: how fast a run's updates reach graphql-ws subscribers on other hub instances.
 * Three hub processes (`node --import tsx src/main.ts`) share one PostgreSQL database made for the
 * benchmark (and dropped after it); Sales and Finance are simulators in this process; `--subscribers`
 * graphql-ws clients (one connection each, default 500) follow `syncRunsUpdated`, spread evenly over the
 * three. After a dry run that proves every subscription live, a FULL run of the accounts flow starts on
 * instance 1. For every update and subscriber the delay is the time of receipt minus the time the
 * publisher stamped in the update's NOTIFY (read by a listener of this script; every process runs on one
 * machine, so the clocks agree). Prints p50/p99/max for the executing instance's own subscribers and for
 * the others', the counts, and every update missed or heard twice (either makes the exit code 1).
 *
 * Options: --admin-url URL (default `BENCH_DATABASE_URL` or postgres://postgres@127.0.0.1:5432/test; the
 * role must be able to create databases), --subscribers N (500), --accounts N (3000), --latency-ms N (100,
 * added to every simulator answer so that the run lasts), --timeout-seconds N (300, then everything stops).
 */
import { parseArgs } from 'node:util';
import { createClient, type Client } from 'graphql-ws';
import pg from 'pg';
import WebSocket from 'ws';
import { createCleanups, startHubProcess, startSystems } from './bench-cluster.js';
import { parsePart } from '../src/sync/runs/pg-event-wire.js';
import { decodeSnapshot } from '../src/sync/runs/pg-event-wire.js';
import { defaultRunEventChannel } from '../src/sync/runs/pg-events.js';

const { values } = parseArgs({
  options: {
    'admin-url': {
      type: 'string',
      default: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    },
    subscribers: { type: 'string', default: '500' },
    accounts: { type: 'string', default: '3000' },
    'latency-ms': { type: 'string', default: '100' },
    'timeout-seconds': { type: 'string', default: '300' },
  },
});
const adminUrl = values['admin-url'];
const subscribers = Number(values.subscribers);
const accounts = Number(values.accounts);
const latencyMs = Number(values['latency-ms']);
const instances = 3;
const finished = new Set(['SUCCEEDED', 'COMPLETED_WITH_ERRORS', 'FAILED', 'CANCELLED']);

const cleanups = createCleanups('bench:events', Number(values['timeout-seconds']));

// The benchmark's own database, dropped at the end.
const database = `hub_bench_events_${process.pid}`;
const admin = new pg.Client({ connectionString: adminUrl, application_name: 'bench-events' });
await admin.connect();
await admin.query(`create database ${database} template template0`);
cleanups.push(async () => {
  await admin.query(`drop database if exists ${database} with (force)`);
  await admin.end();
});
const databaseUrl = new URL(adminUrl);
databaseUrl.pathname = `/${database}`;

// Sales and Finance outside the hubs, as real systems are.
const systems = await startSystems(accounts, 'bench-events-client-secret', cleanups);
const { sales, finance } = systems;

try {
  const urls = await Promise.all(
    Array.from({ length: instances }, () =>
      startHubProcess(systems, databaseUrl.toString(), {}, cleanups).then((hub) => hub.url),
    ),
  );
  console.log(`${instances} hubs on ${database}: ${urls.join(', ')}`);

  // The publishers' stamps, by run: heard by a listener of our own on the hubs' channel.
  const stamps = new Map<string, number[]>();
  const spy = new pg.Client({ connectionString: databaseUrl.toString(), application_name: 'bench-events' });
  await spy.connect();
  cleanups.push(() => spy.end());
  spy.on('notification', ({ payload }) => {
    const part = payload === undefined ? null : parsePart(payload);
    // Snapshots of the accounts flow fit one notification.
    if (!part || part.parts !== 1) return;
    const runId = decodeSnapshot(part.data).run.id;
    stamps.set(runId, [...(stamps.get(runId) ?? []), part.publishedAtMs]);
  });
  await spy.query(`listen ${defaultRunEventChannel}`);

  // Subscribers: instance i % 3 for subscriber i; each keeps (run id, receipt time) per update.
  const received: { instance: number; events: { runId: string; status: string; at: number }[] }[] = [];
  const sockets: Client[] = [];
  cleanups.push(() => Promise.all(sockets.map((socket) => socket.dispose())));
  await Promise.all(
    Array.from({ length: subscribers }, async (_, index) => {
      const instance = index % instances;
      const heard = { instance, events: [] as { runId: string; status: string; at: number }[] };
      received.push(heard);
      let connected!: () => void;
      const ready = new Promise<void>((resolve) => (connected = resolve));
      const client = createClient({
        url: urls[instance]!.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        lazy: false,
        on: { connected: () => connected() },
      });
      sockets.push(client);
      client.subscribe<{ syncRunsUpdated: { id: string; status: string } }>(
        { query: 'subscription { syncRunsUpdated { id status totals { read } } }' },
        {
          next: ({ data: event }) =>
            heard.events.push({
              runId: event!.syncRunsUpdated.id,
              status: event!.syncRunsUpdated.status,
              at: Date.now(),
            }),
          error: (error) => console.error('subscription error:', error),
          complete: () => undefined,
        },
      );
      await ready;
    }),
  );

  const start = async (mode: string, dryRun: boolean): Promise<string> => {
    const response = await fetch(urls[0]!, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        query: `mutation($mode: SyncMode!, $dryRun: Boolean) {
          startSync(input: { flows: [ACCOUNTS], mode: $mode, dryRun: $dryRun }) { id } }`,
        variables: { mode, dryRun },
      }),
    });
    const body = (await response.json()) as { data?: { startSync: { id: string } }; errors?: unknown };
    if (!body.data) throw new Error(`startSync failed: ${JSON.stringify(body.errors)}`);
    return body.data.startSync.id;
  };
  const allHeardEnd = async (runId: string) => {
    while (!received.every(({ events }) => events.some((e) => e.runId === runId && finished.has(e.status)))) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  // A dry run first: once every subscriber has heard its end, every subscription is live.
  await allHeardEnd(await start('FULL', true));
  for (const system of [sales, finance]) system.faults.set({ latencyMs });
  const runId = await start('FULL', false);
  const startedAt = Date.now();
  await allHeardEnd(runId);
  const runSeconds = (Date.now() - startedAt) / 1000;
  // The last notification reaches the spy at about the same time as the subscribers.
  await new Promise((resolve) => setTimeout(resolve, 500));

  const published = stamps.get(runId) ?? [];
  const local: number[] = [];
  const remote: number[] = [];
  let wrongCounts = 0;
  for (const { instance, events } of received) {
    const ofRun = events.filter((event) => event.runId === runId);
    if (ofRun.length !== published.length) wrongCounts += 1;
    ofRun.forEach((event, i) => {
      const stamp = published[i];
      if (stamp !== undefined) (instance === 0 ? local : remote).push(event.at - stamp);
    });
  }
  const describe = (delays: number[]) => {
    const sorted = [...delays].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
    return `p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${sorted.at(-1) ?? NaN} ms (${sorted.length} deliveries)`;
  };
  console.log(
    `run ${runId}: ${accounts} accounts in ${runSeconds.toFixed(1)} s, ${published.length} updates published, ` +
      `${subscribers} subscribers (${Math.ceil(subscribers / instances)} a hub)`,
  );
  console.log(`executing instance's subscribers: ${describe(local)}`);
  console.log(`other instances' subscribers:     ${describe(remote)}`);
  console.log(`subscribers with a different number of updates: ${wrongCounts}`);
  process.exitCode = wrongCounts === 0 && published.length > 0 ? 0 : 1;
} finally {
  await cleanups.cleanUp();
}
