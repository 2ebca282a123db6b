/**
 * The sync's metrics: records by flow and outcome as pages commit, counted by wrapping the flow runner
 * (its progress reports the flow's counters after each committed page), and the runs in the store by
 * status, read when scraped.
 */
import { count, sql } from 'drizzle-orm';
import type { Database } from '../db/connection.js';
import type { Counters } from '../db/runs.js';
import { syncRuns } from '../db/schema.js';
import type { FlowRunner } from '../sync/engine/types.js';
import { isFinal, runStatuses, type FlowName, type RunStatus } from '../vocabulary.js';

/** The outcomes counted per record; `read` is not one (every record read has one of these). */
export const recordOutcomes = ['created', 'updated', 'unchanged', 'skipped', 'failed'] as const;
export type RecordOutcome = (typeof recordOutcomes)[number];

/**
 * `runner`, telling `committed` each page's increments as it commits. The runner reports the flow's
 * counters so far (from zero for each flow run, a resumed one included), so the increments are the
 * difference from its previous report.
 */
export function countCommittedRecords(
  runner: FlowRunner,
  committed: (flow: FlowName, increments: Record<RecordOutcome, number>) => void,
): FlowRunner {
  return (request) => {
    let previous: Counters | null = null;
    return runner({
      ...request,
      onProgress(progress) {
        const increments = Object.fromEntries(
          recordOutcomes.map((outcome) => [
            outcome,
            Math.max(0, progress.counters[outcome] - (previous?.[outcome] ?? 0)),
          ]),
        ) as Record<RecordOutcome, number>;
        previous = progress.counters;
        try {
          committed(request.flow, increments);
        } finally {
          request.onProgress(progress);
        }
      },
    });
  };
}

/**
 * Runs by status, every status present (0 when none), and `waiting`: the runs in progress that no
 * instance executes (queued, or released by an instance that went away), which the job workers pick up.
 */
export type RunCounts = Record<RunStatus, number> & { waiting: number };

/** One `group by` over the runs kept (the retention period's worth). */
export async function countRunsByStatus(database: Pick<Database, 'db'>): Promise<RunCounts> {
  const rows = await database.db
    .select({
      status: syncRuns.status,
      runs: count(),
      waiting: sql<number>`count(*) filter (where ${syncRuns.ownerInstance} is null)`,
    })
    .from(syncRuns)
    .groupBy(syncRuns.status);
  const counts = {
    ...(Object.fromEntries(runStatuses.map((status) => [status, 0])) as Record<RunStatus, number>),
    waiting: 0,
  };
  for (const row of rows) {
    counts[row.status] = Number(row.runs);
    if (!isFinal(row.status)) counts.waiting += Number(row.waiting);
  }
  return counts;
}
