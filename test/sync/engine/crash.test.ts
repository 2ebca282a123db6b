/**
 * A sync whose process dies mid-run loses and duplicates nothing. The sync runs in a child process
 * (crash-child.ts) that kills itself with SIGKILL at a chosen point; this process runs the simulators,
 * then opens the same database as the next start of the hub would: it sees the run's owner gone, takes
 * the run over and finishes it after its last committed page.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createConnectors } from '../../../src/connectors/index.js';
import { openDatabase, type Database } from '../../../src/db/connection.js';
import { createLinkStore } from '../../../src/db/links.js';
import { createRunStore, type RunStore, type SyncRunRecord } from '../../../src/db/runs.js';
import {
  connectorEndpointFor,
  startSimulators,
  type RunningSimulators,
} from '../../../src/simulators/index.js';
import { createFlowRunner } from '../../../src/sync/engine/index.js';
import { flowPlans, type FlowName } from '../../../src/sync/flows/index.js';
import type { RunSnapshot, SyncManager } from '../../../src/sync/runs/types.js';
import { withValueMaps } from '../../../src/sync/flows/value-maps.js';
import { startSyncManager } from '../../support/sync-manager.js';
import { backends, type TestPlace } from '../../db/backends.js';
import { customersByAccount, numberedAccounts } from '../../support/sync-outcomes.js';

const pageSize = 10;
const child = fileURLToPath(new URL('./crash-child.ts', import.meta.url));

/** Runs `flow` in a child process that SIGKILLs itself at `killAt`; resolves with its run id. */
async function syncUntilKilled(
  sim: RunningSimulators,
  place: TestPlace,
  killAt: string,
  flow: FlowName = 'accounts',
): Promise<string> {
  const process_ = spawn(process.execPath, ['--import', 'tsx', child], {
    env: {
      ...process.env,
      SALES_ORIGIN: sim.sales.origin,
      FINANCE_ORIGIN: sim.finance.origin,
      DATABASE: JSON.stringify(place.config),
      FLOW: flow,
      PAGE_SIZE: String(pageSize),
      KILL_AT: killAt,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  process_.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  process_.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const signal = await new Promise<NodeJS.Signals | null>((resolve) =>
    process_.on('exit', (_code, exitSignal) => resolve(exitSignal)),
  );
  if (signal !== 'SIGKILL') throw new Error(`the sync process was not killed (${signal}): ${stderr}`);
  const runId = stdout.trim();
  if (!runId) throw new Error(`the sync process died before creating its run: ${stderr}`);
  return runId;
}

/** The hub as it starts again over the same database: takes over the runs left behind, then syncs. */
async function restart(sim: RunningSimulators, database: Database) {
  const connectors = createConnectors({
    sales: connectorEndpointFor(sim.sales.origin),
    finance: connectorEndpointFor(sim.finance.origin),
    financeCompany: 'usmf',
  });
  const runs = createRunStore(database);
  const sync = await startSyncManager(database, {
    runs,
    runner: createFlowRunner({
      plans: flowPlans(),
      connectors,
      runs,
      links: createLinkStore(database),
      valueMaps: withValueMaps(),
      pageSize,
    }),
    financeCompanies: () => connectors.finance.companies(),
    company: 'usmf',
  });
  managers.push(sync);
  return { runs, sync };
}

const managers: SyncManager[] = [];

/** The run once it has a final status (the manager that took it over publishes on its own bus). */
async function ended(runs: RunStore, runId: string): Promise<SyncRunRecord> {
  for (let waited = 0; waited < 30_000; waited += 50) {
    const run = await runs.getRun(runId);
    if (run && run.status !== 'QUEUED' && run.status !== 'RUNNING') return run;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`run ${runId} did not end within 30 s`);
}

/** Starts an incremental run of `flows` (accounts) and resolves with its final snapshot. */
async function runToEnd(sync: SyncManager, flows: FlowName[] = ['accounts']): Promise<RunSnapshot> {
  const started = await sync.start({ flows, mode: 'INCREMENTAL', dryRun: false });
  return new Promise((resolve) => {
    const unsubscribe = sync.events.subscribe(started.run.id, (snapshot) => {
      if (snapshot.run.status === 'QUEUED' || snapshot.run.status === 'RUNNING') return;
      unsubscribe();
      resolve(snapshot);
    });
  });
}

describe.each(backends)('a sync killed mid-run, on $name', (backend) => {
  // Four scenarios, each with fresh systems and a fresh database.
  describe.each([
    {
      killAt: 'commit:2',
      when: 'between pages',
    },
    {
      killAt: 'write:2',
      when: "after Finance took a page's writes but before the page was committed",
    },
    {
      killAt: 'prefetch:2',
      when: 'after the next page was read ahead but before the page in hand was committed',
    },
    {
      // 40 accounts in pages of 10: the fourth commit is the last page's, with the new delta link.
      killAt: 'commit:4',
      when: 'after its last page was committed but before the flow ended',
    },
  ])('killed $when', ({ killAt }) => {
    let sim: RunningSimulators;
    let place: TestPlace;
    let database: Database;
    let killedRun: string;
    let before: Map<string, number>;

    beforeAll(async () => {
      sim = await startSimulators({ accounts: 40 });
      place = await backend.createPlace({ persistent: true });
      before = customersByAccount(sim);
      killedRun = await syncUntilKilled(sim, place, killAt);
      database = await openDatabase(place.config);
    }, 60_000);

    afterEach(async () => {
      for (const manager of managers.splice(0)) await manager.shutdown();
    });

    afterAll(async () => {
      await database?.close();
      await sim?.close();
      await place?.dispose();
    });

    it('is taken over by the next start, which finishes it after the last committed page: nothing lost, nothing created twice', async () => {
      const { runs } = await restart(sim, database);
      const run = await ended(runs, killedRun);
      expect(run.status).toBe('SUCCEEDED');
      // Every record counted once: the pages the killed process committed, and the rest read after them.
      expect(run.totals.read).toBe(sim.sales.store.count('accounts'));
      expect(run.notes).toEqual([
        expect.stringMatching(
          /^Taken over by instance \S+ \(pid \d+ on \S+\) at \S+Z: instance \S+ \(pid \d+ on \S+\) stopped while this run was in progress; it went on after the last committed page\.$/,
        ),
      ]);
      expect(run.flows[0]?.notes).toContain(
        'Went on after the last page this run committed before it was taken over: those records were not read again.',
      );

      const after = customersByAccount(sim);
      for (const number of numberedAccounts(sim)) expect(after.get(number), number).toBe(1);
      // Nothing but the synced accounts was added, each once.
      const added = [...after].filter(([key, n]) => n !== (before.get(key) ?? 0));
      expect(added.every(([key]) => numberedAccounts(sim).includes(key))).toBe(true);
    });

    it('then has nothing left to do', async () => {
      const { sync } = await restart(sim, database);
      sim.finance.log.clear();
      const { run } = await runToEnd(sync);
      expect(run.status).toBe('SUCCEEDED');
      expect(run.totals.read).toBe(0);
      expect(sim.finance.log.httpRequests({ method: 'POST' })).toBe(0);
    });
  });
});

/**
 * Takes the orders that came from Sales out of Finance (with their lines and charges), so the orders flow
 * has each of them to create again: the seed has them synced already.
 */
function forgetOrdersInFinance(sim: RunningSimulators): void {
  const numbers = new Set(sim.sales.store.scan('salesorders').map((row) => row['ordernumber']));
  for (const set of [
    'SalesOrderLineCharges',
    'SalesOrderHeaderCharges',
    'SalesOrderLines',
    'SalesOrderHeadersV2',
  ]) {
    for (const row of sim.finance.store.scan(set)) {
      if (numbers.has(row['SalesOrderNumber'])) sim.finance.store.remove(set, row);
    }
  }
}

/**
 * Adds `count` confirmed orders entered in Finance (copies of the seed's one, `SO-000001`, with their lines)
 * for the order status flow to create in Sales.
 */
function enterOrdersInFinance(sim: RunningSimulators, count: number): void {
  const { store } = sim.finance;
  const [header] = store.findBy('SalesOrderHeadersV2', 'SalesOrderNumber', 'SO-000001');
  const lines = store.findBy('SalesOrderLines', 'SalesOrderNumber', 'SO-000001');
  expect(header, "the seed's order entered in Finance").toBeDefined();
  for (let i = 1; i <= count; i++) {
    const number = `SO-C${String(i).padStart(4, '0')}`;
    store.insert('SalesOrderHeadersV2', { ...header!, SalesOrderNumber: number });
    for (const line of lines)
      store.insert('SalesOrderLines', {
        ...line,
        SalesOrderNumber: number,
        InventoryLotId: `${String(line['InventoryLotId'])}-C${i}`,
      });
  }
}

/** The numbers of the Finance orders that did not come from Sales. */
const enteredInFinance = (sim: RunningSimulators): unknown[] =>
  sim.finance.store
    .scan('SalesOrderHeadersV2')
    .map((row) => row['SalesOrderNumber'])
    .filter((number) => String(number).startsWith('SO-'));

/** How often each value occurs. */
const tally = (values: readonly unknown[]): Map<string, number> => {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(String(value), (counts.get(String(value)) ?? 0) + 1);
  return counts;
};

describe.each(backends)(
  'an order-to-cash flow killed after its target took a change set, on $name',
  (backend) => {
    // Orders write Finance change sets (header, lines, rounding charges); invoices write Sales change sets
    // (invoice, lines, the order's status). Each is killed after its first page's writes, before the commit.
    describe.each([
      { flow: 'orders' as const, before: ['accounts', 'products', 'contacts'] as FlowName[] },
      {
        flow: 'invoices' as const,
        before: ['accounts', 'products', 'contacts', 'orders', 'orderStatus'] as FlowName[],
      },
      // Order status creates the orders entered in Finance in Sales, each with its lines in one change set.
      {
        flow: 'orderStatus' as const,
        before: ['accounts', 'products', 'contacts', 'orders'] as FlowName[],
      },
    ])('the $flow flow', ({ flow, before }) => {
      let sim: RunningSimulators;
      let place: TestPlace;
      let database: Database;
      let killedRun: string;
      /** The target's documents before the killed run: it and its takeover must add to them. */
      let documentsBefore: number;
      const documents = () =>
        flow === 'orders'
          ? sim.finance.store.count('SalesOrderHeadersV2')
          : sim.sales.store.count(flow === 'invoices' ? 'invoices' : 'salesorders');

      beforeAll(async () => {
        sim = await startSimulators({ accounts: 40 });
        place = await backend.createPlace({ persistent: true });
        database = await openDatabase(place.config);
        const { sync } = await restart(sim, database);
        const { run } = await runToEnd(sync, before);
        expect(run.flows.every((each) => each.status !== 'FAILED')).toBe(true);
        for (const manager of managers.splice(0)) await manager.shutdown();
        await database.close();
        if (flow === 'orders') forgetOrdersInFinance(sim);
        if (flow === 'orderStatus') enterOrdersInFinance(sim, 25);
        documentsBefore = documents();
        killedRun = await syncUntilKilled(sim, place, 'write:1', flow);
        database = await openDatabase(place.config);
      }, 90_000);

      afterEach(async () => {
        for (const manager of managers.splice(0)) await manager.shutdown();
      });

      afterAll(async () => {
        await database?.close();
        await sim?.close();
        await place?.dispose();
      });

      it('is finished by the next start: every document once, none of its lines twice', async () => {
        const { runs } = await restart(sim, database);
        const run = await ended(runs, killedRun);
        expect(['SUCCEEDED', 'COMPLETED_WITH_ERRORS']).toContain(run.status);
        if (flow === 'orders') {
          expect(run.totals.read).toBe(sim.sales.store.count('salesorders'));
          const headers = sim.finance.store.scan('SalesOrderHeadersV2').map((row) => row['SalesOrderNumber']);
          expect([...tally(headers).values()].every((n) => n === 1)).toBe(true);
          const lines = sim.finance.store
            .scan('SalesOrderLines')
            .map((row) => `${String(row['SalesOrderNumber'])}/${String(row['LineCreationSequenceNumber'])}`);
          expect([...tally(lines).values()].every((n) => n === 1)).toBe(true);
        } else if (flow === 'orderStatus') {
          expect(run.totals.read).toBe(sim.finance.store.count('SalesOrderHeadersV2'));
          const orders = sim.sales.store.scan('salesorders').map((row) => row['ordernumber']);
          expect([...tally(orders).values()].every((n) => n === 1)).toBe(true);
          for (const number of enteredInFinance(sim)) expect(orders, String(number)).toContain(number);
          const lines = sim.sales.store
            .scan('salesorderdetails')
            .map((row) => `${String(row['_salesorderid_value'])}/${String(row['sequencenumber'])}`);
          expect([...tally(lines).values()].every((n) => n === 1)).toBe(true);
        } else {
          expect(run.totals.read).toBe(sim.finance.store.count('SalesInvoiceHeadersV2'));
          const invoices = sim.sales.store.scan('invoices').map((row) => row['invoicenumber']);
          expect([...tally(invoices).values()].every((n) => n === 1)).toBe(true);
          const lines = sim.sales.store
            .scan('invoicedetails')
            .map((row) => `${String(row['_invoiceid_value'])}/${String(row['sequencenumber'])}`);
          expect([...tally(lines).values()].every((n) => n === 1)).toBe(true);
        }
        expect(documents()).toBeGreaterThan(documentsBefore);
      });
    });
  },
);
