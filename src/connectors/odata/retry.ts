/**
 * When to try a failed request again, and how long to wait first. Injected into the client so tests can
 * retry with zero waits and record what was asked for.
 *
 * The default retries what the server did not process — 429 (service protection / resource throttling),
 * 502, 503, 504 — for any method. A timeout or a broken connection may have happened after the server
 * acted, so those are retried only for idempotent requests: repeating a GET, PATCH, PUT or DELETE leaves
 * the same state, repeating a POST may create a second row. A 500 is not retried: on F&O it is the
 * business-validation answer, and the same body would fail the same way.
 */
import type { ODataError } from './errors.js';

/** What the policy may look at about the request being retried. */
export interface RetryRequest {
  method: string;
  path: string;
  /** True when repeating the request cannot change the outcome (see `isIdempotentMethod`). */
  idempotent: boolean;
}

export interface RetryPolicy {
  /** Attempts in all, the first included; 1 means never retry. */
  maxAttempts: number;
  /** Whether to try again after `attempt` (1-based) failed with `error`. */
  shouldRetry(error: ODataError, attempt: number, request: RetryRequest): boolean;
  /** Milliseconds to wait before the next attempt. */
  retryWaitMs(error: ODataError, attempt: number): number;
}

export interface RetryPolicyOptions {
  /** Attempts in all, the first included. Default 5. */
  maxAttempts?: number;
  /** First backoff step; attempt n waits up to `baseDelayMs * 2^(n-1)`. Default 500. */
  baseDelayMs?: number;
  /** Upper bound of a backoff wait. Default 30 s. */
  maxDelayMs?: number;
  /**
   * Upper bound of a wait the server asks for with Retry-After. Default 5 min (Dataverse's whole
   * service-protection window): a longer ask is honoured only up to this.
   */
  maxRetryAfterMs?: number;
  /** Retry timeouts and network errors of POSTs too (only safe when the POST is idempotent). Default false. */
  retryNonIdempotent?: boolean;
  /** Statuses retried for any method. Default 429, 502, 503, 504. */
  retryStatuses?: readonly number[];
  /** Source of jitter in [0, 1). Default Math.random. */
  random?: () => number;
}

const idempotentMethods = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'DELETE']);

/**
 * GET, HEAD, OPTIONS, PUT, DELETE, and PATCH: an OData PATCH sets the given properties to the given
 * values (update or upsert by key), so sending it twice ends in the same row.
 */
export function isIdempotentMethod(method: string): boolean {
  return idempotentMethods.has(method.toUpperCase());
}

export function createRetryPolicy({
  maxAttempts = 5,
  baseDelayMs = 500,
  maxDelayMs = 30_000,
  maxRetryAfterMs = 300_000,
  retryNonIdempotent = false,
  retryStatuses = [429, 502, 503, 504],
  random = Math.random,
}: RetryPolicyOptions = {}): RetryPolicy {
  const statuses = new Set(retryStatuses);
  return {
    maxAttempts,
    shouldRetry(error, attempt, request) {
      if (attempt >= maxAttempts) return false;
      if (error.kind === 'http') return statuses.has(error.status);
      return request.idempotent || retryNonIdempotent;
    },
    retryWaitMs(error, attempt) {
      if (error.retryAfterMs !== undefined) return Math.min(error.retryAfterMs, maxRetryAfterMs);
      // Full jitter (AWS architecture blog, "Exponential Backoff And Jitter"): spreads clients that
      // failed together, so they do not come back together.
      const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, attempt - 1));
      return Math.floor(random() * ceiling);
    },
  };
}

/** 5 attempts, 500 ms base, 30 s cap, Retry-After honoured up to 5 min; see the module comment. */
export const defaultRetryPolicy: RetryPolicy = createRetryPolicy();

/** Never retries: for callers that handle failures themselves. */
export const noRetryPolicy: RetryPolicy = {
  maxAttempts: 1,
  shouldRetry: () => false,
  retryWaitMs: () => 0,
};
