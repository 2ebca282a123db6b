import { useId, useState, type FormEvent } from 'react';
import { useMutation, type CombinedError } from 'urql';
import {
  SetContinuousSyncDocument,
  type ContinuousStatusFragment,
  type SyncSystem,
} from '../generated/graphql';
import { ErrorAlert } from '../ui/error-alert';
import { flowLabel } from '../ui/format';

/** The argument the hub names when an interval is out of the flow's range. */
const intervalArgument = 'input.intervalSeconds';

/**
 * What a look costs, by the system the flow reads: the hub follows the Sales change feed, and runs a flow
 * that reads Finance (which has no change feed) on the longer interval of its own range.
 */
const intervalHints: Record<SyncSystem, string> = {
  SALES: 'An empty look costs Sales one request.',
  FINANCE:
    'Finance has no change feed: each look is an incremental run, so minutes suit it better than seconds.',
};

interface ControlProps {
  status: ContinuousStatusFragment;
  /** Called with the hub's answer once saved. */
  onSaved: (answer: ContinuousStatusFragment) => void;
}

/** Switches continuous sync of the flow on or off at once (operators); the interval stays as it is. */
export function ContinuousSwitch({ status, onSaved }: ControlProps) {
  const [result, setContinuousSync] = useMutation(SetContinuousSyncDocument);
  const { flow, enabled } = status;
  const toggle = async () => {
    const answer = await setContinuousSync({ input: { flow, enabled: !enabled } });
    if (answer.data) onSaved(answer.data.setContinuousSync);
  };
  return (
    <div className="switch-row">
      <button
        type="button"
        role="switch"
        className="switch"
        aria-checked={enabled}
        aria-label={`Continuous sync of ${flowLabel(flow)}`}
        disabled={result.fetching}
        onClick={() => void toggle()}
      >
        <span className="switch-track" aria-hidden="true">
          <span className="switch-thumb" />
        </span>
        <span className="switch-text">{enabled ? 'On' : 'Off'}</span>
      </button>
      {result.error && <ErrorAlert error={result.error} />}
    </div>
  );
}

/**
 * How often the flow looks, in seconds (operators). The hub checks the range (it differs between the
 * flows that read Sales and those that read Finance) and its sentence is shown under the field; a value
 * that is not a whole number is refused here, since GraphQL would refuse it with no field named. The hint
 * under the field needs `source`, the system the flow reads.
 */
export function IntervalForm({ status, source, onSaved }: ControlProps & { source?: SyncSystem }) {
  const id = useId();
  const [result, setContinuousSync] = useMutation(SetContinuousSyncDocument);
  // What the operator typed, until saved; null shows the hub's value.
  const [draft, setDraft] = useState<string | null>(null);
  const [problem, setProblem] = useState<string>();
  const [unplaced, setUnplaced] = useState<CombinedError>();
  const { flow, enabled, intervalSeconds } = status;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const typed = (draft ?? String(intervalSeconds)).trim();
    if (!/^\d+$/.test(typed)) {
      setProblem('Enter a whole number of seconds.');
      setUnplaced(undefined);
      return;
    }
    const answer = await setContinuousSync({ input: { flow, enabled, intervalSeconds: Number(typed) } });
    const placed = answer.error && intervalProblem(answer.error);
    setProblem(placed);
    setUnplaced(placed === undefined ? answer.error : undefined);
    if (answer.data) {
      setDraft(null);
      onSaved(answer.data.setContinuousSync);
    }
  };

  return (
    <form className="interval-form" onSubmit={(event) => void submit(event)} noValidate>
      <div className="field">
        <label htmlFor={`${id}-interval`}>Seconds between looks</label>
        <div className="inline-field">
          <input
            id={`${id}-interval`}
            type="number"
            inputMode="numeric"
            min={1}
            step={1}
            value={draft ?? String(intervalSeconds)}
            aria-invalid={problem !== undefined}
            aria-describedby={`${problem === undefined ? '' : `${id}-problem `}${id}-hint`}
            onChange={(event) => {
              setDraft(event.target.value);
              setProblem(undefined);
            }}
          />
          <button type="submit" className="secondary" disabled={result.fetching}>
            Save interval
          </button>
        </div>
        {problem !== undefined && (
          <p className="field-problem" id={`${id}-problem`} role="alert">
            {problem}
          </p>
        )}
        <p className="hint" id={`${id}-hint`}>
          {source && intervalHints[source]}
        </p>
      </div>
      {unplaced && <ErrorAlert error={unplaced} />}
    </form>
  );
}

/** The hub's sentence about the interval, without the "Invalid argument …:" the field already says. */
function intervalProblem(error: CombinedError): string | undefined {
  const found = error.graphQLErrors.find(
    ({ extensions }) =>
      extensions['code'] === 'BAD_USER_INPUT' && extensions['argument'] === intervalArgument,
  );
  return found?.message.replace(/^Invalid argument "[^"]*": /, '');
}
