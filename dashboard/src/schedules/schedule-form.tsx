import { useId, useState, type FormEvent } from 'react';
import { useQuery, type CombinedError } from 'urql';
import {
  SchedulableFlowsDocument,
  type ScheduleAlertEvent,
  type SyncFlowName,
  type SyncMode,
} from '../generated/graphql';
import { paths } from '../routing/paths';
import { Link } from '../routing/router';
import { ErrorAlert } from '../ui/error-alert';
import { flowLabel } from '../ui/format';
import { alertEvents } from './alert-events';
import { fieldProblems, type FieldProblems, type ScheduleField } from './field-errors';
import { TimingFields } from './timing-fields';

/** What the form edits: a schedule as `createSyncSchedule` takes it. */
export interface ScheduleValues {
  name: string;
  flows: SyncFlowName[];
  mode: SyncMode;
  dryRun: boolean;
  cron: string;
  timeZone: string;
  enabled: boolean;
  alertOn: ScheduleAlertEvent[];
}

const modes: { mode: SyncMode; label: string }[] = [
  { mode: 'INCREMENTAL', label: 'Incremental' },
  { mode: 'FULL', label: 'Full' },
];

/**
 * A schedule's fields, checked by the hub: each problem it finds is shown under its field (the error's
 * `argument`), the timing's as it is typed. `save` resolves with the hub's error, or undefined once saved
 * (the page then moves on). `isNew` adds the choice to create it paused.
 */
export function ScheduleForm({
  initial,
  isNew,
  submitLabel,
  save,
}: {
  initial: ScheduleValues;
  isNew: boolean;
  submitLabel: string;
  save: (values: ScheduleValues) => Promise<CombinedError | undefined>;
}) {
  const id = useId();
  const [flowsResult, refetchFlows] = useQuery({ query: SchedulableFlowsDocument });
  const [values, setValues] = useState(initial);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<CombinedError>();
  // The hub's problems from the last save, each until its field changes.
  const [submitted, setSubmitted] = useState<FieldProblems>({});

  const change = <K extends keyof ScheduleValues>(key: K, value: ScheduleValues[K]) => {
    setValues((current) => ({ ...current, [key]: value }));
    if (key in submitted)
      setSubmitted((current) => {
        const rest = { ...current };
        delete rest[key as ScheduleField];
        return rest;
      });
  };
  const toggle = <T extends string>(items: T[], item: T, on: boolean): T[] =>
    on ? [...items.filter((i) => i !== item), item] : items.filter((i) => i !== item);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaving(true);
    const error = await save({
      ...values,
      name: values.name.trim(),
      cron: values.cron.trim(),
      timeZone: values.timeZone.trim(),
    });
    setSaving(false);
    const { problems, unplaced } = fieldProblems(error);
    setSubmitted(problems);
    setSaveError(unplaced ? error : undefined);
  };

  if (flowsResult.error)
    return (
      <ErrorAlert error={flowsResult.error} retry={() => refetchFlows({ requestPolicy: 'network-only' })} />
    );
  const available = flowsResult.data?.syncFlows;
  if (available === undefined) return <p className="muted">Loading the flows…</p>;

  return (
    <form className="schedule-form" onSubmit={(event) => void submit(event)} noValidate>
      <div className="field">
        <label htmlFor={`${id}-name`}>Name</label>
        <input
          id={`${id}-name`}
          value={values.name}
          maxLength={100}
          autoComplete="off"
          aria-invalid={submitted.name !== undefined}
          aria-describedby={submitted.name === undefined ? `${id}-name-hint` : `${id}-name-problem`}
          onChange={(event) => change('name', event.target.value)}
        />
        <Problem id={`${id}-name-problem`} problem={submitted.name} />
        <p className="hint" id={`${id}-name-hint`}>
          Unique; the runs it starts are marked with it.
        </p>
      </div>
      <fieldset aria-describedby={submitted.flows === undefined ? undefined : `${id}-flows-problem`}>
        <legend>Flows</legend>
        {available.map((flow) => (
          <div className="choice" key={flow.name}>
            <input
              type="checkbox"
              id={`${id}-${flow.name}`}
              checked={values.flows.includes(flow.name)}
              onChange={(event) => change('flows', toggle(values.flows, flow.name, event.target.checked))}
            />
            <label htmlFor={`${id}-${flow.name}`}>{flowLabel(flow.name)}</label>
          </div>
        ))}
        <p className="hint">Each run syncs them in dependency order.</p>
        <Problem id={`${id}-flows-problem`} problem={submitted.flows} />
      </fieldset>
      <fieldset>
        <legend>Mode</legend>
        {modes.map(({ mode, label }) => (
          <div className="choice" key={mode}>
            <input
              type="radio"
              name={`${id}-mode`}
              id={`${id}-${mode}`}
              checked={values.mode === mode}
              onChange={() => change('mode', mode)}
            />
            <label htmlFor={`${id}-${mode}`}>{label}</label>
          </div>
        ))}
        <div className="choice">
          <input
            type="checkbox"
            id={`${id}-dry-run`}
            checked={values.dryRun}
            onChange={(event) => change('dryRun', event.target.checked)}
          />
          <label htmlFor={`${id}-dry-run`}>Dry run</label>
          <p className="hint">Its runs report what they would do, writing nothing to Sales or Finance.</p>
        </div>
      </fieldset>
      <TimingFields
        cron={values.cron}
        timeZone={values.timeZone}
        onCronChange={(cron) => change('cron', cron)}
        onTimeZoneChange={(timeZone) => change('timeZone', timeZone)}
        submitted={submitted}
      />
      <fieldset aria-describedby={`${id}-alerts-hint`}>
        <legend>Alerts</legend>
        <p className="hint" id={`${id}-alerts-hint`}>
          Sent to the hub&apos;s alert webhook, when one is configured.
        </p>
        {alertEvents.map(({ event, label, hint }) => (
          <div className="choice" key={event}>
            <input
              type="checkbox"
              id={`${id}-${event}`}
              aria-describedby={`${id}-${event}-hint`}
              checked={values.alertOn.includes(event)}
              onChange={(e) => change('alertOn', toggle(values.alertOn, event, e.target.checked))}
            />
            <label htmlFor={`${id}-${event}`}>{label}</label>
            <p className="hint" id={`${id}-${event}-hint`}>
              {hint}
            </p>
          </div>
        ))}
        <Problem id={`${id}-alerts-problem`} problem={submitted.alertOn} />
      </fieldset>
      {isNew && (
        <div className="choice">
          <input
            type="checkbox"
            id={`${id}-enabled`}
            aria-describedby={`${id}-enabled-hint`}
            checked={values.enabled}
            onChange={(event) => change('enabled', event.target.checked)}
          />
          <label htmlFor={`${id}-enabled`}>Enabled</label>
          <p className="hint" id={`${id}-enabled-hint`}>
            It fires from its next due time. Left unchecked, it is created paused until it is resumed.
          </p>
        </div>
      )}
      {saveError && <ErrorAlert error={saveError} />}
      <div className="actions">
        <button type="submit" disabled={saving}>
          {submitLabel}
        </button>
        <Link to={paths.schedules}>Cancel</Link>
      </div>
    </form>
  );
}

/** The hub's sentence about a field, under it. */
function Problem({ id, problem }: { id: string; problem: string | undefined }) {
  if (problem === undefined) return null;
  return (
    <p className="field-problem" id={id} role="alert">
      {problem}
    </p>
  );
}
