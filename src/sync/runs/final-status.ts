/**
 * How a run that was not cancelled ends, from how its flows ended and what its records did: the Data
 * Integrator's "completed / completed with errors / failed" made precise.
 */
import type { Counters } from '../../db/runs.js';
import type { RunStatus } from '../../vocabulary.js';

/** How one flow of the run ended. */
export type FlowOutcome = 'completed' | 'failed' | 'skipped' | 'cancelled';

/**
 * - SUCCEEDED: every flow completed and no record failed (a run with nothing to move succeeds too);
 * - COMPLETED_WITH_ERRORS: some records failed, or a flow failed or was skipped, while records moved
 *   (created, updated or found unchanged) elsewhere in the run;
 * - FAILED: records or flows failed and nothing moved.
 */
export function finalStatus(
  outcomes: readonly FlowOutcome[],
  totals: Counters,
): Extract<RunStatus, 'SUCCEEDED' | 'COMPLETED_WITH_ERRORS' | 'FAILED'> {
  const everyFlowCompleted = outcomes.every((outcome) => outcome === 'completed');
  if (everyFlowCompleted && totals.failed === 0) return 'SUCCEEDED';
  const moved = totals.created + totals.updated + totals.unchanged > 0;
  return moved ? 'COMPLETED_WITH_ERRORS' : 'FAILED';
}
