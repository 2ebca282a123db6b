import { useEffect, useEffectEvent } from 'react';
import { useQuery } from 'urql';
import { SyncSchedulesDocument } from '../generated/graphql';
import { paths } from '../routing/paths';
import { Link } from '../routing/router';
import { useOnReconnect } from '../session/hub-session-context';
import { useViewer } from '../session/viewer-context';
import { ErrorAlert } from '../ui/error-alert';
import { useDocumentTitle } from '../ui/hooks';
import { SchedulesTable } from './schedules-table';

/**
 * After a due time, how long the list waits before asking again: the hub's minute tick fires what is due
 * within seconds of it (its job engine looks every 10 s).
 */
const afterDueMs = 15_000;

/** The schedules: everyone sees them; operators create, edit, pause, resume and delete them. */
export function SchedulesPage() {
  useDocumentTitle('Sync schedules');
  const viewer = useViewer();
  const [{ data, error }, reexecute] = useQuery({ query: SyncSchedulesDocument });
  const refresh = () => reexecute({ requestPolicy: 'network-only' });
  useOnReconnect(refresh);
  const schedules = data?.syncSchedules;
  useRefreshAfter(
    schedules?.flatMap((schedule) => schedule.nextFireTimes),
    refresh,
  );
  return (
    <>
      <h1>Sync schedules</h1>
      <p>
        Syncs that start by themselves on a cron timing. A due time whose flows still run from an earlier run
        is skipped, never queued.
      </p>
      {viewer.canOperate && (
        <p>
          <Link to={paths.newSchedule} className="button-link">
            New schedule
          </Link>
        </p>
      )}
      {error && <ErrorAlert error={error} retry={refresh} />}
      {!schedules && !error && <p className="muted">Loading schedules…</p>}
      {schedules &&
        (schedules.length === 0 ? (
          <p>No schedule yet.</p>
        ) : (
          <SchedulesTable schedules={schedules} onChanged={viewer.canOperate ? refresh : undefined} />
        ))}
    </>
  );
}

/** Calls `refresh` a little after the soonest of `times` has passed, so the list shows what it fired. */
function useRefreshAfter(times: string[] | undefined, refresh: () => void): void {
  const soonest = times?.length ? Math.min(...times.map((time) => Date.parse(time))) : undefined;
  const onDue = useEffectEvent(refresh);
  useEffect(() => {
    if (soonest === undefined) return;
    // setTimeout holds at most 2^31 - 1 ms (about 24 days); a later time waits for the next visit.
    const waitMs = soonest + afterDueMs - Date.now();
    if (waitMs > 2 ** 31 - 1) return;
    const timer = setTimeout(() => onDue(), Math.max(0, waitMs));
    return () => clearTimeout(timer);
  }, [soonest]);
}
