/** A run's final status from how its flows ended and what its records did. */
import { describe, expect, it } from 'vitest';
import { finalStatus, type FlowOutcome } from '../../../src/sync/runs/final-status.js';

const totals = (counters: Partial<Record<'created' | 'updated' | 'unchanged' | 'failed', number>>) => ({
  read: 0,
  created: 0,
  updated: 0,
  unchanged: 0,
  skipped: 0,
  failed: 0,
  ...counters,
});

describe('finalStatus', () => {
  it.each<[string, FlowOutcome[], ReturnType<typeof totals>, string]>([
    ['every flow completed, nothing failed', ['completed', 'completed'], totals({ created: 3 }), 'SUCCEEDED'],
    ['every flow completed with nothing to do', ['completed'], totals({}), 'SUCCEEDED'],
    ['some records failed', ['completed'], totals({ updated: 2, failed: 1 }), 'COMPLETED_WITH_ERRORS'],
    [
      'a flow failed while another moved records',
      ['failed', 'completed'],
      totals({ unchanged: 4 }),
      'COMPLETED_WITH_ERRORS',
    ],
    [
      'a flow was skipped while another moved records',
      ['completed', 'skipped'],
      totals({ created: 1 }),
      'COMPLETED_WITH_ERRORS',
    ],
    ['every record failed', ['completed'], totals({ failed: 5 }), 'FAILED'],
    ['the flows failed and nothing moved', ['failed', 'skipped'], totals({}), 'FAILED'],
  ])('%s', (_case, outcomes, counters, status) => {
    expect(finalStatus(outcomes, counters)).toBe(status);
  });
});
