/**
 * What a FULL run of each flow that writes to Finance costs in requests, pinned per 1,000 records written:
 * the goal is at most 15 Finance requests per 1,000 records written for accounts, contacts and
 * quotes. The scenario is an initial load at the engine's real page size (500): the simulators hold
 * 1,100 accounts with their contacts and quotes, every quote activated, and Finance holds none of the
 * hub's customers, contact persons or quotations yet (its own data stays), so nearly every record read is
 * written. The flows run in dependency order over one Finance, as a run of "all" would; accounts run once
 * more after every account changed in Sales, so updates (PATCH with the row read for the comparison) are
 * pinned too.
 *
 * Each top-level request the Finance simulator logged is told apart by its parts: a read (a GET, or a
 * `$batch` of GETs) or a write (a `$batch` of POST/PATCH/DELETE). A page costs one read — its lookups and
 * current rows together, so nothing is read twice — and its writes in batches of 1,000 operations.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnectors, type Connectors } from '../../../src/connectors/index.js';
import { openDatabase, type Database } from '../../../src/db/connection.js';
import { createLinkStore } from '../../../src/db/links.js';
import { createRunStore, type Counters, type RunStore } from '../../../src/db/runs.js';
import type { RequestLog } from '../../../src/simulators/core/request-log.js';
import {
  connectorEndpointFor,
  startSimulators,
  type RunningSimulators,
} from '../../../src/simulators/index.js';
import { generateSeed } from '../../../src/simulators/seed/index.js';
import { createFlowRunner } from '../../../src/sync/engine/index.js';
import { flowPlans } from '../../../src/sync/flows/index.js';
import { quotesPageSize } from '../../../src/sync/flows/quotes/index.js';
import type { FlowName } from '../../../src/sync/flows/types.js';
import { withValueMaps } from '../../../src/sync/flows/value-maps.js';
import { recordingRetryPolicy } from '../../support/systems.js';

/** The goal of the issue: Finance requests per 1,000 records written, for each flow writing to Finance. */
const goalPer1000 = 15;
/** The engine's page size, so the counts are those of a production run. */
const pageSize = 500;

let sim: RunningSimulators;
let connectors: Connectors;
let database: Database;
let runs: RunStore;

beforeAll(async () => {
  const data = generateSeed({ accounts: 1_100 });
  // An initial load: Finance keeps its other companies' rows, but none of usmf's hub-owned records.
  for (const set of [
    'CustomersV3',
    'ContactPersons',
    'SalesQuotationHeadersV2',
    'SalesQuotationLines',
  ] as const)
    data.finance[set] = data.finance[set].filter((row) => row['dataAreaId'] !== 'usmf');
  // Every quote Active (In Progress), so the quotes flow writes most of what it reads.
  for (const quote of data.sales.quotes) Object.assign(quote, { statecode: 1, statuscode: 2 });
  sim = await startSimulators({ data });
  connectors = createConnectors({
    sales: connectorEndpointFor(sim.sales.origin),
    finance: connectorEndpointFor(sim.finance.origin),
    financeCompany: 'usmf',
    retry: recordingRetryPolicy([]),
  });
  database = await openDatabase({ kind: 'pglite' });
  runs = createRunStore(database);
});

afterAll(async () => {
  await sim?.close();
  await database?.close();
});

/** Top-level requests a simulator answered since `clear()`, as reads and writes (token requests left out). */
function requests(log: RequestLog): { reads: number; writes: number; total: number } {
  let reads = 0;
  let writes = 0;
  let parts: string[] = [];
  // A `$batch` is answered in one go, so its parts are logged together just before it.
  for (const entry of log.entries) {
    if (entry.inBatch) {
      parts.push(entry.method);
      continue;
    }
    if (!entry.url.includes('oauth2')) {
      const methods = entry.method === 'GET' ? ['GET'] : parts;
      if (methods.every((method) => method === 'GET')) reads += 1;
      else writes += 1;
    }
    parts = [];
  }
  return { reads, writes, total: reads + writes };
}

interface Measured {
  counters: Counters;
  written: number;
  pages: number;
  finance: ReturnType<typeof requests>;
  sales: number;
}

/**
 * Runs `flow` FULL in a new run and measures what it asked of both systems, at pages of `size` (the
 * engine given no page size: the flow's own).
 */
async function measure(flow: FlowName, size: number | 'own' = pageSize): Promise<Measured> {
  sim.finance.log.clear();
  sim.sales.log.clear();
  const { id: runId } = await runs.createRun({ flows: [flow], mode: 'FULL', dryRun: false });
  const runner = createFlowRunner({
    plans: flowPlans(),
    connectors,
    runs,
    links: createLinkStore(database),
    valueMaps: withValueMaps(),
    ...(size !== 'own' && { pageSize: size }),
  });
  const result = await runner({
    runId,
    flow,
    mode: 'FULL',
    dryRun: false,
    signal: new AbortController().signal,
    onProgress: () => {},
  });
  expect(result).toMatchObject({ status: 'completed' });
  const counters = (await runs.getRun(runId))?.flows.find((f) => f.flow === flow)?.counters;
  if (!counters) throw new Error(`run ${runId} has no ${flow} flow`);
  return {
    counters,
    written: counters.created + counters.updated,
    pages: Math.ceil(counters.read / (size === 'own' ? (flowPlans()[flow].pageSize ?? 500) : size)),
    finance: requests(sim.finance.log),
    sales: requests(sim.sales.log).total,
  };
}

const per1000 = (count: number, written: number) => Math.round((count / written) * 10_000) / 10;

/**
 * The pinned cost of one flow: records written, and Finance (reads, writes) and Sales requests. Reads are
 * always one a page — a page's Finance rows are read in one request and never again for the write.
 */
function expectCost(
  measured: Measured,
  pinned: { written: number; financeWrites: number; sales: number },
): void {
  const { written, pages, finance, sales } = measured;
  expect(written).toBe(pinned.written);
  expect(written).toBeGreaterThanOrEqual(1_000);
  expect(finance).toEqual({
    reads: pages,
    writes: pinned.financeWrites,
    total: pages + pinned.financeWrites,
  });
  expect(per1000(finance.total, written)).toBeLessThanOrEqual(goalPer1000);
  expect(sales).toBe(pinned.sales);
}

describe('Finance requests per 1,000 records written (FULL runs, pages of 500)', () => {
  it('accounts: 1,043 customers in 6 Finance requests (5.8 per 1,000) — a page is one read and one write batch', async () => {
    const measured = await measure('accounts');
    expect(measured.counters).toMatchObject({ read: 1_100, created: 1_043, failed: 0 });
    expect(measured.pages).toBe(3);
    // Sales: currencies, units, the count for progress and 3 pages of accounts.
    expectCost(measured, { written: 1_043, financeWrites: 3, sales: 6 });
    expect(per1000(measured.finance.total, measured.written)).toBe(5.8);
  });

  it('accounts again after every account changed: 1,043 updates in the same 6 requests — the rows read for the comparison are the ones the update uses', async () => {
    for (const account of sim.sales.store.scan('accounts'))
      sim.sales.store.update(
        'accounts',
        { accountid: account['accountid'] ?? null },
        { telephone1: '+1 555 0100' },
      );
    const measured = await measure('accounts');
    expect(measured.counters).toMatchObject({ read: 1_100, updated: 1_043, failed: 0 });
    expect(sim.finance.log.counts()).toMatchObject({ 'PATCH CustomersV3': 1_043 });
    expectCost(measured, { written: 1_043, financeWrites: 3, sales: 6 });
  });

  it('contacts: 2,500 in 18 Finance requests (7.2 per 1,000) — parent customers, current customers and contact persons read in one $batch a page', async () => {
    const measured = await measure('contacts');
    // The failures are contacts whose account is not in Finance (MISSING_DEPENDENCY), never sent.
    expect(measured.counters).toMatchObject({ read: 2_736, created: 2_500, failed: 136 });
    expect(measured.pages).toBe(6);
    // A page writes its person customers and its contact persons: one batch each.
    // Sales: currencies, units, the count, 6 pages of contacts and their parent accounts.
    expectCost(measured, { written: 2_500, financeWrites: 12, sales: 15 });
    expect(per1000(measured.finance.total, measured.written)).toBe(7.2);
  });

  it('quotes: 1,321 quotations with their lines in 11 Finance requests (8.3 per 1,000) — headers and lines read in one $batch a page, change sets 1,000 operations a batch', async () => {
    const measured = await measure('quotes');
    expect(measured.counters).toMatchObject({ read: 1_565, created: 1_321, failed: 13 });
    expect(measured.pages).toBe(4);
    // About 4.4 operations a quotation (header and lines): 5,871 in 7 batches of at most 1,000.
    expect(sim.finance.log.counts()).toMatchObject({
      'POST SalesQuotationHeadersV2': 1_321,
      'POST SalesQuotationLines': 4_550,
    });
    // Sales: currencies, units, the count, 4 pages of quotes, and per page its lines, accounts and products.
    expectCost(measured, { written: 1_321, financeWrites: 7, sales: 19 });
    expect(per1000(measured.finance.total, measured.written)).toBe(8.3);
  });

  it('quotes at their own page of 1,000: 4 Sales requests a page (the quotes, their lines, customers and products), 4 per 1,000 quotes read', async () => {
    // The quotations exist now: the run compares and writes nothing, so only the reads are left.
    const measured = await measure('quotes', 'own');
    expect(quotesPageSize).toBe(1_000);
    expect(measured.counters).toMatchObject({ read: 1_565, created: 0 });
    expect(measured.pages).toBe(2);
    // Currencies, units, the count, then per page the quotes, their lines, accounts and products.
    expect(measured.sales).toBe(3 + 2 * 4);
    expect(measured.finance).toMatchObject({ reads: 2, writes: 0 });
  });
});
