/**
 * Firing the schedules that are due: run at every tick of the job engine's cron (once a minute across
 * all instances; any instance may take it), and safe to run on several instances at once. For each
 * enabled schedule it takes the latest due time since the one handled last — one for a stretch of missed
 * ones, so a hub that was down fires once when it is back — and claims it in the database (one firing row
 * per schedule and due time: exactly one caller wins). The winner starts the run; a due time whose flows
 * still run from an earlier run is skipped and recorded with the reason, never queued up (the Data
 * Integrator's rule).
 */
import type { ScheduleStore } from '../../db/schedules.js';
import type { Logger } from '../../logging.js';
import { SyncRequestError, type SyncManager } from '../runs/types.js';
import { skippedInARowAlert, type Alerts } from '../../alerts/index.js';
import { latestDueTime } from './cron.js';

export interface FireDependencies {
  schedules: ScheduleStore;
  start: SyncManager['start'];
  logger: Logger;
  /** The clock. Default: now. */
  now?: () => Date;
  /** Told of each skip, with how many due times in a row the schedule has now skipped. Default: none. */
  alerts?: Pick<Alerts, 'scheduleSkipped'>;
}

/** What became of one due time this caller claimed. */
export interface Fired {
  scheduleId: string;
  dueAt: Date;
  outcome: 'STARTED' | 'SKIPPED' | 'FAILED';
  runId?: string;
  reason?: string;
}

/** Fires every schedule due now whose due time no other caller claimed; resolves with what it fired. */
export async function fireDueSchedules({
  schedules,
  start,
  logger,
  now = () => new Date(),
  alerts,
}: FireDependencies): Promise<Fired[]> {
  const at = now();
  const fired: Fired[] = [];
  for (const schedule of await schedules.list()) {
    if (!schedule.enabled) continue;
    let dueAt: Date | null;
    try {
      dueAt = latestDueTime(schedule, schedule.lastDueAt ?? schedule.createdAt, at);
    } catch (error) {
      // Timings are checked when stored; one that still cannot be read stops only its own schedule.
      logger.error({ err: error, scheduleId: schedule.id }, 'sync schedule has a timing that cannot be read');
      continue;
    }
    if (!dueAt || !(await schedules.claimDueTime(schedule.id, dueAt))) continue;
    const log = logger.child({
      scheduleId: schedule.id,
      schedule: schedule.name,
      dueAt: dueAt.toISOString(),
    });
    let outcome: Fired;
    try {
      const { run } = await start({
        flows: schedule.flows,
        mode: schedule.mode,
        dryRun: schedule.dryRun,
        requestedBy: null,
        trigger: { kind: 'SCHEDULE', name: schedule.name },
      });
      outcome = { scheduleId: schedule.id, dueAt, outcome: 'STARTED', runId: run.id };
      log.info({ runId: run.id }, 'sync schedule fired');
    } catch (error) {
      if (error instanceof SyncRequestError && error.code === 'SYNC_ALREADY_RUNNING') {
        const reason = `skipped: its flows were still running from run ${error.runId}`;
        outcome = { scheduleId: schedule.id, dueAt, outcome: 'SKIPPED', reason };
        log.warn({ runId: error.runId }, `sync schedule ${reason}`);
      } else {
        const reason =
          error instanceof SyncRequestError
            ? error.message
            : 'the run could not be started; the hub’s log has why';
        outcome = { scheduleId: schedule.id, dueAt, outcome: 'FAILED', reason };
        log.error({ err: error }, 'sync schedule could not start its run');
      }
    }
    await schedules.settleFiring(schedule.id, dueAt, outcome.outcome, outcome);
    fired.push(outcome);
    if (outcome.outcome === 'SKIPPED' && alerts) {
      const latest = await schedules.firings(schedule.id, skippedInARowAlert + 1);
      const inARow = latest.findIndex((firing) => firing.outcome !== 'SKIPPED');
      await alerts.scheduleSkipped(
        schedule,
        { dueAt, reason: outcome.reason! },
        inARow === -1 ? latest.length : inARow,
      );
    }
  }
  return fired;
}
