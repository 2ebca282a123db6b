/**
 * The run manager: validates and starts runs, runs their flows one after another in the background,
 * decides each run's final status, cancels and retries, and publishes a snapshot on every change. The
 * flow engine (a FlowRunner) moves the records; the run store keeps every status and counter, so a
 * snapshot is always read from it.
 */
import { RunStoreError, type FailedKey, type RunStore, type SyncRunRecord } from '../../db/runs.js';
import { isFinal } from '../../db/run-status.js';
import { silentLogger, type Logger } from '../../logging.js';
import type { DatabaseRetryPolicy } from '../engine/database-retry.js';
import {
  SyncRequestError,
  type FlowRunner,
  type RunEventBus,
  type RunSnapshot,
  type StartRunInput,
  type SyncManager,
} from '../engine/types.js';
import { inDependencyOrder, type FlowName } from '../flows/index.js';
import { createInProcessEventBus } from './events.js';
import { executeRun, type ActiveRun } from './execute.js';
import { flowRate } from './progress.js';
import { createLeaseKeeper, type RunLeaseOptions } from './leases.js';
import { requestedFlows, startProblems } from './validate-start.js';

export interface SyncManagerOptions {
  runs: RunStore;
  /** Moves one flow's records (the engine). */
  runner: FlowRunner;
  /** The legal entities of Finance, to check `company` before every start. */
  financeCompanies: () => Promise<string[]>;
  /** The legal entity (dataAreaId) the flows read and write. */
  company: string;
  /**
   * Problems with the products flow's settings in Sales (a configured default price list that does not
   * exist), checked before every start that includes products. Default: none to check.
   */
  productProblems?: () => Promise<string[]>;
  /** Where snapshots go. Default: a new in-process bus. */
  events?: RunEventBus;
  /** At most one progress event per run this often (the last one always goes out). Default 250 ms. */
  progressIntervalMs?: number;
  /** The clock for rates, in epoch milliseconds. Default `Date.now`. */
  now?: () => number;
  /** Where runs log their start, their flows' ends and their end (each line with the run id). Default: nowhere. */
  logger?: Logger;
  /**
   * How a run's status changes wait for a database that is away before the run fails; its final status
   * is tried until the database takes it or the hub stops. Default `defaultDatabaseRetry`.
   */
  databaseRetry?: DatabaseRetryPolicy;
  /**
   * Sign the runs this instance executes and hold them by a lease (leases.ts), so other instances on the
   * same database leave them alone while it lives. Default: none — the hub is alone, and every run in
   * progress at its start was left behind.
   */
  leases?: RunLeaseOptions;
}

/** The error of a run that was running when the hub was stopped (`shutdown`); the next run resumes it. */
export const shutdownInterruption = 'interrupted by shutdown';

const shuttingDownProblem =
  'the hub is shutting down and starts no new sync runs; start it again once the hub is back';
const shuttingDownError = () =>
  new SyncRequestError('VALIDATION_FAILED', `The sync cannot start: ${shuttingDownProblem}.`, [
    shuttingDownProblem,
  ]);

/** A SyncManager over the run store and the engine (see SyncManager in engine/types.ts). */
export function createSyncManager(options: SyncManagerOptions): SyncManager {
  const {
    runs,
    runner,
    financeCompanies,
    company,
    productProblems,
    events = createInProcessEventBus(),
    progressIntervalMs = 250,
    now = Date.now,
    logger = silentLogger(),
    databaseRetry,
  } = options;
  /** Runs executing in this process, by id. */
  const active = new Map<string, ActiveRun>();
  const leaseKeeper = options.leases && createLeaseKeeper(runs, options.leases, logger);
  let shuttingDown = false;

  /** The run as clients see it: live estimates and rates overlaid for flows running here. */
  function snapshotOf(run: SyncRunRecord): RunSnapshot {
    const live = active.get(run.id);
    const rates: RunSnapshot['rates'] = {};
    const flows = run.flows.map((flow) => {
      const state = live?.flows.get(flow.flow);
      if (!state) return flow;
      const estimatedTotal = state.estimatedTotal ?? flow.estimatedTotal;
      if (flow.status === 'RUNNING') {
        rates[flow.flow] = flowRate(flow.counters.read, estimatedTotal, state.startedAtMs, now());
      }
      return { ...flow, estimatedTotal };
    });
    return { run: { ...run, flows }, rates };
  }

  async function launch(
    input: StartRunInput,
    retry?: { of: string; keys: Map<FlowName, readonly FailedKey[]> },
  ): Promise<RunSnapshot> {
    if (shuttingDown) {
      throw shuttingDownError();
    }
    const problems = await startProblems(input, {
      financeCompanies,
      company,
      ...(productProblems ? { productProblems } : {}),
    });
    if (problems.length > 0) {
      throw new SyncRequestError(
        'VALIDATION_FAILED',
        `The sync cannot start: ${problems.join('; ')}.`,
        problems,
      );
    }
    let record: SyncRunRecord;
    try {
      record = await runs.createRun({
        flows: inDependencyOrder(requestedFlows(input)),
        mode: input.mode,
        dryRun: input.dryRun,
        requestedBy: input.requestedBy ?? null,
        retryOf: retry?.of ?? null,
        exclusive: true,
        ...(leaseKeeper && { owner: { owner: leaseKeeper.owner, leaseMs: leaseKeeper.leaseMs } }),
      });
    } catch (error) {
      if (error instanceof RunStoreError && error.code === 'SYNC_ALREADY_RUNNING') {
        throw new SyncRequestError('SYNC_ALREADY_RUNNING', error.message, [], error.runId);
      }
      throw error;
    }
    if (shuttingDown) {
      // Shutdown began while this start was validating: it would not wait for this run, so end it now.
      await runs.setRunStatus(record.id, 'CANCELLED', { error: 'the hub is shutting down' });
      throw shuttingDownError();
    }
    const run = executeRun(record, {
      runs,
      runner,
      events,
      progressIntervalMs,
      now,
      onlyKeys: retry?.keys,
      snapshotOf,
      onEnd: () => active.delete(record.id),
      logger,
      ...(databaseRetry && { databaseRetry }),
    });
    active.set(record.id, run);
    const queued = snapshotOf(record);
    run.publish(async () => queued);
    run.begin();
    return queued;
  }

  /** Fails the runs left behind (all in progress, without leases) and tells their subscribers. */
  async function markLeftBehind(): Promise<string[]> {
    const ids = await runs.markInterrupted(leaseKeeper?.leftBehind);
    if (ids.length > 0 && leaseKeeper)
      logger.warn(
        { runIds: ids },
        `Sync runs left behind by a hub that went away, marked FAILED: ${ids.join(', ')}`,
      );
    for (const id of ids) {
      const run = await runs.getRun(id);
      if (run) events.publish(snapshotOf(run));
    }
    return ids;
  }

  async function existing(runId: string): Promise<SyncRunRecord> {
    const run = await runs.getRun(runId);
    if (!run) throw new SyncRequestError('NOT_FOUND', `No sync run has the id ${runId}.`, [], runId);
    return run;
  }

  return {
    events,

    start: (input) => launch(input),

    async cancel(runId) {
      const run = await existing(runId);
      if (isFinal(run.status)) {
        throw new SyncRequestError(
          'NOT_CANCELLABLE',
          `Run ${runId} has already finished (${run.status}); only a QUEUED or RUNNING run can be cancelled.`,
          [],
          runId,
        );
      }
      const live = active.get(runId);
      if (live) {
        // The engine stops between pages and commits the page in hand; the run's own loop then sets
        // CANCELLED, so the store never sees a page land on a finished run.
        live.cancel();
        return snapshotOf((await runs.getRun(runId)) ?? run);
      }
      // In progress in the store but not executing here (another process's run, cut off): nobody else
      // will finish it, so finish it now.
      await runs.setRunStatus(runId, 'CANCELLED');
      const cancelled = snapshotOf(await existing(runId));
      events.publish(cancelled);
      return cancelled;
    },

    async retryFailures(runId, requestedBy) {
      const run = await existing(runId);
      const failed = await runs.failureKeys(runId);
      if (failed.size === 0) {
        const problem = `run ${runId} has no failed records to retry`;
        throw new SyncRequestError('VALIDATION_FAILED', `The retry cannot start: ${problem}.`, [problem]);
      }
      const keys = new Map<FlowName, readonly FailedKey[]>(failed);
      return launch(
        { flows: [...keys.keys()], mode: run.mode, dryRun: run.dryRun, requestedBy: requestedBy ?? null },
        { of: runId, keys },
      );
    },

    async snapshot(runId) {
      const run = await runs.getRun(runId);
      return run ? snapshotOf(run) : null;
    },

    async recoverInterrupted() {
      const ids = await markLeftBehind();
      leaseKeeper?.start(() => [...active.keys()], markLeftBehind);
      return ids;
    },

    // Running runs end FAILED ("interrupted by shutdown") after committing the page in hand, as after a
    // crash but without waiting for the next start to say so; the next INCREMENTAL run resumes there.
    executing: () => [...active.keys()].sort(),

    async shutdown() {
      shuttingDown = true;
      leaseKeeper?.stop();
      const running = [...active.values()];
      for (const run of running) run.interrupt(shutdownInterruption);
      await Promise.all(running.map((run) => run.done));
    },
  };
}
