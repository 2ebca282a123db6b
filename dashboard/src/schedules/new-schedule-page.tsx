import { useMutation } from 'urql';
import { CreateSyncScheduleDocument } from '../generated/graphql';
import { paths } from '../routing/paths';
import { navigate } from '../routing/router';
import { useViewer } from '../session/viewer-context';
import { useDocumentTitle } from '../ui/hooks';
import { browserTimeZone } from './fire-times';
import { alertEvents } from './alert-events';
import { ScheduleForm, type ScheduleValues } from './schedule-form';
import { OperatorsOnly } from './operators-only';

/**
 * Where a new schedule starts: no flow yet (a schedule runs unattended: its flows are chosen, not
 * assumed), incremental, weekday mornings on the browser's clock, every alert.
 */
function blankSchedule(): ScheduleValues {
  return {
    name: '',
    flows: [],
    mode: 'INCREMENTAL',
    dryRun: false,
    cron: '0 6 * * 1-5',
    timeZone: browserTimeZone(),
    enabled: true,
    alertOn: alertEvents.map(({ event }) => event),
  };
}

export function NewSchedulePage() {
  useDocumentTitle('New schedule');
  const viewer = useViewer();
  const [, create] = useMutation(CreateSyncScheduleDocument);
  const save = async (input: ScheduleValues) => {
    const result = await create({ input });
    if (result.error) return result.error;
    navigate(paths.schedules);
    return undefined;
  };
  return (
    <>
      <h1>New schedule</h1>
      {viewer.canOperate ? (
        <ScheduleForm initial={blankSchedule()} isNew submitLabel="Create schedule" save={save} />
      ) : (
        <OperatorsOnly />
      )}
    </>
  );
}
