import { useId, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import {
  StartableFlowsDocument,
  StartSyncDocument,
  type SyncFlowName,
  type SyncMode,
} from '../generated/graphql';
import { paths } from '../routing/paths';
import { navigate } from '../routing/router';
import { ErrorAlert } from '../ui/error-alert';
import { flowLabel, formatList } from '../ui/format';

const modes: { mode: SyncMode; label: string; hint: string }[] = [
  {
    mode: 'INCREMENTAL',
    label: 'Incremental',
    hint: 'Only what changed since the last run (an unfinished read goes on where it stopped).',
  },
  { mode: 'FULL', label: 'Full', hint: 'Every record again, from the start.' },
];

/**
 * Which flows to run (all by default; the hub runs them in dependency order whatever the order here),
 * how much to read, and whether to write at all. A started run is shown at once.
 */
export function StartForm() {
  const id = useId();
  const [flowsResult, refetchFlows] = useQuery({ query: StartableFlowsDocument });
  const [unchecked, setUnchecked] = useState<ReadonlySet<SyncFlowName>>(new Set());
  const [mode, setMode] = useState<SyncMode>('INCREMENTAL');
  const [dryRun, setDryRun] = useState(false);
  const [noFlowChosen, setNoFlowChosen] = useState(false);
  const [started, startSync] = useMutation(StartSyncDocument);

  if (flowsResult.error)
    return (
      <ErrorAlert error={flowsResult.error} retry={() => refetchFlows({ requestPolicy: 'network-only' })} />
    );
  const available = flowsResult.data?.syncFlows;
  if (available === undefined) return <p className="muted">Loading the flows…</p>;

  const toggle = (flow: SyncFlowName, checked: boolean) => {
    const next = new Set(unchecked);
    if (checked) next.delete(flow);
    else next.add(flow);
    setUnchecked(next);
    setNoFlowChosen(false);
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const flows = available.map((flow) => flow.name).filter((flow) => !unchecked.has(flow));
    if (flows.length === 0) {
      setNoFlowChosen(true);
      return;
    }
    const result = await startSync({ input: { flows, mode, dryRun } });
    if (result.data) navigate(paths.run(result.data.startSync.id));
  };

  return (
    <form className="start-form" onSubmit={(event) => void submit(event)}>
      <fieldset>
        <legend>Flows</legend>
        {available.map((flow) => (
          <div className="choice" key={flow.name}>
            <input
              type="checkbox"
              id={`${id}-${flow.name}`}
              aria-describedby={`${id}-${flow.name}-hint`}
              checked={!unchecked.has(flow.name)}
              onChange={(event) => toggle(flow.name, event.target.checked)}
            />
            <label htmlFor={`${id}-${flow.name}`}>{flowLabel(flow.name)}</label>
            <p className="hint" id={`${id}-${flow.name}-hint`}>
              {flow.description}
              {flow.dependsOn.length > 0 && `; runs after ${formatList(flow.dependsOn.map(flowLabel))}`}
            </p>
          </div>
        ))}
        {noFlowChosen && (
          <p role="alert" className="alert">
            Choose at least one flow.
          </p>
        )}
      </fieldset>
      <fieldset>
        <legend>Mode</legend>
        {modes.map(({ mode: value, label, hint }) => (
          <div className="choice" key={value}>
            <input
              type="radio"
              name={`${id}-mode`}
              id={`${id}-${value}`}
              aria-describedby={`${id}-${value}-hint`}
              checked={mode === value}
              onChange={() => setMode(value)}
            />
            <label htmlFor={`${id}-${value}`}>{label}</label>
            <p className="hint" id={`${id}-${value}-hint`}>
              {hint}
            </p>
          </div>
        ))}
      </fieldset>
      <div className="choice">
        <input
          type="checkbox"
          id={`${id}-dry-run`}
          aria-describedby={`${id}-dry-run-hint`}
          checked={dryRun}
          onChange={(event) => setDryRun(event.target.checked)}
        />
        <label htmlFor={`${id}-dry-run`}>Dry run</label>
        <p className="hint" id={`${id}-dry-run-hint`}>
          Decide every record&apos;s outcome and report it, writing nothing to Sales or Finance.
        </p>
      </div>
      {started.error && <ErrorAlert error={started.error} />}
      <button type="submit" disabled={started.fetching}>
        Start sync
      </button>
    </form>
  );
}
