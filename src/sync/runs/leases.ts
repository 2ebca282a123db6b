/**
 * The executing side of run leases (src/db/run-leases.ts): while this instance lives it says so, renews
 * the leases of the runs it executes, and looks for runs other instances left behind, so a run whose owner
 * died is released within a bounded time and another instance (whichever fetches its job) goes on after its
 * last committed page, instead of the run holding its flows forever.
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
   * is released within 1.5 leases and taken over at the next poll of a worker. Default 30 s.
   */
  leaseMs?: number;
}

/** This process, as `RunOwner`, under the instance name given. */
export function thisProcess(instance: string): RunOwner {
  return { instance, host: hostname(), pid: process.pid };
}

/** What the keeper asks of the manager. */
export interface LeaseWork {
  /** The runs this instance executes now. */
  activeIds(): string[];
  /** Runs whose lease this instance lost (another instance took them over): stop them, writing nothing. */
  lost(ids: string[]): void;
  /** Runs whose cancel was asked on another instance: stop them as a cancel here would. */
  cancelRequested(ids: string[]): void;
  /** Looks for runs left behind, and makes sure every run waiting for an executor has a job. */
  sweep(): Promise<unknown>;
}

export interface LeaseKeeper {
  readonly owner: RunOwner;
  readonly leaseMs: number;
  /** What the store needs to tell a live owner from a gone one. */
  readonly leftBehind: LeftBehindOptions;
  /**
   * Records this instance as alive, then keeps renewing it and the leases of the runs it executes,
   * sweeping, and looking for cancels asked elsewhere; stopped by `stop`.
   */
  start(work: LeaseWork): Promise<void>;
  stop(): void;
}

/** How often the owner of runs looks for cancels asked on other instances. */
const cancelPollMs = 1_000;

export function createLeaseKeeper(
  runs: Pick<RunStore, 'renewLeases' | 'keepAlive' | 'cancelRequested'>,
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
    async start(work) {
      if (timers.length > 0) return;
      await runs.keepAlive(owner, leaseMs);
      const renew = quietly('renew the leases of the runs this instance executes', async () => {
        await runs.keepAlive(owner, leaseMs);
        const ids = work.activeIds();
        const renewed = new Set(await runs.renewLeases(ids, owner, leaseMs));
        // A run that ended meanwhile left activeIds; one still there but not renewed is another's now.
        const lost = ids.filter((id) => !renewed.has(id) && work.activeIds().includes(id));
        if (lost.length > 0) work.lost(lost);
      });
      const cancels = quietly('look for cancels asked on other instances', async () => {
        const ids = work.activeIds();
        if (ids.length === 0) return;
        const asked = await runs.cancelRequested(ids);
        if (asked.length > 0) work.cancelRequested(asked);
      });
      timers.push(setInterval(renew, Math.max(10, Math.floor(leaseMs / 3))));
      timers.push(
        setInterval(quietly('look for runs left behind', work.sweep), Math.max(10, Math.floor(leaseMs / 2))),
      );
      timers.push(setInterval(cancels, Math.min(cancelPollMs, Math.max(10, Math.floor(leaseMs / 3)))));
      for (const timer of timers) timer.unref();
    },
    stop() {
      for (const timer of timers.splice(0)) clearInterval(timer);
    },
  };
}
