/**
 * The schedule store: syncs that start by themselves on a cron timing, and one firing row per schedule
 * and due time. The firing row's primary key is what makes a due time fire once however many instances
 * look at it (`claimDueTime`).
 */
import { and, asc, desc, eq, lt, ne, or, sql } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import type { HubDb } from './connection.js';
import { syncScheduleFirings, syncSchedules, type ScheduleAlertEvent, type SyncMode } from './schema.js';
import type { FlowName } from '../vocabulary.js';

export interface ScheduleInput {
  name: string;
  flows: readonly FlowName[];
  mode: SyncMode;
  dryRun: boolean;
  cron: string;
  timeZone: string;
  enabled: boolean;
  /** What raises an alert for the schedule (src/alerts); empty: nothing does. */
  alertOn: readonly ScheduleAlertEvent[];
}

export type ScheduleRecord = typeof syncSchedules.$inferSelect;
type FiringRow = typeof syncScheduleFirings.$inferSelect;
/** A handled due time: what its run's start came to. */
export type FiringRecord = FiringRow & { outcome: FiringOutcome };
export type FiringOutcome = Exclude<FiringRow['outcome'], 'PENDING'>;

/**
 * How long a claimed due time may stay unsettled before it is shown as FAILED: far longer than starting a
 * run takes, so only a claim whose instance stopped between claim and start reaches it.
 */
export const unsettledFiringAfterMs = 2 * 60_000;
const unsettledReason =
  'the instance that took this due time stopped before it recorded its run; a run this schedule started then shows its name as trigger';

/** Why the store refused a schedule change. */
export class ScheduleStoreError extends Error {
  override name = 'ScheduleStoreError';
  constructor(
    readonly code: 'SCHEDULE_NAME_TAKEN' | 'SCHEDULE_NOT_FOUND',
    message: string,
  ) {
    super(message);
  }
}

export interface ScheduleStore {
  create(input: ScheduleInput & { createdBy: string | null }): Promise<ScheduleRecord>;
  get(id: string): Promise<ScheduleRecord | null>;
  /** The schedule of that name (the name its runs carry as their trigger's), or null. */
  getByName(name: string): Promise<ScheduleRecord | null>;
  /** Every schedule, by name. */
  list(): Promise<ScheduleRecord[]>;
  /**
   * Changes the given fields. A changed timing (cron or zone) or a schedule enabled again counts from now:
   * due times before the change are not fired late.
   */
  update(id: string, change: Partial<ScheduleInput>): Promise<ScheduleRecord>;
  /** Deletes the schedule and its firings (its runs stay); resolves false when there was none. */
  delete(id: string): Promise<boolean>;
  /**
   * Takes the due time for this caller: true for exactly one caller per schedule and due time, which then
   * starts the run (or records why not) with `settleFiring`. The schedule's `last_due_at` moves to it.
   */
  claimDueTime(scheduleId: string, dueAt: Date): Promise<boolean>;
  settleFiring(
    scheduleId: string,
    dueAt: Date,
    outcome: FiringOutcome,
    detail: { runId?: string; reason?: string },
  ): Promise<void>;
  /**
   * The schedule's latest handled firings, newest first. A due time still being started is left out; one
   * whose instance stopped before settling it shows as FAILED once `unsettledFiringAfterMs` has passed.
   */
  firings(scheduleId: string, limit: number): Promise<FiringRecord[]>;
}

export function createScheduleStore({ db }: { db: HubDb }): ScheduleStore {
  async function existing(id: string): Promise<ScheduleRecord> {
    const [row] = await db.select().from(syncSchedules).where(eq(syncSchedules.id, id));
    if (!row) throw new ScheduleStoreError('SCHEDULE_NOT_FOUND', `No sync schedule has the id ${id}.`);
    return row;
  }

  async function nameTaken(name: string, exceptId?: string): Promise<void> {
    const [row] = await db
      .select({ id: syncSchedules.id })
      .from(syncSchedules)
      .where(eq(syncSchedules.name, name));
    if (row && row.id !== exceptId)
      throw new ScheduleStoreError(
        'SCHEDULE_NAME_TAKEN',
        `A sync schedule is already called "${name}"; choose another name.`,
      );
  }

  return {
    async create(input) {
      await nameTaken(input.name);
      const [row] = await db
        .insert(syncSchedules)
        .values({
          id: randomUUID(),
          ...input,
          flows: [...input.flows],
          alertOn: [...input.alertOn],
          lastDueAt: sql`now()`,
        })
        .returning();
      return row!;
    },

    async get(id) {
      const [row] = await db.select().from(syncSchedules).where(eq(syncSchedules.id, id));
      return row ?? null;
    },

    async getByName(name) {
      const [row] = await db.select().from(syncSchedules).where(eq(syncSchedules.name, name));
      return row ?? null;
    },

    list: () => db.select().from(syncSchedules).orderBy(asc(syncSchedules.name)),

    async update(id, change) {
      const before = await existing(id);
      if (change.name !== undefined) await nameTaken(change.name, id);
      const retimed =
        (change.cron !== undefined && change.cron !== before.cron) ||
        (change.timeZone !== undefined && change.timeZone !== before.timeZone) ||
        (change.enabled === true && !before.enabled);
      const [row] = await db
        .update(syncSchedules)
        .set({
          ...change,
          flows: change.flows && [...change.flows],
          alertOn: change.alertOn && [...change.alertOn],
          ...(retimed && { lastDueAt: sql`greatest(${syncSchedules.lastDueAt}, now())` }),
          updatedAt: sql`now()`,
        })
        .where(eq(syncSchedules.id, id))
        .returning();
      return row!;
    },

    async delete(id) {
      const rows = await db
        .delete(syncSchedules)
        .where(eq(syncSchedules.id, id))
        .returning({ id: syncSchedules.id });
      return rows.length > 0;
    },

    async claimDueTime(scheduleId, dueAt) {
      return db.transaction(async (tx) => {
        const claimed = await tx
          .insert(syncScheduleFirings)
          .values({ scheduleId, dueAt, outcome: 'PENDING' })
          .onConflictDoNothing()
          .returning({ dueAt: syncScheduleFirings.dueAt });
        if (claimed.length === 0) return false;
        await tx
          .update(syncSchedules)
          .set({ lastDueAt: sql`greatest(${syncSchedules.lastDueAt}, ${dueAt.toISOString()}::timestamptz)` })
          .where(eq(syncSchedules.id, scheduleId));
        return true;
      });
    },

    async settleFiring(scheduleId, dueAt, outcome, { runId, reason }) {
      await db
        .update(syncScheduleFirings)
        .set({ outcome, runId: runId ?? null, reason: reason ?? null })
        .where(and(eq(syncScheduleFirings.scheduleId, scheduleId), eq(syncScheduleFirings.dueAt, dueAt)));
    },

    async firings(scheduleId, limit) {
      const settledBefore = new Date(Date.now() - unsettledFiringAfterMs).toISOString();
      const rows = await db
        .select()
        .from(syncScheduleFirings)
        .where(
          and(
            eq(syncScheduleFirings.scheduleId, scheduleId),
            or(
              ne(syncScheduleFirings.outcome, 'PENDING'),
              lt(syncScheduleFirings.firedAt, sql`${settledBefore}::timestamptz`),
            ),
          ),
        )
        .orderBy(desc(syncScheduleFirings.dueAt))
        .limit(limit);
      return rows.map((row) =>
        row.outcome === 'PENDING'
          ? { ...row, outcome: 'FAILED', reason: unsettledReason }
          : { ...row, outcome: row.outcome },
      );
    },
  };
}
