import { useMutation, useQuery } from 'urql';
import {
  SyncScheduleDocument,
  UpdateSyncScheduleDocument,
  type ScheduleSummaryFragment,
  type SyncScheduleChange,
} from '../generated/graphql';
import { paths } from '../routing/paths';
import { navigate } from '../routing/router';
import { useViewer } from '../session/viewer-context';
import { ErrorAlert } from '../ui/error-alert';
import { useDocumentTitle } from '../ui/hooks';
import { OperatorsOnly } from './operators-only';
import { ScheduleForm, type ScheduleValues } from './schedule-form';

/** One schedule's fields to change; pausing, resuming and deleting are on the list. */
export function EditSchedulePage({ id }: { id: string }) {
  useDocumentTitle('Edit schedule');
  const viewer = useViewer();
  const [fetched, reexecute] = useQuery({ query: SyncScheduleDocument, variables: { id } });
  const [, update] = useMutation(UpdateSyncScheduleDocument);
  const schedule = fetched.data?.syncSchedule;

  if (!viewer.canOperate)
    return (
      <>
        <h1>Edit schedule</h1>
        <OperatorsOnly />
      </>
    );
  if (!schedule)
    return (
      <>
        <h1>Edit schedule</h1>
        {fetched.error ? (
          <ErrorAlert error={fetched.error} retry={() => reexecute({ requestPolicy: 'network-only' })} />
        ) : fetched.data ? (
          <p>No schedule has this ID: it may have been deleted.</p>
        ) : (
          <p className="muted">Loading the schedule…</p>
        )}
      </>
    );

  const initial = valuesOf(schedule);
  const save = async (values: ScheduleValues) => {
    const change = changed(initial, values);
    if (Object.keys(change).length > 0) {
      const result = await update({ id, change });
      if (result.error) return result.error;
    }
    navigate(paths.schedules);
    return undefined;
  };
  return (
    <>
      <h1>Edit schedule “{schedule.name}”</h1>
      <ScheduleForm initial={initial} isNew={false} submitLabel="Save changes" save={save} />
    </>
  );
}

function valuesOf(schedule: ScheduleSummaryFragment): ScheduleValues {
  const { name, flows, mode, dryRun, cron, timeZone, enabled, alertOn } = schedule;
  return { name, flows, mode, dryRun, cron, timeZone, enabled, alertOn };
}

/** Only the fields that differ: the hub keeps the others as they are. */
function changed(before: ScheduleValues, after: ScheduleValues): SyncScheduleChange {
  const sameSet = (a: readonly string[], b: readonly string[]) =>
    a.length === b.length && a.every((item) => b.includes(item));
  const change: SyncScheduleChange = {};
  if (after.name !== before.name) change.name = after.name;
  if (!sameSet(after.flows, before.flows)) change.flows = after.flows;
  if (after.mode !== before.mode) change.mode = after.mode;
  if (after.dryRun !== before.dryRun) change.dryRun = after.dryRun;
  if (after.cron !== before.cron) change.cron = after.cron;
  if (after.timeZone !== before.timeZone) change.timeZone = after.timeZone;
  if (!sameSet(after.alertOn, before.alertOn)) change.alertOn = after.alertOn;
  return change;
}
