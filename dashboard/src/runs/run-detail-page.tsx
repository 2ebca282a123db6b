import { useQuery, useSubscription } from 'urql';
import { SyncRunDocument, SyncRunUpdatedDocument } from '../generated/graphql';
import { useOnReconnect } from '../session/hub-session-context';
import { useViewer } from '../session/viewer-context';
import { ErrorAlert } from '../ui/error-alert';
import { useDocumentTitle } from '../ui/hooks';
import { FailuresSection } from './failures-section';
import { RunActions } from './run-actions';
import { RunFlows } from './run-flows';
import { RunOverview } from './run-overview';
import { hasEnded } from './run-status';

/**
 * One run: asked for once, then followed with `syncRunUpdated`, which sends the run's state at once (again
 * after a reconnection) and every change until it ends.
 */
export function RunDetailPage({ id }: { id: string }) {
  useDocumentTitle(`Run ${id}`);
  const viewer = useViewer();
  const [fetched, reexecute] = useQuery({ query: SyncRunDocument, variables: { id } });
  // Followed once the hub has said the run exists.
  const [live] = useSubscription({
    query: SyncRunUpdatedDocument,
    variables: { id },
    pause: !fetched.data?.syncRun,
  });
  useOnReconnect(() => {
    if (fetched.error) reexecute({ requestPolicy: 'network-only' });
  });
  const run = live.data?.syncRunUpdated ?? fetched.data?.syncRun;
  const heading = (
    <h1>
      Run <span className="run-id">{id}</span>
    </h1>
  );

  if (!run) {
    return (
      <>
        {heading}
        {fetched.error ? (
          <ErrorAlert error={fetched.error} retry={() => reexecute({ requestPolicy: 'network-only' })} />
        ) : fetched.data ? (
          <p>No run has this ID: it never existed, or it ended longer ago than the hub keeps runs.</p>
        ) : (
          <p className="muted">Loading the run…</p>
        )}
      </>
    );
  }
  return (
    <>
      {heading}
      {live.error && <ErrorAlert error={live.error} />}
      <RunOverview run={run} />
      {viewer.canOperate && <RunActions run={run} />}
      <RunFlows run={run} />
      <FailuresSection
        runId={run.id}
        flows={run.flows.map((flow) => flow.flow)}
        failedCount={run.totals.failed}
        ended={hasEnded(run.status)}
      />
    </>
  );
}
