/**
 * What the run manager tests share: a run store on an in-memory PGlite, a FlowRunner scripted per flow
 * (our own interface, so a plain function rather than a mock), and a recorder of published snapshots.
 */
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { openDatabase, type Database } from '../../../src/db/connection.js';
import { createRunStore, type RunStore } from '../../../src/db/runs.js';
import type { FlowRunner, FlowRunRequest } from '../../../src/sync/engine/types.js';
import type { RunEventBus, RunSnapshot, SyncManager } from '../../../src/sync/runs/types.js';
import type { FlowName } from '../../../src/sync/flows/index.js';
import { createInProcessEventBus } from '../../../src/sync/runs/events.js';
import { createSyncManager, type SyncManagerOptions } from '../../../src/sync/runs/manager.js';
import { createRunQueue } from '../../../src/sync/runs/job-engine.js';
import { silentLogger } from '../../../src/logging.js';
import { startSyncManager } from '../../support/sync-manager.js';

/** One page the scripted runner commits. */
export interface PageScript {
  read: number;
  created?: number;
  updated?: number;
  unchanged?: number;
  /** Records skipped on this page, by reason. */
  skips?: Record<string, number>;
  /** Keys of records that fail on this page (only those in `onlyKeys` during a retry). */
  failures?: string[];
}

export interface FlowScript {
  pages?: PageScript[];
  /** Ends the flow as failed with this error after its pages. */
  fail?: string;
  /** The notes the flow completes with (none unless given). */
  notes?: string[];
  /** Throws this instead of returning, breaking the runner's contract. */
  throws?: string;
  estimatedTotal?: number;
  /** Awaited before each page is committed. */
  beforePage?: (index: number) => Promise<void>;
  /** Awaited after the last page, before the flow returns. */
  beforeReturn?: () => Promise<void>;
}

/** A FlowRunner that plays `script`, committing each page through the run store; records its requests. */
export function scriptedRunner(runs: RunStore, script: Partial<Record<FlowName, FlowScript>> = {}) {
  const requests: FlowRunRequest[] = [];
  const runner: FlowRunner = async (request) => {
    requests.push(request);
    const flow = script[request.flow] ?? { pages: [{ read: 1, unchanged: 1 }] };
    if (flow.throws) throw new Error(flow.throws);
    for (const [index, page] of (flow.pages ?? []).entries()) {
      // Waiting ends early on a cancel too, as an engine waiting on a slow back end would.
      if (flow.beforePage) await Promise.race([flow.beforePage(index), aborted(request.signal)]);
      if (request.signal.aborted) return { status: 'cancelled' };
      const failures = (page.failures ?? []).filter(
        (key) => !request.onlyKeys || request.onlyKeys.some(({ recordKey }) => recordKey === key),
      );
      const counters = await runs.commitPage({
        runId: request.runId,
        flow: request.flow,
        ...(request.owner !== undefined && { owner: request.owner }),
        counters: {
          read: page.read,
          created: page.created ?? 0,
          updated: page.updated ?? 0,
          unchanged: page.unchanged ?? 0,
        },
        skips: new Map(Object.entries(page.skips ?? {})),
        failures: failures.map((recordKey) => ({ recordKey, message: 'rejected by Finance' })),
      });
      request.onProgress({ counters, estimatedTotal: flow.estimatedTotal ?? null });
    }
    await flow.beforeReturn?.();
    if (flow.fail) return { status: 'failed', error: flow.fail };
    return { status: 'completed', notes: flow.notes ?? [] };
  };
  return { runner, requests };
}

const aborted = (signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });

/** A promise to wait on and the function that releases it. */
export function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

const finalStatuses = new Set(['SUCCEEDED', 'COMPLETED_WITH_ERRORS', 'FAILED', 'CANCELLED']);

/** Records every snapshot the bus publishes (subscribe before starting runs). */
export function recordEvents(bus: RunEventBus) {
  const all: RunSnapshot[] = [];
  const waiters: { runId: string; resolve: (snapshot: RunSnapshot) => void }[] = [];
  const unsubscribe = bus.subscribe('*', (snapshot) => {
    all.push(snapshot);
    if (!finalStatuses.has(snapshot.run.status)) return;
    for (const waiter of waiters.filter((w) => w.runId === snapshot.run.id)) waiter.resolve(snapshot);
  });
  return {
    all,
    unsubscribe,
    of: (runId: string) => all.filter((snapshot) => snapshot.run.id === runId),
    /** The run's final snapshot, once published. */
    ended(runId: string): Promise<RunSnapshot> {
      const seen = all.find(
        (snapshot) => snapshot.run.id === runId && finalStatuses.has(snapshot.run.status),
      );
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ runId, resolve }));
    },
  };
}

/** The Finance companies of the tests' environment. */
export const financeCompanies = async () => ['usmf', 'usrt'];

/**
 * A run store on a fresh in-memory PGlite for the file, emptied before each test; `store.runs` is set
 * once `beforeAll` has run.
 */
export function useRunStore(): { runs: RunStore; database: Database } {
  const store = {} as { runs: RunStore; database: Database };
  beforeAll(async () => {
    store.database = await openDatabase({ kind: 'pglite' });
    store.runs = createRunStore(store.database);
  });
  afterAll(async () => {
    await store.database?.close();
  });
  beforeEach(async () => {
    await store.database.db.execute(sql`delete from sync_runs`);
  });
  return store;
}

/**
 * A `setup` for the run manager tests: each call makes a manager over `store` with a scripted runner
 * and its own event bus (recorded), with `defaults` then `options` applied; the manager of the test is
 * shut down after it.
 */
export function useManager(
  store: { runs: RunStore; database: Database },
  defaults: Partial<SyncManagerOptions> = {},
) {
  let manager: SyncManager | undefined;
  afterEach(async () => {
    await manager?.shutdown();
    manager = undefined;
  });
  /**
   * The manager, its workers fetching runs from a job queue over the store's database (as the hub's do),
   * unless `begin` is false: the test then calls `recoverInterrupted` itself.
   */
  return async function setup(
    script: Parameters<typeof scriptedRunner>[1] = {},
    options: Partial<SyncManagerOptions> & { begin?: boolean } = {},
  ) {
    const { begin = true, ...rest } = options;
    const { runner, requests } = scriptedRunner(store.runs, script);
    const events = createInProcessEventBus();
    const recorder = recordEvents(events);
    const managerOptions = {
      runs: store.runs,
      runner,
      financeCompanies,
      company: 'usmf',
      events,
      ...defaults,
      ...rest,
    };
    manager = begin
      ? await startSyncManager(store.database, managerOptions)
      : createSyncManager({
          ...managerOptions,
          queue: await createRunQueue({ database: store.database, logger: silentLogger() }),
        });
    return { manager, requests, recorder, events };
  };
}
