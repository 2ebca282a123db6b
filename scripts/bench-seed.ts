/**
 * `npm run bench:seed`: times the seed generator at 100,000 accounts (the size the hub is load-tested
 * with) and prints the row counts. Options: --accounts N, --seed N. Budget: under a minute on 2 cores.
 */
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { generateSeed, seedSummary } from '../src/simulators/seed/index.js';

const BUDGET_MS = 60_000;

const { values } = parseArgs({
  options: {
    accounts: { type: 'string', default: '100000' },
    seed: { type: 'string', default: '1' },
  },
});
const accounts = Number(values.accounts);
const seed = Number(values.seed);
if (!Number.isSafeInteger(accounts) || accounts < 0 || !Number.isSafeInteger(seed)) {
  console.error(`--accounts and --seed must be whole numbers, got '${values.accounts}' and '${values.seed}'`);
  process.exit(2);
}

const started = performance.now();
const data = generateSeed({ seed, accounts });
const elapsedMs = performance.now() - started;

const counts = seedSummary(data);
const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
const width = Math.max(...Object.keys(counts).map((name) => name.length));
console.log(`generateSeed({ seed: ${seed}, accounts: ${accounts.toLocaleString('en-US')} })`);
console.log(`  time  ${(elapsedMs / 1000).toFixed(2)} s (budget ${BUDGET_MS / 1000} s)`);
console.log(`  heap  ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`);
for (const [name, n] of Object.entries(counts)) {
  console.log(`  ${name.padEnd(width)}  ${n.toLocaleString('en-US').padStart(9)}`);
}
console.log(`  ${'total'.padEnd(width)}  ${total.toLocaleString('en-US').padStart(9)}`);
if (elapsedMs > BUDGET_MS) {
  console.error(`Over budget: ${(elapsedMs / 1000).toFixed(1)} s > ${BUDGET_MS / 1000} s`);
  process.exitCode = 1;
}
