/**
 * The in-memory token bucket behind the mutation allowance: a burst of `perMinute`, then a steady refill,
 * one bucket per caller, all or nothing per take, and a retry-after that is the real wait.
 */
import { describe, expect, it } from 'vitest';
import { createTokenBucketLimiter } from '../../src/server/rate-limit.js';

function clock() {
  let now = 1_000_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('token bucket', () => {
  it('allows a burst of perMinute, then refuses saying how long to wait', async () => {
    const time = clock();
    const limiter = createTokenBucketLimiter({ perMinute: 3, now: time.now });
    for (let i = 0; i < 3; i += 1) expect(await limiter.take('ci-bot')).toEqual({ allowed: true });
    // One token comes back every 20 s.
    expect(await limiter.take('ci-bot')).toEqual({ allowed: false, retryAfterSeconds: 20 });
    time.advance(15_000);
    expect(await limiter.take('ci-bot')).toEqual({ allowed: false, retryAfterSeconds: 5 });
    time.advance(5_000);
    expect(await limiter.take('ci-bot')).toEqual({ allowed: true });
  });

  it('keeps one bucket per caller', async () => {
    const limiter = createTokenBucketLimiter({ perMinute: 1, now: clock().now });
    expect(await limiter.take('ci-bot')).toEqual({ allowed: true });
    expect((await limiter.take('ci-bot')).allowed).toBe(false);
    expect(await limiter.take('dashboard')).toEqual({ allowed: true });
  });

  it('takes all of a count or none of it', async () => {
    const limiter = createTokenBucketLimiter({ perMinute: 4, now: clock().now });
    expect(await limiter.take('ci-bot', 3)).toEqual({ allowed: true });
    expect(await limiter.take('ci-bot', 2)).toEqual({ allowed: false, retryAfterSeconds: 15 });
    expect(await limiter.take('ci-bot', 1)).toEqual({ allowed: true });
  });

  it('never refills past perMinute, and says at least one second', async () => {
    const time = clock();
    const limiter = createTokenBucketLimiter({ perMinute: 600, now: time.now });
    time.advance(3_600_000);
    expect(await limiter.take('ci-bot', 600)).toEqual({ allowed: true });
    expect(await limiter.take('ci-bot')).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it('drops full buckets when it holds too many, keeping the ones still counting', async () => {
    const time = clock();
    const limiter = createTokenBucketLimiter({ perMinute: 1, now: time.now, maxKeys: 2 });
    await limiter.take('a');
    time.advance(60_000); // a is full again
    await limiter.take('b');
    await limiter.take('c'); // three buckets: a (full) is dropped
    expect((await limiter.take('b')).allowed).toBe(false);
    expect((await limiter.take('c')).allowed).toBe(false);
    expect(await limiter.take('a')).toEqual({ allowed: true });
  });
});
