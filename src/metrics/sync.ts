/**
 * The sync's metrics: records by flow and outcome as pages commit, counted by wrapping the flow runner
 * (its progress reports the flow's counters after each committed page), and the runs in the store by
 * status, read when scraped.
 */
import { count } from 'drizzle-orm';
import type { Database } from '../db/connection.js';
import type { Counters } from '../db/runs.js';
import { syncRunStatuses, syncRuns, type SyncRunStatus } from '../db/schema.js';
import type { FlowRunner } from '../sync/engine/types.js';
import type { FlowName } from '../sync/flows/index.js';

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

/** Runs by status, every status present (0 when none). */
export type RunCounts = Record<SyncRunStatus, number>;

/** One `group by` over the runs kept (the retention period's worth). */
export async function countRunsByStatus(database: Pick<Database, 'db'>): Promise<RunCounts> {
  const rows = await database.db
    .select({ status: syncRuns.status, runs: count() })
    .from(syncRuns)
    .groupBy(syncRuns.status);
  const counts = Object.fromEntries(syncRunStatuses.map((status) => [status, 0])) as RunCounts;
  for (const row of rows) counts[row.status] = Number(row.runs);
  return counts;
}
