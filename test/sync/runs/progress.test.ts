/** Rates and the progress throttle, on their own. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createThrottle, flowRate } from '../../../src/sync/runs/progress.js';

describe('flowRate', () => {
  it.each([
    [
      'records read over the seconds since the start',
      100,
      300,
      10_000,
      { recordsPerSecond: 10, etaSeconds: 20 },
    ],
    ['no ETA without an estimated total', 100, null, 10_000, { recordsPerSecond: 10, etaSeconds: null }],
    ['no rate before anything was read', 0, 300, 10_000, { recordsPerSecond: null, etaSeconds: null }],
    ['no rate before any time passed', 5, 300, 0, { recordsPerSecond: null, etaSeconds: null }],
    ['an ETA of 0 once past the estimate', 400, 300, 10_000, { recordsPerSecond: 40, etaSeconds: 0 }],
  ] as const)('gives %s', (_case, read, estimatedTotal, elapsedMs, expected) => {
    expect(flowRate(read, estimatedTotal, 1_000, 1_000 + elapsedMs)).toEqual(expected);
  });
});

describe('createThrottle', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fires at once, then at most once per interval, the last request always delivered', () => {
    vi.useFakeTimers();
    const fire = vi.fn();
    const throttle = createThrottle(100, fire);
    for (let i = 0; i < 50; i++) throttle.request();
    expect(fire).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(100);
    expect(fire).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(1_000);
    expect(fire).toHaveBeenCalledTimes(2);
  });

  it('drops a pending call when cancelled', () => {
    vi.useFakeTimers();
    const fire = vi.fn();
    const throttle = createThrottle(100, fire);
    throttle.request();
    throttle.request();
    throttle.cancel();
    vi.advanceTimersByTime(1_000);
    expect(fire).toHaveBeenCalledTimes(1);
  });
});
