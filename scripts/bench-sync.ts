/**
 * `npm run bench:sync`: all four flows, FULL mode, against both simulators (0 ms latency) and an
 * in-memory database, then a second INCREMENTAL run. Reports records per second per flow, the run's
 * outcome counters and the peak resident memory of the hub (engine, database) and, separately, of the
 * simulators, which run in a child process so that their copy of both systems' data does not count as the
 * hub's. Options: --accounts N (default 300).
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { createConnectors } from '../src/connectors/index.js';
import { openDatabase } from '../src/db/connection.js';
import { startHub } from '../src/hub.js';
import type { RunSnapshot, StartRunInput } from '../src/sync/runs/types.js';
import { connectorEndpointFor } from '../src/simulators/index.js';

const { values } = parseArgs({ options: { accounts: { type: 'string', default: '300' } } });
const accounts = Number(values.accounts);
const finished = new Set(['SUCCEEDED', 'COMPLETED_WITH_ERRORS', 'FAILED', 'CANCELLED']);

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
  return { child, sales: origins[0]!, finance: origins[1]! };
}

/** A process's peak resident memory (VmHWM) in MiB, from Linux's /proc. */
async function peakMiB(pid: number | 'self'): Promise<number | null> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => null);
  const kib = status && /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
  return kib ? Math.round(Number(kib) / 1024) : null;
}

const seeding = Date.now();
const simulators = await startSimulatorProcess();
console.log(`simulators seeded in ${((Date.now() - seeding) / 1000).toFixed(1)} s`);
const database = await openDatabase({ kind: 'pglite' });
const connectors = createConnectors({
  sales: connectorEndpointFor(simulators.sales),
  finance: connectorEndpointFor(simulators.finance),
  financeCompany: 'usmf',
});
const hub = await startHub({ connectors, database, port: 0, host: '127.0.0.1' });

async function run(input: StartRunInput): Promise<RunSnapshot> {
  const started = await hub.sync.start(input);
  return new Promise((resolve) => {
    const stop = hub.sync.events.subscribe(started.run.id, (snapshot) => {
      if (finished.has(snapshot.run.status)) {
        stop();
        resolve(snapshot);
      }
    });
  });
}

function report(label: string, snapshot: RunSnapshot): void {
  const { run } = snapshot;
  const seconds = (run.finishedAt!.getTime() - run.startedAt!.getTime()) / 1000;
  console.log(`${label}: ${run.status} in ${seconds.toFixed(1)} s — ${JSON.stringify(run.totals)}`);
  for (const flow of run.flows) {
    const flowSeconds =
      flow.startedAt && flow.finishedAt ? (flow.finishedAt.getTime() - flow.startedAt.getTime()) / 1000 : 0;
    const rate = flowSeconds > 0 ? Math.round(flow.counters.read / flowSeconds) : 0;
    console.log(
      `  ${flow.flow.padEnd(9)} ${flow.status.padEnd(22)} read ${String(flow.counters.read).padStart(7)} in ${flowSeconds.toFixed(1).padStart(6)} s = ${String(rate).padStart(6)} records/s  ${JSON.stringify(flow.counters)}`,
    );
  }
}

console.log(`bench:sync — ${accounts} accounts, ${availableParallelism()} cores, Node ${process.version}`);
report('full run', await run({ mode: 'FULL', dryRun: false }));
report('incremental run', await run({ mode: 'INCREMENTAL', dryRun: false }));
console.log(`peak resident memory: hub ${await peakMiB('self')} MiB (engine, connectors, PGlite in memory)`);
console.log(
  `                      simulators ${await peakMiB(simulators.child.pid!)} MiB (both systems' data)`,
);
await hub.close();
simulators.child.kill();
await database.close();
