/**
 * The continuous-sync store: per flow, whether the hub follows it and how often, and what the last look
 * found (src/sync/continuous). No row is the same as switched off.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { HubDb } from './connection.js';
import { continuousSyncs } from './schema.js';
import type { FlowName } from '../vocabulary.js';

export type ContinuousRecord = typeof continuousSyncs.$inferSelect;

/** What one look (or the end of a run it started) found. */
export interface LookOutcome {
  /** The look read the source (a look that waited for a run in hand did not). */
  checked?: boolean;
  /** The look found changes (or, for products, the run wrote some). */
  changeSeen?: boolean;
  /** The run the look started. */
  runId?: string;
  /**
   * Why it failed: the failures in a row grow by one. Null: it went well, back to 0. Left out: neither
   * (it waited for a run, or started one whose end says how it went).
   */
  failure?: string | null;
}

export interface ContinuousStore {
  /** Every flow that has a row, switched on or not. */
  list(): Promise<ContinuousRecord[]>;
  get(flow: FlowName): Promise<ContinuousRecord | null>;
  /**
   * Switches the flow on or off; `intervalSeconds` undefined keeps the flow's own setting, null goes back to
   * the default. Switched on, its next look is due now and its failures are forgotten.
   */
  set(
    flow: FlowName,
    setting: { enabled: boolean; intervalSeconds?: number | null; updatedBy: string | null },
  ): Promise<ContinuousRecord>;
  /** Records a look's outcome; resolves with the failures in a row after it (0 without a row). */
  recordLook(flow: FlowName, outcome: LookOutcome): Promise<number>;
  /**
   * Records how the run continuous sync started ended, as `recordLook` does, unless a later run took its
   * place; resolves with the failures in a row after it, or null when it was not the flow's last run.
   */
  recordRunEnd(flow: FlowName, runId: string, outcome: Omit<LookOutcome, 'runId'>): Promise<number | null>;
  /** When the next look is due; none while switched off. */
  setNextCheck(flow: FlowName, at: Date): Promise<void>;
}

export function createContinuousStore({ db }: { db: HubDb }): ContinuousStore {
  const outcomeColumns = ({ checked = true, changeSeen, runId, failure }: LookOutcome) => ({
    ...(checked && { lastCheckedAt: sql`now()` }),
    ...(changeSeen && { lastChangeSeenAt: sql`now()` }),
    ...(runId !== undefined && { lastRunId: runId }),
    ...(failure === null && { failures: 0, lastError: null }),
    ...(typeof failure === 'string' && {
      failures: sql`${continuousSyncs.failures} + 1`,
      lastError: failure,
    }),
    // Drizzle needs one column to set; this one is always true to set again.
    flow: sql`${continuousSyncs.flow}`,
  });

  return {
    list: () => db.select().from(continuousSyncs),

    async get(flow) {
      const [row] = await db.select().from(continuousSyncs).where(eq(continuousSyncs.flow, flow));
      return row ?? null;
    },

    async set(flow, { enabled, intervalSeconds, updatedBy }) {
      const values = {
        enabled,
        updatedBy,
        updatedAt: sql`now()`,
        ...(intervalSeconds !== undefined && { intervalSeconds }),
        ...(enabled ? { nextCheckAt: sql`now()`, failures: 0, lastError: null } : { nextCheckAt: null }),
      };
      const [row] = await db
        .insert(continuousSyncs)
        .values({ flow, ...values })
        .onConflictDoUpdate({ target: continuousSyncs.flow, set: values })
        .returning();
      return row!;
    },

    async recordLook(flow, outcome) {
      const [row] = await db
        .update(continuousSyncs)
        .set(outcomeColumns(outcome))
        .where(eq(continuousSyncs.flow, flow))
        .returning({ failures: continuousSyncs.failures });
      return row?.failures ?? 0;
    },

    async recordRunEnd(flow, runId, outcome) {
      const [row] = await db
        .update(continuousSyncs)
        .set(outcomeColumns({ ...outcome, checked: false }))
        .where(and(eq(continuousSyncs.flow, flow), eq(continuousSyncs.lastRunId, runId)))
        .returning({ failures: continuousSyncs.failures });
      return row ? row.failures : null;
    },

    async setNextCheck(flow, at) {
      await db
        .update(continuousSyncs)
        .set({ nextCheckAt: at })
        .where(and(eq(continuousSyncs.flow, flow), eq(continuousSyncs.enabled, true)));
    },
  };
}
