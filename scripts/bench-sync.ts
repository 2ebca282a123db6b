/**
 * `npm run bench:sync`: all four flows FULL, then INCREMENTAL, against both simulators (0 ms latency), on
 * the embedded PGlite or on PostgreSQL. Reports records per second per flow, the runs' counters, and the
 * hub's memory: resident memory (VmRSS) sampled every 100 ms while the hub is idle before the first run
 * (10 s), during the FULL run, during the INCREMENTAL run and after them (10 s), with the V8 heap's peak.
 *
 * What is measured is the hub alone, as `npm start` runs it: by default the hub is its own process,
 * `node dist/main.js` (so build first: `npm run build`), pointed at the simulators and the database as an
 * operator would point it, and driven over GraphQL; scripts/bench/memory-probe.mjs, preloaded into it,
 * takes the samples. The simulators run in another child process, so their copy of both systems' data
 * is not counted, and this script's own TypeScript loader (tsx) is not in the measured process either.
 * `--hub in-process` runs the hub inside this script from source instead (no build needed; a heap
 * snapshot or `--inspect` reaches the engine directly), whose figures include tsx's loader thread and
 * compiled modules: tens of MiB more than the hub's own.
 *
 * Every repetition starts afresh: new simulators, an empty database (a PGlite folder of its own, or a
 * PostgreSQL database the benchmark creates next to `--database-url` and drops afterwards) and a new hub.
 *
 * Options: --accounts N (300); --database pglite|postgres (pglite); --database-url URL (PostgreSQL: a
 * database on the server to connect to first, whose role may create databases; default `DATABASE_URL`, else
 * postgres://postgres@127.0.0.1:5432/test); --repeat N (1; with more, the memory figures' medians follow);
 * --hub compiled|in-process (compiled); --hub-node-option FLAG, repeatable, passed to the compiled hub's
 * node (e.g. --heapsnapshot-signal=SIGUSR2 --diagnostic-dir=DIR, to take heap snapshots of it mid-run,
 * or --trace-gc); --hub-log FILE: where the compiled hub's output goes (default: nowhere).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { getHeapStatistics } from 'node:v8';
import { postGraphQL } from './bench/graphql.js';
import pg from 'pg';
import { createConnectors } from '../src/connectors/index.js';
import { openDatabase, type DatabaseConfig } from '../src/db/connection.js';
import { startHub } from '../src/hub.js';
import { defaultClient } from '../src/simulators/core/server.js';
import { hubEnvironment } from '../src/simulators/hub-env.js';
import { connectorEndpointFor } from '../src/simulators/index.js';
import type { RunSnapshot } from '../src/sync/runs/types.js';

const { values } = parseArgs({
  options: {
    accounts: { type: 'string', default: '300' },
    database: { type: 'string', default: 'pglite' },
    'database-url': {
      type: 'string',
      default: process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test',
    },
    repeat: { type: 'string', default: '1' },
    hub: { type: 'string', default: 'compiled' },
    'hub-node-option': { type: 'string', multiple: true, default: [] },
    'hub-log': { type: 'string' },
  },
});
const accounts = Number(values.accounts);
const repeat = Number(values.repeat);
const databaseKind = values.database;
const hubKind = values.hub;
if (databaseKind !== 'pglite' && databaseKind !== 'postgres')
  throw new Error(`--database is pglite or postgres, not '${databaseKind}'`);
if (hubKind !== 'compiled' && hubKind !== 'in-process')
  throw new Error(`--hub is compiled or in-process, not '${hubKind}'`);
// Repetitions in one process would inherit each other's heap and loaded code: only separate processes
// are independent samples.
if (hubKind === 'in-process' && repeat !== 1) throw new Error('--hub in-process measures one repetition');

const finished = new Set(['SUCCEEDED', 'COMPLETED_WITH_ERRORS', 'FAILED', 'CANCELLED']);
const idleMs = 10_000;
const afterMs = 10_000;
const mib = (bytes: number) => Math.round(bytes / 2 ** 20);

/** One memory sample of the hub process. */
interface Sample {
  at: number;
  rss: number;
  heapUsed: number;
}

/** The highest value of `of` over `samples`, in MiB. */
const peak = (samples: readonly Sample[], of: (sample: Sample) => number) =>
  mib(samples.reduce((highest, sample) => Math.max(highest, of(sample)), 0));

interface FlowReport {
  flow: string;
  status: string;
  counters: Record<string, number>;
  /** When the flow ran, on this process's `performance.now()` clock; null when it did not. */
  window: { from: number; to: number } | null;
}

interface RunReport {
  status: string;
  seconds: number;
  totals: Record<string, number>;
  flows: FlowReport[];
}

/** A hub under measurement: its memory samples, a way to run a sync to its end, and its stop. */
interface HubUnderTest {
  samples: Sample[];
  run(mode: 'FULL' | 'INCREMENTAL'): Promise<RunReport>;
  /** The process's peak resident memory over its whole life (VmHWM), in bytes. */
  highWaterMark(): Promise<number | null>;
  stop(): Promise<void>;
}

/** Where the hub's database lives for one repetition, and how to remove it afterwards. */
interface BenchDatabase {
  config: DatabaseConfig;
  label: string;
  drop(): Promise<void>;
}

/** The simulators in a child process (`npm run simulators`), on free ports; resolves with their origins. */
async function startSimulatorProcess() {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/simulators/main.ts',
      `--accounts=${accounts}`,
      '--sales-port=0',
      '--finance-port=0',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const origins: string[] = [];
  for await (const line of createInterface({ input: child.stdout })) {
    const root = /(http:\/\/\S+?)\/(api\/data|data)\//.exec(line);
    if (root) origins.push(root[1]!);
    if (origins.length === 2) break;
  }
  if (origins.length !== 2) throw new Error('the simulators did not start');
  // Keep reading, so the simulators never block on a full pipe.
  child.stdout.resume();
  return { child, sales: origins[0]!, finance: origins[1]! };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

/** A process's peak resident memory (VmHWM) in bytes, from Linux's /proc. */
async function highWaterMarkOf(pid: number | 'self'): Promise<number | null> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => null);
  const kib = status && /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
  return kib ? Number(kib) * 1024 : null;
}

/** An empty database for one repetition: a PGlite folder of its own, or a new PostgreSQL database. */
async function createBenchDatabase(index: number): Promise<BenchDatabase> {
  if (databaseKind === 'pglite') {
    const dataDir = await mkdtemp(join(tmpdir(), 'bench-sync-'));
    return {
      config: { kind: 'pglite', dataDir },
      label: 'PGlite on disk',
      drop: () => rm(dataDir, { recursive: true, force: true }),
    };
  }
  const name = `bench_sync_${process.pid}_${index}`;
  const admin = new pg.Client({ connectionString: values['database-url'], application_name: 'bench-sync' });
  await admin.connect();
  await admin.query(`create database ${name} template template0`);
  const url = new URL(values['database-url']);
  url.pathname = `/${name}`;
  return {
    config: { kind: 'postgres', url: url.toString() },
    label: 'PostgreSQL',
    async drop() {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

/** The hub as `npm start` runs it, in a process of its own, sampled by the preloaded memory probe. */
async function startCompiledHub(
  simulators: { sales: string; finance: string },
  database: BenchDatabase,
): Promise<HubUnderTest> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...hubEnvironment(simulators, defaultClient),
    HOST: '127.0.0.1',
    PORT: '0',
    HUB_INSTANCE_ID: 'bench-sync',
    ...(database.config.kind === 'postgres'
      ? { DATABASE_URL: database.config.url }
      : { HUB_DATA_DIR: database.config.dataDir! }),
  };
  // This script runs under tsx: nothing of its loader may reach the hub process.
  delete env['NODE_OPTIONS'];
  if (database.config.kind === 'pglite') delete env['DATABASE_URL'];
  for (const name of ['HUB_API_KEYS', 'HUB_JWT_JWKS_URL', 'HUB_JWT_SECRET', 'NODE_ENV']) delete env[name];
  const child = spawn(
    process.execPath,
    [
      '--enable-source-maps',
      ...values['hub-node-option'],
      '--import',
      './scripts/bench/memory-probe.mjs',
      'dist/main.js',
    ],
    { env, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] },
  );
  const samples: Sample[] = [];
  void (async () => {
    for await (const line of createInterface({ input: child.stdio[3] as Readable })) {
      const [rss, heapUsed] = line.split(' ').map(Number);
      samples.push({ at: performance.now(), rss: rss!, heapUsed: heapUsed! });
    }
  })();
  // Its log (at the default level, as `npm start` logs) is kept until it serves, then only drained.
  let output: string | null = '';
  const keep = (chunk: Buffer) => {
    if (output !== null) output += chunk.toString();
  };
  const log = values['hub-log'] ? createWriteStream(values['hub-log']) : null;
  child.stderr!.on('data', keep);
  if (log) {
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
  }
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      keep(chunk);
      const match = output === null ? null : /GraphQL API: (\S+)/.exec(output);
      if (match) {
        output = null;
        resolve(match[1]!);
      }
    });
    child.once('exit', () => reject(new Error(`the hub exited before serving:\n${output ?? ''}`)));
  });

  const graphql = <T>(query: string, variables?: Record<string, unknown>): Promise<T> =>
    postGraphQL<T>(url, query, variables);

  const counters = 'read created updated unchanged skipped failed';
  const runQuery = `query($id: ID!) { syncRun(id: $id) {
    status startedAt finishedAt totals { ${counters} } flows { flow status counters { ${counters} } } } }`;
  interface RunAnswer {
    status: string;
    startedAt: string | null;
    finishedAt: string | null;
    totals: Record<string, number>;
    flows: { flow: string; status: string; counters: Record<string, number> }[];
  }

  return {
    samples,
    async run(mode) {
      const { startSync } = await graphql<{ startSync: { id: string } }>(
        `
          mutation ($mode: SyncMode!) {
            startSync(input: { mode: $mode }) {
              id
            }
          }
        `,
        { mode },
      );
      // A flow's time is seen from here, polled every 250 ms: GraphQL shows a flow's status, not its times.
      const began = new Map<string, number>();
      const ended = new Map<string, number>();
      for (;;) {
        const { syncRun } = await graphql<{ syncRun: RunAnswer }>(runQuery, { id: startSync.id });
        const now = performance.now();
        for (const flow of syncRun.flows) {
          if (flow.status !== 'QUEUED' && !began.has(flow.flow)) began.set(flow.flow, now);
          if (finished.has(flow.status) && !ended.has(flow.flow)) ended.set(flow.flow, now);
        }
        if (finished.has(syncRun.status)) {
          return {
            status: syncRun.status,
            seconds: (Date.parse(syncRun.finishedAt!) - Date.parse(syncRun.startedAt!)) / 1000,
            totals: syncRun.totals,
            flows: syncRun.flows.map(({ flow, status, counters }) => {
              const start = began.get(flow);
              const end = ended.get(flow);
              return {
                flow,
                status,
                counters,
                window: start !== undefined && end !== undefined ? { from: start, to: end } : null,
              };
            }),
          };
        }
        await sleep(250);
      }
    },
    highWaterMark: () => highWaterMarkOf(child.pid!),
    stop: () => stopChild(child),
  };
}

/** The hub inside this process, from source (tsx), sampled by a timer here. */
async function startInProcessHub(
  simulators: { sales: string; finance: string },
  database: BenchDatabase,
): Promise<HubUnderTest> {
  const samples: Sample[] = [];
  const sampler = setInterval(() => {
    void readFile('/proc/self/status', 'utf8').then((status) => {
      const kib = /VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? '0';
      samples.push({
        at: performance.now(),
        rss: Number(kib) * 1024,
        heapUsed: getHeapStatistics().used_heap_size,
      });
    });
  }, 100);
  const opened = await openDatabase(database.config);
  const connectors = createConnectors({
    sales: connectorEndpointFor(simulators.sales),
    finance: connectorEndpointFor(simulators.finance),
    financeCompany: 'usmf',
  });
  const hub = await startHub({ connectors, database: opened, port: 0, host: '127.0.0.1' });
  return {
    samples,
    async run(mode) {
      const started = await hub.sync.start({ mode, dryRun: false });
      const snapshot = await new Promise<RunSnapshot>((resolve) => {
        const stop = hub.sync.events.subscribe(started.run.id, (update) => {
          if (finished.has(update.run.status)) {
            stop();
            resolve(update);
          }
        });
      });
      const { run } = snapshot;
      return {
        status: run.status,
        seconds: (run.finishedAt!.getTime() - run.startedAt!.getTime()) / 1000,
        totals: { ...run.totals },
        flows: run.flows.map((flow) => ({
          flow: flow.flow.toUpperCase(),
          status: flow.status,
          counters: { ...flow.counters },
          window:
            flow.startedAt && flow.finishedAt
              ? {
                  from: flow.startedAt.getTime() - performance.timeOrigin,
                  to: flow.finishedAt.getTime() - performance.timeOrigin,
                }
              : null,
        })),
      };
    },
    highWaterMark: () => highWaterMarkOf('self'),
    async stop() {
      clearInterval(sampler);
      await hub.close();
      await opened.close();
    },
  };
}

/** The run's counters and each flow's rate, with the hub's peak resident memory while the flow ran. */
function report(label: string, run: RunReport, samples: readonly Sample[]): void {
  console.log(`${label}: ${run.status} in ${run.seconds.toFixed(1)} s — ${JSON.stringify(run.totals)}`);
  for (const flow of run.flows) {
    const seconds = flow.window ? (flow.window.to - flow.window.from) / 1000 : 0;
    const rate = seconds > 0 ? Math.round((flow.counters['read'] ?? 0) / seconds) : 0;
    const taken = flow.window
      ? samples.filter(({ at }) => at >= flow.window!.from && at <= flow.window!.to)
      : [];
    const memory = taken.length > 0 ? `RSS peak ${peak(taken, (s) => s.rss)} MiB` : 'RSS peak —';
    console.log(
      `  ${flow.flow.padEnd(9)} ${flow.status.padEnd(22)} read ${String(flow.counters['read']).padStart(7)} in ${seconds.toFixed(1).padStart(6)} s = ${String(rate).padStart(6)} records/s  ${memory.padEnd(18)} ${JSON.stringify(flow.counters)}`,
    );
  }
}

/** The memory figures of one repetition, in MiB. */
interface Memory {
  idle: number;
  fullPeak: number;
  fullHeapPeak: number;
  incrementalPeak: number;
  after: number;
  highWaterMark: number;
}

const memoryLabels: Record<keyof Memory, string> = {
  idle: 'RSS idle before the runs (peak of the 10 s)',
  fullPeak: 'RSS peak during the FULL run',
  fullHeapPeak: 'V8 heap in use, peak during the FULL run',
  incrementalPeak: 'RSS peak during the INCREMENTAL run',
  after: 'RSS 10 s after the runs',
  highWaterMark: 'RSS high-water mark of the process (VmHWM)',
};

/** The samples taken between `from` and `to` (performance.now() times). */
function within(samples: readonly Sample[], from: number, to: number): Sample[] {
  const taken = samples.filter((sample) => sample.at >= from && sample.at <= to);
  if (taken.length === 0) throw new Error('no memory sample was taken in a phase: is this Linux?');
  return taken;
}

async function repetition(index: number): Promise<Memory> {
  const seeding = Date.now();
  const simulators = await startSimulatorProcess();
  console.log(`simulators seeded in ${((Date.now() - seeding) / 1000).toFixed(1)} s`);
  const database = await createBenchDatabase(index);
  let hub: HubUnderTest | undefined;
  cleanUp = async () => {
    cleanUp = null;
    await hub?.stop();
    await stopChild(simulators.child);
    await database.drop();
  };
  try {
    hub = await (hubKind === 'compiled' ? startCompiledHub : startInProcessHub)(simulators, database);
    const idleFrom = performance.now();
    await sleep(idleMs);
    const fullFrom = performance.now();
    report('full run', await hub.run('FULL'), hub.samples);
    const incrementalFrom = performance.now();
    report('incremental run', await hub.run('INCREMENTAL'), hub.samples);
    const afterFrom = performance.now();
    await sleep(afterMs);
    const { samples } = hub;
    const memory: Memory = {
      idle: peak(within(samples, idleFrom, fullFrom), (s) => s.rss),
      fullPeak: peak(within(samples, fullFrom, incrementalFrom), (s) => s.rss),
      fullHeapPeak: peak(within(samples, fullFrom, incrementalFrom), (s) => s.heapUsed),
      incrementalPeak: peak(within(samples, incrementalFrom, afterFrom), (s) => s.rss),
      after: mib(within(samples, afterFrom, performance.now()).at(-1)!.rss),
      highWaterMark: mib((await hub.highWaterMark()) ?? 0),
    };
    for (const [name, label] of Object.entries(memoryLabels))
      console.log(`  ${label.padEnd(46)} ${String(memory[name as keyof Memory]).padStart(5)} MiB`);
    const simulatorsPeak = await highWaterMarkOf(simulators.child.pid!);
    console.log(`  (the simulators' process, not counted: ${mib(simulatorsPeak ?? 0)} MiB at its peak)`);
    return memory;
  } finally {
    await cleanUp?.();
  }
}

/** What the repetition in progress leaves behind (hub, simulators, database), for a stop mid-way. */
let cleanUp: (() => Promise<void>) | null = null;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`bench:sync: ${signal}; stopping the hub and the simulators, dropping the database`);
    void (cleanUp?.() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}

const median = (numbers: readonly number[]) => {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : Math.round((sorted[middle - 1]! + sorted[middle]!) / 2);
};

console.log(
  `bench:sync — ${accounts} accounts, ${databaseKind === 'pglite' ? 'PGlite on disk' : 'PostgreSQL'}, hub ` +
    `${hubKind === 'compiled' ? 'compiled (node dist/main.js)' : 'in this process (tsx)'}, ` +
    `${availableParallelism()} cores, Node ${process.version}`,
);
const results: Memory[] = [];
for (let index = 1; index <= repeat; index += 1) {
  if (repeat > 1) console.log(`\nrepetition ${index} of ${repeat}`);
  results.push(await repetition(index));
}
if (repeat > 1) {
  console.log(`\nmedians of ${repeat} repetitions (MiB; every value in brackets):`);
  for (const [name, label] of Object.entries(memoryLabels)) {
    const all = results.map((memory) => memory[name as keyof Memory]);
    console.log(`  ${label.padEnd(46)} ${String(median(all)).padStart(5)}  [${all.join(', ')}]`);
  }
}
