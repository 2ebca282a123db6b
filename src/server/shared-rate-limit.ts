/**
 * The mutation allowance kept in the database, so that every hub instance on one PostgreSQL database
 * counts a caller's mutations together: the same token bucket as `createTokenBucketLimiter` (a burst of
 * `perMinute`, then a steady refill), one `rate_limit_buckets` row per caller.
 *
 * Each take is one `INSERT … ON CONFLICT DO UPDATE … WHERE`: PostgreSQL locks the caller's row and
 * evaluates the refill and the condition on its latest version, so two instances taking at once can never
 * both spend the last token. A refused take leaves the row as it was: the level follows from it alone, so
 * nothing needs writing. Time is the database's clock, one clock for every instance, so a skewed machine
 * neither refills a bucket early nor late.
 *
 * The table comes from a migration (migrations/), so instances starting together never race to create it.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/connection.js';
import type { RateDecision, RateLimiter } from './rate-limit.js';

export interface SharedRateLimiterOptions {
  /** The migrated database every instance shares (the table `rate_limit_buckets`). */
  database: Pick<Database, 'db'>;
  /** Tokens a minute, and the bucket's size; every instance should be given the same. */
  perMinute: number;
  /** The clock in milliseconds; tests move it. Default: the database's `clock_timestamp()`. */
  now?: () => number;
  /**
   * Every this many takes, this instance deletes the rows whose bucket has refilled (a full bucket is the
   * same as none), which bounds the table when many callers come and go; default 1,000.
   */
  pruneEvery?: number;
}

/** A bucket shared through the database; see the module comment. */
export function createSharedRateLimiter({
  database,
  perMinute,
  now,
  pruneEvery = 1_000,
}: SharedRateLimiterOptions): RateLimiter {
  const { db } = database;
  const perMs = perMinute / 60_000;
  const cap = sql`${perMinute}::double precision`;
  const rate = sql`${perMs}::double precision`;
  const clock = (): SQL =>
    now ? sql`to_timestamp(${now() / 1000}::double precision)` : sql`clock_timestamp()`;
  /** The level of the bucket `row` at `at`: its tokens plus the refill since, never above the cap. */
  const level = (row: SQL, at: SQL): SQL =>
    sql`least(${cap}, ${row}.tokens + greatest(0, extract(epoch from (${at} - ${row}.updated_at)) * 1000) * ${rate})`;
  let takes = 0;

  const prune = async (): Promise<void> => {
    const bucket = sql.raw('rate_limit_buckets');
    await db.execute(sql`delete from rate_limit_buckets where ${level(bucket, clock())} >= ${cap}`);
  };

  return {
    perMinute,
    async take(key, count = 1): Promise<RateDecision> {
      const need = sql`${count}::double precision`;
      const taken = await db.execute<{ tokens: number }>(sql`
        insert into rate_limit_buckets as b (key, tokens, updated_at)
        select ${key}::text, ${cap} - ${need}, ${clock()} where ${cap} >= ${need}
        on conflict (key) do update
          set tokens = ${level(sql`b`, sql`excluded.updated_at`)} - ${need}, updated_at = excluded.updated_at
          where ${level(sql`b`, sql`excluded.updated_at`)} >= ${need}
        returning b.tokens`);
      takes += 1;
      if (takes % pruneEvery === 0) await prune();
      if (taken.rows.length > 0) return { allowed: true };
      // Refused: how long until the level reaches the count. Read after the fact, so another instance's
      // take in between may make it a little short; the caller is then refused again with the rest.
      const read = await db.execute<{ level: number }>(
        sql`select ${level(sql`b`, clock())} as level from rate_limit_buckets b where b.key = ${key}::text`,
      );
      const tokens = read.rows[0] ? Number(read.rows[0].level) : perMinute;
      // At least a second: Retry-After counts whole seconds, and 0 would invite an immediate retry.
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((count - tokens) / perMs / 1000)) };
    },
  };
}
