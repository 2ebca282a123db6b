/**
 * `npm run bench:connectors`: the hub's real connectors against both simulators in-process, with a
 * generated data set of 20,000 accounts by default: full reads of both systems, the Sales change feed,
 * batched lookups and batched upserts, each timed with performance.now() and counted from the simulators'
 * request logs (cleared before every scenario). Options: --accounts N, --seed N. Budget: the whole run
 * under a minute on 2 cores.
 *
 * Client and servers share one process and one event loop, so the seconds include the simulators' own
 * work (filtering, JSON, multipart) and the heap figures include their stores: compare them between runs
 * and scenarios, not with a real environment. The heap is sampled without forcing a collection (that
 * would distort the timings), so a peak includes garbage not yet collected; the live heap stays flat.
 */
import { availableParallelism, cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createConnectors, type Connectors } from '../src/connectors/index.js';
import type { SalesChangePage } from '../src/connectors/sales/connector.js';
import type { SimulatorServer } from '../src/simulators/core/server.js';
import { connectorEndpointFor, startSimulators, type RunningSimulators } from '../src/simulators/index.js';
import { generateSeed } from '../src/simulators/seed/index.js';

const BUDGET_MS = 60_000;
const FINANCE_COMPANY = 'usmf';
/** Contacts changed between the change feed's full read and its delta read. */
const CHANGED_CONTACTS = 100;
/** Key counts for batched lookups: under one URL, a few URLs, many URLs (requests should follow URLs). */
const LOOKUP_SIZES = [50, 500, 5_000] as const;
const WRITES = 1_000;

type System = 'Sales' | 'Finance';

interface Measurement {
  system: System;
  scenario: string;
  /** Rows read, keys looked up or records written. */
  records: number;
  /** HTTP requests the simulator received (`$batch` parts not counted). */
  requests: number;
  seconds: number;
  /** Request breakdown from the log, heap, deletions, outcomes. */
  notes: string;
}

interface Outcome {
  records: number;
  notes?: string[];
}

interface Bench {
  simulators: RunningSimulators;
  connectors: Connectors;
}

function parseOptions(): { accounts: number; seed: number } {
  const { values } = parseArgs({
    options: {
      accounts: { type: 'string', default: '20000' },
      seed: { type: 'string', default: '1' },
    },
  });
  const accounts = Number(values.accounts);
  const seed = Number(values.seed);
  if (!Number.isSafeInteger(accounts) || accounts < 1 || !Number.isSafeInteger(seed)) {
    console.error(
      `--accounts must be a whole number ≥ 1 and --seed a whole number, got '${values.accounts}' and '${values.seed}'`,
    );
    process.exit(2);
  }
  return { accounts, seed };
}

const heapMiB = (): number => process.memoryUsage().heapUsed / 2 ** 20;
const formatted = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const isText = (value: unknown): value is string => typeof value === 'string' && value !== '';

/** Runs one scenario against one simulator with a fresh request log, then reads the log. */
async function measure(
  system: System,
  scenario: string,
  server: SimulatorServer,
  run: () => Promise<Outcome>,
): Promise<Measurement> {
  server.log.clear();
  const started = performance.now();
  const outcome = await run();
  const seconds = (performance.now() - started) / 1000;
  return {
    system,
    scenario,
    records: outcome.records,
    requests: server.log.httpRequests(),
    seconds,
    notes: [...(outcome.notes ?? []), describeLog(server)].join('; '),
  };
}

/** `GET accounts 4, POST $batch 5 (+ 1,000 PATCH accounts inside)`: HTTP requests, then batch parts. */
function describeLog(server: SimulatorServer): string {
  const http: string[] = [];
  const parts: string[] = [];
  for (const [label, count] of Object.entries(server.log.counts())) {
    const [method, entitySet] = label.split(' ');
    const direct = server.log.httpRequests({
      ...(method ? { method } : {}),
      ...(entitySet ? { entitySet } : {}),
    });
    if (direct > 0) http.push(`${label} ${formatted(direct)}`);
    if (count > direct) parts.push(`${formatted(count - direct)} ${label}`);
  }
  return http.join(', ') + (parts.length > 0 ? ` (inside: ${parts.join(', ')})` : '');
}

/** Counts rows page by page without keeping them, so memory stays bounded by one page. */
async function countRows(pages: AsyncIterable<readonly unknown[]>): Promise<Outcome> {
  const before = heapMiB();
  let peak = before;
  let records = 0;
  let pageCount = 0;
  for await (const page of pages) {
    records += page.length;
    pageCount += 1;
    peak = Math.max(peak, heapMiB());
  }
  const after = heapMiB();
  return {
    records,
    notes: [
      `${pageCount} page${pageCount === 1 ? '' : 's'}`,
      `heap ${formatted(before)} → peak ${formatted(peak)} → ${formatted(after)} MiB`,
    ],
  };
}

/** Outcome counts of a write (`1,000 updated`); a failure makes the run exit non-zero. */
function writeOutcome(results: readonly { outcome: string; error?: Error }[]): Outcome {
  const byOutcome = new Map<string, number>();
  for (const { outcome } of results) byOutcome.set(outcome, (byOutcome.get(outcome) ?? 0) + 1);
  const notes = [[...byOutcome].map(([outcome, n]) => `${formatted(n)} ${outcome}`).join(', ')];
  const failure = results.find((result) => result.error)?.error;
  if (failure) {
    notes.push(`first failure: ${failure.message}`);
    process.exitCode = 1;
  }
  return { records: results.length, notes };
}

async function benchFullReads({ simulators, connectors }: Bench): Promise<Measurement[]> {
  return [
    await measure('Sales', 'full read: accounts', simulators.sales, () =>
      countRows(connectors.sales.list('account')),
    ),
    await measure('Finance', `full read: customers (${FINANCE_COMPANY})`, simulators.finance, () =>
      countRows(connectors.finance.list('customer')),
    ),
  ];
}

/** Change pages as plain row arrays for `countRows`, keeping the last page's deltaLink in `feed`. */
async function* rowsOf<T>(
  pages: AsyncIterable<SalesChangePage<T>>,
  feed: { deltaLink?: string },
): AsyncGenerator<T[]> {
  for await (const page of pages) {
    if (page.deltaLink) feed.deltaLink = page.deltaLink;
    yield page.rows;
  }
}

async function benchChangeFeed({ simulators, connectors }: Bench): Promise<Measurement[]> {
  const server = simulators.sales;
  // A holder rather than a `let`: the link is set inside a generator, where narrowing cannot follow it.
  const feed: { deltaLink?: string } = {};
  const initial = await measure('Sales', 'change feed: initial read (contacts)', server, () =>
    countRows(rowsOf(connectors.sales.changes('contact'), feed)),
  );
  const deltaLink = feed.deltaLink;
  if (!deltaLink) throw new Error('The change feed ended without a deltaLink on its last page');

  const changed = simulators.data.sales.contacts.slice(0, CHANGED_CONTACTS).map((row, i) => ({
    key: { id: String(row['contactid']) },
    body: { jobtitle: `Benchmark change ${i}` },
  }));
  const modify = await measure('Sales', `change feed: upsert ${changed.length} contacts`, server, async () =>
    writeOutcome(await connectors.sales.upsert('contact', changed)),
  );

  const delta = await measure('Sales', 'change feed: delta read', server, async () => {
    let records = 0;
    let deleted = 0;
    let fullRead = false;
    for await (const page of connectors.sales.changes('contact', { deltaLink })) {
      records += page.rows.length;
      deleted += page.deleted.length;
      fullRead ||= page.fullRead;
    }
    if (records !== changed.length || fullRead) process.exitCode = 1;
    return { records, notes: [`${deleted} deletions`, fullRead ? 'FELL BACK TO A FULL READ' : 'delta only'] };
  });
  return [initial, modify, delta];
}

/** Rows found for a lookup; every key comes from the seed, so each should find at least one row. */
function lookupOutcome(found: Map<string, unknown[]>, keys: readonly string[]): Outcome {
  const rows = [...found.values()].reduce((sum, group) => sum + group.length, 0);
  if (found.size !== keys.length) process.exitCode = 1;
  return { records: keys.length, notes: [`${formatted(found.size)} keys found, ${formatted(rows)} rows`] };
}

async function benchLookups({ simulators, connectors }: Bench): Promise<Measurement[]> {
  const accountNumbers = simulators.data.sales.accounts.map((row) => row['accountnumber']).filter(isText);
  const customerAccounts = simulators.data.finance.CustomersV3.filter(
    (row) => row['dataAreaId'] === FINANCE_COMPANY,
  )
    .map((row) => row['CustomerAccount'])
    .filter(isText);
  const measurements: Measurement[] = [];
  for (const size of LOOKUP_SIZES) {
    const salesKeys = accountNumbers.slice(0, size);
    measurements.push(
      await measure(
        'Sales',
        `getByValues: ${formatted(salesKeys.length)} accountnumber`,
        simulators.sales,
        async () =>
          lookupOutcome(await connectors.sales.getByValues('account', 'accountnumber', salesKeys), salesKeys),
      ),
    );
    const financeKeys = customerAccounts.slice(0, size);
    measurements.push(
      await measure(
        'Finance',
        `getByValues: ${formatted(financeKeys.length)} CustomerAccount`,
        simulators.finance,
        async () =>
          lookupOutcome(
            await connectors.finance.getByValues('customer', 'CustomerAccount', financeKeys),
            financeKeys,
          ),
      ),
    );
  }
  return measurements;
}

async function benchWrites({ simulators, connectors }: Bench): Promise<Measurement[]> {
  const accounts = simulators.data.sales.accounts
    .map((row) => row['accountnumber'])
    .filter(isText)
    .slice(0, WRITES)
    .map((accountnumber, i) => ({ key: accountnumber, body: { description: `Benchmark update ${i}` } }));
  const customers = simulators.data.finance.CustomersV3.filter((row) => row['dataAreaId'] === FINANCE_COMPANY)
    .map((row) => row['CustomerAccount'])
    .filter(isText)
    .slice(0, WRITES)
    .map((CustomerAccount, i) => ({
      match: { CustomerAccount },
      body: { SalesMemo: `Benchmark update ${i}` },
    }));
  return [
    await measure('Sales', `upsert: ${formatted(accounts.length)} accounts`, simulators.sales, async () =>
      writeOutcome(await connectors.sales.upsert('account', accounts)),
    ),
    await measure(
      'Finance',
      `upsert: ${formatted(customers.length)} customers`,
      simulators.finance,
      async () => writeOutcome(await connectors.finance.upsert('customer', customers)),
    ),
  ];
}

function printTable(measurements: readonly Measurement[]): void {
  const header = ['system', 'scenario', 'records', 'requests', 'seconds', 'records/s', 'notes'];
  const rows = measurements.map((m) => [
    m.system,
    m.scenario,
    formatted(m.records),
    formatted(m.requests),
    formatted(m.seconds, 3),
    m.seconds > 0 ? formatted(m.records / m.seconds) : '-',
    m.notes,
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  // Text columns left-aligned, numbers right-aligned; the notes column is last so it may run long.
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (i >= 2 && i <= 5 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  console.log(line(header));
  console.log(line(widths.map((width) => '-'.repeat(width))));
  for (const row of rows) console.log(line(row));
}

async function main(): Promise<void> {
  const { accounts, seed } = parseOptions();
  const runStarted = performance.now();
  const data = generateSeed({ seed, accounts });
  const seededMs = performance.now() - runStarted;
  const simulators = await startSimulators({ data });
  const startedMs = performance.now() - runStarted - seededMs;
  try {
    const connectors = createConnectors({
      sales: connectorEndpointFor(simulators.sales.origin),
      finance: connectorEndpointFor(simulators.finance.origin),
      financeCompany: FINANCE_COMPANY,
    });
    // Fetch both tokens first, so the first scenario of each system does not pay for them.
    await Promise.all([
      connectors.sales.get('account', { id: crypto.randomUUID() }),
      connectors.finance.companies(),
    ]);
    const bench = { simulators, connectors };
    const measurements = [
      ...(await benchFullReads(bench)),
      ...(await benchChangeFeed(bench)),
      ...(await benchLookups(bench)),
      ...(await benchWrites(bench)),
    ];
    const totalMs = performance.now() - runStarted;
    console.log(`bench:connectors — seed ${seed}, ${formatted(accounts)} accounts`);
    console.log(
      `machine: ${availableParallelism()} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), Node ${process.version}, ${process.platform}/${process.arch}`,
    );
    console.log(
      `setup: seed generated in ${formatted(seededMs / 1000, 2)} s, simulators loaded in ${formatted(startedMs / 1000, 2)} s\n`,
    );
    printTable(measurements);
    console.log(`\ntotal ${formatted(totalMs / 1000, 2)} s (budget ${BUDGET_MS / 1000} s)`);
    if (totalMs > BUDGET_MS) {
      console.error(`Over budget: ${formatted(totalMs / 1000, 1)} s > ${BUDGET_MS / 1000} s`);
      process.exitCode = 1;
    }
  } finally {
    await simulators.close();
  }
}

await main();
