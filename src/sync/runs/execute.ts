/**
 * One run's execution in the background: RUNNING, then its flows through the FlowRunner, side by side as
 * their dependencies allow (a flow whose dependency failed in this run is skipped), then the final
 * status. A run taken over from another instance keeps the flows that instance finished and goes on with
 * those it left in progress, each after its last committed page. Every snapshot of the run goes out
 * through one queue, read from the store in order, so subscribers see statuses in order and counters that
 * never go backwards.
 */
import { describeDatabaseFailure } from '../../db/query-failures.js';
import type { Counters, FailedKey, RunStore, SyncRunRecord } from '../../db/runs.js';
import type { Logger } from '../../logging.js';
import {
  defaultDatabaseRetry,
  retryThroughOutage,
  type DatabaseRetryOptions,
  type DatabaseRetryPolicy,
} from '../engine/database-retry.js';
import type { FlowRunner, FlowRunResult } from '../engine/types.js';
import type { RunEventBus, RunSnapshot, SystemPace } from './types.js';
import { flows as flowDefinitions, type FlowName } from '../flows/index.js';
import { finalStatus, type FlowOutcome } from './final-status.js';
import { createThrottle } from './progress.js';
import { isFinal, type RunStatus } from '../../vocabulary.js';

/** What a flow running in this process knows beyond the store. */
export interface LiveFlow {
  /** When the flow started, on the manager's clock (for its rate). */
  startedAtMs: number;
  /** The engine's latest estimate of the flow's source records. */
  estimatedTotal: number | null;
  /** Records failed so far, from the engine's latest progress. */
  failed: number;
  /** The flow's counters so far, from the engine's latest progress (for the log). */
  counters: Counters | null;
}

/** A run executing in this process. */
export interface ActiveRun {
  readonly flows: ReadonlyMap<FlowName, LiveFlow>;
  /** Queues a snapshot: the one `read` gives, or the run as the store has it now. */
  publish(read?: () => Promise<RunSnapshot>): void;
  /** Starts the execution; call once. */
  begin(): void;
  /** Aborts the runner's signal: the flow in hand stops between pages, no later flow starts. */
  cancel(): void;
  /**
   * Stops the run as `cancel` does, but it ends FAILED with `reason` (so do the flow in hand and those
   * not started), as a run cut off by a crash would: the hub is stopping, not the admin cancelling.
   */
  interrupt(reason: string): void;
  /**
   * Stops the run as `cancel` does (the page in hand is committed) without ending it: the flow in hand
   * stays RUNNING and `release(reason)` gives the run to the next instance that fetches its job.
   */
  handBack(reason: string): void;
  /** Stops the run writing nothing more: another instance took it over (this one lost its lease). */
  abandon(): void;
  /** Settles when the run has its final status and its last snapshot is out. Never rejects. */
  readonly done: Promise<void>;
}

export interface ExecuteDependencies {
  runs: RunStore;
  runner: FlowRunner;
  events: RunEventBus;
  progressIntervalMs: number;
  now: () => number;
  /** A retry's keys per flow, with the attempt each last failed at, passed to the runner as `onlyKeys`. */
  onlyKeys?: ReadonlyMap<FlowName, readonly FailedKey[]>;
  snapshotOf: (run: SyncRunRecord) => RunSnapshot;
  /** Called once the run is over, before `done` settles. */
  onEnd: () => void;
  /** Where the run's start, its flows' ends and its end are logged, each line with the run id. */
  logger: Logger;
  /** How status changes wait for a database that is away. Default `defaultDatabaseRetry`. */
  databaseRetry?: DatabaseRetryPolicy;
  /** The instance executing the run: pages commit only while it holds the run. */
  owner?: string;
  /** Releases the run for another instance, with the reason for its note (after `handBack`). */
  release?: (reason: string) => Promise<void>;
  /** Told once the run's final status is stored (by the instance that stored it). */
  onFinished?: (runId: string) => void;
  /**
   * Each system's pace now: a change (a system throttled, resuming, its bound moving) is published like
   * progress, so a dashboard shows "Finance throttled" while no page commits.
   */
  pace?: () => SystemPace[];
}

/** How often a running flow looks whether a system's pace changed. */
const paceCheckMs = 500;

/** What of the systems' pace a subscriber sees change: bounds and pauses (not the requests in flight). */
const paceSignature = (pace: readonly SystemPace[]) =>
  pace.map((p) => `${p.system}:${p.concurrency}:${p.throttledUntil?.getTime() ?? ''}`).join(' ');

/** A sentence for the run's error: a database failure without its SQL, anything else by its message. */
const messageOf = (error: unknown) =>
  describeDatabaseFailure(error) ?? (error instanceof Error ? error.message : String(error));

/**
 * A flow's final status from the runner's result: the run statuses serve flows too (there is no
 * COMPLETED), so a completed flow SUCCEEDED, or COMPLETED_WITH_ERRORS when some of its records failed.
 */
function flowEnd(
  result: FlowRunResult,
  failedRecords: number,
): { status: RunStatus; outcome: FlowOutcome; error: string | null; detail?: string } {
  switch (result.status) {
    case 'completed':
      return {
        status: failedRecords > 0 ? 'COMPLETED_WITH_ERRORS' : 'SUCCEEDED',
        outcome: 'completed',
        error: null,
      };
    case 'cancelled':
      return { status: 'CANCELLED', outcome: 'cancelled', error: null };
    case 'failed':
      return {
        status: 'FAILED',
        outcome: 'failed',
        error: result.error,
        ...(result.detail !== undefined && { detail: result.detail }),
      };
  }
}

/** How a flow that finished before a takeover ended, as this run's outcome. */
function outcomeOf(status: RunStatus, error: string | null): FlowOutcome {
  if (status === 'FAILED') return 'failed';
  if (status === 'CANCELLED') return error?.startsWith('skipped') ? 'skipped' : 'cancelled';
  return 'completed';
}

/**
 * Prepares the execution of `record`, a run this instance just claimed: QUEUED, or RUNNING when taken
 * over; `begin` starts it.
 */
export function executeRun(record: SyncRunRecord, dependencies: ExecuteDependencies): ActiveRun {
  const { runs, runner, events, progressIntervalMs, now, onlyKeys, snapshotOf, onEnd } = dependencies;
  const { databaseRetry = defaultDatabaseRetry } = dependencies;
  const { id } = record;
  const log = dependencies.logger.child({ runId: id });
  const controller = new AbortController();
  /** Aborted when the hub stops (not on cancel): ends the wait for a database to record the final status. */
  const stopping = new AbortController();
  const waitingFor = (what: string, policy: DatabaseRetryPolicy): DatabaseRetryOptions => ({
    policy,
    signal: stopping.signal,
    onRetry: (error, attempt, waitMs) =>
      log.warn(
        { attempt, waitMs },
        `${what} waits for the database: ${messageOf(error)}; trying again in ${waitMs} ms`,
      ),
  });
  /** Status changes during the run: as patient as the engine's page commits, then the run fails. */
  const duringRun = waitingFor('A status change of the sync run', databaseRetry);
  /**
   * Final statuses: tried until the database takes them (or the hub stops, leaving the run to be taken
   * over by another instance or the next start), so a run never stays RUNNING, holding its flows, in a
   * live hub.
   */
  const atEnd = waitingFor('A final status of the sync run', { ...databaseRetry, attempts: Infinity });
  /** Why the run was interrupted (the hub stopping); null when it was cancelled or not stopped. */
  let interruption: string | null = null;
  /** Why the run is handed back to another instance; null unless `handBack` was called. */
  let handover: string | null = null;
  /** Set once another instance holds the run: nothing more is written. */
  let abandoned = false;
  /** Status changes are fenced like pages: they land only while this instance holds the run. */
  const fence = dependencies.owner !== undefined ? { owner: dependencies.owner } : {};
  /**
   * Whether another instance holds the run now (this one lost its lease while frozen or cut off): then
   * the run is abandoned, and nothing more is written here.
   */
  async function lostRun(): Promise<boolean> {
    if (dependencies.owner === undefined) return false;
    const run = await runs.getRun(id).catch(() => null);
    if (run && !isFinal(run.status) && run.ownerInstance !== dependencies.owner) abandoned = true;
    return abandoned;
  }
  /** Whether the run was in progress elsewhere before this instance claimed it. */
  const resumed = record.status === 'RUNNING';
  const startedAtMs = now();
  const live = new Map<FlowName, LiveFlow>();
  let queue: Promise<void> = Promise.resolve();
  let endPublished = false;
  let settle!: () => void;
  const done = new Promise<void>((resolve) => (settle = resolve));

  function publish(read?: () => Promise<RunSnapshot>): void {
    const snapshotNow =
      read ??
      (async () => {
        const run = await runs.getRun(id);
        return run ? snapshotOf(run) : null;
      });
    queue = queue.then(async () => {
      try {
        // Snapshots are read when their turn comes, so one queued before the end may already show
        // the final status; the end is published once and nothing follows it.
        if (endPublished) return;
        const snapshot = await snapshotNow();
        if (!snapshot) return;
        endPublished = isFinal(snapshot.run.status);
        events.publish(snapshot);
      } catch {
        // A snapshot that cannot be read is skipped; the next change publishes the state again.
      }
    });
  }

  async function finish(status: RunStatus, error: string | null = null): Promise<void> {
    if (abandoned) return;
    const set = await retryThroughOutage(() => runs.setRunStatus(id, status, { error, ...fence }), atEnd);
    if (!set && (await lostRun())) return stopped();
    if (set) dependencies.onFinished?.(id);
    publish();
    const run = await runs.getRun(id).catch(() => undefined);
    const line = {
      status: run?.status ?? status,
      ...(run && { totals: run.totals }),
      durationMs: now() - startedAtMs,
      ...(error !== null && { error }),
    };
    // An interrupted run is expected on every stop mid-run: a warning, not an error.
    if (status === 'FAILED' && error !== interruption) log.error(line, 'sync run finished');
    else if (status !== 'SUCCEEDED' && status !== 'CANCELLED') log.warn(line, 'sync run finished');
    else log.info(line, 'sync run finished');
  }

  /** The end of a run whose signal was aborted: abandoned, handed back, interrupted (FAILED) or cancelled. */
  async function stopped(): Promise<void> {
    if (abandoned) {
      log.warn({}, 'sync run taken over by another instance: this instance stopped executing it');
      return;
    }
    if (handover !== null && dependencies.release) {
      await retryThroughOutage(() => dependencies.release!(handover!), atEnd);
      log.info({ reason: handover }, 'sync run handed back: another instance goes on with it');
      return;
    }
    return interruption !== null ? finish('FAILED', interruption) : finish('CANCELLED');
  }

  async function runFlow(
    flow: FlowName,
    resume: { failed: number } | null,
  ): Promise<{ outcome: FlowOutcome; error: string | null } | null> {
    const state: LiveFlow = { startedAtMs: now(), estimatedTotal: null, failed: 0, counters: null };
    live.set(flow, state);
    // Records the flow failed before it was taken over count towards its status too.
    const failedBefore = resume?.failed ?? 0;
    if (!(await retryThroughOutage(() => runs.setFlowStatus(id, flow, 'RUNNING', fence), duringRun))) {
      if (await lostRun()) return null;
      throw new Error(`flow ${flow} of run ${id} was finished by someone else`);
    }
    publish();
    let running = true;
    const throttle = createThrottle(progressIntervalMs, () => publish());
    const { pace } = dependencies;
    let paceSeen = pace ? paceSignature(pace()) : '';
    const paceWatch = pace
      ? setInterval(() => {
          const current = paceSignature(pace());
          if (current === paceSeen) return;
          paceSeen = current;
          throttle.request();
        }, paceCheckMs).unref()
      : undefined;
    let result: FlowRunResult;
    try {
      result = await runner({
        runId: id,
        flow,
        mode: record.mode,
        dryRun: record.dryRun,
        onlyKeys: onlyKeys?.get(flow),
        signal: controller.signal,
        ...(resume && { resume: true }),
        ...(dependencies.owner !== undefined && { owner: dependencies.owner }),
        onProgress(progress) {
          // A call after the runner returned would publish after the flow's final status.
          if (!running) return;
          state.estimatedTotal = progress.estimatedTotal;
          state.failed = failedBefore + progress.counters.failed;
          state.counters = progress.counters;
          throttle.request();
        },
      });
    } catch (error) {
      // The contract says runners never throw; one that does fails its flow, not the whole hub.
      result = { status: 'failed', error: `the flow engine failed unexpectedly: ${messageOf(error)}` };
    } finally {
      running = false;
      clearInterval(paceWatch);
      // The status snapshot below carries the latest counters, so a pending progress event is redundant.
      throttle.cancel();
    }
    // Handed back or taken over: the flow stays RUNNING for the instance that goes on with it.
    if (abandoned || (handover !== null && result.status === 'cancelled')) return null;
    // A page refused because another instance took the run over fails the flow here, not there.
    if (result.status === 'failed' && (await lostRun())) return null;
    const end = flowEnd(result, Math.max(state.failed, failedBefore));
    // A flow stopped by the hub shutting down is interrupted, not cancelled: it failed to finish.
    const { status, outcome, error } =
      end.outcome === 'cancelled' && interruption !== null
        ? { status: 'FAILED' as const, outcome: 'failed' as const, error: interruption }
        : end;
    const line = {
      flow,
      status,
      ...(state.counters && { counters: state.counters }),
      durationMs: now() - state.startedAtMs,
    };
    if (status === 'FAILED' && error === interruption) log.warn({ ...line, error }, 'sync flow interrupted');
    // The detail (the request, the system's message) is for operators: it goes to the log, not the run.
    else if (status === 'FAILED')
      log.error(
        { ...line, error, ...(end.detail !== undefined && { detail: end.detail }) },
        'sync flow failed',
      );
    else log.info(line, 'sync flow finished');
    const change = {
      error,
      ...(state.estimatedTotal !== null && { estimatedTotal: state.estimatedTotal }),
      // The engine's notes (a token refused, deletions not carried over, a dry run) are the flow's report
      // for the admin, so they are stored with its final status rather than lost with the result.
      ...(result.status === 'completed' && { notes: result.notes }),
    };
    // Like the run's, the flow's final status waits for the database rather than being lost.
    const set = await retryThroughOutage(
      () => runs.setFlowStatus(id, flow, status, { ...change, ...fence }),
      atEnd,
    );
    if (!set && (await lostRun())) return null;
    publish();
    return { outcome, error };
  }

  async function body(): Promise<void> {
    const { signal } = controller;
    if (signal.aborted) return stopped();
    const running = await retryThroughOutage(() => runs.setRunStatus(id, 'RUNNING', fence), duringRun);
    if (!running) return publish(); // finished elsewhere meanwhile
    publish();
    log.info(
      {
        flows: record.flows.map(({ flow }) => flow),
        mode: record.mode,
        dryRun: record.dryRun,
        requestedBy: record.requestedBy,
        ...(record.retryOf && { retryOf: record.retryOf }),
      },
      'sync run started',
    );
    const outcomes = new Map<FlowName, FlowOutcome>();
    const errors: string[] = [];
    const inRun = new Set(record.flows.map(({ flow }) => flow));
    const waiting: typeof record.flows = [];
    for (const entry of record.flows) {
      const { flow, status, error } = entry;
      if (!isFinal(status)) {
        waiting.push(entry);
        continue;
      }
      // Finished before this instance took the run over: kept as it ended.
      outcomes.set(flow, outcomeOf(status, error));
      if (status === 'FAILED' && error) errors.push(`${flow}: ${error}`);
    }
    // Flows run side by side as their dependencies allow (accounts and products at once; contacts once
    // accounts ended; quotes last), each starting when every flow of this run it depends on has ended.
    // They share each system's bound on requests in flight, so together they ask no more of a system
    // than one flow may.
    const inFlight = new Map<FlowName, Promise<void>>();
    let stop = false;
    let broken: { error: unknown } | undefined;
    const ready = (flow: FlowName) =>
      flowDefinitions[flow].dependsOn.every(
        (dependency) => !inRun.has(dependency) || outcomes.has(dependency),
      );
    while (!stop && !signal.aborted) {
      for (const entry of [...waiting]) {
        if (stop || signal.aborted || !ready(entry.flow)) continue;
        waiting.splice(waiting.indexOf(entry), 1);
        const { flow, status, counters } = entry;
        const blocker = flowDefinitions[flow].dependsOn.find((dependency) => {
          const outcome = outcomes.get(dependency);
          return outcome === 'failed' || outcome === 'skipped';
        });
        if (blocker) {
          // Running it would fail every record for want of its parent; say why once instead.
          const error = `skipped: dependency ${blocker} failed`;
          await retryThroughOutage(
            () => runs.setFlowStatus(id, flow, 'CANCELLED', { error, ...fence }),
            duringRun,
          );
          publish();
          log.warn({ flow, status: 'CANCELLED', error }, 'sync flow skipped');
          outcomes.set(flow, 'skipped');
          continue;
        }
        const resume = resumed && status === 'RUNNING' ? { failed: counters.failed } : null;
        const ended = runFlow(flow, resume).then(
          (result) => {
            inFlight.delete(flow);
            // Handed back, taken over or lost: no flow of this run starts here any more.
            if (!result) {
              stop = true;
              return;
            }
            outcomes.set(flow, result.outcome);
            if (result.error) errors.push(`${flow}: ${result.error}`);
          },
          (error: unknown) => {
            // The run breaks, once the flows beside this one have ended.
            inFlight.delete(flow);
            stop = true;
            broken ??= { error };
          },
        );
        inFlight.set(flow, ended);
      }
      if (inFlight.size === 0) break;
      // A flow's end may make others ready (or stop the run); a failure of one stops the others' start.
      await Promise.race(inFlight.values());
    }
    await Promise.all(inFlight.values());
    if (broken) throw broken.error;
    if (signal.aborted || abandoned) return stopped();
    const run = await retryThroughOutage(() => runs.getRun(id), duringRun);
    if (!run) throw new Error(`run ${id} disappeared from the store`);
    const status = finalStatus([...outcomes.values()], run.totals);
    const error =
      status !== 'FAILED'
        ? null
        : errors.length > 0
          ? errors.join('; ')
          : `every record failed (${run.totals.failed})`;
    await finish(status, error);
  }

  return {
    flows: live,
    publish,
    done,
    cancel: () => controller.abort(),
    interrupt(reason) {
      interruption ??= reason;
      controller.abort();
      stopping.abort();
    },
    handBack(reason) {
      handover ??= reason;
      controller.abort();
    },
    abandon() {
      abandoned = true;
      controller.abort();
      stopping.abort();
    },
    begin() {
      void (async () => {
        try {
          await body();
        } catch (error) {
          if (abandoned) return stopped();
          log.error({ err: error }, 'sync run broke');
          try {
            await finish('FAILED', `the run broke: ${messageOf(error)}`);
          } catch (unrecorded) {
            // The hub is stopping while the database is away (or the store fails for another reason):
            // another instance or the next start takes the run over once its lease runs out.
            log.error(
              { error: messageOf(unrecorded) },
              'sync run left RUNNING: its final status could not be recorded; another instance or the next start takes it over',
            );
          }
        } finally {
          await queue;
          onEnd();
          settle();
        }
      })();
    },
  };
}
