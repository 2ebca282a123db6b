/**
 * The hub's job engine: pg-boss, a job queue in the hub's own database (PGlite or PostgreSQL), shared by
 * every instance on it. It carries the runs (below), the schedules' minute tick, and the other queues the
 * hub keeps (alert deliveries, webhook requests, continuous sync's looks, the availability watch), each
 * made with `createQueueOnce`.
 *
 * Runs as jobs: starting a run
 * queues a job that names it, and whichever instance's worker fetches the job executes the run. A job only
 * says "this run wants an executor"; the run's row says who executes it (its lease, run-leases.ts), so a
 * job fetched twice, or for a run another instance already holds, does nothing. Jobs are deduplicated per
 * run while waiting (pg-boss's `short` policy), so sending one again is always safe.
 */
import PgBoss from 'pg-boss';
import type { Database } from '../../db/connection.js';
import type { Logger } from '../../logging.js';

/** The queue of runs waiting for an executor. */
export interface RunQueue {
  /** The job engine itself, for the hub's other queues (alerts). */
  readonly engine: PgBoss;
  /** Queues a job for each run that has none waiting. */
  enqueue(runIds: readonly string[]): Promise<void>;
  /**
   * Starts this instance's workers: each fetches one job at a time and awaits `execute(runId)`, so an
   * instance executes at most `workers` runs at once. With `tick`, a worker also takes the job the engine's
   * cron sends once a minute across all instances, and awaits `tick()` (the schedules' look at what is due).
   */
  work(execute: (runId: string) => Promise<void>, tick?: () => Promise<void>): Promise<void>;
  /** Wakes this instance's workers at once (a job was just queued here) instead of at their next poll. */
  wake(): void;
  /** Jobs waiting for a worker, on every instance. */
  depth(): Promise<number>;
  /** Stops fetching and waits for the runs in hand (whose executor the caller stops first). */
  stop(): Promise<void>;
}

export interface RunQueueOptions {
  database: Pick<Database, 'executeSql'>;
  logger: Logger;
  /** Runs one instance executes at once. Default 4: one per flow, the most that can run at once. */
  workers?: number;
  /** How often an idle worker looks for jobs queued by other instances, in seconds. Default 2. */
  pollingIntervalSeconds?: number;
}

/** The pg-boss queue the runs' jobs go to. */
export const runQueueName = 'sync-run';
/** The pg-boss queue its cron sends the minute's tick to. */
export const scheduleTickQueueName = 'sync-schedule-tick';

/**
 * How often the workers of a once-a-minute cron job (the schedules' tick, continuous sync's seeding, the
 * availability look) ask for their job, in seconds. Each ask is a query; on the embedded PGlite one costs
 * about 8 ms of CPU, and three such workers at pg-boss's 2 s made a third of an idle hub's CPU. The engine's
 * cron sends a job up to 10 s after its minute anyway, and each of these jobs works out what is due from
 * the clock, so a few seconds later changes nothing.
 */
export const minuteJobPollingSeconds = 10;

interface RunJob {
  runId: string;
}

/**
 * Creates the queue unless it exists. Instances starting together on a new database may deadlock in
 * pg-boss's `create_queue` (each adds constraints to tables the other locks); PostgreSQL then aborts one,
 * which tries again and finds the queue made.
 */
export async function createQueueOnce(
  boss: PgBoss,
  name: string,
  options: Omit<PgBoss.Queue, 'name'> = { policy: 'short', retryLimit: 0 },
): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await boss.createQueue(name, { name, ...options });
      return;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      // 40P01 deadlock_detected, 23505 unique_violation (the other instance's insert won).
      if (attempt >= 5 || (code !== '40P01' && code !== '23505')) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 200 * attempt));
    }
  }
}

export async function createRunQueue(options: RunQueueOptions): Promise<RunQueue> {
  const { database, logger, workers = 4, pollingIntervalSeconds = 2 } = options;
  const boss = new PgBoss({
    db: { executeSql: (text, values) => database.executeSql(text, values) },
    schema: 'pgboss',
    // The minute tick of the sync schedules: one instance at a time looks whether a cron is due, every 10 s.
    schedule: true,
    cronMonitorIntervalSeconds: 10,
    // Runs last as long as their flows; the run's own lease tells a live executor from a dead one.
    expireInHours: 23,
    retryLimit: 0,
  });
  boss.on('error', (error) => logger.warn({ err: error }, 'The run queue had a problem; it goes on'));
  await boss.start();
  await createQueueOnce(boss, runQueueName);
  await createQueueOnce(boss, scheduleTickQueueName);
  const workerIds: string[] = [];
  let stopped = false;

  return {
    engine: boss,
    async enqueue(runIds) {
      for (const runId of runIds) {
        // With the `short` policy a run's second waiting job is refused (send resolves null): one is enough.
        await boss.send(runQueueName, { runId } satisfies RunJob, { singletonKey: runId });
      }
    },

    async work(execute, tick) {
      if (workerIds.length > 0) return;
      if (tick) {
        // Every minute; a tick late by a few seconds still finds the minute's due times (see fire.ts).
        await boss.schedule(scheduleTickQueueName, '* * * * *');
        workerIds.push(
          await boss.work(
            scheduleTickQueueName,
            { batchSize: 1, pollingIntervalSeconds: minuteJobPollingSeconds },
            async () => {
              await tick();
            },
          ),
        );
      }
      for (let i = 0; i < workers; i += 1) {
        workerIds.push(
          await boss.work<RunJob>(runQueueName, { batchSize: 1, pollingIntervalSeconds }, async ([job]) => {
            if (job) await execute(job.data.runId);
          }),
        );
      }
    },

    wake() {
      if (stopped) return;
      for (const id of workerIds) boss.notifyWorker(id);
    },

    depth: () => boss.getQueueSize(runQueueName),

    async stop() {
      if (stopped) return;
      stopped = true;
      await boss.stop({ graceful: true, wait: true, close: false, timeout: 60_000 });
    },
  };
}
