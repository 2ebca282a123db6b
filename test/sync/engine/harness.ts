/**
 * One engine under test: both simulators with a small seed, the hub's real connectors, an in-memory
 * PGlite, and a helper that creates a run and runs one flow of it through `createFlowRunner`.
 */
import { createConnectors, type Connectors } from '../../../src/connectors/index.js';
import type { CircuitBreakerOptions } from '../../../src/connectors/odata/index.js';
import { openDatabase, type Database } from '../../../src/db/connection.js';
import { createLinkStore, type LinkStore } from '../../../src/db/links.js';
import { createRunStore, type Counters, type RunStore } from '../../../src/db/runs.js';
import type { SyncMode } from '../../../src/db/schema.js';
import {
  connectorEndpointFor,
  startSimulators,
  type RunningSimulators,
} from '../../../src/simulators/index.js';
import { createFlowRunner } from '../../../src/sync/engine/index.js';
import { flowPlans } from '../../../src/sync/flows/index.js';
import type { ProductSettings } from '../../../src/sync/flows/products/settings.js';
import type { FlowRunResult } from '../../../src/sync/engine/types.js';
import { withValueMaps, type ValueMaps } from '../../../src/sync/flows/value-maps.js';
import type { FlowName } from '../../../src/sync/flows/types.js';
import type { FlowFilterSettings } from '../../../src/sync/reference.js';
import { recordingRetryPolicy } from '../../support/systems.js';
import type { Row } from '../../../src/simulators/core/model.js';

export interface EngineHarness {
  sim: RunningSimulators;
  connectors: Connectors;
  database: Database;
  runs: RunStore;
  links: LinkStore;
  /**
   * Waits (ms) the retry policy asked for, in order, since the harness started (clear it with
   * `waits.length = 0`). The retries themselves do not wait, so Retry-After costs no test time.
   */
  waits: number[];
  /** Runs one flow in a new run; resolves with the result and the flow's counters. */
  run(
    flow: FlowName,
    options?: RunOptions,
  ): Promise<{ result: FlowRunResult; counters: Counters; runId: string }>;
  close(): Promise<void>;
}

export interface RunOptions {
  mode?: SyncMode;
  dryRun?: boolean;
  onlyKeys?: readonly string[];
  valueMaps?: Partial<ValueMaps>;
  /** The products flow's settings (default: Active, Microsoft's price list choice, report). */
  products?: Partial<ProductSettings>;
  /** The settings flow rules read (default: none). */
  flowSettings?: FlowFilterSettings;
  signal?: AbortSignal;
  onProgress?: (counters: Counters) => void;
  /**
   * Pages that compare and write at once (default: the engine's). 1 where a test arms a fault for "the
   * next page" from a page's progress, which only one page at a time makes a known page.
   */
  pagesInFlight?: number;
}

/**
 * Starts the simulators (40 accounts unless told otherwise) and an in-memory database. `circuitBreaker` sets both systems'
 * breakers (default: the connectors' defaults), e.g. a clock the test moves.
 */
export async function startEngineHarness({
  circuitBreaker,
  accounts = 40,
}: {
  circuitBreaker?: Omit<CircuitBreakerOptions, 'onStateChange'>;
  /** Sales accounts the simulators are seeded with (default 40). */
  accounts?: number;
} = {}): Promise<EngineHarness> {
  const sim = await startSimulators({ accounts });
  const waits: number[] = [];
  const connectors = createConnectors({
    sales: connectorEndpointFor(sim.sales.origin),
    finance: connectorEndpointFor(sim.finance.origin),
    financeCompany: 'usmf',
    retry: recordingRetryPolicy(waits),
    timeoutMs: 5_000,
    ...(circuitBreaker ? { circuitBreaker } : {}),
  });
  const database = await openDatabase({ kind: 'pglite' });
  const runs = createRunStore(database);
  const links = createLinkStore(database);
  return {
    sim,
    connectors,
    database,
    runs,
    links,
    waits,
    async run(flow, options = {}) {
      const { mode = 'INCREMENTAL', dryRun = false } = options;
      const { id: runId } = await runs.createRun({ flows: [flow], mode, dryRun });
      const runner = createFlowRunner({
        plans: flowPlans({ ...(options.products && { products: options.products }) }),
        connectors,
        runs,
        links,
        valueMaps: withValueMaps(options.valueMaps),
        ...(options.flowSettings ? { flowSettings: options.flowSettings } : {}),
        // Small pages, so every test crosses page boundaries.
        pageSize: 15,
        ...(options.pagesInFlight !== undefined && { pagesInFlight: options.pagesInFlight }),
      });
      const result = await runner({
        runId,
        flow,
        mode,
        dryRun,
        ...(options.onlyKeys
          ? { onlyKeys: options.onlyKeys.map((recordKey) => ({ recordKey, attempt: 1 })) }
          : {}),
        signal: options.signal ?? new AbortController().signal,
        onProgress: ({ counters }) => options.onProgress?.(counters),
      });
      const stored = await runs.getRun(runId);
      const counters = stored?.flows.find((f) => f.flow === flow)?.counters;
      if (!counters) throw new Error(`run ${runId} has no ${flow} flow`);
      return { result, counters, runId };
    },
    async close() {
      await sim.close();
      await database.close();
    },
  };
}

/**
 * Write requests (creates and updates, batch parts included) a simulator has answered since `clear()`.
 * A `$batch` itself is not one: it is a POST even when its parts only read.
 */
export function writeCount(sim: RunningSimulators['sales'] | RunningSimulators['finance']): number {
  return sim.log.entries.filter(
    (e) =>
      (e.method === 'POST' || e.method === 'PATCH') && e.entitySet !== '$batch' && !e.url.includes('oauth2'),
  ).length;
}

/** The counters add up: every record read has exactly one outcome. */
export function outcomesSum(counters: Counters): number {
  return counters.created + counters.updated + counters.unchanged + counters.skipped + counters.failed;
}

/**
 * New sellable products in the Finance simulator, each a copy of `template()` numbered `<prefix>-0001`,
 * `<prefix>-0002`… and named `<name> 1`, `<name> 2`…, and edits of them: what the products tests release
 * and change between runs. `harness` is called at each use (test files start theirs in `beforeAll`).
 */
export function financeProductReleases(
  harness: () => EngineHarness,
  { prefix, name, template }: { prefix: string; name: string; template: () => Row },
): {
  release(changes?: Record<string, string>): string;
  edit(number: string, changes: Record<string, string>): void;
} {
  let released = 0;
  return {
    release(changes = {}) {
      released += 1;
      const number = `${prefix}-${String(released).padStart(4, '0')}`;
      harness().sim.finance.store.insert('SellableReleasedProducts', {
        ...template(),
        ProductNumber: number,
        ProductName: `${name} ${released}`,
        ...changes,
      });
      return number;
    },
    edit(number, changes) {
      harness().sim.finance.store.update(
        'SellableReleasedProducts',
        { dataAreaId: 'usmf', ProductNumber: number },
        changes,
      );
    },
  };
}
