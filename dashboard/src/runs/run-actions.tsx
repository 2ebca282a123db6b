import { useMutation } from 'urql';
import { CancelSyncDocument, RetrySyncFailuresDocument, type RunDetailFragment } from '../generated/graphql';
import { paths } from '../routing/paths';
import { navigate } from '../routing/router';
import { ErrorAlert } from '../ui/error-alert';
import { hasEnded } from './run-status';

/**
 * What an operator can do with the run: cancel it while it is queued or running (it stops between pages,
 * keeping what it committed), or once it has ended with failures, retry just those records in a new run,
 * which the page then shows.
 */
export function RunActions({ run }: { run: RunDetailFragment }) {
  const [cancelling, cancel] = useMutation(CancelSyncDocument);
  const [retrying, retry] = useMutation(RetrySyncFailuresDocument);
  const ended = hasEnded(run.status);
  const retryFailures = async () => {
    const result = await retry({ id: run.id });
    if (result.data) navigate(paths.run(result.data.retrySyncFailures.id));
  };
  if (ended && run.totals.failed === 0) return null;
  return (
    <div className="actions">
      {!ended && (
        <button type="button" disabled={cancelling.fetching} onClick={() => void cancel({ id: run.id })}>
          Cancel run
        </button>
      )}
      {ended && (
        <button type="button" disabled={retrying.fetching} onClick={() => void retryFailures()}>
          Retry failures
        </button>
      )}
      {cancelling.error && <ErrorAlert error={cancelling.error} />}
      {retrying.error && <ErrorAlert error={retrying.error} />}
    </div>
  );
}
