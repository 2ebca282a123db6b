/**
 * The executing side of run leases (src/db/run-leases.ts): while this instance executes runs it renews
 * their leases, and it looks for runs other instances left behind, so a run whose owner died ends FAILED
 * ("interrupted", naming the owner and why) within a bounded time instead of holding its flows forever.
 * The next run of those flows resumes after their last committed page.
 */
import { hostname } from 'node:os';
import { isAlive } from '../../db/process-alive.js';
import type { LeftBehindOptions, RunOwner, RunStore } from '../../db/runs.js';
import type { Logger } from '../../logging.js';

export interface RunLeaseOptions {
  /** This instance, as it signs the runs it executes. */
  owner: RunOwner;
  /**
   * How long a run stays this instance's without a renewal (`HUB_RUN_LEASE_MS`). It is renewed three
   * times per lease, and every instance looks for left-behind runs twice per lease, so a dead owner's run
   * ends within 1.5 leases. Default 30 s.
   */
  leaseMs?: number;
}

/** This process, as `RunOwner`, under the instance name given. */
export function thisProcess(instance: string): RunOwner {
  return { instance, host: hostname(), pid: process.pid };
}

export interface LeaseKeeper {
  readonly owner: RunOwner;
  readonly leaseMs: number;
  /** What `markInterrupted` needs to tell a live owner from a gone one. */
  readonly leftBehind: LeftBehindOptions;
  /** Starts renewing `activeIds()` and sweeping with `sweep`; stopped by `stop`. */
  start(activeIds: () => string[], sweep: () => Promise<unknown>): void;
  stop(): void;
}

export function createLeaseKeeper(
  runs: Pick<RunStore, 'renewLeases'>,
  { owner, leaseMs = 30_000 }: RunLeaseOptions,
  logger: Logger,
): LeaseKeeper {
  const timers: NodeJS.Timeout[] = [];
  // A failed renewal or sweep (the database away for a moment) is tried at the next tick.
  const quietly = (what: string, work: () => Promise<unknown>) => () => {
    work().catch((error: unknown) =>
      logger.warn({ err: error }, `Run leases: could not ${what}; trying again shortly`),
    );
  };
  return {
    owner,
    leaseMs,
    leftBehind: { host: owner.host, isAlive },
    start(activeIds, sweep) {
      if (timers.length > 0) return;
      const renew = quietly('renew the leases of the runs this instance executes', () =>
        runs.renewLeases(activeIds(), owner, leaseMs),
      );
      timers.push(setInterval(renew, Math.max(10, Math.floor(leaseMs / 3))));
      timers.push(
        setInterval(quietly('look for runs left behind', sweep), Math.max(10, Math.floor(leaseMs / 2))),
      );
      for (const timer of timers) timer.unref();
    },
    stop() {
      for (const timer of timers.splice(0)) clearInterval(timer);
    },
  };
}
