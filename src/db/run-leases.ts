/**
 * Which hub instance executes a run, and for how long: a lease the owner renews while it executes. Several
 * instances may share one database, so an instance that starts, or that looks for runs left behind, must
 * never fail a run whose owner is alive. A run is left behind when its lease ran out (the owner stopped
 * renewing it: killed, frozen, its machine lost), or at once when its owner was a process of this machine
 * that no longer exists (a restart after a crash need not wait for the lease). A run without an owner
 * (new, or released by a gone owner) is never left behind: it waits for an instance to claim it.
 */
import { and, eq, gt, inArray, isNotNull, isNull, ne, sql } from 'drizzle-orm';
import type { HubDb } from './connection.js';
import { finishFlows } from './run-status.js';
import { hubInstances, syncRuns } from './schema.js';
import { activeRunStatuses } from '../vocabulary.js';

/** An instance of the hub, as it signs the runs it executes. */
export interface RunOwner {
  /** `HUB_INSTANCE_ID`. */
  instance: string;
  host: string;
  pid: number;
}

/** What `sweepLeftBehind` needs to decide about a run's owner. */
export interface LeftBehindOptions {
  /** This machine's name: an owner on it is checked by its pid. */
  host: string;
  /** Whether a process of this machine is alive. */
  isAlive(pid: number): boolean;
  /**
   * The runs the looking instance executes itself: never left behind, even when their lease ran out
   * while the database was away.
   */
  executing?: readonly string[];
}

export interface LeaseQueries {
  /**
   * Extends the leases of `ids` that `owner` holds and that are still in progress, by `leaseMs` from now.
   * Resolves with the ids it extended: a run missing from them is no longer this owner's (finished, or
   * taken over after its lease ran out).
   */
  renewLeases(ids: readonly string[], owner: RunOwner, leaseMs: number): Promise<string[]>;
  /**
   * Looks at every run in progress whose owner is gone (see above): one that `canResume` is released (no
   * owner, the reason kept for the next owner's note), so that any instance can claim it and go on after
   * its last committed page; any other is failed, with its unfinished flows, by a sentence naming the
   * owner, why it is gone and that the run cannot go on. Resolves with both lists, oldest first.
   */
  sweepLeftBehind(
    options: LeftBehindOptions,
    canResume: (run: { dryRun: boolean; retryOf: string | null }) => boolean,
  ): Promise<{ released: string[]; failed: string[] }>;
  /** The runs in progress that no instance executes (new, or released): each needs a job. */
  unownedRuns(): Promise<string[]>;
  /**
   * Makes `owner` the executor of the run if it is in progress and nobody holds it, its lease running
   * `leaseMs` from now. A run released by a gone owner gets a note naming `owner` and the reason. Resolves
   * with whether `owner` got the run.
   */
  claimRun(id: string, owner: RunOwner, leaseMs: number): Promise<boolean>;
  /** Releases the runs `owner` holds, keeping `reason` for the next owner's note: another instance goes on. */
  handBack(ids: readonly string[], owner: RunOwner, reason: string): Promise<void>;
  /** Asks the owner of a run in progress to cancel it; resolves false when the run is not in progress. */
  requestCancel(id: string): Promise<boolean>;
  /** Which of `ids` a cancel was asked for. */
  cancelRequested(ids: readonly string[]): Promise<string[]>;
  /** Records `owner` as alive for `leaseMs` from now (at start, then with every renewal). */
  keepAlive(owner: RunOwner, leaseMs: number): Promise<void>;
  /** Forgets `owner`: it is stopping. */
  forgetInstance(owner: RunOwner): Promise<void>;
  /** Whether an instance other than `owner` is alive on the database (it would take released runs over). */
  othersAlive(owner: RunOwner): Promise<boolean>;
}

/** How an owner is named in notes and errors: `instance A (pid 12 on host-1)`. */
export function describeOwner(owner: { instance: string; pid: number | null; host: string | null }): string {
  return `instance ${owner.instance} (pid ${owner.pid ?? '?'} on ${owner.host ?? 'an unknown host'})`;
}

/** The columns `createRun` sets for a run `owner` claims, its lease running `leaseMs` from now. */
export function ownerColumns(owner: RunOwner, leaseMs: number) {
  return {
    ownerInstance: owner.instance,
    ownerHost: owner.host,
    ownerPid: owner.pid,
    leaseExpiresAt: sql`now() + ${`${leaseMs} milliseconds`}::interval`,
  };
}

export function createLeaseQueries(db: HubDb): LeaseQueries {
  return {
    async renewLeases(ids, owner, leaseMs) {
      if (ids.length === 0) return [];
      const rows = await db
        .update(syncRuns)
        .set({ leaseExpiresAt: sql`now() + ${`${leaseMs} milliseconds`}::interval` })
        .where(
          and(
            inArray(syncRuns.id, [...ids]),
            eq(syncRuns.ownerInstance, owner.instance),
            inArray(syncRuns.status, activeRunStatuses),
          ),
        )
        .returning({ id: syncRuns.id });
      return rows.map((row) => row.id);
    },

    async sweepLeftBehind(options, canResume) {
      return db.transaction(async (tx) => {
        const candidates = await lockedOwnedRunsInProgress(tx);
        const released: string[] = [];
        const failed: string[] = [];
        for (const run of candidates) {
          const reason = ownerGone(run, options);
          if (reason === null) continue;
          if (canResume(run)) {
            await tx
              .update(syncRuns)
              .set({ ...noOwner, handoverReason: reason, updatedAt: sql`now()` })
              .where(eq(syncRuns.id, run.id));
            released.push(run.id);
          } else {
            const error = `interrupted: ${reason}; ${
              run.dryRun ? 'a dry run' : 'a retry of failed records'
            } keeps no read position to go on from, so start it again`;
            await tx
              .update(syncRuns)
              .set({ status: 'FAILED', error, finishedAt: sql`now()`, updatedAt: sql`now()` })
              .where(eq(syncRuns.id, run.id));
            await finishFlows(tx, [run.id], 'FAILED', error);
            failed.push(run.id);
          }
        }
        return { released, failed };
      });
    },

    async unownedRuns() {
      const rows = await db
        .select({ id: syncRuns.id })
        .from(syncRuns)
        .where(and(inArray(syncRuns.status, activeRunStatuses), isNull(syncRuns.ownerInstance)))
        .orderBy(syncRuns.id);
      return rows.map((row) => row.id);
    },

    async claimRun(id, owner, leaseMs) {
      const note = sql`'Taken over by ' || ${describeOwner(owner)} || ' at ' ||
        to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') || ': ' || ${syncRuns.handoverReason} ||
        '; it went on after the last committed page.'`;
      const rows = await db
        .update(syncRuns)
        .set({
          ...ownerColumns(owner, leaseMs),
          notes: sql`case when ${syncRuns.handoverReason} is null then ${syncRuns.notes}
            else array_append(${syncRuns.notes}, ${note}) end`,
          handoverReason: null,
          updatedAt: sql`now()`,
        })
        .where(
          and(
            eq(syncRuns.id, id),
            inArray(syncRuns.status, activeRunStatuses),
            isNull(syncRuns.ownerInstance),
          ),
        )
        .returning({ id: syncRuns.id });
      return rows.length > 0;
    },

    async handBack(ids, owner, reason) {
      if (ids.length === 0) return;
      await db
        .update(syncRuns)
        .set({ ...noOwner, handoverReason: reason, updatedAt: sql`now()` })
        .where(
          and(
            inArray(syncRuns.id, [...ids]),
            eq(syncRuns.ownerInstance, owner.instance),
            inArray(syncRuns.status, activeRunStatuses),
          ),
        );
    },

    async requestCancel(id) {
      const rows = await db
        .update(syncRuns)
        .set({ cancelRequestedAt: sql`coalesce(${syncRuns.cancelRequestedAt}, now())` })
        .where(and(eq(syncRuns.id, id), inArray(syncRuns.status, activeRunStatuses)))
        .returning({ id: syncRuns.id });
      return rows.length > 0;
    },

    async cancelRequested(ids) {
      if (ids.length === 0) return [];
      const rows = await db
        .select({ id: syncRuns.id })
        .from(syncRuns)
        .where(and(inArray(syncRuns.id, [...ids]), isNotNull(syncRuns.cancelRequestedAt)));
      return rows.map((row) => row.id);
    },

    async keepAlive(owner, leaseMs) {
      const aliveUntil = sql`now() + ${`${leaseMs} milliseconds`}::interval`;
      await db
        .insert(hubInstances)
        .values({ id: owner.instance, host: owner.host, pid: owner.pid, aliveUntil })
        .onConflictDoUpdate({
          target: hubInstances.id,
          set: { host: owner.host, pid: owner.pid, aliveUntil },
        });
      // Instances gone for a day are forgotten, so the table holds the cluster, not its history.
      await db.delete(hubInstances).where(sql`${hubInstances.aliveUntil} < now() - interval '1 day'`);
    },

    async forgetInstance(owner) {
      await db.delete(hubInstances).where(eq(hubInstances.id, owner.instance));
    },

    async othersAlive(owner) {
      const rows = await db
        .select({ id: hubInstances.id })
        .from(hubInstances)
        .where(and(ne(hubInstances.id, owner.instance), gt(hubInstances.aliveUntil, sql`now()`)))
        .limit(1);
      return rows.length > 0;
    },
  };
}

/**
 * The runs in progress that have an owner, locked: two instances looking at once handle each run once,
 * and a run whose owner is committing a page (its row locked) is looked at by the next sweep.
 */
function lockedOwnedRunsInProgress(tx: HubDb) {
  return tx
    .select({
      id: syncRuns.id,
      dryRun: syncRuns.dryRun,
      retryOf: syncRuns.retryOf,
      ownerInstance: syncRuns.ownerInstance,
      ownerHost: syncRuns.ownerHost,
      ownerPid: syncRuns.ownerPid,
      leaseExpiresAt: syncRuns.leaseExpiresAt,
      expired: sql<boolean>`coalesce(${syncRuns.leaseExpiresAt} < now(), true)`,
    })
    .from(syncRuns)
    .where(and(inArray(syncRuns.status, activeRunStatuses), isNotNull(syncRuns.ownerInstance)))
    .orderBy(syncRuns.id)
    .for('update', { skipLocked: true });
}

/** The columns of a run nobody executes. */
const noOwner = { ownerInstance: null, ownerHost: null, ownerPid: null, leaseExpiresAt: null };

interface OwnedRun {
  ownerInstance: string | null;
  ownerHost: string | null;
  ownerPid: number | null;
  leaseExpiresAt: Date | string | null;
  expired: boolean;
}

/** How the owner of the run went away (`instance A (…) stopped …`); null while it holds the run. */
function ownerGone(run: OwnedRun & { id: string }, options: LeftBehindOptions): string | null {
  if (run.ownerInstance === null || options.executing?.includes(run.id)) return null;
  const owner = describeOwner({ instance: run.ownerInstance, pid: run.ownerPid, host: run.ownerHost });
  if (run.ownerHost === options.host && run.ownerPid !== null && !options.isAlive(run.ownerPid))
    return `${owner} stopped while this run was in progress`;
  if (run.expired) {
    const at = run.leaseExpiresAt ? new Date(run.leaseExpiresAt).toISOString() : 'an unknown time';
    return `${owner} stopped renewing its lease, which ran out at ${at}`;
  }
  return null;
}
