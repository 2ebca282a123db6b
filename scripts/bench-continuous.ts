/**
 * `npm run bench:continuous`: how long a change saved in Sales takes to reach Finance with no one starting
 * a run. Sales and Finance run in this process (so saving and watching Finance costs no requests); one hub
 * runs as its own process (`node --import tsx src/main.ts`) on a fresh PostgreSQL database per
 * configuration, the configurations one after another in the same invocation:
 * - continuous sync of accounts at its default interval (5 s), and at 2 s;
 * - the Sales webhook (the simulator posts a RemoteExecutionContext after each save, the hub debounces
 *   for 5 s), as a baseline: Dataverse's own push, without continuous sync.
 * Each saves `--edits` account phone numbers through the Sales Web API, one every 1 to 4 s (seeded), and
 * reports the lag from the save's answer to the value in Finance (watched every 25 ms): p50, p95, max,
 * plus the Sales requests the hub made per minute of the measurement and the runs it started.
 *
 * Options: --edits N (default 30), --accounts N (default 300), --latency-ms N added to every answer of both
 * systems (default 20), --admin-url URL (default `BENCH_DATABASE_URL` or
 * postgres://postgres@127.0.0.1:5432/test; the benchmark creates and drops its own databases there).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createConnectors } from '../src/connectors/index.js';
import {
  createCleanups,
  type HubProcess,
  startHubProcess,
  startSystems,
  type Systems,
} from './bench-cluster.js';
import { postGraphQL } from './bench/graphql.js';

const { values } = parseArgs({
  options: {
    edits: { type: 'string', default: '30' },
    accounts: { type: 'string', default: '300' },
    'latency-ms': { type: 'string', default: '20' },
    'admin-url': {
      type: 'string',
      default: process.env['BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test',
    },
  },
});
const edits = Number(values.edits);
const latencyMs = Number(values['latency-ms']);
const adminUrl = values['admin-url'];
const secret = 'bench-continuous-secret-0123456789';
const webhookKey = 'bench-webhook-key-0123456789abcdef';

const cleanups = createCleanups('bench:continuous', 1_800);
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
cleanups.push(() => admin.end());
const systems = await startSystems(Number(values.accounts), secret, cleanups);
systems.sales.faults.set({ latencyMs });
systems.finance.faults.set({ latencyMs });
const endpoint = (origin: string) => ({
  url: origin,
  authorityUrl: origin,
  credential: {
    kind: 'client-secret' as const,
    tenantId: 'simulator',
    clientId: 'hub-client',
    clientSecret: secret,
  },
});
/** What saves in Sales as a person's app would: through the Web API. */
const editor = createConnectors({
  sales: endpoint(systems.sales.origin),
  finance: endpoint(systems.finance.origin),
  financeCompany: 'usmf',
});

/** A small seeded generator, so every configuration waits the same times between saves. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

const graphql = <T>(hub: HubProcess, query: string, variables?: Record<string, unknown>): Promise<T> =>
  postGraphQL<T>(hub.url, query, variables);

async function runEnded(hub: HubProcess, id: string): Promise<string> {
  for (;;) {
    const { syncRun } = await graphql<{ syncRun: { status: string } }>(
      hub,
      'query($id: ID!) { syncRun(id: $id) { status } }',
      { id },
    );
    if (!/^(QUEUED|RUNNING)$/.test(syncRun.status)) return syncRun.status;
    await sleep(200);
  }
}

interface Configuration {
  name: string;
  env: Record<string, string>;
  /** Switches the trigger on once the hub serves. */
  switchOn(hub: HubProcess): Promise<void>;
  switchOff(): void;
}

const continuousAt = (seconds: number): Configuration => ({
  name: `continuous, ${seconds} s`,
  env: { HUB_CONTINUOUS_INTERVAL_SECONDS: String(seconds) },
  async switchOn(hub) {
    await graphql(
      hub,
      'mutation { setContinuousSync(input: { flow: ACCOUNTS, enabled: true }) { enabled } }',
    );
  },
  switchOff() {},
});

const webhook: Configuration = {
  name: 'Sales webhook, 5 s debounce',
  env: { HUB_WEBHOOK_KEY: webhookKey },
  async switchOn(hub) {
    systems.sales.setWebhook({
      url: new URL('/webhooks/dataverse', hub.url).href,
      headers: { 'x-p2c-webhook-key': webhookKey },
    });
  },
  switchOff() {
    systems.sales.setWebhook(null);
  },
};

interface Result {
  name: string;
  lagsMs: number[];
  missed: number;
  salesRequestsPerMinute: number;
  runs: number;
}

const accountsWithNumbers = () =>
  systems.sales.store.scan('accounts').filter((row) => typeof row['accountnumber'] === 'string');

async function measure(index: number, configuration: Configuration): Promise<Result> {
  const database = `hub_bench_continuous_${process.pid}_${index}`;
  await admin.query(`create database ${database} template template0`);
  const databaseUrl = new URL(adminUrl);
  databaseUrl.pathname = `/${database}`;
  const hub = await startHubProcess(systems as Systems, databaseUrl.toString(), configuration.env, cleanups);
  try {
    // Every account in Finance first, so each save is one INCREMENTAL change.
    const { startSync } = await graphql<{ startSync: { id: string } }>(
      hub,
      'mutation { startSync(input: { flows: [ACCOUNTS], mode: FULL }) { id } }',
    );
    const status = await runEnded(hub, startSync.id);
    if (status !== 'SUCCEEDED') throw new Error(`the first sync ended ${status}`);
    await configuration.switchOn(hub);
    await sleep(2_000);

    const random = seeded(7);
    const accounts = accountsWithNumbers();
    const pending = new Map<string, { phone: string; savedAt: number }>();
    const lagsMs: number[] = [];
    let watching = true;
    const watcher = (async () => {
      while (watching || pending.size > 0) {
        for (const customer of systems.finance.store.scan('CustomersV3')) {
          const number = String(customer['CustomerAccount']).toLowerCase();
          const edit = pending.get(number);
          if (edit && customer['PrimaryContactPhone'] === edit.phone) {
            lagsMs.push(performance.now() - edit.savedAt);
            pending.delete(number);
          }
        }
        await sleep(25);
      }
    })();
    const salesBefore = systems.sales.log.httpRequests();
    const startedAt = performance.now();
    for (let n = 0; n < edits; n += 1) {
      const account = accounts[Math.floor(random() * accounts.length)]!;
      const number = String(account['accountnumber']).toLowerCase();
      if (pending.has(number)) continue;
      const phone = `+1 (555) ${String(index).padStart(2, '0')}${String(n).padStart(2, '0')}-${Math.floor(random() * 9_000 + 1_000)}`;
      const [saved] = await editor.sales.upsert('account', [
        { key: { id: String(account['accountid']) }, body: { telephone1: phone } },
      ]);
      if (saved?.outcome !== 'updated') throw new Error(`a save in Sales failed: ${saved?.error?.message}`);
      pending.set(number, { phone, savedAt: performance.now() });
      await sleep(1_000 + random() * 3_000);
    }
    // The last saves get 60 s to arrive.
    const deadline = performance.now() + 60_000;
    while (pending.size > 0 && performance.now() < deadline) await sleep(100);
    const missed = pending.size;
    pending.clear();
    watching = false;
    await watcher;
    const minutes = (performance.now() - startedAt) / 60_000;
    // The editor's own requests (one $batch a save, counted by Sales) are not the hub's.
    const salesRequests = systems.sales.log.httpRequests() - salesBefore - edits;
    const { syncRuns } = await graphql<{ syncRuns: { nodes: { trigger: { kind: string } }[] } }>(
      hub,
      '{ syncRuns(first: 500) { nodes { trigger { kind } } } }',
    );
    return {
      name: configuration.name,
      lagsMs,
      missed,
      salesRequestsPerMinute: salesRequests / minutes,
      runs: syncRuns.nodes.filter(({ trigger }) => trigger.kind !== 'PERSON').length,
    };
  } finally {
    configuration.switchOff();
    hub.child.kill('SIGTERM');
    await hub.exited;
    await admin.query(`drop database if exists ${database} with (force)`);
  }
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const seconds = (ms: number) => (Number.isNaN(ms) ? '–' : (ms / 1000).toFixed(2));

try {
  const results: Result[] = [];
  for (const [index, configuration] of [continuousAt(5), continuousAt(2), webhook].entries()) {
    console.log(`${configuration.name}: ${edits} saves…`);
    results.push(await measure(index, configuration));
  }
  console.log(
    `\nSales → Finance lag, ${edits} saves each, ${latencyMs} ms added to every answer of both systems (seconds)`,
  );
  console.log('configuration                   p50     p95     max  missed  runs  Sales req/min');
  for (const { name, lagsMs, missed, salesRequestsPerMinute, runs } of results) {
    const sorted = [...lagsMs].sort((a, b) => a - b);
    console.log(
      `${name.padEnd(30)} ${seconds(percentile(sorted, 50)).padStart(5)} ${seconds(percentile(sorted, 95)).padStart(7)} ${seconds(sorted.at(-1) ?? NaN).padStart(7)} ${String(missed).padStart(7)} ${String(runs).padStart(5)} ${salesRequestsPerMinute.toFixed(0).padStart(14)}`,
    );
  }
} finally {
  await cleanups.cleanUp();
}
