/**
 * The operation timeout: a query or mutation still running at the deadline is answered OPERATION_TIMEOUT
 * there and then, whatever it is waiting for, and its signal aborts so that the request's loaders ask the
 * back ends nothing more (src/graphql/loaders.ts).
 */
import { limitError, limitMessages } from './limits.js';
import type { HubError } from '../graphql/errors.js';

/** What `withDeadline` resolves with when time ran out. */
export const timedOut = Symbol('timed out');

/**
 * Runs `run` with a signal that aborts after `ms` (its reason: the OPERATION_TIMEOUT error), and resolves
 * with its result or, at the deadline, with `timedOut` — whatever `run` is still waiting for. Work that
 * checks the signal (the per-request loaders) stops asking the back ends; a back-end call already sent
 * ends under the connectors' own timeout.
 */
export async function withDeadline<T>(
  ms: number,
  run: (signal: AbortSignal) => Promise<T>,
): Promise<T | typeof timedOut> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<typeof timedOut>((resolve) => {
    timer = setTimeout(() => {
      controller.abort(operationTimeoutError(ms));
      resolve(timedOut);
    }, ms);
  });
  try {
    // A rejection of `run` after the deadline is handled by the race and goes nowhere.
    return await Promise.race([run(controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export function operationTimeoutError(ms: number): HubError {
  return limitError('OPERATION_TIMEOUT', limitMessages.operationTimeout(ms), { limit: ms });
}
