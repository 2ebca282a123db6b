/**
 * Runs triggered by Sales: a webhook call says a record of a flow changed, and an INCREMENTAL run of that
 * flow follows, debounced so that a burst of saves gives a handful of runs. The call is only a hint:
 * what is written always comes from the change feed, so a forged or replayed call costs at most a read.
 * Requests go through the job engine (pg-boss `sendDebounced`: at most one job per flow and window, the
 * rest of the burst folded into the next), so any instance may receive the calls and any may start the run.
 */
import type PgBoss from 'pg-boss';
import type { Logger } from '../../logging.js';
import { incrementalRunOf, SyncRequestError, type SyncManager } from '../runs/types.js';
import type { FlowName } from '../flows/index.js';
import { createQueueOnce } from '../runs/job-engine.js';

/** The queue the debounced requests wait in. */
export const webhookQueueName = 'sync-webhook';

export interface WebhookTrigger {
  /** Asks for an INCREMENTAL run of `flow` at the end of the current window. */
  request(flow: FlowName): Promise<void>;
  /** Starts this instance's worker. */
  start(): Promise<void>;
}

export interface WebhookTriggerOptions {
  engine: PgBoss;
  start: SyncManager['start'];
  logger: Logger;
  /** The debounce window, in seconds. Default 5. */
  windowSeconds?: number;
}

interface WebhookJob {
  flow: FlowName;
}

export function createWebhookTrigger(options: WebhookTriggerOptions): WebhookTrigger {
  const { engine, start, logger, windowSeconds = 5 } = options;
  let ready: Promise<void> | null = null;
  const queue = () =>
    (ready ??= createQueueOnce(engine, webhookQueueName, { policy: 'standard', retryLimit: 0 }));

  async function request(flow: FlowName): Promise<void> {
    await queue();
    await engine.sendDebounced(webhookQueueName, { flow } satisfies WebhookJob, {}, windowSeconds, flow);
  }

  return {
    request,
    async start() {
      await queue();
      await engine.work<WebhookJob>(
        webhookQueueName,
        { batchSize: 1, pollingIntervalSeconds: 1 },
        async ([job]) => {
          if (!job) return;
          const { flow } = job.data;
          try {
            const { run } = await start(incrementalRunOf(flow, 'WEBHOOK'));
            logger.info({ flow, runId: run.id }, 'sync run started by a Sales webhook');
          } catch (error) {
            if (error instanceof SyncRequestError && error.code === 'SYNC_ALREADY_RUNNING') {
              // The run in progress may have read past the change already, or not: ask again in a window.
              await request(flow);
              return;
            }
            logger.warn({ err: error, flow }, 'A Sales webhook could not start its sync run');
          }
        },
      );
    },
  };
}
