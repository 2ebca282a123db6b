import type { RunSummaryFragment } from '../generated/graphql';
import { formatDuration } from '../ui/format';
import { useNow } from '../ui/hooks';
import { Value } from '../ui/values';

/** From start to end; while a run runs, up to now, counting. */
export function RunDuration({ run }: { run: Pick<RunSummaryFragment, 'startedAt' | 'finishedAt'> }) {
  const running = run.startedAt !== null && run.finishedAt === null;
  const now = useNow(1000, running);
  if (run.startedAt === null) return <Value value={null} />;
  const end = run.finishedAt === null ? now : Date.parse(run.finishedAt);
  return <>{formatDuration(Math.max(0, end - Date.parse(run.startedAt)))}</>;
}
