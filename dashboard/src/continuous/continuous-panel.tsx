import { useQuery } from 'urql';
import { ContinuousSyncStatusDocument, type SyncFlowName, type SyncSystem } from '../generated/graphql';
import { useOnReconnect } from '../session/hub-session-context';
import { useViewer } from '../session/viewer-context';
import { ErrorAlert } from '../ui/error-alert';
import { useEvery } from '../ui/hooks';
import { ContinuousCard } from './continuous-card';

/**
 * How often the panel asks the hub again. Continuous sync has no subscription; its looks come every few
 * seconds, so a few seconds keeps the state and the last run current without loading the hub.
 */
const refreshMs = 3_000;

/**
 * Continuous sync of every flow, at the top of the Flows page: a card per flow with its state, the time
 * since it last saw a change (counting every second) and, for operators, its switch and interval.
 * `sources` (the system each flow reads, once the page has the flows) says how each one looks.
 */
export function ContinuousPanel({ sources }: { sources?: ReadonlyMap<SyncFlowName, SyncSystem> }) {
  const viewer = useViewer();
  const [{ data, error }, reexecute] = useQuery({ query: ContinuousSyncStatusDocument });
  const refresh = () => reexecute({ requestPolicy: 'network-only' });
  useOnReconnect(refresh);
  useEvery(refreshMs, refresh);
  return (
    <section className="continuous" aria-labelledby="continuous-sync">
      <h2 id="continuous-sync">Continuous sync</h2>
      <p>
        Switched on, the hub looks at a flow&apos;s source every few seconds (the flows that read Finance,
        which offers no change feed, on their own longer interval) and starts an incremental run as soon as
        something changed. A look while the flow runs waits for the next; when a system throttles or is away,
        the looks back off until it answers.
      </p>
      {error && <ErrorAlert error={error} retry={refresh} />}
      {!data && !error && <p className="muted">Loading continuous sync…</p>}
      {data && (
        <div className="flow-cards">
          {data.continuousSync.map((status) => (
            <ContinuousCard
              key={status.flow}
              status={status}
              source={sources?.get(status.flow)}
              onChanged={viewer.canOperate ? refresh : undefined}
            />
          ))}
        </div>
      )}
    </section>
  );
}
