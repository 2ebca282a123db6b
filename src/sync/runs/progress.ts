/**
 * Live progress of running flows: records per second and the time left, and a throttle that keeps a
 * fast flow from flooding subscribers with one event per page.
 */

/** A flow's rate: records read per second since it started, and seconds left at that rate. */
export interface FlowRate {
  recordsPerSecond: number | null;
  etaSeconds: number | null;
}

/**
 * The rate of a flow that has read `read` records since `startedAtMs`. Null while no time has passed
 * or nothing was read (no rate to speak of yet); the ETA is null too without an estimated total.
 */
export function flowRate(
  read: number,
  estimatedTotal: number | null,
  startedAtMs: number,
  nowMs: number,
): FlowRate {
  const seconds = (nowMs - startedAtMs) / 1000;
  if (seconds <= 0 || read <= 0) return { recordsPerSecond: null, etaSeconds: null };
  const recordsPerSecond = read / seconds;
  const etaSeconds = estimatedTotal === null ? null : Math.max(0, estimatedTotal - read) / recordsPerSecond;
  return { recordsPerSecond, etaSeconds };
}

/** Calls `fire` at most once per interval; a call inside the interval is delivered at its end. */
export interface Throttle {
  /** Asks for a `fire`: now if the interval has passed, otherwise once at its end. */
  request(): void;
  /** Drops a pending `fire` (a status event about to go out carries the same state). */
  cancel(): void;
}

/** A throttle of `fire` to one call every `intervalMs` (leading and trailing). */
export function createThrottle(intervalMs: number, fire: () => void, now: () => number = Date.now): Throttle {
  let lastFiredAt = -Infinity;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const fireNow = () => {
    timer = undefined;
    lastFiredAt = now();
    fire();
  };

  return {
    request() {
      if (timer) return; // the pending trailing call will carry this request's state
      const wait = lastFiredAt + intervalMs - now();
      if (wait <= 0) fireNow();
      else timer = setTimeout(fireNow, wait);
    },
    cancel() {
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
