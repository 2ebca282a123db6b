import { describe, expect, it } from 'vitest';
import { ODataError, TimeoutError } from '../../../src/connectors/odata/errors.js';
import { createRetryPolicy, defaultRetryPolicy } from '../../../src/connectors/odata/retry.js';

const request = (method: string, idempotent = method !== 'POST') => ({
  method,
  path: 'accounts',
  idempotent,
});
const httpFailure = (status: number, retryAfterMs?: number) =>
  new ODataError({
    system: 'sales',
    method: 'GET',
    path: 'accounts',
    status,
    code: '',
    message: 'x',
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
const timeout = new TimeoutError({ system: 'sales', method: 'GET', path: 'accounts' }, 200);
const network = new ODataError({
  system: 'sales',
  method: 'GET',
  path: 'a',
  status: 0,
  code: '',
  message: 'x',
  kind: 'network',
});

describe('defaultRetryPolicy', () => {
  it.each([
    ['429 on a POST', httpFailure(429), request('POST'), true],
    ['503 on a PATCH', httpFailure(503), request('PATCH'), true],
    ['502 on a GET', httpFailure(502), request('GET'), true],
    ['504 on a POST', httpFailure(504), request('POST'), true],
    ['400', httpFailure(400), request('GET'), false],
    ['404', httpFailure(404), request('GET'), false],
    ['412', httpFailure(412), request('PATCH'), false],
    ['500 (F&O business validation)', httpFailure(500), request('POST'), false],
    ['a timeout on a GET', timeout, request('GET'), true],
    ['a timeout on a DELETE', timeout, request('DELETE'), true],
    ['a timeout on a POST', timeout, request('POST'), false],
    ['a network error on a POST marked idempotent', network, request('POST', true), true],
    ['a network error on a POST', network, request('POST'), false],
  ])('retries %s: %s', (_name, error, req, expected) => {
    expect(defaultRetryPolicy.shouldRetry(error, 1, req)).toBe(expected);
  });

  it('stops at maxAttempts', () => {
    expect(defaultRetryPolicy.maxAttempts).toBe(5);
    expect(defaultRetryPolicy.shouldRetry(httpFailure(503), 5, request('GET'))).toBe(false);
  });

  it('retries POST timeouts when told to', () => {
    expect(createRetryPolicy({ retryNonIdempotent: true }).shouldRetry(timeout, 1, request('POST'))).toBe(
      true,
    );
  });
});

describe('retry waits', () => {
  it('honours Retry-After, up to its cap', () => {
    const policy = createRetryPolicy({ maxRetryAfterMs: 60_000 });
    expect(policy.retryWaitMs(httpFailure(429, 12_000), 1)).toBe(12_000);
    expect(policy.retryWaitMs(httpFailure(429, 600_000), 1)).toBe(60_000);
  });

  it('backs off exponentially with full jitter, capped', () => {
    const highest = createRetryPolicy({ baseDelayMs: 500, maxDelayMs: 30_000, random: () => 0.999_999 });
    expect([1, 2, 3, 4, 7, 20].map((attempt) => highest.retryWaitMs(httpFailure(503), attempt))).toEqual([
      499, 999, 1999, 3999, 29_999, 29_999,
    ]);
    const lowest = createRetryPolicy({ random: () => 0 });
    expect(lowest.retryWaitMs(httpFailure(503), 3)).toBe(0);
  });
});
