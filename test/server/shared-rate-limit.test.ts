/**
 * The mutation allowance on PostgreSQL is one token bucket per caller in the database, shared by every hub
 * instance: the same answers as the in-memory bucket, counted together across instances, and never
 * overspent by instances taking at the same moment.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/connection.js';
import { limitMessages } from '../../src/server/limits.js';
import { createTokenBucketLimiter, type RateLimiter } from '../../src/server/rate-limit.js';
import { createSharedRateLimiter } from '../../src/server/shared-rate-limit.js';
import { backends, type TestBackend, type TestPlace, postgresBackend } from '../db/backends.js';
import {
  type ExternalSystems,
  type MainProcess,
  startExternalSystems,
  startMainProcess,
} from '../support/main-process.js';

const postgres = postgresBackend;

function clock() {
  let now = 1_700_000_000_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

type MakeLimiter = (options: { perMinute: number; now: () => number; pruneEvery?: number }) => RateLimiter;
type Implementation = [name: string, setUp: () => Promise<{ make: MakeLimiter; dispose(): Promise<void> }>];

/** A fresh, migrated database in `backend`, and limiters over it. */
const inDatabase = (backend: TestBackend): Implementation => [
  `in ${backend.name}`,
  async () => {
    const place = await backend.createPlace();
    const database = await openDatabase(place.config);
    return {
      make: (options) => createSharedRateLimiter({ database, ...options }),
      dispose: async () => {
        await database.close();
        await place.dispose();
      },
    };
  },
];

/** The in-memory bucket is the reference: the shared one answers every case the same way. */
const implementations: Implementation[] = [
  ['in memory', async () => ({ make: createTokenBucketLimiter, dispose: async () => undefined })],
  ...backends.map(inDatabase),
];

describe.each(implementations)('the token bucket %s', (_, setUp) => {
  let make: MakeLimiter;
  let dispose: () => Promise<void>;
  beforeAll(async () => ({ make, dispose } = await setUp()));
  afterAll(() => dispose());
  // A caller of its own per test: the database keeps buckets between tests.
  let caller = 0;
  const nextCaller = () => `caller-${(caller += 1)}`;

  it('allows a burst of perMinute, then refuses saying how long to wait', async () => {
    const time = clock();
    const limiter = make({ perMinute: 3, now: time.now });
    const key = nextCaller();
    for (let i = 0; i < 3; i += 1) expect(await limiter.take(key)).toEqual({ allowed: true });
    // One token comes back every 20 s.
    expect(await limiter.take(key)).toEqual({ allowed: false, retryAfterSeconds: 20 });
    time.advance(15_000);
    expect(await limiter.take(key)).toEqual({ allowed: false, retryAfterSeconds: 5 });
    time.advance(5_000);
    expect(await limiter.take(key)).toEqual({ allowed: true });
  });

  it('keeps one bucket per caller', async () => {
    const limiter = make({ perMinute: 1, now: clock().now });
    const [first, second] = [nextCaller(), nextCaller()];
    expect(await limiter.take(first)).toEqual({ allowed: true });
    expect((await limiter.take(first)).allowed).toBe(false);
    expect(await limiter.take(second)).toEqual({ allowed: true });
  });

  it('takes all of a count or none of it', async () => {
    const limiter = make({ perMinute: 4, now: clock().now });
    const key = nextCaller();
    expect(await limiter.take(key, 3)).toEqual({ allowed: true });
    expect(await limiter.take(key, 2)).toEqual({ allowed: false, retryAfterSeconds: 15 });
    expect(await limiter.take(key, 1)).toEqual({ allowed: true });
  });

  it('never refills past perMinute, and says at least one second', async () => {
    const time = clock();
    const limiter = make({ perMinute: 600, now: time.now });
    const key = nextCaller();
    await limiter.take(key);
    time.advance(3_600_000);
    expect(await limiter.take(key, 600)).toEqual({ allowed: true });
    expect(await limiter.take(key)).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it('refuses more than a bucket holds, even to a caller never seen', async () => {
    const limiter = make({ perMinute: 2, now: clock().now });
    expect((await limiter.take(nextCaller(), 3)).allowed).toBe(false);
  });
});

describe.each(backends)('the shared token bucket in $name', (backend) => {
  let place: TestPlace;
  let database: Database;
  beforeAll(async () => {
    place = await backend.createPlace();
    database = await openDatabase(place.config);
  });
  afterAll(async () => {
    await database.close();
    await place.dispose();
  });

  const bucketKeys = async () =>
    (
      await database.db.execute<{ key: string }>(sql`select key from rate_limit_buckets order by key`)
    ).rows.map((row) => row.key);

  it('deletes the buckets that have refilled, keeping the ones still counting', async () => {
    const time = clock();
    const limiter = createSharedRateLimiter({ database, perMinute: 1, now: time.now, pruneEvery: 3 });
    await limiter.take('a');
    time.advance(60_000); // a is full again
    await limiter.take('b');
    await limiter.take('c'); // the third take prunes: a goes
    expect(await bucketKeys()).toEqual(['b', 'c']);
    expect((await limiter.take('b')).allowed).toBe(false);
    expect(await limiter.take('a')).toEqual({ allowed: true });
  });
});

describe.skipIf(!postgres)('the shared token bucket across connections (needs TEST_DATABASE_URL)', () => {
  let place: TestPlace;
  const databases: Database[] = [];
  beforeAll(async () => {
    place = await postgres!.createPlace();
    // Two pools, as two instances would have: the first migrates, the second finds the table there.
    for (let i = 0; i < 2; i += 1) databases.push(await openDatabase(place.config));
  });
  afterAll(async () => {
    await Promise.all(databases.map((database) => database.close()));
    await place?.dispose();
  });

  it('never gives out more than the bucket holds to takes racing from two instances, on the database clock', async () => {
    const limiters = databases.map((database) => createSharedRateLimiter({ database, perMinute: 5 }));
    const decisions = await Promise.all(
      Array.from({ length: 20 }, (_, i) => limiters[i % 2]!.take('ci-bot')),
    );
    expect(decisions.filter((decision) => decision.allowed)).toHaveLength(5);
    for (const decision of decisions.filter((decision) => !decision.allowed)) {
      // One token comes back every 12 s.
      expect(decision).toEqual({ allowed: false, retryAfterSeconds: expect.any(Number) });
      expect((decision as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect((decision as { retryAfterSeconds: number }).retryAfterSeconds).toBeLessThanOrEqual(12);
    }
  });
});

const aliceKey = 'alice-key-for-the-shared-limit-test';
const bobKey = 'bob-key-for-the-shared-limit-test-00';
const cancel = 'mutation { cancelSync(id: "no-such-run") { id } }';

describe.skipIf(!postgres)('two hub processes on one PostgreSQL database (needs TEST_DATABASE_URL)', () => {
  let systems: ExternalSystems;
  let place: TestPlace;
  const hubs: MainProcess[] = [];

  beforeAll(async () => {
    systems = await startExternalSystems({ accounts: 20, clientSecret: 'shared-rate-limit-client-secret' });
    place = await postgres!.createPlace();
    const env = {
      ...systems.env,
      DATABASE_URL: (place.config as { url: string }).url,
      HUB_MUTATIONS_PER_MINUTE: '3',
      HUB_API_KEYS: `operator:alice:${aliceKey},operator:bob:${bobKey}`,
    };
    // One after the other: the first applies the migrations.
    for (let i = 0; i < 2; i += 1) hubs.push(await startMainProcess(env));
  }, 120_000);
  afterAll(async () => {
    for (const hub of hubs) hub.kill();
    await place?.dispose();
    await systems?.close();
  });

  it("counts a caller's mutations on both instances together: 2 on A and 2 on B, the 4th is refused with Retry-After; another caller is not", async () => {
    const [a, b] = hubs as [MainProcess, MainProcess];
    for (const hub of [a, a, b]) {
      const allowed = await hub.graphql(cancel, undefined, { token: aliceKey });
      expect(allowed.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    }
    const refused = await b.graphql(cancel, undefined, { token: aliceKey });
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    // A token comes back every 20 s.
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(20);
    expect(refused.errors).toEqual([
      expect.objectContaining({
        message: limitMessages.rateLimited(3, retryAfter),
        extensions: { code: 'RATE_LIMITED', limit: 3, retryAfterSeconds: retryAfter },
      }),
    ]);
    // Still refused on A: the bucket is the caller's, wherever the request lands.
    expect((await a.graphql(cancel, undefined, { token: aliceKey })).status).toBe(429);

    const other = await b.graphql(cancel, undefined, { token: bobKey });
    expect(other.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  }, 60_000);
});
