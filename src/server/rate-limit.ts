/**
 * How many mutations a caller may run: a token bucket per caller. A bucket holds `perMinute` tokens, is
 * full at first, and refills continuously at `perMinute` a minute, so a caller may send a burst of
 * `perMinute` mutations and then one every `60 / perMinute` seconds.
 *
 * The buckets live in this process's memory. Behind several hub processes each would count on its own;
 * `RateLimiter` is the seam for a shared store (e.g. Redis with the same arithmetic in a script), which is
 * why `take` returns a promise.
 */

/** The answer to one `take`: allowed, or refused with the whole seconds to wait before trying again. */
export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export interface RateLimiter {
  /** The most a caller may take in a minute. */
  readonly perMinute: number;
  /** Takes `count` tokens from `key`'s bucket, all or none. */
  take(key: string, count?: number): Promise<RateDecision>;
}

export interface TokenBucketOptions {
  /** Tokens a minute, and the bucket's size. */
  perMinute: number;
  /** The clock, in milliseconds; tests move it. Default `Date.now`. */
  now?: () => number;
  /**
   * Buckets kept before full ones are dropped (a full bucket is the same as none); default 10,000. It
   * bounds memory when many different callers (JWT subjects) come and go.
   */
  maxKeys?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export function createTokenBucketLimiter({
  perMinute,
  now = Date.now,
  maxKeys = 10_000,
}: TokenBucketOptions): RateLimiter {
  const perMs = perMinute / 60_000;
  const buckets = new Map<string, Bucket>();
  const level = (bucket: Bucket, at: number) => Math.min(perMinute, bucket.tokens + (at - bucket.at) * perMs);
  const prune = (at: number) => {
    for (const [key, bucket] of buckets) if (level(bucket, at) >= perMinute) buckets.delete(key);
  };
  return {
    perMinute,
    async take(key, count = 1) {
      const at = now();
      const bucket = buckets.get(key) ?? { tokens: perMinute, at };
      const tokens = level(bucket, at);
      if (tokens >= count) {
        buckets.set(key, { tokens: tokens - count, at });
        if (buckets.size > maxKeys) prune(at);
        return { allowed: true };
      }
      buckets.set(key, { tokens, at });
      // At least a second: Retry-After counts whole seconds, and 0 would invite an immediate retry.
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((count - tokens) / perMs / 1000)) };
    },
  };
}
