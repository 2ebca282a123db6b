/**
 * The simulators' service protection limit, as Dataverse's sliding window behaves: Retry-After says when
 * the window next admits a request, not the whole window, and requests sent while refused push it later.
 */
import { describe, expect, it } from 'vitest';
import { createFaults } from '../../src/simulators/core/faults.js';

describe('throttle window', () => {
  it('answers Retry-After with the time until the window admits a request again', () => {
    let now = 0;
    const faults = createFaults({ throttle: { maxRequests: 3, windowMs: 30_000 } }, () => now);
    // Named in the answer, as Dataverse's message names its limit.
    const limit = { maxRequests: 3, windowSeconds: 30 };
    const decide = () => faults.decide({ method: 'GET', entitySet: 'accounts' });
    for (const at of [0, 10_000, 20_000]) {
      now = at;
      expect(decide()).toEqual({ kind: 'none' });
    }
    now = 25_000;
    // This refused request holds a place too, so the next is admitted once the requests of 0 s and
    // 10 s have left the window, at 40 s: 15 s from now (not the whole 30-s window).
    expect(decide()).toEqual({ kind: 'throttle', retryAfterSeconds: 15, limit });
    now = 26_000;
    // Sending while refused pushes it later: now the request of 20 s must leave too, at 50 s.
    expect(decide()).toEqual({ kind: 'throttle', retryAfterSeconds: 24, limit });
    now = 50_000;
    expect(decide()).toEqual({ kind: 'none' });
  });

  it('keeps a fixed Retry-After when one is configured', () => {
    const faults = createFaults(
      { throttle: { maxRequests: 1, windowMs: 60_000, retryAfterSeconds: 7 } },
      () => 0,
    );
    faults.decide({ method: 'GET' });
    expect(faults.decide({ method: 'GET' })).toMatchObject({ kind: 'throttle', retryAfterSeconds: 7 });
  });
});
