import type { SyncRunStatus } from '../generated/graphql';

const ended: ReadonlySet<SyncRunStatus> = new Set([
  'SUCCEEDED',
  'COMPLETED_WITH_ERRORS',
  'FAILED',
  'CANCELLED',
]);

/** Whether a run (or a flow of one) has ended: its counters and status will not change again. */
export function hasEnded(status: SyncRunStatus): boolean {
  return ended.has(status);
}
