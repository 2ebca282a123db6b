/**
 * Status changes of runs and their flows. QUEUED and RUNNING are the only statuses that change; a final
 * status is never overwritten, so an engine that lost a race with a cancel (or with `sweepLeftBehind`, see
 * run-leases.ts) cannot turn the run back.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { HubDb } from './connection.js';
import type { FlowStatusChange, RunStatusChange } from './run-types.js';
import { syncRunFlows, syncRunKeys, syncRuns } from './schema.js';
import { activeRunStatuses, isFinal, type FlowName, type RunStatus } from '../vocabulary.js';

/** The status changes of the run store. */
export interface StatusQueries {
  /**
   * Sets the run's status. A final status also finishes the flows still QUEUED or RUNNING — FAILED if
   * the run failed, CANCELLED otherwise — with the run's error or a note that the run ended first, so a
   * finished run never shows a flow in progress; and deletes the run's key claims. Resolves false, changing nothing, when the run is
   * missing or already final, or held by another instance than `change.owner`.
   */
  setRunStatus(id: string, status: RunStatus, change?: RunStatusChange): Promise<boolean>;
  /**
   * Sets a flow's status (a skipped flow: CANCELLED with the reason as `error`), with its notes when
   * given; RUNNING stamps its start once, a final status its finish and deletes its key claims. Resolves false, changing nothing,
   * when the flow is missing or final, or the run is held by another instance than `change.owner`.
   */
  setFlowStatus(
    runId: string,
    flow: FlowName,
    status: RunStatus,
    change?: FlowStatusChange,
  ): Promise<boolean>;
}

/** The status changes over `db`. */
export function createStatusQueries(db: HubDb): StatusQueries {
  return {
    setRunStatus: (id, status, change = {}) => setRunStatus(db, id, status, change),

    async setFlowStatus(runId, flow, status, change = {}) {
      return db.transaction(async (tx) => {
        const rows = await tx
          .update(syncRunFlows)
          .set({
            status,
            error: change.error,
            estimatedTotal: change.estimatedTotal,
            notes: change.notes && [...change.notes],
            startedAt: status === 'RUNNING' ? sql`coalesce(${syncRunFlows.startedAt}, now())` : undefined,
            finishedAt: isFinal(status) ? sql`now()` : undefined,
          })
          .where(
            and(
              eq(syncRunFlows.runId, runId),
              eq(syncRunFlows.flow, flow),
              inArray(syncRunFlows.status, activeRunStatuses),
              change.owner === undefined
                ? undefined
                : sql`exists (select 1 from ${syncRuns} where ${syncRuns.id} = ${runId} and ${syncRuns.ownerInstance} = ${change.owner})`,
            ),
          )
          .returning({ flow: syncRunFlows.flow });
        if (rows.length === 0) return false;
        await tx
          .update(syncRuns)
          .set({ updatedAt: sql`now()` })
          .where(eq(syncRuns.id, runId));
        if (isFinal(status)) await forgetClaims(tx, [runId], flow);
        return true;
      });
    },
  };
}

async function setRunStatus(
  db: HubDb,
  id: string,
  status: RunStatus,
  change: RunStatusChange,
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [run] = await tx
      .update(syncRuns)
      .set({
        status,
        error: change.error,
        startedAt:
          change.startedAt ??
          (status === 'RUNNING' ? sql`coalesce(${syncRuns.startedAt}, now())` : undefined),
        finishedAt: change.finishedAt ?? (isFinal(status) ? sql`now()` : undefined),
        updatedAt: sql`now()`,
      })
      .where(
        and(
          eq(syncRuns.id, id),
          inArray(syncRuns.status, activeRunStatuses),
          change.owner === undefined ? undefined : eq(syncRuns.ownerInstance, change.owner),
        ),
      )
      .returning({ error: syncRuns.error });
    if (!run) return false;
    if (isFinal(status)) {
      await finishFlows(
        tx,
        [id],
        status === 'FAILED' ? 'FAILED' : 'CANCELLED',
        run.error ?? `the run ended (${status}) before this flow finished`,
      );
    }
    return true;
  });
}

/** Gives the runs' flows still QUEUED or RUNNING a final status, and `error` unless they have one. */
export async function finishFlows(
  tx: HubDb,
  runIds: string[],
  status: RunStatus,
  error: string,
): Promise<void> {
  if (runIds.length === 0) return;
  await tx
    .update(syncRunFlows)
    .set({ status, error: sql`coalesce(${syncRunFlows.error}, ${error})`, finishedAt: sql`now()` })
    .where(and(inArray(syncRunFlows.runId, runIds), inArray(syncRunFlows.status, activeRunStatuses)));
  await forgetClaims(tx, runIds);
}

/**
 * Deletes the key claims of the runs' flows (of `flow` only, when given): a flow that has ended reads no
 * more pages, and a run of 100,000 records would otherwise keep 100,000 rows until it is purged.
 */
async function forgetClaims(tx: HubDb, runIds: string[], flow?: FlowName): Promise<void> {
  await tx
    .delete(syncRunKeys)
    .where(
      and(inArray(syncRunKeys.runId, runIds), flow === undefined ? undefined : eq(syncRunKeys.flow, flow)),
    );
}
