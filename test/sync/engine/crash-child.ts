/**
 * A hub's sync in a process of its own, for the crash test: it starts one run of one flow against the
 * simulators the test runs, and kills itself with SIGKILL at the point the test names, so nothing after
 * that point runs (no status update, no cleanup, no graceful close) — as when a machine loses power.
 *
 * Environment: SALES_ORIGIN, FINANCE_ORIGIN (the simulators), DATABASE (JSON DatabaseConfig), FLOW,
 * PAGE_SIZE, and KILL_AT: `commit:N` dies right after the N-th page commit (between pages), `write:N`
 * right after the target (Finance, or Sales for its change sets) answered the N-th write batch (once
 * N - 1 pages are committed) and before that
 * page's outcomes were committed,
 * `prefetch:N` as the N-th page is about to commit, once the next page has been read ahead (it exits
 * with code 3 instead if that read does not come while the page waits: the engine did not read ahead).
 * Prints the run id on stdout as soon as the run is created.
 */
import { createConnectors, type Connectors } from '../../../src/connectors/index.js';
import { openDatabase, type DatabaseConfig } from '../../../src/db/connection.js';
import { createLinkStore } from '../../../src/db/links.js';
import { createRunStore, type RunStore } from '../../../src/db/runs.js';
import { connectorEndpointFor } from '../../../src/simulators/index.js';
import { createFlowRunner } from '../../../src/sync/engine/index.js';
import { flowPlans } from '../../../src/sync/flows/index.js';
import type { FlowName } from '../../../src/sync/flows/types.js';
import { withValueMaps } from '../../../src/sync/flows/value-maps.js';
import { startSyncManager } from '../../support/sync-manager.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`crash-child needs ${name}`);
  return value;
};

const [point, count] = env('KILL_AT').split(':') as ['commit' | 'write' | 'prefetch', string];
const killAfter = Number(count);
let seen = 0;
/** Pages committed so far. */
let committed = 0;
/**
 * Counts one event of the kind the test named; the N-th ends the process on the spot. Pages write side
 * by side, so the N-th write may come before page N - 1 has committed: the kill then waits for that
 * commit, so it falls after the pages before the written one are committed, and before that one is.
 */
const reached = async (kind: 'commit' | 'write'): Promise<void> => {
  if (kind !== point || ++seen !== killAfter) return;
  while (kind === 'write' && committed < killAfter - 1)
    await new Promise((resolve) => setTimeout(resolve, 2));
  process.kill(process.pid, 'SIGKILL');
};

const database = await openDatabase(JSON.parse(env('DATABASE')) as DatabaseConfig);
const connectors = createConnectors({
  sales: connectorEndpointFor(env('SALES_ORIGIN')),
  finance: connectorEndpointFor(env('FINANCE_ORIGIN')),
  financeCompany: 'usmf',
});
/** Pages of the Sales change feed read so far, and who waits for the next one. */
let pagesRead = 0;
let onRead: (() => void) | null = null;
const sales: Connectors['sales'] = {
  ...connectors.sales,
  // Finance → Sales flows (invoices) write their change sets to Sales.
  writeChangeSets: async (...args) => {
    const results = await connectors.sales.writeChangeSets(...args);
    await reached('write');
    return results;
  },
  async *changes(...args) {
    for await (const page of connectors.sales.changes(...args)) {
      pagesRead += 1;
      onRead?.();
      yield page;
    }
  },
};
let commits = 0;
/** `prefetch:N`: the N-th commit waits (up to 5 s) for the read of page N + 1, then the process dies. */
async function beforeCommit(): Promise<void> {
  if (point !== 'prefetch' || ++commits !== killAfter) return;
  if (pagesRead <= killAfter)
    await new Promise<void>((resolve) => {
      onRead = resolve;
      setTimeout(resolve, 5_000);
    });
  if (pagesRead > killAfter) process.kill(process.pid, 'SIGKILL');
  process.exit(3);
}
const finance: Connectors['finance'] = {
  ...connectors.finance,
  upsert: async (...args) => {
    const results = await connectors.finance.upsert(...args);
    await reached('write');
    return results;
  },
  writeChangeSets: async (...args) => {
    const results = await connectors.finance.writeChangeSets(...args);
    await reached('write');
    return results;
  },
};
const store = createRunStore(database);
const runs: RunStore = {
  ...store,
  commitPage: async (page) => {
    await beforeCommit();
    const counters = await store.commitPage(page);
    committed += 1;
    await reached('commit');
    return counters;
  },
};
const manager = await startSyncManager(database, {
  runs,
  runner: createFlowRunner({
    plans: flowPlans(),
    connectors: { ...connectors, sales, finance },
    runs,
    links: createLinkStore(database),
    valueMaps: withValueMaps(),
    pageSize: Number(env('PAGE_SIZE')),
  }),
  financeCompanies: () => connectors.finance.companies(),
  company: 'usmf',
});
const started = await manager.start({ flows: [env('FLOW') as FlowName], mode: 'INCREMENTAL', dryRun: false });
process.stdout.write(`${started.run.id}\n`);
// The run goes on in the background until the kill; should it end first, the test sees a clean exit.
const unsubscribe = manager.events.subscribe(started.run.id, ({ run }) => {
  if (run.status !== 'QUEUED' && run.status !== 'RUNNING') {
    unsubscribe();
    void database.close().then(() => process.exit(0));
  }
});
