/**
 * `npm run bench:query`: the README's example query against the embedded default (both simulators with
 * the demo data, an in-memory database, the real server over HTTP), run sequentially at 0 ms and at 20 ms
 * of simulated back-end latency. Reports the back-end requests one query makes (per system and entity
 * set) and the median and p95 latency. Options: --runs N (default 40), --accounts N (default 300).
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { startEmbeddedHub } from './embedded-hub.js';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '40' }, accounts: { type: 'string', default: '300' } },
});
const runs = Number(values.runs);
const accounts = Number(values.accounts);
const query = readFileSync(new URL('./example-query.graphql', import.meta.url), 'utf8');

const { simulators, hub, exampleAccount: accountNumber, close } = await startEmbeddedHub(accounts);
const { server } = hub;

async function once(): Promise<number> {
  const started = performance.now();
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ query, variables: { accountNumber } }),
  });
  const body = (await response.json()) as { errors?: unknown[] };
  if (body.errors) throw new Error(`The example query failed: ${JSON.stringify(body.errors)}`);
  return performance.now() - started;
}

function requestsOfOneQuery(): string {
  const counts: string[] = [];
  for (const [system, sim] of [
    ['Sales', simulators.sales],
    ['Finance', simulators.finance],
  ] as const) {
    for (const [label, n] of Object.entries(sim.log.counts())) counts.push(`${system} ${label} ×${n}`);
  }
  return counts.join(', ');
}

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))]!;

console.log(
  `bench:query — account ${accountNumber}, ${runs} sequential runs per latency, ${availableParallelism()} cores, Node ${process.version}`,
);
for (const latencyMs of [0, 20]) {
  for (const sim of [simulators.sales, simulators.finance]) sim.faults.set({ latencyMs });
  await once(); // warm-up: JIT, connections, token
  for (const sim of [simulators.sales, simulators.finance]) sim.log.clear();
  await once();
  const requests = requestsOfOneQuery();
  const totalRequests = simulators.sales.log.httpRequests() + simulators.finance.log.httpRequests();
  const timings: number[] = [];
  for (let i = 0; i < runs; i++) timings.push(await once());
  timings.sort((a, b) => a - b);
  console.log(
    `latency ${String(latencyMs).padStart(2)} ms: median ${percentile(timings, 0.5).toFixed(1)} ms, p95 ${percentile(timings, 0.95).toFixed(1)} ms; ` +
      `${totalRequests} back-end requests per query (${requests})`,
  );
}

await close();
