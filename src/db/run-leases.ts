/**
 * Which hub instance executes a run, and for how long: a lease the owner renews while it executes. Several
 * instances may share one database, so an instance that starts, or that looks for runs left behind, must
 * never fail a run whose owner is alive. A run is left behind when its lease ran out (the owner stopped
 * renewing it: killed, frozen, its machine lost), or at once when its owner was a process of this machine
 * that no longer exists (a restart after a crash need not wait for the lease). A run without an owner
 * (made before leases, or by a caller that claims none) counts as left behind, as every run in progress
 * did when a start meant a lone hub.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { HubDb } from './connection.js';
import { finishFlows } from './run-status.js';
import { activeRunStatuses, syncRuns } from './schema.js';

/** An instance of the hub, as it signs the runs it executes. */
export interface RunOwner {
  /** `HUB_INSTANCE_ID`. */
  instance: string;
  host: string;
  pid: number;
}

/** What `markInterrupted` needs to decide about a run's owner. */
export interface LeftBehindOptions {
  /** This machine's name: an owner on it is checked by its pid. */
  host: string;
  /** Whether a process of this machine is alive. */
  isAlive(pid: number): boolean;
}

export interface LeaseQueries {
  /** Extends the leases of `ids` that `owner` holds and that are still in progress, by `leaseMs` from now. */
  renewLeases(ids: readonly string[], owner: RunOwner, leaseMs: number): Promise<void>;
  /**
   * Fails, with a sentence naming the owner and why, every QUEUED or RUNNING run that was left behind (see
   * above), and its unfinished flows. Resolves with their ids, oldest first. Without options every run in
   * progress counts as left behind: for a hub that knows it is the only one.
   */
  markInterrupted(options?: LeftBehindOptions): Promise<string[]>;
}

/** The error of a run (and its unfinished flows) whose executing hub went away. */
export const interruptedError = 'interrupted: the hub stopped while this run was in progress';

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
      if (ids.length === 0) return;
      await db
        .update(syncRuns)
        .set({ leaseExpiresAt: sql`now() + ${`${leaseMs} milliseconds`}::interval` })
        .where(
          and(
            inArray(syncRuns.id, [...ids]),
            eq(syncRuns.ownerInstance, owner.instance),
            inArray(syncRuns.status, activeRunStatuses),
          ),
        );
    },

    async markInterrupted(options) {
      return db.transaction(async (tx) => {
        // Locked, so two instances looking at once fail each run once; a run an owner is committing a page
        // of (its row locked) is looked at by the next sweep.
        const candidates = await tx
          .select({
            id: syncRuns.id,
            ownerInstance: syncRuns.ownerInstance,
            ownerHost: syncRuns.ownerHost,
            ownerPid: syncRuns.ownerPid,
            leaseExpiresAt: syncRuns.leaseExpiresAt,
            expired: sql<boolean>`coalesce(${syncRuns.leaseExpiresAt} < now(), true)`,
          })
          .from(syncRuns)
          .where(inArray(syncRuns.status, activeRunStatuses))
          .for('update', { skipLocked: true });
        const left = candidates
          .map((run) => ({ id: run.id, error: leftBehind(run, options) }))
          .filter((run): run is { id: string; error: string } => run.error !== null)
          .sort((a, b) => a.id.localeCompare(b.id));
        for (const { id, error } of left) {
          await tx
            .update(syncRuns)
            .set({ status: 'FAILED', error, finishedAt: sql`now()`, updatedAt: sql`now()` })
            .where(eq(syncRuns.id, id));
          await finishFlows(tx, [id], 'FAILED', error);
        }
        return left.map((run) => run.id);
      });
    },
  };
}

/** Why the run was left behind, as its error; null while its owner holds it. */
function leftBehind(
  run: {
    ownerInstance: string | null;
    ownerHost: string | null;
    ownerPid: number | null;
    leaseExpiresAt: Date | string | null;
    expired: boolean;
  },
  options: LeftBehindOptions | undefined,
): string | null {
  if (!options || run.ownerInstance === null) return interruptedError;
  const owner = `instance ${run.ownerInstance} (pid ${run.ownerPid} on ${run.ownerHost})`;
  if (run.ownerHost === options.host && run.ownerPid !== null && !options.isAlive(run.ownerPid))
    return `interrupted: ${owner} stopped while this run was in progress`;
  if (run.expired) {
    const at = run.leaseExpiresAt ? new Date(run.leaseExpiresAt).toISOString() : 'an unknown time';
    return `interrupted: ${owner} stopped renewing its lease, which ran out at ${at}`;
  }
  return null;
}
