/**
 * Alerts: when a run ends COMPLETED_WITH_ERRORS or FAILED, a schedule is skipped several due times in a
 * row, or Sales or Finance stays unavailable (and when it answers again, availability.ts), the hub posts a
 * JSON body to the configured webhook (`HUB_ALERT_WEBHOOK_URL`; e-mail or chat can hang off it). A run a
 * schedule started, and that schedule's skips, alert only for what the schedule's `alert_on` lists. Each
 * alert is a job of the job engine, so any instance delivers it and a receiver that fails is tried again
 * with backoff; the body is made once, when the alert is raised, so every attempt sends the same bytes.
 * It is signed with HMAC-SHA256 over the body with `HUB_ALERT_WEBHOOK_SECRET`
 * (`X-P2C-Signature-256: sha256=<hex>`, as GitHub signs its webhooks), and each delivery's outcome is
 * recorded (table alert_deliveries; `alertDeliveries` in GraphQL).
 */
import { createHmac, randomUUID } from 'node:crypto';
import { asc, desc, eq, sql } from 'drizzle-orm';
import type PgBoss from 'pg-boss';
import type { HubDb } from '../db/connection.js';
import type { RunStore } from '../db/runs.js';
import type { ScheduleRecord, ScheduleStore } from '../db/schedules.js';
import { alertDeliveries, systemAvailability, type ScheduleAlertEvent } from '../db/schema.js';
import type { Logger } from '../logging.js';
import { createQueueOnce } from '../sync/runs/job-engine.js';
import type { AlertTarget } from './settings.js';

/** The queue alerts wait in for delivery. */
export const alertQueueName = 'alert-delivery';
/** Attempts after the first, each after a wait that doubles from one second (about a minute in all). */
export const alertRetries = 5;
/** How many failed records of a run an alert lists. */
const firstFailures = 5;
/** How many skipped due times in a row make an alert (once, when the count reaches it). */
export const skippedInARowAlert = 3;

export type AlertDelivery = typeof alertDeliveries.$inferSelect;
export type SystemAvailability = typeof systemAvailability.$inferSelect;

/** What a run's end is to a schedule's alert settings. */
const runAlertEvents = {
  FAILED: 'RUN_FAILED',
  COMPLETED_WITH_ERRORS: 'RUN_COMPLETED_WITH_ERRORS',
} as const satisfies Record<string, ScheduleAlertEvent>;

/** An outage of one system, as its alerts tell it. */
export interface SystemOutage {
  system: SystemAvailability['system'];
  /** When the system first failed to answer, in this outage. */
  downSince: Date;
  /** What the last failed look found, in the hub's own words (never the system's message). */
  lastError: string | null;
}

export interface Alerts {
  /**
   * Raises an alert if the run ended COMPLETED_WITH_ERRORS or FAILED, unless a schedule started it whose
   * `alertOn` leaves that outcome out (a schedule deleted or renamed since: the alert is raised).
   */
  runFinished(runId: string): Promise<void>;
  /**
   * Raises an alert when a schedule has just been skipped `inARow` due times in a row (at the threshold),
   * if its `alertOn` lists SCHEDULE_SKIPPED.
   */
  scheduleSkipped(
    schedule: Pick<ScheduleRecord, 'id' | 'name' | 'alertOn'>,
    skipped: { dueAt: Date; reason: string },
    inARow: number,
  ): Promise<void>;
  /** Raises `system.unavailable`; the caller has claimed the outage's alert (availability.ts). */
  systemUnavailable(outage: SystemOutage): Promise<void>;
  /** Raises `system.available` for an outage that was alerted; the caller has claimed it (availability.ts). */
  systemAvailable(outage: SystemOutage): Promise<void>;
  /** Starts delivering (this instance's worker). */
  start(): Promise<void>;
  /** The latest deliveries, newest first. */
  deliveries(first: number): Promise<AlertDelivery[]>;
  /** Each system the hub has looked at, by name: whether it answers, and since when it does not. */
  systemAvailability(): Promise<SystemAvailability[]>;
}

export interface AlertOptions {
  engine: PgBoss;
  db: HubDb;
  runs: RunStore;
  /** The schedules, whose `alertOn` says which of their runs' ends and skips alert. */
  schedules: Pick<ScheduleStore, 'getByName'>;
  /** Where alerts go; null: none are raised. */
  target: AlertTarget | null;
  /** The hub's address as people reach it, for links to the dashboard. */
  publicUrl: () => string;
  logger: Logger;
  /** The receiver's time to answer one attempt. Default 10 s. */
  timeoutMs?: number;
}

interface AlertJob {
  deliveryId: string;
  event: string;
  body: string;
}

export function createAlerts(options: AlertOptions): Alerts {
  const { engine, db, runs, schedules, target, publicUrl, logger, timeoutMs = 10_000 } = options;
  let queueReady: Promise<void> | null = null;
  const ready = () =>
    (queueReady ??= createQueueOnce(engine, alertQueueName, {
      policy: 'standard',
      retryLimit: alertRetries,
      retryDelay: 1,
      retryBackoff: true,
    }));

  async function raise(
    event: string,
    refs: { runId?: string; scheduleId?: string },
    payload: Record<string, unknown>,
  ): Promise<void> {
    if (!target) return;
    const deliveryId = randomUUID();
    const body = JSON.stringify({ event, deliveryId, occurredAt: new Date().toISOString(), ...payload });
    await ready();
    await db.insert(alertDeliveries).values({
      id: deliveryId,
      event,
      runId: refs.runId ?? null,
      scheduleId: refs.scheduleId ?? null,
      status: 'PENDING',
    });
    await engine.send(alertQueueName, { deliveryId, event, body } satisfies AlertJob);
  }

  async function deliver(job: PgBoss.JobWithMetadata<AlertJob>): Promise<void> {
    if (!target) return;
    const { deliveryId, event, body } = job.data;
    const signature = createHmac('sha256', target.secret).update(body).digest('hex');
    let status: number | null = null;
    let problem: string | null = null;
    try {
      const response = await fetch(target.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'p2c-hub-alerts',
          'X-P2C-Event': event,
          'X-P2C-Delivery': deliveryId,
          'X-P2C-Signature-256': `sha256=${signature}`,
        },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = response.status;
      await response.body?.cancel();
      if (!response.ok) problem = `the receiver answered ${response.status}`;
    } catch (error) {
      problem =
        error instanceof Error && error.name === 'TimeoutError'
          ? `the receiver did not answer within ${timeoutMs} ms`
          : `the receiver could not be reached (${(error as { cause?: { code?: string } }).cause?.code ?? (error instanceof Error ? error.message : String(error))})`;
    }
    const last = job.retryCount >= job.retryLimit;
    await db
      .update(alertDeliveries)
      .set({
        attempts: sql`${alertDeliveries.attempts} + 1`,
        lastStatus: status,
        lastError: problem,
        status: problem === null ? 'DELIVERED' : last ? 'FAILED' : 'PENDING',
        ...(problem === null && { deliveredAt: sql`now()` }),
      })
      .where(eq(alertDeliveries.id, deliveryId));
    if (problem !== null) {
      logger.warn(
        { deliveryId, event, attempt: job.retryCount + 1 },
        `An alert could not be delivered: ${problem}${last ? '; no more attempts' : '; trying again'}`,
      );
      // Thrown, so the job engine tries again after its backoff.
      throw new Error(problem);
    }
  }

  return {
    async runFinished(runId) {
      if (!target) return;
      const run = await runs.getRun(runId);
      if (!run || (run.status !== 'FAILED' && run.status !== 'COMPLETED_WITH_ERRORS')) return;
      if (run.triggerKind === 'SCHEDULE' && run.triggerName !== null) {
        const schedule = await schedules.getByName(run.triggerName);
        if (schedule && !schedule.alertOn.includes(runAlertEvents[run.status])) return;
      }
      const failures = await runs.failures(runId, { first: firstFailures });
      await raise(
        'sync.run.finished',
        { runId },
        {
          run: {
            id: run.id,
            status: run.status,
            mode: run.mode,
            dryRun: run.dryRun,
            trigger: { kind: run.triggerKind, name: run.triggerName },
            requestedBy: run.requestedBy,
            error: run.error,
            startedAt: run.startedAt?.toISOString() ?? null,
            finishedAt: run.finishedAt?.toISOString() ?? null,
            totals: run.totals,
            flows: run.flows.map(({ flow, status, counters, error }) => ({ flow, status, counters, error })),
          },
          firstFailures: failures.items.map(({ flow, recordKey, message, code }) => ({
            flow,
            recordKey,
            message,
            code,
          })),
          link: `${publicUrl()}/dashboard/runs/${run.id}`,
        },
      );
    },

    async scheduleSkipped(schedule, skipped, inARow) {
      if (inARow !== skippedInARowAlert || !schedule.alertOn.includes('SCHEDULE_SKIPPED')) return;
      await raise(
        'sync.schedule.skipped',
        { scheduleId: schedule.id },
        {
          schedule: { id: schedule.id, name: schedule.name },
          skippedInARow: inARow,
          lastDueAt: skipped.dueAt.toISOString(),
          reason: skipped.reason,
          link: `${publicUrl()}/dashboard/`,
        },
      );
    },

    systemUnavailable: (outage) => raise('system.unavailable', {}, systemBody(outage)),
    systemAvailable: (outage) => raise('system.available', {}, systemBody(outage)),

    async start() {
      if (!target) return;
      await ready();
      await engine.work<AlertJob>(
        alertQueueName,
        { batchSize: 1, includeMetadata: true, pollingIntervalSeconds: 1 },
        async ([job]) => {
          if (job) await deliver(job);
        },
      );
    },

    deliveries: (first) =>
      db.select().from(alertDeliveries).orderBy(desc(alertDeliveries.createdAt)).limit(first),

    systemAvailability: () => db.select().from(systemAvailability).orderBy(asc(systemAvailability.system)),
  };

  function systemBody({ system, downSince, lastError }: SystemOutage): Record<string, unknown> {
    return {
      system: { name: system, downSince: downSince.toISOString(), lastError },
      link: `${publicUrl()}/dashboard/`,
    };
  }
}
