import { useQuery } from 'urql';
import { ContinuousPanel } from '../continuous/continuous-panel';
import { SyncFlowsDocument } from '../generated/graphql';
import { ErrorAlert } from '../ui/error-alert';
import { useDocumentTitle } from '../ui/hooks';
import { FlowSection } from './flow-section';

/**
 * The flows: first whether each is synced continuously (and its switch, for operators), then how
 * the hub runs them: what each reads, skips and writes, field by field.
 */
export function FlowsPage() {
  useDocumentTitle('Flows');
  const [{ data, error }, reexecute] = useQuery({ query: SyncFlowsDocument });
  return (
    <>
      <h1>Flows</h1>
      <ContinuousPanel
        sources={data && new Map(data.syncFlows.map((flow) => [flow.name, flow.source.system]))}
      />
      {error && <ErrorAlert error={error} retry={() => reexecute({ requestPolicy: 'network-only' })} />}
      {!data && !error && <p className="muted">Loading the flows…</p>}
      {data && (
        <>
          <p>In the order a run of all of them takes. Each copies records one way only.</p>
          {data.syncFlows.map((flow) => (
            <FlowSection key={flow.name} flow={flow} />
          ))}
        </>
      )}
    </>
  );
}
