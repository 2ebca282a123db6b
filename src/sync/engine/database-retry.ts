/**
 * The sync's bookkeeping through an outage of the hub's own database (a failover, a restart, a connection
 * the server dropped): a read or a page's commit that fails because the database is away is tried again
 * after a wait, as the connectors retry a back-end that is briefly unavailable. Anything else (a bug, a
 * refused statement) fails at once.
 */
import { isDatabaseOutage } from '../../db/outages.js';

export interface DatabaseRetryPolicy {
  /** Attempts in all, the first included; `Infinity` tries until the signal is aborted. */
  attempts: number;
  /** How long to wait after failed attempt `attempt` (1 for the first), in milliseconds. */
  waitMs(attempt: number): number;
}

/**
 * Six attempts over about 15 s (waits of 0.5, 1, 2, 4 and 8 s): long enough for a connection the
 * server dropped or a quick restart, short enough that a flow whose database stays away fails while
 * someone is still watching, and the next run resumes after its last committed page.
 */
export const defaultDatabaseRetry: DatabaseRetryPolicy = {
  attempts: 6,
  waitMs: (attempt) => Math.min(500 * 2 ** (attempt - 1), 30_000),
};

export interface DatabaseRetryOptions {
  policy?: DatabaseRetryPolicy;
  /** Stops the waiting: the last error is thrown at once. */
  signal?: AbortSignal;
  /** Told of every failure that will be tried again, before the wait. */
  onRetry?: (error: unknown, attempt: number, waitMs: number) => void;
}

/**
 * Runs `operation`, and again after each outage until it succeeds or the policy's attempts are spent;
 * rejects with the last error. `operation` must be safe to repeat: a read, or a write that checks
 * whether its earlier attempt landed.
 */
export async function retryThroughOutage<T>(
  operation: (attempt: number) => Promise<T>,
  { policy = defaultDatabaseRetry, signal, onRetry }: DatabaseRetryOptions = {},
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (!isDatabaseOutage(error) || attempt >= policy.attempts || signal?.aborted) throw error;
      const waitMs = policy.waitMs(attempt);
      onRetry?.(error, attempt, waitMs);
      await wait(waitMs, signal);
    }
  }
}

/** Resolves after `ms`, or as soon as `signal` is aborted. */
function wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
