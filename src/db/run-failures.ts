/**
 * A run's failed records: written with their page by `commitPage`, listed for `SyncRun.failures`, and
 * gathered per flow for `retrySyncFailures`.
 */
import { and, asc, count, eq, gt, ilike, max, min, or, sql } from 'drizzle-orm';
import type { HubDb } from './connection.js';
import type {
  FailedKey,
  FailureFilter,
  FailureInput,
  FailureListing,
  Page,
  SyncFailureRecord,
} from './run-types.js';
import { syncFailures, syncRuns } from './schema.js';
import type { FlowName } from '../vocabulary.js';

/**
 * PostgreSQL takes at most 65,535 bind parameters per statement; a failure uses 6, so 5,000 fit with
 * room to spare.
 */
const failuresPerStatement = 5_000;

/** Inserts a page's failures of one flow; called inside the page's transaction. */
export async function insertFailures(
  tx: HubDb,
  runId: string,
  flow: FlowName,
  failures: readonly FailureInput[],
): Promise<void> {
  const rows = failures.map((failure) => ({
    runId,
    flow,
    recordKey: failure.recordKey,
    message: failure.message,
    code: failure.code ?? null,
    attempt: failure.attempt ?? 1,
  }));
  for (let start = 0; start < rows.length; start += failuresPerStatement) {
    await tx.insert(syncFailures).values(rows.slice(start, start + failuresPerStatement));
  }
}

/** The failure queries of the run store. */
export interface FailureQueries {
  /**
   * The run's failures, oldest first, one keyset page at a time; optionally of one flow only, or only
   * those whose key or message contains a text.
   */
  failures(runId: string, listing: FailureListing): Promise<Page<SyncFailureRecord>>;
  /** How many of the run's failures the filter lets through. */
  countFailures(runId: string, filter: FailureFilter): Promise<number>;
  /**
   * Per flow, in the run's flow order, the keys of the records that failed in the run, each once with the
   * highest attempt recorded, in the order they first failed. Flows without failures are absent. What a
   * retry run re-reads; it records its own failures with `attempt + 1`.
   */
  failureKeys(runId: string): Promise<Map<FlowName, FailedKey[]>>;
}

/** The failure queries over `db`. */
export function createFailureQueries(db: HubDb): FailureQueries {
  return {
    async failures(runId, { first, after, ...filter }) {
      assertPageSize(first);
      const rows = await db
        .select()
        .from(syncFailures)
        .where(and(filtered(runId, filter), after != null ? gt(syncFailures.id, after) : undefined))
        .orderBy(asc(syncFailures.id))
        .limit(first + 1);
      return { items: rows.slice(0, first), hasNextPage: rows.length > first };
    },

    async countFailures(runId, filter) {
      const [row] = await db.select({ count: count() }).from(syncFailures).where(filtered(runId, filter));
      return row?.count ?? 0;
    },

    async failureKeys(runId) {
      const rows = await db
        .select({
          flow: syncFailures.flow,
          recordKey: syncFailures.recordKey,
          attempt: max(syncFailures.attempt).mapWith(Number),
        })
        .from(syncFailures)
        .innerJoin(syncRuns, eq(syncRuns.id, syncFailures.runId))
        .where(eq(syncFailures.runId, runId))
        .groupBy(syncRuns.flows, syncFailures.flow, syncFailures.recordKey)
        .orderBy(sql`array_position(${syncRuns.flows}, ${syncFailures.flow})`, min(syncFailures.id));
      const keys = new Map<FlowName, FailedKey[]>();
      for (const { flow, recordKey, attempt } of rows) {
        const ofFlow = keys.get(flow) ?? [];
        ofFlow.push({ recordKey, attempt });
        keys.set(flow, ofFlow);
      }
      return keys;
    },
  };
}

/**
 * `first` as the store takes it: a whole number from 1. GraphQL checks what users pass; this catches the
 * hub's own mistakes, which would otherwise read as an empty page.
 */
export function assertPageSize(first: number): void {
  if (!Number.isSafeInteger(first) || first < 1) {
    throw new RangeError(`first must be a whole number of at least 1, got ${String(first)}.`);
  }
}

/** The run's failures the filter lets through; the search text is matched literally (`%` and `_` too). */
function filtered(runId: string, { flow, search }: FailureFilter) {
  const pattern = search ? `%${search.replace(/[\\%_]/g, '\\$&')}%` : undefined;
  return and(
    eq(syncFailures.runId, runId),
    flow ? eq(syncFailures.flow, flow) : undefined,
    pattern ? or(ilike(syncFailures.recordKey, pattern), ilike(syncFailures.message, pattern)) : undefined,
  );
}
