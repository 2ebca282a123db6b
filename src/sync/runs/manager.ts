/**
 * The run manager: validates and starts runs, cancels and retries them, and executes the runs this
 * instance's job workers fetch (job-engine.ts): it claims the run (its lease, run-leases.ts), runs its flows
 * one after another, decides its final status, and publishes a snapshot on every change. Any instance on
 * the database may execute any run; while one does, the others leave it alone, and when it dies another
 * takes the run over after its last committed page. The flow engine (a FlowRunner) moves the records; the
 * run store keeps every status and counter, so a snapshot is always read from it.
 */
import { hostname } from 'node:os';
import { RunStoreError, type FailedKey, type RunStore, type SyncRunRecord } from '../../db/runs.js';
import { describeOwner } from '../../db/run-leases.js';
import { silentLogger, type Logger } from '../../logging.js';
import type { DatabaseRetryPolicy } from '../engine/database-retry.js';
import { type FlowRunner } from '../engine/types.js';
import {
  SyncRequestError,
  type RunEventBus,
  type RunSnapshot,
  type StartRunInput,
  type SyncManager,
  type SystemPace,
} from './types.js';
import { inDependencyOrder, type FlowName } from '../flows/index.js';
import { createInProcessEventBus } from './events.js';
import { executeRun, type ActiveRun } from './execute.js';
import { isFinal } from '../../vocabulary.js';
import { flowRate } from './progress.js';
import { createLeaseKeeper, thisProcess, type RunLeaseOptions } from './leases.js';
import type { RunQueue } from './job-engine.js';
import type { ScheduleStore } from '../../db/schedules.js';
import type { Alerts } from '../../alerts/index.js';
import { fireDueSchedules } from '../schedules/fire.js';
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
  /** Where runs wait for an executor: jobs any instance's workers fetch. */
  queue: RunQueue;
  /**
   * The sync schedules, fired at the job engine's minute tick by whichever instance takes it
   * (src/sync/schedules/fire.ts). Default: none (no tick is taken).
   */
  schedules?: ScheduleStore;
  /** Where alerts are raised (a run that failed or had errors, a schedule skipped again and again). Default: none. */
  alerts?: Alerts;
  /** Told of every run this instance ends (continuous sync counts its runs' failures). Must not throw. */
  onRunFinished?: (runId: string) => Promise<void>;
  /**
   * Each system's pace now (requests at once, throttling), shown on the flows running here. Default:
   * none shown.
   */
  pace?: () => SystemPace[];
  /**
   * How this instance signs the runs it executes and holds them (leases.ts), so other instances on the
   * same database leave them alone while it lives and take them over when it dies. Default: this process,
   * named `<hostname>-<pid>`, with a 30 s lease.
   */
  leases?: RunLeaseOptions;
}

/**
 * The error of a run that was running when the hub was stopped (`shutdown`) with no other instance to
 * hand it to; the next run resumes it.
 */
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
    queue,
  } = options;
  /** Runs executing in this process, by id. */
  const active = new Map<string, ActiveRun>();
  const leaseKeeper = createLeaseKeeper(
    runs,
    options.leases ?? { owner: thisProcess(`${hostname()}-${process.pid}`) },
    logger,
  );
  const { owner, leaseMs } = leaseKeeper;
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
        rates[flow.flow] = {
          ...flowRate(flow.counters.read, estimatedTotal, state.startedAtMs, now()),
          ...(options.pace && { systems: options.pace() }),
        };
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
        ...(input.trigger && { trigger: input.trigger }),
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
    const queued = snapshotOf(record);
    events.publish(queued);
    await enqueue([record.id]);
    return queued;
  }

  /**
   * Queues a job for each run and wakes this instance's workers. A job that cannot be queued now (the
   * database away) is queued by the next sweep, which gives every run waiting for an executor its job.
   */
  async function enqueue(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    try {
      await queue.enqueue(ids);
      queue.wake();
    } catch (error) {
      logger.warn(
        { err: error, runIds: ids },
        'Sync runs could not be queued yet; the next sweep queues them',
      );
    }
  }

  /** A job's run: claimed and executed here unless another instance holds it or it ended. */
  async function execute(runId: string): Promise<void> {
    if (shuttingDown || active.has(runId)) return;
    if (!(await runs.claimRun(runId, owner, leaseMs))) return;
    const record = await runs.getRun(runId);
    if (!record) return;
    const failedKeys = record.retryOf ? await runs.failureKeys(record.retryOf) : null;
    const run = executeRun(record, {
      runs,
      runner,
      events,
      progressIntervalMs,
      now,
      ...(failedKeys && { onlyKeys: new Map<FlowName, readonly FailedKey[]>(failedKeys) }),
      snapshotOf,
      onEnd: () => active.delete(runId),
      logger,
      ...(options.pace && { pace: options.pace }),
      owner: owner.instance,
      onFinished: (id) => {
        options.alerts
          ?.runFinished(id)
          .catch((error: unknown) =>
            logger.error({ err: error, runId: id }, 'An alert for the run could not be raised'),
          );
        options
          .onRunFinished?.(id)
          .catch((error: unknown) =>
            logger.error({ err: error, runId: id }, 'The end of the run could not be recorded'),
          );
      },
      release: async (reason) => {
        await runs.handBack([runId], owner, reason);
        await enqueue([runId]);
      },
      ...(databaseRetry && { databaseRetry }),
    });
    active.set(runId, run);
    if (shuttingDown) run.interrupt(shutdownInterruption);
    run.publish();
    run.begin();
    await run.done;
  }

  /**
   * Runs whose owner is gone: released for another instance to go on with (a dry run or a retry, which
   * keep no read position, fail), and every run waiting for an executor gets its job.
   */
  async function sweep(): Promise<string[]> {
    const { released, failed } = await runs.sweepLeftBehind(
      { ...leaseKeeper.leftBehind, executing: [...active.keys()] },
      (run) => !run.dryRun && run.retryOf === null,
    );
    if (released.length > 0)
      logger.warn(
        { runIds: released },
        `Sync runs left behind by an instance that went away, handed to the next free instance: ${released.join(', ')}`,
      );
    if (failed.length > 0)
      logger.warn(
        { runIds: failed },
        `Sync runs left behind by an instance that went away, marked FAILED: ${failed.join(', ')}`,
      );
    for (const id of failed) {
      const run = await runs.getRun(id);
      if (run) events.publish(snapshotOf(run));
    }
    if (!shuttingDown) await enqueue(await runs.unownedRuns());
    return [...released, ...failed];
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
      if (run.ownerInstance !== null) {
        // Executing on another instance: it looks for cancels every second and stops as it would here.
        await runs.requestCancel(runId);
        return snapshotOf(run);
      }
      // Waiting for an executor (its job not fetched yet, or released by an instance that went away):
      // nobody executes it, so it ends now, and its job finds it finished.
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

    snapshotOf,

    async snapshots(runIds) {
      const byId = new Map((await runs.getRuns(runIds)).map((run) => [run.id, run]));
      return runIds.map((id) => {
        const run = byId.get(id);
        return run ? snapshotOf(run) : null;
      });
    },

    async recoverInterrupted() {
      await leaseKeeper.start({
        activeIds: () => [...active.keys()],
        lost(ids) {
          for (const id of ids) active.get(id)?.abandon();
        },
        cancelRequested(ids) {
          for (const id of ids) active.get(id)?.cancel();
        },
        sweep,
      });
      const found = await sweep();
      await options.alerts?.start();
      const { schedules } = options;
      await queue.work(
        execute,
        schedules &&
          (async () => {
            if (shuttingDown) return;
            await fireDueSchedules({
              schedules,
              start: (input) => launch(input),
              logger,
              ...(options.alerts && { alerts: options.alerts }),
            });
          }),
      );
      return found;
    },

    executing: () => [...active.keys()].sort(),

    // With another instance alive, running runs are handed back after committing the page in hand, and
    // that instance goes on with them at once; a lone instance fails them ("interrupted by shutdown") as
    // a crash would, without waiting for the next start to say so, and the next run resumes them.
    async shutdown() {
      if (shuttingDown) return;
      shuttingDown = true;
      leaseKeeper.stop();
      // Workers stop fetching now; stopping resolves once the runs in hand are over.
      const queueStopped = queue.stop();
      const running = [...active.values()];
      const handOver =
        running.length > 0 && (await runs.othersAlive(owner).catch(() => false))
          ? `${describeOwner(owner)} was stopped and handed the run back after committing its page in hand`
          : null;
      for (const run of running) {
        if (handOver !== null) run.handBack(handOver);
        else run.interrupt(shutdownInterruption);
      }
      await Promise.all(running.map((run) => run.done));
      await queueStopped;
      await runs.forgetInstance(owner).catch(() => undefined);
    },
  };
}
