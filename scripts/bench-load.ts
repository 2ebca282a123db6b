/**
 * `npm run bench:load`: the hub under a steady mixed load for a fixed time, against the embedded default
 * (both simulators in-process with the demo data at 0 ms latency, an in-memory database, the real server
 * over HTTP and WebSocket). `--clients` query clients loop on the README's example query
 * (`scripts/example-query.graphql`), `--subscribers` graphql-ws clients (one connection each) follow
 * `syncRunsUpdated`, and syncs run back to back (INCREMENTAL and FULL alternately, each awaited). Reports
 * operations per second, errors (any error makes the exit code 1), the queries' p50/p99 latency, the
 * events the subscribers received and the hub's RSS and heap at start and end.
 * Options: --seconds N (default 30), --clients N (default 10), --subscribers N (default 200),
 * --accounts N (default 300).
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { RunSnapshot, StartRunInput } from '../src/sync/runs/types.js';
import type { InProcessEventBus } from '../src/sync/runs/events.js';
import { startEmbeddedHub } from './embedded-hub.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '30' },
    clients: { type: 'string', default: '10' },
    subscribers: { type: 'string', default: '200' },
    accounts: { type: 'string', default: '300' },
  },
});
const seconds = Number(values.seconds);
const clients = Number(values.clients);
const subscribers = Number(values.subscribers);
const accounts = Number(values.accounts);
const query = readFileSync(new URL('./example-query.graphql', import.meta.url), 'utf8');
const finished = new Set(['SUCCEEDED', 'COMPLETED_WITH_ERRORS', 'FAILED', 'CANCELLED']);

const memory = () => {
  const { rss, heapUsed } = process.memoryUsage();
  return `RSS ${Math.round(rss / 2 ** 20)} MiB, heap ${Math.round(heapUsed / 2 ** 20)} MiB`;
};

// The example query's account touches every relation (as in bench:query).
const { hub, exampleAccount: accountNumber, close } = await startEmbeddedHub(accounts);
const { url } = hub.server;

const errors: string[] = [];
const fail = (what: string, detail: unknown) => {
  if (errors.length < 5)
    console.error(`error: ${what}: ${detail instanceof Error ? detail.message : JSON.stringify(detail)}`);
  errors.push(what);
};

// Subscribers first, each on its own connection, and all acknowledged before the clock starts.
let events = 0;
const sockets: Client[] = [];
await Promise.all(
  Array.from({ length: subscribers }, async () => {
    let connected!: () => void;
    const ready = new Promise<void>((resolve) => (connected = resolve));
    const client = createClient({
      url: url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: false,
      on: { connected: () => connected() },
    });
    sockets.push(client);
    client.subscribe(
      { query: 'subscription { syncRunsUpdated { id status totals { read } } }' },
      {
        next: (value) => (value.errors ? fail('subscription', value.errors) : events++),
        error: (error) => fail('subscription', error),
        complete: () => undefined,
      },
    );
    await ready;
  }),
);
// Let the subscriptions reach the bus before the first run (the hub's own bus is the in-process one).
const bus = hub.sync.events as InProcessEventBus;
while (bus.listenerCount('*') < subscribers) await new Promise((resolve) => setTimeout(resolve, 20));

console.log(
  `bench:load — ${seconds} s, ${clients} query clients, ${subscribers} subscribers, ${accounts} accounts, ` +
    `${availableParallelism()} cores, Node ${process.version}`,
);
const memoryAtStart = memory();
const startedAt = performance.now();
const deadline = startedAt + seconds * 1000;

const latencies: number[] = [];
async function queryClient(): Promise<void> {
  while (performance.now() < deadline) {
    const started = performance.now();
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ query, variables: { accountNumber } }),
      });
      const body = (await response.json()) as { errors?: unknown[]; data?: { account?: unknown } };
      if (!response.ok || body.errors || !body.data?.account) fail('query', body.errors ?? response.status);
      else latencies.push(performance.now() - started);
    } catch (error) {
      fail('query', error);
    }
  }
}

const runs: Record<string, number> = {};
async function runSync(input: StartRunInput): Promise<RunSnapshot> {
  let stop = () => {};
  // Subscribed before the start, so a run that finishes at once is not missed.
  const done = new Promise<RunSnapshot>((resolve) => {
    let id: string | undefined;
    const early: RunSnapshot[] = [];
    stop = hub.sync.events.subscribe('*', (snapshot) => {
      if (id === undefined) return void early.push(snapshot);
      if (snapshot.run.id === id && finished.has(snapshot.run.status)) resolve(snapshot);
    });
    void hub.sync.start(input).then(
      (started) => {
        id = started.run.id;
        const last = early.filter((s) => s.run.id === id).find((s) => finished.has(s.run.status));
        if (last) resolve(last);
      },
      (error: unknown) => resolve(Promise.reject(error as Error)),
    );
  });
  try {
    return await done;
  } finally {
    stop();
  }
}
async function syncLoop(): Promise<void> {
  for (let i = 0; performance.now() < deadline; i++) {
    const mode = i % 2 === 0 ? 'INCREMENTAL' : 'FULL';
    try {
      const { run } = await runSync({ mode, dryRun: false });
      runs[`${mode} ${run.status}`] = (runs[`${mode} ${run.status}`] ?? 0) + 1;
      if (run.status === 'FAILED' || run.status === 'CANCELLED') fail('sync', run.error ?? run.status);
    } catch (error) {
      fail('sync', error);
    }
  }
}

await Promise.all([...Array.from({ length: clients }, queryClient), syncLoop()]);
const elapsed = (performance.now() - startedAt) / 1000;
// The last run's final events are delivered synchronously on publish; give the sockets a moment.
await new Promise((resolve) => setTimeout(resolve, 500));

latencies.sort((a, b) => a - b);
const percentile = (p: number) =>
  latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
const syncCount = Object.values(runs).reduce((a, b) => a + b, 0);
console.log(`elapsed ${elapsed.toFixed(1)} s`);
console.log(
  `queries: ${latencies.length} = ${(latencies.length / elapsed).toFixed(1)}/s, ` +
    `p50 ${percentile(50).toFixed(1)} ms, p99 ${percentile(99).toFixed(1)} ms`,
);
console.log(`syncs: ${syncCount} = ${(syncCount / elapsed).toFixed(2)}/s — ${JSON.stringify(runs)}`);
console.log(
  `subscription events: ${events} received by ${subscribers} subscribers = ${(events / elapsed).toFixed(0)}/s ` +
    `(${subscribers > 0 ? Math.round(events / subscribers) : 0} each)`,
);
console.log(`operations: ${((latencies.length + syncCount + events) / elapsed).toFixed(0)}/s in all`);
console.log(`errors: ${errors.length}`);
console.log(`memory at start: ${memoryAtStart}`);
console.log(`memory at end:   ${memory()}`);

await Promise.all(sockets.map((client) => client.dispose()));
await close();
process.exit(errors.length === 0 ? 0 : 1);
