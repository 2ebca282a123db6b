import { ErrorAlert } from '../ui/error-alert';
import { useDocumentTitle } from '../ui/hooks';
import { RunsTable } from './runs-table';
import { useLiveRuns } from './use-live-runs';

/** How many of the newest runs the list shows. */
const listedRuns = 20;

export function RunsPage() {
  useDocumentTitle('Sync runs');
  const { runs, loaded, error, refresh } = useLiveRuns(listedRuns);
  return (
    <>
      <h1>Sync runs</h1>
      {error && <ErrorAlert error={error} retry={refresh} />}
      {!loaded && !error && <p className="muted">Loading runs…</p>}
      {loaded &&
        (runs.length === 0 ? (
          <p>No sync has run yet.</p>
        ) : (
          <RunsTable runs={runs} caption={`The ${listedRuns} newest runs, updated as they move`} />
        ))}
    </>
  );
}
