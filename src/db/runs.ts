/**
 * The run store: the sync's durable state. Runs and their flows move QUEUED → RUNNING → a final status;
 * pages commit their outcomes with the cursor advance (run-pages.ts); failures are kept per record for
 * retries (run-failures.ts). Each run in progress is held by the instance executing it (run-leases.ts):
 * when that instance goes away, another takes the run over from the last committed cursor. Finished runs
 * are purged after a retention period.
 */
import {
  and,
  arrayContains,
  arrayOverlaps,
  asc,
  desc,
  eq,
  gte,
  inArray,
  lt,
  max,
  notInArray,
  sql,
} from 'drizzle-orm';
import type { Database, HubDb } from './connection.js';
import { newRunId, type RunIdGenerator } from './run-ids.js';
import { assertPageSize, createFailureQueries, type FailureQueries } from './run-failures.js';
import { createLeaseQueries, type LeaseQueries, ownerColumns } from './run-leases.js';
import { createPageQueries, type PageQueries } from './run-pages.js';
import { createStatusQueries, type StatusQueries } from './run-status.js';
import {
  RunStoreError,
  type Counters,
  type NewRun,
  type Page,
  type RunListing,
  type SyncRunFlowRecord,
  type SyncRunRecord,
} from './run-types.js';
import { counterNames, syncRunFlows, syncRuns, syncScheduleFirings, type SyncRunRow } from './schema.js';
import { activeRunStatuses, flowNames, type FlowName } from '../vocabulary.js';
import { defaultRetentionDays } from './retention.js';

export * from './run-types.js';
export type { FailureQueries } from './run-failures.js';
export type { PageQueries } from './run-pages.js';
export type { StatusQueries } from './run-status.js';
export type { LeaseQueries, LeftBehindOptions, RunOwner } from './run-leases.js';

// The default of `purgeOlderThan`, as the hub (src/hub.ts) imports it from the run store.
export { defaultRetentionDays };

export interface RunStore extends StatusQueries, LeaseQueries, PageQueries, FailureQueries {
  /** Creates a QUEUED run with one QUEUED flow row per flow, and returns it. */
  createRun(run: NewRun): Promise<SyncRunRecord>;
  /** The run with its flows, or null. */
  getRun(id: string): Promise<SyncRunRecord | null>;
  /** The runs of `ids` with their flows, in two queries whatever their number; missing ones left out. */
  getRuns(ids: readonly string[]): Promise<SyncRunRecord[]>;
  /** Runs newest first, one keyset page at a time (stable while runs are added); optionally of one status. */
  listRuns(listing: RunListing): Promise<Page<SyncRunRecord>>;
  /**
   * Deletes the runs that finished more than `days` days ago (default `defaultRetentionDays`), with their
   * flows and failures, and the schedules' firings as old; runs in progress are kept whatever their age.
   * Resolves with how many runs it deleted.
   */
  purgeOlderThan(days?: number): Promise<number>;
  /** Per flow, the id of the newest run that includes it; flows no kept run includes are absent. */
  lastRunIds(): Promise<Map<FlowName, string>>;
  /** The id of a QUEUED or RUNNING run that includes the flow (the oldest), or null. */
  runningRunFor(flow: FlowName): Promise<string | null>;
  /** The runs changed at or after `since` (the database's clock), oldest change first, at most `limit`. */
  changedSince(since: Date, limit?: number): Promise<SyncRunRecord[]>;
}

export interface RunStoreOptions {
  /** Makes run ids; they must sort in creation order. Default: the process's UUIDv7 generator. */
  newId?: RunIdGenerator;
}

/**
 * A run store over `database.db` — a database from `openDatabase`, or `{ db: tx }` inside a drizzle
 * transaction.
 */
export function createRunStore(database: Pick<Database, 'db'>, options: RunStoreOptions = {}): RunStore {
  const { db } = database;
  const { newId = newRunId } = options;

  async function withFlows(runs: SyncRunRow[]): Promise<SyncRunRecord[]> {
    if (runs.length === 0) return [];
    const flows = await db
      .select()
      .from(syncRunFlows)
      .where(
        inArray(
          syncRunFlows.runId,
          runs.map((run) => run.id),
        ),
      );
    return runs.map((run) => toRunRecord(run, flows));
  }

  return {
    ...createStatusQueries(db),
    ...createLeaseQueries(db),
    ...createPageQueries(db),
    ...createFailureQueries(db),

    createRun: (run) => createRun(db, run, newId()),

    async getRun(id) {
      const rows = await db.select().from(syncRuns).where(eq(syncRuns.id, id));
      const [run] = await withFlows(rows);
      return run ?? null;
    },

    async getRuns(ids) {
      if (ids.length === 0) return [];
      return withFlows(
        await db
          .select()
          .from(syncRuns)
          .where(inArray(syncRuns.id, [...ids])),
      );
    },

    async listRuns({ first, after, status }) {
      assertPageSize(first);
      const rows = await db
        .select()
        .from(syncRuns)
        .where(
          and(status ? eq(syncRuns.status, status) : undefined, after ? lt(syncRuns.id, after) : undefined),
        )
        .orderBy(desc(syncRuns.id))
        .limit(first + 1);
      return { items: await withFlows(rows.slice(0, first)), hasNextPage: rows.length > first };
    },

    async lastRunIds() {
      // Run ids are time-ordered: the greatest per flow is the newest. One small query per flow.
      const found = await Promise.all(
        flowNames.map(async (flow) => {
          const [row] = await db
            .select({ id: max(syncRuns.id) })
            .from(syncRuns)
            .where(arrayContains(syncRuns.flows, [flow]));
          return [flow, row?.id ?? null] as const;
        }),
      );
      return new Map(found.filter((entry): entry is [FlowName, string] => entry[1] !== null));
    },

    async purgeOlderThan(days = defaultRetentionDays) {
      if (!Number.isFinite(days) || days < 0) {
        throw new RangeError(`purgeOlderThan expects a number of days of at least 0, got ${String(days)}.`);
      }
      // A final run always has finished_at (setRunStatus stamps it); created_at only guards rows written
      // by hand.
      const rows = await db
        .delete(syncRuns)
        .where(
          and(
            notInArray(syncRuns.status, [...activeRunStatuses]),
            sql`coalesce(${syncRuns.finishedAt}, ${syncRuns.createdAt}) < now() - ${days}::double precision * interval '1 day'`,
          ),
        )
        .returning({ id: syncRuns.id });
      // A schedule's history follows the runs': its firings are kept as long.
      await db
        .delete(syncScheduleFirings)
        .where(sql`${syncScheduleFirings.firedAt} < now() - ${days}::double precision * interval '1 day'`);
      return rows.length;
    },

    async changedSince(since, limit = 1_000) {
      const rows = await db
        .select()
        .from(syncRuns)
        .where(gte(syncRuns.updatedAt, since))
        .orderBy(asc(syncRuns.updatedAt))
        .limit(limit);
      return withFlows(rows);
    },

    async runningRunFor(flow) {
      const [run] = await db
        .select({ id: syncRuns.id })
        .from(syncRuns)
        .where(and(inArray(syncRuns.status, activeRunStatuses), arrayContains(syncRuns.flows, [flow])))
        .orderBy(asc(syncRuns.id))
        .limit(1);
      return run?.id ?? null;
    },
  };
}

async function createRun(db: HubDb, input: NewRun, id: string): Promise<SyncRunRecord> {
  const flows = checkedFlows(input.flows);
  return db.transaction(async (tx) => {
    if (input.exclusive) await refuseIfBusy(tx, flows);
    const [run] = await tx
      .insert(syncRuns)
      .values({
        id,
        status: 'QUEUED',
        mode: input.mode,
        dryRun: input.dryRun,
        requestedBy: input.requestedBy ?? null,
        flows,
        retryOf: input.retryOf ?? null,
        ...(input.owner && ownerColumns(input.owner.owner, input.owner.leaseMs)),
        ...(input.trigger && { triggerKind: input.trigger.kind, triggerName: input.trigger.name }),
      })
      .returning();
    const flowRows = await tx
      .insert(syncRunFlows)
      .values(flows.map((flow) => ({ runId: id, flow, status: 'QUEUED' as const })))
      .returning();
    return toRunRecord(run!, flowRows);
  });
}

function checkedFlows(flows: readonly FlowName[]): FlowName[] {
  const unknown = flows.filter((flow) => !(flowNames as readonly string[]).includes(flow));
  if (flows.length === 0 || unknown.length > 0 || new Set(flows).size !== flows.length) {
    throw new RangeError(
      `createRun expects one or more distinct flows of ${flowNames.join(', ')}; got [${flows.join(', ')}].`,
    );
  }
  return [...flows];
}

/**
 * Rejects when a QUEUED or RUNNING run shares a flow with `flows`. The advisory lock, held until the
 * transaction ends, makes the check and the insert that follows one step for concurrent callers.
 */
async function refuseIfBusy(tx: HubDb, flows: FlowName[]): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext('p2c-hub:sync-runs'))`);
  const [busy] = await tx
    .select({ id: syncRuns.id, status: syncRuns.status, flows: syncRuns.flows })
    .from(syncRuns)
    .where(and(inArray(syncRuns.status, activeRunStatuses), arrayOverlaps(syncRuns.flows, flows)))
    .orderBy(asc(syncRuns.id))
    .limit(1);
  if (!busy) return;
  const shared = busy.flows.filter((flow) => flows.includes(flow));
  throw new RunStoreError(
    'SYNC_ALREADY_RUNNING',
    busy.id,
    `Run ${busy.id} is ${busy.status} and includes ${shared.join(', ')}; wait for it to finish or cancel it.`,
  );
}

/** The run with its flows (picked from `flows`, which may hold other runs' too) in run order. */
function toRunRecord(run: SyncRunRow, flows: (typeof syncRunFlows.$inferSelect)[]): SyncRunRecord {
  const own = flows
    .filter((flow) => flow.runId === run.id)
    .sort((a, b) => run.flows.indexOf(a.flow) - run.flows.indexOf(b.flow))
    .map(toFlowRecord);
  const totals = Object.fromEntries(
    counterNames.map((name) => [name, own.reduce((sum, flow) => sum + flow.counters[name], 0)]),
  ) as Counters;
  return { ...run, flows: own, totals };
}

function toFlowRecord(row: typeof syncRunFlows.$inferSelect): SyncRunFlowRecord {
  const counters = Object.fromEntries(counterNames.map((name) => [name, row[name]])) as Counters;
  return {
    flow: row.flow,
    status: row.status,
    counters,
    estimatedTotal: row.estimatedTotal,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    error: row.error,
    notes: row.notes,
    skips: Object.entries(row.skips)
      .map(([reason, count]) => ({ reason, count }))
      .sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0)),
  };
}
