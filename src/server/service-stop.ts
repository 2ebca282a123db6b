/**
 * How `npm start` stops: SIGTERM or SIGINT, however it arrives, ends in one clean stop that closes what
 * the start opened, newest first, and exits 0 within a bounded time.
 *
 * A signal usually arrives more than once: Ctrl-C or `kill -INT -<pgid>` reaches every process of the
 * group, and npm forwards the one it gets to its child as well, so the hub sees two within a millisecond.
 * Exiting on the second one (the old "press twice to force") killed the hub in the middle of its clean
 * stop; so repeats are only noted, and the deadline is what bounds the stop. SIGQUIT or SIGKILL still end
 * it at once.
 *
 * A signal during start-up is kept until the step in progress ends (a half-created embedded database
 * is how folders got corrupted), then the stop closes what was opened so far.
 */
import type { Logger } from '../logging.js';

export type StopSignal = 'SIGINT' | 'SIGTERM';

export interface ServiceStopOptions {
  logger: Logger;
  /** A stop that has not finished by then exits 1 with a message. */
  timeoutMs: number;
  /** Default `process.exit`. */
  exit?: (code: number) => void;
}

export interface ServiceStop {
  /** Registers something the start opened; the stop closes it before anything registered earlier. */
  add(close: () => Promise<unknown>): void;
  /**
   * Awaits one start-up step and registers `close` for what it opened; if a signal came meanwhile, the
   * stop runs instead of what follows (the returned promise then never resolves).
   */
  step<T>(work: Promise<T>, close?: (opened: T) => Promise<unknown>): Promise<T>;
  /** Start-up is over: from now on a signal stops at once. */
  started(): void;
  /** Stops as a signal would (e.g. when the data folder's lock is lost). */
  stop(reason: string): Promise<never>;
}

/** Installs the SIGINT and SIGTERM handlers; call it as early as possible. */
export function handleStopSignals({
  logger,
  timeoutMs,
  exit = process.exit,
}: ServiceStopOptions): ServiceStop {
  const closers: (() => Promise<unknown>)[] = [];
  let starting = true;
  let requested: string | undefined;
  let stopping: Promise<never> | undefined;

  const stop = (reason: string): Promise<never> =>
    (stopping ??= (async () => {
      logger.info(
        { signal: reason },
        `${reason}: shutting down; new sync runs are refused, a running one ends after committing its page, requests drain`,
      );
      const deadline = setTimeout(() => {
        logger.fatal(
          `The hub did not stop within ${timeoutMs / 1000} s (HUB_STOP_TIMEOUT_MS), so it exits now; ` +
            `another instance, or the next start, takes over a run it was executing.`,
        );
        exit(1);
      }, timeoutMs);
      try {
        for (const close of [...closers].reverse()) await close();
      } catch (error) {
        logger.fatal(
          { err: error },
          `Shutting down failed: ${error instanceof Error ? error.message : String(error)}`,
        );
        exit(1);
        return new Promise<never>(() => undefined);
      }
      clearTimeout(deadline);
      logger.info('Stopped');
      exit(0);
      return new Promise<never>(() => undefined);
    })());

  const onSignal = (signal: StopSignal) => {
    if (stopping || requested) {
      logger.info({ signal }, `${signal}: already shutting down (at most ${timeoutMs / 1000} s)`);
    } else if (starting) {
      requested = signal;
      logger.info({ signal }, `${signal}: stopping once the start-up step in progress ends`);
    } else {
      void stop(signal);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  return {
    add(close) {
      closers.push(close);
    },
    async step(work, close) {
      const result = await work;
      if (close) closers.push(() => close(result));
      if (requested) return stop(requested);
      return result;
    },
    started() {
      starting = false;
      if (requested) void stop(requested);
    },
    stop,
  };
}
