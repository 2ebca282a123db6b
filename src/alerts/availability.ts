/**
 * Whether Sales and Finance answer, watched once a minute by one instance (a cron job of the job engine),
 * and recorded in `system_availability`: a failed look opens an outage (`down_since`), a look that gets an
 * answer closes it. An outage that lasts `unavailableMinutes` raises `system.unavailable` once, and, once
 * alerted, its end raises `system.available` once. However many instances look at the same time, each
 * alert is raised by exactly one: the one whose conditional update claimed it (set `alerted_at` where it
 * was null; cleared `down_since` where it was set) and got the row back.
 *
 * A system throttling the hub (HTTP 429) answers: it is not down. What is stored and sent about a failed
 * look is a sentence of the hub's own (the probe's), never a URL, a message from the system or a stack.
 */
import { and, eq, isNotNull, isNull, lte, sql } from 'drizzle-orm';
import type PgBoss from 'pg-boss';
import type { HubDb } from '../db/connection.js';
import { systemAvailability } from '../db/schema.js';
import type { Logger } from '../logging.js';
import { createQueueOnce, minuteJobPollingSeconds } from '../sync/runs/job-engine.js';
import { systemLabels, systemNames, type SystemName } from '../vocabulary.js';
import type { Alerts, SystemOutage } from './index.js';
import { defaultUnavailableMinutes } from './settings.js';

/** What one request to a system found: `degraded` is a system throttling the hub, which still answers. */
export interface SystemStatus {
  status: 'up' | 'degraded' | 'down';
  /** Why it is down, in a sentence without internals. */
  error?: string;
}

/** Asks each system once (one cheap request each) and says what it found; never rejects. */
export type SystemsProbe = () => Promise<Record<SystemName, SystemStatus>>;

/** The queue the job engine's cron sends the minute's look to. */
export const availabilityQueueName = 'system-availability-check';

export interface AvailabilityCheckOptions {
  db: HubDb;
  probe: SystemsProbe;
  alerts: Pick<Alerts, 'systemUnavailable' | 'systemAvailable'>;
  /** Minutes a system stays unavailable before its alert. Default `defaultUnavailableMinutes` (5). */
  unavailableMinutes?: number;
  /** The time of this look (the tests' clock). Default: now. */
  now?: Date;
  /** Where outages starting and ending are told. Default: nowhere. */
  logger?: Logger;
}

/** What one look found for one system, and the alert this caller raised for it, if any. */
export interface SystemLook {
  system: SystemName;
  available: boolean;
  raised: 'system.unavailable' | 'system.available' | null;
}

/** One look at both systems, recorded; raises the alerts this caller claimed. */
export async function checkAvailability({
  db,
  probe,
  alerts,
  unavailableMinutes = defaultUnavailableMinutes,
  now = new Date(),
  logger,
}: AvailabilityCheckOptions): Promise<SystemLook[]> {
  const found = await probe();
  const looks: SystemLook[] = [];
  for (const system of systemNames) {
    const { status, error } = found[system];
    if (status === 'down') {
      const reason = error ?? `${systemLabels[system]} did not answer.`;
      const outage = await recordDown(db, system, reason, now);
      if (outage.downSince.getTime() === now.getTime())
        logger?.warn({ system }, `${systemLabels[system]} does not answer: ${reason}`);
      const claimed = await claimUnavailable(db, system, now, unavailableMinutes);
      if (claimed) {
        logger?.error(
          { system, downSince: claimed.downSince.toISOString() },
          `${systemLabels[system]} has not answered for ${unavailableMinutes} minute(s) or more; alert raised`,
        );
        await alerts.systemUnavailable(claimed);
      }
      looks.push({ system, available: false, raised: claimed ? 'system.unavailable' : null });
    } else {
      const ended = await claimAvailable(db, system, now);
      if (ended) {
        logger?.info(
          { system, downSince: ended.outage.downSince.toISOString() },
          `${systemLabels[system]} answers again`,
        );
        if (ended.alerted) await alerts.systemAvailable(ended.outage);
      } else {
        await db
          .insert(systemAvailability)
          .values({ system, lastCheckedAt: now })
          .onConflictDoUpdate({ target: systemAvailability.system, set: { lastCheckedAt: now } });
      }
      looks.push({ system, available: true, raised: ended?.alerted ? 'system.available' : null });
    }
  }
  return looks;
}

/** Records a failed look: the outage begins now unless it began earlier. */
async function recordDown(db: HubDb, system: SystemName, reason: string, now: Date): Promise<SystemOutage> {
  const [row] = await db
    .insert(systemAvailability)
    .values({ system, downSince: now, lastCheckedAt: now, lastError: reason })
    .onConflictDoUpdate({
      target: systemAvailability.system,
      set: {
        downSince: sql`coalesce(${systemAvailability.downSince}, excluded.down_since)`,
        lastCheckedAt: now,
        lastError: reason,
      },
    })
    .returning();
  return { system, downSince: row!.downSince!, lastError: row!.lastError };
}

/**
 * Takes the outage's alert for this caller when it has lasted long enough: the update sets `alerted_at`
 * only where it is still null, so of any number of callers exactly one gets the row back.
 */
async function claimUnavailable(
  db: HubDb,
  system: SystemName,
  now: Date,
  unavailableMinutes: number,
): Promise<SystemOutage | null> {
  const since = new Date(now.getTime() - unavailableMinutes * 60_000);
  const [row] = await db
    .update(systemAvailability)
    .set({ alertedAt: now })
    .where(
      and(
        eq(systemAvailability.system, system),
        isNull(systemAvailability.alertedAt),
        isNotNull(systemAvailability.downSince),
        lte(systemAvailability.downSince, since),
      ),
    )
    .returning();
  return row ? { system, downSince: row.downSince!, lastError: row.lastError } : null;
}

/**
 * Ends the outage for this caller, if there is one: the update clears `down_since` only where it is set,
 * so one caller gets the row back, with the outage as it was (the row locked first, so a caller that
 * waited for another's update finds it ended and gets nothing).
 */
async function claimAvailable(
  db: HubDb,
  system: SystemName,
  now: Date,
): Promise<{ outage: SystemOutage; alerted: boolean } | null> {
  const { rows } = await db.execute<{
    down_since: Date | string;
    last_error: string | null;
    alerted_at: Date | string | null;
  }>(sql`
    update system_availability as s
       set down_since = null, last_error = null, alerted_at = null, last_checked_at = ${now.toISOString()}::timestamptz
      from (select system, down_since, last_error, alerted_at
              from system_availability where system = ${system} for update) as old
     where s.system = old.system and s.down_since is not null
    returning old.down_since, old.last_error, old.alerted_at`);
  const [old] = rows;
  if (!old) return null;
  return {
    outage: { system, downSince: new Date(old.down_since), lastError: old.last_error },
    alerted: old.alerted_at !== null,
  };
}

export interface AvailabilityWatchOptions extends Omit<AvailabilityCheckOptions, 'now'> {
  /** The job engine whose cron sends the minute's look to one instance. */
  engine: PgBoss;
  logger: Logger;
}

export interface AvailabilityWatch {
  /** One look now (what the minute's job does); `now` replaces the clock. */
  check(options?: { now?: Date }): Promise<SystemLook[]>;
  /** Takes this instance's part in the minute's looks. */
  start(): Promise<void>;
}

export function createAvailabilityWatch(options: AvailabilityWatchOptions): AvailabilityWatch {
  const { engine, logger } = options;
  const check: AvailabilityWatch['check'] = ({ now } = {}) =>
    checkAvailability({ ...options, ...(now && { now }) });
  return {
    check,
    async start() {
      await createQueueOnce(engine, availabilityQueueName);
      // Every minute, one job across all instances (the engine's cron sends it once).
      await engine.schedule(availabilityQueueName, '* * * * *');
      const polling = { batchSize: 1, pollingIntervalSeconds: minuteJobPollingSeconds };
      await engine.work(availabilityQueueName, polling, async () => {
        try {
          await check();
        } catch (error) {
          // The database briefly away: the next minute's look tries again. The message only, no stack.
          const message = error instanceof Error ? error.message : String(error);
          logger.error(`The look at whether Sales and Finance answer failed; trying next minute: ${message}`);
        }
      });
    },
  };
}
