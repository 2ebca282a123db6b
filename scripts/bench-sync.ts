/**
 * `npm run bench:sync`: all seven flows FULL, then INCREMENTAL, against both simulators, on the embedded
 * PGlite or on PostgreSQL. Reports per flow its records per second, its requests to each system, the most
 * requests it had in flight at each, the 429 answers it got and, with latency, how close it came to the
 * bound the back end sets; per run its counters; and the hub's memory: resident memory (VmRSS) sampled
 * every 100 ms while the hub is idle before the first run (10 s), during the FULL run, during the
 * INCREMENTAL run and after them (10 s), with the V8 heap's peak.
 *
 * What is measured is the hub alone, as `npm start` runs it: by default the hub is its own process,
 * `node dist/main.js` (so build first: `npm run build`), pointed at the simulators and the database as an
 * operator would point it, and driven over GraphQL; scripts/bench/memory-probe.mjs, preloaded into it,
 * takes the samples. The simulators run in another child process (scripts/bench/simulators-process.ts),
 * so their copy of both systems' data is not counted, and this script's own TypeScript loader (tsx) is not
 * in the measured process either. `--hub in-process` runs the hub inside this script from source instead
 * (no build needed; a heap snapshot or `--inspect` reaches the engine directly), whose figures include
 * tsx's loader thread and compiled modules: tens of MiB more than the hub's own.
 *
 * Requests per flow. The simulators count what they answer, in their process; this script asks for their
 * counts over IPC before a run and whenever a flow of it starts or ends, as the run's `syncRunUpdated`
 * subscription shows them (status changes are published at once), and charges each interval between two
 * counts to the flow that ran in it (scripts/bench/sync-requests.ts). The run's own requests before its
 * first flow go to that flow. Flows that ran side by side (their intervals overlap) are charged together
 * and reported as one line, `ACCOUNTS+PRODUCTS`, rather than each getting the other's requests. The
 * figures per system:
 * - requests: HTTP requests answered, a `$batch` counting once (the operations inside it are shown apart);
 *   token requests are not counted. Split into GET and the others (POST, PATCH, DELETE, `$batch`).
 * - per 1,000 records: per 1,000 records the flow read from its source system (its `read` counter, the
 *   figure its records per second count too), whichever system the requests went to.
 * - peak in flight: the most HTTP requests in progress at once at the system while the flow ran, against
 *   that system's concurrency bound: `SALES_MAX_CONCURRENCY` (default 52) held to the simulator's
 *   `x-ms-dop-hint` of 4, so 4, and `FINANCE_MAX_CONCURRENCY` (default 4), as this script's environment
 *   passes them to the compiled hub.
 * - 429s: the requests the simulator's throttle answered 429 (`--throttle`).
 * - the bound (only with `--latency-ms` above 0): every request waits the latency L, so a system with
 *   concurrency bound C answers at most C / L requests per second, and a flow that sent Q requests to it
 *   for R records read cannot exceed (R / Q) × C / L records per second. The flow's bound is the lower of
 *   its two systems' (that of the one it keeps busier); the ratio is its records per second over that
 *   bound: 1 means that system's request slots were waiting on latency the whole time, lower means time
 *   spent elsewhere (the hub, its database, the simulators' own work, fewer requests in flight than the
 *   bound). Requests answered 429 count, as they wait the latency too.
 *
 * Every repetition starts afresh: new simulators, an empty database (a PGlite folder of its own, or a
 * PostgreSQL database the benchmark creates next to `--database-url` and drops afterwards) and a new hub.
 *
 * Options: --accounts N (300); --database pglite|postgres (pglite); --database-url URL (PostgreSQL: a
 * database on the server to connect to first, whose role may create databases; default `DATABASE_URL`, else
 * postgres://postgres@127.0.0.1:5432/test); --repeat N (1; with more, the medians follow); --latency-ms N
 * (0) and --throttle N/S (none: 429 after N requests in a sliding window of S seconds), on both
 * simulators; --baseline-dist DIR: a second compiled hub, the `dist` folder of another build (e.g. a `git
 * worktree` of an older commit, built with `npm run build` there), measured in the same invocation, the
 * two builds taking turns in each repetition (the first alternating), and the medians printed side by side
 * with their ratio (current/baseline); --json FILE: every repetition's figures as JSON; --hub
 * compiled|in-process (compiled); --hub-node-option FLAG, repeatable, passed to the compiled hub's node
 * (e.g. --heapsnapshot-signal=SIGUSR2 --diagnostic-dir=DIR, to take heap snapshots of it mid-run, or
 * --trace-gc); --simulators-node-option FLAG, repeatable, the same for the simulators' process (e.g.
 * --cpu-prof --cpu-prof-dir=DIR: the profile is written when the bench ends); --hub-log FILE: where the
 * compiled hub's output goes (default: nowhere).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { getHeapStatistics } from 'node:v8';
import { createClient } from 'graphql-ws';
import pg from 'pg';
import WebSocket from 'ws';
import { postGraphQL } from './bench/graphql.js';
import {
  createRequestTracker,
  type Backend,
  type FlowStatus,
  isFinished,
  parseThrottle,
  type SimulatorStats,
  type SimulatorsMessage,
  type SimulatorsRequest,
} from './bench/sync-requests.js';
import {
  figuresOf,
  printMedians,
  printRun,
  type RunReport,
  type RunResult,
  runResult,
} from './bench/sync-report.js';
import { createConnectors } from '../src/connectors/index.js';
import { openDatabase, type DatabaseConfig } from '../src/db/connection.js';
import { startHub } from '../src/hub.js';
import { defaultClient } from '../src/simulators/core/server.js';
import { hubEnvironment } from '../src/simulators/hub-env.js';
import { connectorEndpointFor } from '../src/simulators/index.js';
import { maxConcurrency } from '../src/connectors/odata/concurrency-settings.js';
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
    'simulators-node-option': { type: 'string', multiple: true, default: [] },
    'hub-log': { type: 'string' },
    'latency-ms': { type: 'string', default: '0' },
    throttle: { type: 'string' },
    'baseline-dist': { type: 'string' },
    json: { type: 'string' },
  },
});
const accounts = Number(values.accounts);
const repeat = Number(values.repeat);
const latencyMs = Number(values['latency-ms']);
const databaseKind = values.database;
const hubKind = values.hub;
if (databaseKind !== 'pglite' && databaseKind !== 'postgres')
  throw new Error(`--database is pglite or postgres, not '${databaseKind}'`);
if (hubKind !== 'compiled' && hubKind !== 'in-process')
  throw new Error(`--hub is compiled or in-process, not '${hubKind}'`);
// Repetitions in one process would inherit each other's heap and loaded code: only separate processes
// are independent samples.
if (hubKind === 'in-process' && repeat !== 1) throw new Error('--hub in-process measures one repetition');
if (hubKind === 'in-process' && values['baseline-dist'])
  throw new Error('--baseline-dist compares compiled hubs: leave out --hub in-process');
if (!Number.isInteger(latencyMs) || latencyMs < 0)
  throw new Error(`--latency-ms is a whole number of milliseconds, not '${values['latency-ms']}'`);

/**
 * Each system's bound on requests in flight, as the hub sets it: its environment's
 * SALES_/FINANCE_MAX_CONCURRENCY or the defaults, Sales further held to the simulator's `x-ms-dop-hint`
 * (4, its default). The in-process hub is started with the defaults.
 */
const simulatorDopHint = 4;
const concurrencyFromEnv = (name: string, fallback: number) =>
  hubKind === 'compiled' && process.env[name] ? Number(process.env[name]) : fallback;
const backend: Backend = {
  latencyMs,
  throttle: parseThrottle(values.throttle),
  concurrency: {
    sales: Math.min(simulatorDopHint, concurrencyFromEnv('SALES_MAX_CONCURRENCY', maxConcurrency.sales.max)),
    finance: concurrencyFromEnv('FINANCE_MAX_CONCURRENCY', maxConcurrency.finance.max),
  },
};

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

/** A hub under measurement: its memory samples, a way to run a sync to its end, and its stop. */
interface HubUnderTest {
  samples: Sample[];
  /** Runs a sync to its end, telling `observe` every update of its flows as the hub publishes them. */
  run(mode: 'FULL' | 'INCREMENTAL', observe: (flows: FlowStatus[]) => void): Promise<RunReport>;
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

/** The simulators in their child process (scripts/bench/simulators-process.ts), on free ports. */
interface SimulatorProcess {
  child: ChildProcess;
  sales: string;
  finance: string;
  /** Both systems' request counts so far, and their peaks in flight since the previous call. */
  stats(): Promise<SimulatorStats>;
}

async function startSimulatorProcess(): Promise<SimulatorProcess> {
  const child = spawn(
    process.execPath,
    [
      ...values['simulators-node-option'],
      '--import',
      'tsx',
      'scripts/bench/simulators-process.ts',
      `--accounts=${accounts}`,
      `--latency-ms=${latencyMs}`,
      ...(values.throttle ? [`--throttle=${values.throttle}`] : []),
    ],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  const waiting = new Map<number, (stats: SimulatorStats) => void>();
  let nextId = 0;
  const origins = await new Promise<{ sales: string; finance: string }>((resolve, reject) => {
    child.on('message', (message: SimulatorsMessage) => {
      if (message.type === 'ready') resolve(message);
      else {
        waiting.get(message.id)?.(message.stats);
        waiting.delete(message.id);
      }
    });
    child.once('exit', (code) => reject(new Error(`the simulators exited (${code}) before starting`)));
  });
  return {
    child,
    ...origins,
    stats: () =>
      new Promise((resolve) => {
        nextId += 1;
        waiting.set(nextId, resolve);
        child.send({ type: 'stats', id: nextId } satisfies SimulatorsRequest);
      }),
  };
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

const counters = 'read created updated unchanged skipped failed';
const runFields = `status startedAt finishedAt totals { ${counters} } flows { flow status counters { ${counters} } }`;
interface RunAnswer {
  status: string;
  startedAt: string | null;
  finishedAt: string | null;
  totals: Record<string, number>;
  flows: { flow: string; status: string; counters: Record<string, number> }[];
}

/** The hub as `npm start` runs it (from `dist`), in a process of its own, sampled by the memory probe. */
async function startCompiledHub(
  simulators: { sales: string; finance: string },
  database: BenchDatabase,
  dist: string,
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
      // The heap limit `npm start` sets (an option given here comes later and wins).
      ...startHeapLimit(),
      ...values['hub-node-option'],
      '--import',
      './scripts/bench/memory-probe.mjs',
      join(dist, 'main.js'),
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
  const log = values['hub-log'] ? createWriteStream(values['hub-log'], { flags: 'a' }) : null;
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
  // Status changes come over the subscription as the hub publishes them (progress at most every 250 ms),
  // so each flow's start and end are seen within milliseconds, without polling the hub.
  const socket = createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
  });

  return {
    samples,
    async run(mode, observe) {
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
      await new Promise<void>((resolve, reject) => {
        socket.subscribe<{ syncRunUpdated: RunAnswer }>(
          {
            query: `subscription($id: ID!) { syncRunUpdated(id: $id) { ${runFields} } }`,
            variables: { id: startSync.id },
          },
          {
            next({ data, errors }) {
              if (errors) reject(new Error(errors.map(({ message }) => message).join('; ')));
              else if (data) observe(data.syncRunUpdated.flows);
            },
            error: reject,
            complete: resolve,
          },
        );
      });
      const { syncRun } = await graphql<{ syncRun: RunAnswer }>(
        `query($id: ID!) { syncRun(id: $id) { ${runFields} } }`,
        { id: startSync.id },
      );
      return {
        status: syncRun.status,
        seconds: (Date.parse(syncRun.finishedAt!) - Date.parse(syncRun.startedAt!)) / 1000,
        totals: syncRun.totals,
        flows: syncRun.flows,
      };
    },
    highWaterMark: () => highWaterMarkOf(child.pid!),
    async stop() {
      await socket.dispose();
      await stopChild(child);
    },
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
    async run(mode, observe) {
      const started = await hub.sync.start({ mode, dryRun: false });
      const flowsOf = (update: RunSnapshot) =>
        update.run.flows.map((flow) => ({
          flow: flow.flow.toUpperCase(),
          status: flow.status,
          counters: { ...flow.counters },
        }));
      const snapshot = await new Promise<RunSnapshot>((resolve) => {
        const stop = hub.sync.events.subscribe(started.run.id, (update) => {
          observe(flowsOf(update));
          if (isFinished(update.run.status)) {
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
        flows: flowsOf(snapshot),
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

/** A build of the hub to measure: this tree's `dist`, or the baseline's. */
interface Build {
  label: string;
  dist: string;
}

/** One repetition of one build: its runs and memory. */
interface Repetition {
  build: string;
  index: number;
  runs: RunResult[];
  memory: Memory;
}

/** Runs a sync with the simulators' stats taken at each flow's start and end; prints and returns it. */
async function measuredRun(
  hub: HubUnderTest,
  simulators: SimulatorProcess,
  mode: 'FULL' | 'INCREMENTAL',
): Promise<RunResult> {
  const tracker = createRequestTracker(() => simulators.stats());
  const report = await hub.run(mode, (flows) => tracker.observe(flows));
  const requests = await tracker.finish();
  const peakBetween = (from: number, to: number) => {
    const taken = hub.samples.filter(({ at }) => at >= from && at <= to);
    return taken.length > 0 ? peak(taken, (s) => s.rss) : null;
  };
  const result = runResult(mode, report, requests, backend, peakBetween);
  printRun(`${mode.toLowerCase()} run`, result, backend);
  return result;
}

async function repetition(index: number, build: Build): Promise<Repetition> {
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
    hub =
      hubKind === 'compiled'
        ? await startCompiledHub(simulators, database, build.dist)
        : await startInProcessHub(simulators, database);
    const idleFrom = performance.now();
    await sleep(idleMs);
    const fullFrom = performance.now();
    const full = await measuredRun(hub, simulators, 'FULL');
    const incrementalFrom = performance.now();
    const incremental = await measuredRun(hub, simulators, 'INCREMENTAL');
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
    return { build: build.label, index, runs: [full, incremental], memory };
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

const builds: Build[] = [{ label: 'current', dist: resolve('dist') }];
if (values['baseline-dist']) builds.push({ label: 'baseline', dist: resolve(values['baseline-dist']) });
const faults = [
  `${latencyMs} ms latency`,
  ...(values.throttle ? [`throttle ${values.throttle} (requests/seconds)`] : []),
].join(', ');
console.log(
  `bench:sync — ${accounts} accounts, ${databaseKind === 'pglite' ? 'PGlite on disk' : 'PostgreSQL'}, hub ` +
    `${hubKind === 'compiled' ? `compiled (node ${builds.map((b) => join(b.dist, 'main.js')).join(' against node ')})` : 'in this process (tsx)'}, ` +
    `${availableParallelism()} cores, Node ${process.version}; both systems: ${faults}, ` +
    `at most ${backend.concurrency.sales} (Sales) and ${backend.concurrency.finance} (Finance) requests in flight`,
);
const results: Repetition[] = [];
for (let index = 1; index <= repeat; index += 1) {
  // With a baseline, the builds take turns, and which goes first alternates too.
  const order = index % 2 === 1 ? builds : [...builds].reverse();
  for (const build of order) {
    if (repeat > 1 || builds.length > 1)
      console.log(
        `\nrepetition ${index} of ${repeat}${builds.length > 1 ? `, ${build.label} (${build.dist})` : ''}`,
      );
    results.push(await repetition(index, build));
  }
}
if (repeat > 1 || builds.length > 1) {
  const byBuild = new Map(
    builds.map((build) => [
      build.label,
      results
        .filter((result) => result.build === build.label)
        .map(({ runs, memory }) =>
          figuresOf(
            runs,
            Object.fromEntries(
              Object.entries(memoryLabels).map(([name, label]) => [label, memory[name as keyof Memory]]),
            ),
          ),
        ),
    ]),
  );
  printMedians(byBuild);
}
if (values.json) {
  await writeFile(
    values.json,
    `${JSON.stringify(
      {
        accounts,
        database: databaseKind,
        hub: hubKind,
        backend,
        throttle: values.throttle ?? null,
        builds,
        node: process.version,
        cores: availableParallelism(),
        repetitions: results,
      },
      null,
      2,
    )}\n`,
  );
  console.log(`\nwritten: ${values.json}`);
}

/** `--max-old-space-size=N` as `npm start` sets it (package.json), so the hub measured is the one started. */
function startHeapLimit(): string[] {
  const start = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> })
    .scripts['start'];
  const limit = /--max-old-space-size=\d+/.exec(start ?? '');
  return limit ? [limit[0]] : [];
}
