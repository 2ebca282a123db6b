/**
 * A flow's progress: each page's outcomes (counters, failures, links, key claims) and the cursor advance
 * commit in one transaction, so a crash never leaves a cursor ahead of its records or records without
 * their counts; the next run resumes from the last committed page (DESIGN.md, "Idempotent sync").
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { HubDb } from './connection.js';
import { createLinkStore } from './links.js';
import { insertFailures } from './run-failures.js';
import {
  RunStoreError,
  type Counters,
  type CursorAdvance,
  type KeyClaim,
  type PageCommit,
  type SyncCursorRecord,
} from './run-types.js';
import { counterNames, syncCursors, syncRunFlows, syncRunKeys, syncRuns, type SkipCounts } from './schema.js';
import { activeRunStatuses, isFinal, matchKey, type FlowName } from '../vocabulary.js';

/** The page and cursor queries of the run store. */
export interface PageQueries {
  /**
   * In one transaction: adds the counter increments and the skip counts by reason to the flow, records
   * the failures, upserts the links, records the key claims and advances the cursor. Resolves with the
   * flow's counters after the page. Rejects, with nothing written, with a RunStoreError when the run or
   * flow is missing or already final (cancelled, or marked interrupted by another start), or when a dry
   * run passes links or a cursor; with a RangeError for a negative or fractional increment or skip count,
   * a blank skip reason, or skip counts that do not add up to the `skipped` increment; or with the
   * database's error.
   */
  commitPage(page: PageCommit): Promise<Counters>;
  /**
   * Which of `keys` the flow of the run has claimed in pages committed so far (`PageCommit.claims`), by
   * `matchKey(key)` → the record that claimed it; keys not claimed are absent. One query for the keys
   * asked, so a flow asks for a page's keys and never holds every key it has read.
   */
  claimedKeys(runId: string, flow: FlowName, keys: readonly string[]): Promise<Map<string, string>>;
  /** The flow's cursor, or null when it has none (no run has committed a cursor, or it was reset). */
  getCursor(flow: FlowName): Promise<SyncCursorRecord | null>;
  /** Every flow's cursor, of the flows that have one. */
  listCursors(): Promise<SyncCursorRecord[]>;
  /** Forgets the flow's cursor, so the next run reads everything (as after a FULL run's start). */
  resetCursor(flow: FlowName): Promise<void>;
}

/** The columns of a flow's counters, for selecting them as a `Counters` object. */
const counterColumns = {
  read: syncRunFlows.read,
  created: syncRunFlows.created,
  updated: syncRunFlows.updated,
  unchanged: syncRunFlows.unchanged,
  skipped: syncRunFlows.skipped,
  failed: syncRunFlows.failed,
} satisfies Record<keyof Counters, unknown>;

/** The page and cursor queries over `db`. */
export function createPageQueries(db: HubDb): PageQueries {
  return {
    async commitPage(page) {
      const skips = skipsOf(page);
      const increments = incrementsOf(page, skips);
      return db.transaction(async (tx) => {
        // Locks the run row first: a concurrent cancel or sweepLeftBehind either waits for this page or
        // is seen by it, so no page lands on a run already final.
        const dryRun = await touchActiveRun(tx, page.runId, page.owner);
        if (dryRun && ((page.links?.length ?? 0) > 0 || page.cursor !== undefined)) {
          throw new RunStoreError(
            'DRY_RUN_WRITE',
            page.runId,
            `Run ${page.runId} is a dry run: it records counters and failures only, never links or a ` +
              `cursor, so that the next real run still reads and writes these records.`,
          );
        }
        const counters = await addCounters(tx, page.runId, page.flow, increments, skips);
        await insertFailures(tx, page.runId, page.flow, page.failures ?? []);
        await createLinkStore({ db: tx }).upsertMany(page.links ?? []);
        await insertClaims(tx, page.runId, page.flow, page.claims ?? []);
        if (page.cursor !== undefined) await advanceCursor(tx, page.runId, page.flow, page.cursor);
        return counters;
      });
    },

    async claimedKeys(runId, flow, keys) {
      const normalized = [...new Set(keys.map(matchKey))];
      if (normalized.length === 0) return new Map();
      // One array parameter, as the link store's reads: the same statement for any number of keys.
      const rows = await db
        .select({ key: syncRunKeys.keyNormalized, claimedBy: syncRunKeys.claimedBy })
        .from(syncRunKeys)
        .where(
          and(
            eq(syncRunKeys.runId, runId),
            eq(syncRunKeys.flow, flow),
            sql`${syncRunKeys.keyNormalized} = any(${sql.param(normalized)}::text[])`,
          ),
        );
      return new Map(rows.map((row) => [row.key, row.claimedBy]));
    },

    async getCursor(flow) {
      const [row] = await db.select().from(syncCursors).where(eq(syncCursors.flow, flow));
      return row ?? null;
    },

    listCursors: () => db.select().from(syncCursors),

    async resetCursor(flow) {
      await db.delete(syncCursors).where(eq(syncCursors.flow, flow));
    },
  };
}

/**
 * The page's increments, checked: counters only grow, by whole numbers. `skips` are the page's checked
 * skip counts; `skipped` defaults to their sum and must equal it, so that a flow's counts by reason
 * always add up to its `skipped` counter.
 */
function incrementsOf(page: PageCommit, skips: SkipCounts | null): Counters {
  const skipSum = Object.values(skips ?? {}).reduce((sum, count) => sum + count, 0);
  const given = { failed: page.failures?.length ?? 0, skipped: skipSum, ...page.counters };
  const increments = {} as Counters;
  for (const name of counterNames) {
    const value = given[name] ?? 0;
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(
        `commitPage expects counter increments as whole numbers of at least 0, because counters only ` +
          `grow; got ${name}: ${String(value)} for run ${page.runId}, flow ${page.flow}.`,
      );
    }
    increments[name] = value;
  }
  if (increments.skipped !== skipSum) {
    throw new RangeError(
      `commitPage expects the skip counts to add up to the skipped increment, because every skipped ` +
        `record has its reason; got skipped: ${increments.skipped} and skip counts adding up to ` +
        `${skipSum} for run ${page.runId}, flow ${page.flow}.`,
    );
  }
  return increments;
}

/**
 * The page's skip counts as the object the flow's `skips` column adds them to, checked: whole counts of
 * at least 0 under non-blank reasons. Null when the page skipped nothing.
 */
function skipsOf(page: PageCommit): SkipCounts | null {
  const entries = [...(page.skips ?? [])];
  for (const [reason, count] of entries) {
    if (reason.trim() === '' || !Number.isSafeInteger(count) || count < 0) {
      throw new RangeError(
        `commitPage expects skip counts as whole numbers of at least 0 under a reason; got ` +
          `${JSON.stringify(reason)}: ${String(count)} for run ${page.runId}, flow ${page.flow}.`,
      );
    }
  }
  const counted = entries.filter(([, count]) => count > 0);
  // fromEntries defines own properties, so a reason such as `__proto__` is a key like any other.
  return counted.length > 0 ? Object.fromEntries(counted) : null;
}

/**
 * Marks the run as updated now, if it is QUEUED or RUNNING (and held by `owner`, when given); says whether
 * it is a dry run.
 */
async function touchActiveRun(tx: HubDb, runId: string, owner: string | undefined): Promise<boolean> {
  const [run] = await tx
    .update(syncRuns)
    .set({ updatedAt: sql`now()` })
    .where(
      and(
        eq(syncRuns.id, runId),
        inArray(syncRuns.status, activeRunStatuses),
        owner === undefined ? undefined : eq(syncRuns.ownerInstance, owner),
      ),
    )
    .returning({ dryRun: syncRuns.dryRun });
  if (run) return run.dryRun;
  const [existing] = await tx
    .select({ status: syncRuns.status, ownerInstance: syncRuns.ownerInstance })
    .from(syncRuns)
    .where(eq(syncRuns.id, runId));
  if (!existing) throw new RunStoreError('RUN_NOT_FOUND', runId, `There is no run ${runId}.`);
  if (isFinal(existing.status))
    throw new RunStoreError(
      'RUN_FINISHED',
      runId,
      `Run ${runId} is ${existing.status}; it takes no more pages.`,
    );
  throw new RunStoreError(
    'RUN_TAKEN_OVER',
    runId,
    `Run ${runId} is no longer executed by instance ${owner}: its lease ran out and ` +
      `${existing.ownerInstance === null ? 'the run waits for another instance' : `instance ${existing.ownerInstance} took it over`}.`,
  );
}

async function addCounters(
  tx: HubDb,
  runId: string,
  flow: FlowName,
  increments: Counters,
  skips: SkipCounts | null,
): Promise<Counters> {
  const [counters] = await tx
    .update(syncRunFlows)
    .set({
      ...Object.fromEntries(
        counterNames.map((name) => [name, sql`${syncRunFlows[name]} + ${increments[name]}`]),
      ),
      ...(skips && { skips: addSkipCounts(skips) }),
    })
    .where(
      and(
        eq(syncRunFlows.runId, runId),
        eq(syncRunFlows.flow, flow),
        inArray(syncRunFlows.status, activeRunStatuses),
      ),
    )
    .returning(counterColumns);
  if (counters) return counters;
  const [existing] = await tx
    .select({ status: syncRunFlows.status })
    .from(syncRunFlows)
    .where(and(eq(syncRunFlows.runId, runId), eq(syncRunFlows.flow, flow)));
  throw existing
    ? new RunStoreError(
        'RUN_FINISHED',
        runId,
        `Flow ${flow} of run ${runId} is ${existing.status}; it takes no more pages.`,
      )
    : new RunStoreError('FLOW_NOT_IN_RUN', runId, `Run ${runId} does not include the flow ${flow}.`);
}

/**
 * The flow's `skips` with `page` added reason by reason, in the statement that adds the counters: the
 * row is locked by the update, so concurrent pages add up rather than overwrite each other.
 */
function addSkipCounts(page: SkipCounts) {
  return sql`(
    select coalesce(jsonb_object_agg(reason, total), '{}'::jsonb)
    from (
      select reason, sum(count)::integer as total
      from (
        select key as reason, value::integer as count from jsonb_each_text(${syncRunFlows.skips})
        union all
        select key, value::integer from jsonb_each_text(${JSON.stringify(page)}::jsonb)
      ) as counts
      group by reason
    ) as totals
  )`;
}

/**
 * Records the page's claims. A key claimed already (the same record read twice, on a page committed
 * again after an outage) keeps its first claim: the engine never passes a key another record holds. One
 * JSON parameter carries them all, as the link store's upserts do (links.ts).
 */
async function insertClaims(
  tx: HubDb,
  runId: string,
  flow: FlowName,
  claims: readonly KeyClaim[],
): Promise<void> {
  if (claims.length === 0) return;
  const rows = [...new Map(claims.map(({ key, claimedBy }) => [matchKey(key), claimedBy])).entries()].map(
    ([key, claimedBy]) => ({ key, claimedBy }),
  );
  await tx.execute(sql`insert into ${syncRunKeys} (run_id, flow, key_normalized, claimed_by)
    select ${runId}, ${flow}, incoming.key, incoming."claimedBy"
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as incoming(key text, "claimedBy" text)
    on conflict do nothing`);
}

async function advanceCursor(tx: HubDb, runId: string, flow: FlowName, cursor: CursorAdvance): Promise<void> {
  // Fields left out keep their stored value, as in the link store: a page of a full read moves the
  // checkpoint without dropping the delta link of the last complete read.
  const fields = {
    ...(cursor.deltaLink !== undefined && { deltaLink: cursor.deltaLink }),
    ...(cursor.checkpoint !== undefined && { checkpoint: cursor.checkpoint }),
  };
  await tx
    .insert(syncCursors)
    .values({ flow, lastRunId: runId, ...fields })
    .onConflictDoUpdate({
      target: syncCursors.flow,
      set: { ...fields, lastRunId: runId, updatedAt: sql`now()` },
    });
}
