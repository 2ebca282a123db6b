/**
 * Runs as jobs on pg-boss (a job queue in the hub's own database, PGlite or PostgreSQL): starting a run
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
  /** Queues a job for each run that has none waiting. */
  enqueue(runIds: readonly string[]): Promise<void>;
  /**
   * Starts this instance's workers: each fetches one job at a time and awaits `execute(runId)`, so an
   * instance executes at most `workers` runs at once.
   */
  work(execute: (runId: string) => Promise<void>): Promise<void>;
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

interface RunJob {
  runId: string;
}

/**
 * Creates the queue unless it exists. Instances starting together on a new database may deadlock in
 * pg-boss's `create_queue` (each adds constraints to tables the other locks); PostgreSQL then aborts one,
 * which tries again and finds the queue made.
 */
async function createQueueOnce(boss: PgBoss): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await boss.createQueue(runQueueName, { name: runQueueName, policy: 'short', retryLimit: 0 });
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
    // Schedules belong to a later feature; no cron tables are polled meanwhile.
    schedule: false,
    // Runs last as long as their flows; the run's own lease tells a live executor from a dead one.
    expireInHours: 23,
    retryLimit: 0,
  });
  boss.on('error', (error) => logger.warn({ err: error }, 'The run queue had a problem; it goes on'));
  await boss.start();
  await createQueueOnce(boss);
  const workerIds: string[] = [];
  let stopped = false;

  return {
    async enqueue(runIds) {
      for (const runId of runIds) {
        // With the `short` policy a run's second waiting job is refused (send resolves null): one is enough.
        await boss.send(runQueueName, { runId } satisfies RunJob, { singletonKey: runId });
      }
    },

    async work(execute) {
      if (workerIds.length > 0) return;
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
