/**
 * Continuous sync: near-real-time, per flow. For a Sales flow the hub looks at the flow's change feed from
 * its stored delta link every few seconds (one request, one row at most: an empty feed costs that request
 * only) and starts an INCREMENTAL run as soon as the feed holds changes; the run reads them again from the
 * same link, so what is written always comes from the feed and its cursor. Products, which Finance offers
 * no change feed for, get an INCREMENTAL run (unchanged products are told apart by hash) on their own,
 * longer interval.
 *
 * The looks are jobs of the job engine, one chain per flow: each look queues the next (pg-boss `short`
 * policy, one waiting look per flow), so one instance looks at a time whatever the number of instances,
 * and a minute cron queues a look for every flow switched on, so a chain broken by a crash starts again.
 * A look never waits longer than `wakeSeconds` in the queue: a flow switched on again, or a backoff that
 * ended, is seen within that time. Runs it starts are ordinary runs (trigger CONTINUOUS) with the flow's
 * exclusivity; when a system throttles or is away (a look or a run failed, or its circuit breaker is
 * open) the looks back off, the interval doubling up to `maxBackoffSeconds`, and resume their pace once a
 * look or run succeeds.
 */
import type PgBoss from 'pg-boss';
import type { Connectors } from '../../connectors/index.js';
import { ODataError } from '../../connectors/odata/errors.js';
import type { ContinuousRecord, ContinuousStore, LookOutcome } from '../../db/continuous.js';
import type { RunStore } from '../../db/runs.js';
import type { Logger } from '../../logging.js';
import { incrementalRunOf, SyncRequestError, type SyncManager } from '../runs/types.js';
import { flows, type FlowName } from '../flows/index.js';
import { createQueueOnce, minuteJobPollingSeconds } from '../runs/job-engine.js';
import { isFinal, systemLabels } from '../../vocabulary.js';
import {
  continuousIntervalBounds,
  defaultContinuousIntervals,
  type ContinuousIntervals,
  type FlowInterval,
} from './intervals.js';

export type { ContinuousIntervals };

/** The queue of the looks, one waiting per flow. */
export const continuousLookQueueName = 'continuous-look';
/** The queue the minute cron sends to, to start the chains of the flows switched on. */
export const continuousSeedQueueName = 'continuous-seed';

/** The interval a flow follows: a Sales flow's (its change feed), or the products' (runs compared by hash). */
function intervalKeyOf(flow: FlowName): FlowInterval {
  return flows[flow].source.system === 'sales' ? 'salesSeconds' : 'productsSeconds';
}

/** The range each flow's interval may take. */
export function intervalBounds(flow: FlowName): { min: number; max: number } {
  return continuousIntervalBounds[intervalKeyOf(flow)];
}

/** What continuous sync of a flow shows: its setting, where it stands, and what the last look found. */
export interface ContinuousStatus {
  flow: FlowName;
  enabled: boolean;
  intervalSeconds: number;
  state: 'OFF' | 'WATCHING' | 'RUNNING' | 'BACKING_OFF';
  record: ContinuousRecord | null;
}

export interface ContinuousSync {
  /** Every flow, in dependency order. */
  list(): Promise<ContinuousStatus[]>;
  /** Switches a flow on (its first look at once) or off. */
  set(
    flow: FlowName,
    setting: { enabled: boolean; intervalSeconds?: number | null; updatedBy: string | null },
  ): Promise<ContinuousStatus>;
  /** Looks at a flow once, as its job does, and says when the next look is due. Exposed for tests. */
  look(flow: FlowName): Promise<Date | null>;
  /** Records the end of a run continuous sync started (any other run is ignored). */
  runFinished(runId: string): Promise<void>;
  /** Starts this instance's worker and the chains of the flows switched on. */
  start(): Promise<void>;
}

export interface ContinuousSyncOptions {
  engine: PgBoss;
  store: ContinuousStore;
  runs: Pick<RunStore, 'getRun' | 'getCursor'>;
  connectors: Connectors;
  start: SyncManager['start'];
  logger: Logger;
  intervals?: Partial<ContinuousIntervals>;
  /** The longest a look waits in the queue before it looks again at its flow's setting. Default 5 s. */
  wakeSeconds?: number;
  /** How often an idle worker looks for a due look, in seconds. Default 1. */
  pollingIntervalSeconds?: number;
  now?: () => number;
  /** Told of each look and what it found (metrics). */
  onLook?: (flow: FlowName, outcome: LookKind) => void;
}

/** What a look found: changes (a run started), none, busy (the flow was running), failed. */
export type LookKind = 'changes' | 'none' | 'busy' | 'failed';

interface LookJob {
  flow: FlowName;
}

export function createContinuousSync(options: ContinuousSyncOptions): ContinuousSync {
  const { engine, store, runs, connectors, start, logger, wakeSeconds = 5, now = Date.now } = options;
  const counted = (flow: FlowName, kind: LookKind) => options.onLook?.(flow, kind);
  const intervals = { ...defaultContinuousIntervals, ...options.intervals };
  let ready: Promise<void> | null = null;
  const queues = () =>
    (ready ??= (async () => {
      await createQueueOnce(engine, continuousLookQueueName, { policy: 'short', retryLimit: 0 });
      await createQueueOnce(engine, continuousSeedQueueName, { policy: 'short', retryLimit: 0 });
    })());

  const intervalOf = (flow: FlowName, record: ContinuousRecord | null): number =>
    record?.intervalSeconds ?? intervals[intervalKeyOf(flow)];

  /** After `failures` in a row: the interval doubled that many times, at most the longest backoff. */
  const delayOf = (flow: FlowName, record: ContinuousRecord | null, failures: number): number => {
    const interval = intervalOf(flow, record);
    if (failures === 0) return interval;
    return Math.max(interval, Math.min(interval * 2 ** failures, intervals.maxBackoffSeconds));
  };

  async function statusOf(flow: FlowName, record: ContinuousRecord | null): Promise<ContinuousStatus> {
    const enabled = record?.enabled ?? false;
    let state: ContinuousStatus['state'] = 'OFF';
    if (enabled) {
      const last = record?.lastRunId ? await runs.getRun(record.lastRunId) : null;
      if (last && !isFinal(last.status)) state = 'RUNNING';
      else state = (record?.failures ?? 0) > 0 ? 'BACKING_OFF' : 'WATCHING';
    }
    return { flow, enabled, intervalSeconds: intervalOf(flow, record), state, record };
  }

  /** Queues the flow's next look at `at`, or sooner to see a changed setting; refused if one waits. */
  async function queueLook(flow: FlowName, at: Date): Promise<void> {
    const wakeAt = Math.min(at.getTime(), now() + wakeSeconds * 1000);
    await engine.send(continuousLookQueueName, { flow } satisfies LookJob, {
      singletonKey: flow,
      startAfter: new Date(Math.max(wakeAt, now())),
    });
  }

  /** Why a look should wait: Sales or Finance (every run talks to both) has its circuit breaker open. */
  function openBreakers(): string | null {
    for (const connector of [connectors.sales, connectors.finance]) {
      const health = connector.client.health();
      if (health.state === 'open') {
        return `${systemLabels[health.system]} is unavailable (its circuit breaker is open until ${health.nextTryAt?.toISOString() ?? 'later'})`;
      }
    }
    return null;
  }

  /** True when the flow's change feed holds anything since its cursor (or it has none to read from). */
  async function feedHasChanges(flow: FlowName): Promise<boolean> {
    const source = flows[flow].source;
    if (source.system !== 'sales') return true;
    const cursor = await runs.getCursor(flow);
    // No token yet (never read), or a read cut off half-way: a run has work to do either way.
    if (!cursor?.deltaLink || cursor.checkpoint) return true;
    for await (const page of connectors.sales.changes(source.kind, {
      deltaLink: cursor.deltaLink,
      pageSize: 1,
    })) {
      return page.rows.length > 0 || page.deleted.length > 0 || page.nextLink !== undefined || page.fullRead;
    }
    return false;
  }

  /** Records the look's outcome and when the next one is due: the interval, or later after failures. */
  async function settle(flow: FlowName, row: ContinuousRecord, outcome: LookOutcome): Promise<Date> {
    const failures = await store.recordLook(flow, outcome);
    const next = new Date(now() + delayOf(flow, row, failures) * 1000);
    await store.setNextCheck(flow, next);
    return next;
  }

  async function look(flow: FlowName): Promise<Date | null> {
    const row = await store.get(flow);
    if (!row?.enabled) return null;
    // Not due yet (backing off, or woken early to see a changed setting).
    if (row.nextCheckAt && row.nextCheckAt.getTime() > now() + 250) return row.nextCheckAt;
    const last = row.lastRunId ? await runs.getRun(row.lastRunId) : null;
    // Its run is still going: it reads what changed meanwhile, or the next look sees it.
    if (last && !isFinal(last.status)) {
      counted(flow, 'busy');
      return settle(flow, row, { checked: false });
    }
    const unavailable = openBreakers();
    if (unavailable) {
      counted(flow, 'failed');
      return settle(flow, row, { checked: false, failure: `${unavailable}.` });
    }
    let changes: boolean;
    try {
      changes = await feedHasChanges(flow);
    } catch (error) {
      counted(flow, 'failed');
      return settle(flow, row, { failure: failureOf(error, 'Looking at the Sales change feed failed') });
    }
    if (!changes) {
      counted(flow, 'none');
      return settle(flow, row, { failure: null });
    }
    const changeSeen = flows[flow].source.system === 'sales';
    try {
      const { run } = await start(incrementalRunOf(flow, 'CONTINUOUS'));
      logger.info({ flow, runId: run.id }, 'Continuous sync started a run');
      counted(flow, 'changes');
      // Failures in a row stay as they are until the run says how it went (runFinished).
      return settle(flow, row, { changeSeen, runId: run.id });
    } catch (error) {
      // Another run holds the flow (a person's, a schedule's): the next look tries again.
      if (error instanceof SyncRequestError && error.code === 'SYNC_ALREADY_RUNNING') {
        counted(flow, 'busy');
        return settle(flow, row, { changeSeen });
      }
      counted(flow, 'failed');
      return settle(flow, row, { changeSeen, failure: failureOf(error, 'The run could not start') });
    }
  }

  function failureOf(error: unknown, what: string): string {
    if (error instanceof ODataError || error instanceof SyncRequestError) return `${what}: ${error.message}`;
    logger.error({ err: error }, `${what} (continuous sync)`);
    return `${what}: an unexpected error (see the hub's log).`;
  }

  async function runLook(flow: FlowName): Promise<void> {
    let next: Date | null;
    try {
      next = await look(flow);
    } catch (error) {
      // The database away, most likely: look again after the interval rather than let the chain end.
      logger.warn({ err: error, flow }, 'A continuous-sync look failed; it looks again later');
      next = new Date(now() + intervals.salesSeconds * 1000);
    }
    if (next) await queueLook(flow, next);
  }

  async function seed(): Promise<void> {
    for (const row of await store.list()) {
      if (row.enabled) await queueLook(row.flow, row.nextCheckAt ?? new Date(now()));
    }
  }

  return {
    async list() {
      const rows = new Map((await store.list()).map((row) => [row.flow, row]));
      return Promise.all(
        (Object.keys(flows) as FlowName[]).map((flow) => statusOf(flow, rows.get(flow) ?? null)),
      );
    },

    async set(flow, setting) {
      const row = await store.set(flow, setting);
      if (row.enabled) {
        await queues();
        await queueLook(flow, new Date(now()));
      }
      return statusOf(flow, row);
    },

    look,

    async runFinished(runId) {
      const run = await runs.getRun(runId);
      if (!run || run.triggerKind !== 'CONTINUOUS' || !isFinal(run.status)) return;
      for (const { flow, counters, error } of run.flows) {
        const failed = run.status === 'FAILED' || run.status === 'CANCELLED';
        const failures = await store.recordRunEnd(flow, runId, {
          changeSeen: flows[flow].source.system !== 'sales' && counters.created + counters.updated > 0,
          failure: failed
            ? `Run ${runId} ended ${run.status}: ${error ?? run.error ?? 'no reason given'}`
            : null,
        });
        if (failures === null) continue;
        const row = await store.get(flow);
        await store.setNextCheck(flow, new Date(now() + delayOf(flow, row, failures) * 1000));
      }
    },

    async start() {
      await queues();
      await engine.work<LookJob>(
        continuousLookQueueName,
        { batchSize: 1, pollingIntervalSeconds: options.pollingIntervalSeconds ?? 1 },
        async ([job]) => {
          if (job) await runLook(job.data.flow);
        },
      );
      await engine.schedule(continuousSeedQueueName, '* * * * *');
      await engine.work(
        continuousSeedQueueName,
        { batchSize: 1, pollingIntervalSeconds: minuteJobPollingSeconds },
        async () => {
          await seed();
        },
      );
      await seed();
    },
  };
}
