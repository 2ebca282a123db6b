/**
 * `npm run bench:sync`: all four flows, FULL mode, against the embedded simulators (0 ms latency) and an
 * in-memory database, then a second INCREMENTAL run. Reports records per second per flow, the run's
 * outcome counters and the process's peak resident memory. Options: --accounts N (default 300).
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { createConnectors } from '../src/connectors/index.js';
import { openDatabase } from '../src/db/connection.js';
import { startHub } from '../src/hub.js';
import type { RunSnapshot, StartRunInput } from '../src/sync/engine/types.js';
import { connectorEndpointFor, startSimulators } from '../src/simulators/index.js';

const { values } = parseArgs({ options: { accounts: { type: 'string', default: '300' } } });
const accounts = Number(values.accounts);
const finished = new Set(['SUCCEEDED', 'COMPLETED_WITH_ERRORS', 'FAILED', 'CANCELLED']);

const simulators = await startSimulators({ accounts });
const database = await openDatabase({ kind: 'pglite' });
const connectors = createConnectors({
  sales: connectorEndpointFor(simulators.sales.origin),
  finance: connectorEndpointFor(simulators.finance.origin),
  financeCompany: 'usmf',
});
const hub = await startHub({ connectors, database, port: 0, host: '127.0.0.1' });
let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);

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
clearInterval(sampler);
console.log(`peak resident memory: ${Math.round(peakRss / 1024 / 1024)} MiB`);
await hub.close();
await simulators.close();
await database.close();
