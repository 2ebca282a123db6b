import type { ScheduleSummaryFragment } from '../generated/graphql';
import { paths } from '../routing/paths';
import { Link } from '../routing/router';
import { enumLabel, flowLabel, formatList } from '../ui/format';
import { TableScroll } from '../ui/table-scroll';
import { StatusText } from '../ui/values';
import { alertEvents } from './alert-events';
import { cronInWords } from './cron-words';
import { formatFireTime } from './fire-times';
import { ScheduleActions } from './schedule-actions';

/**
 * Every schedule: what it syncs, when (its cron in words where it has a common shape), whether it is
 * paused, when it fires next and what became of its last due time. `onChanged` is given to operators'
 * controls (none without it).
 */
export function SchedulesTable({
  schedules,
  onChanged,
}: {
  schedules: ScheduleSummaryFragment[];
  onChanged?: () => void;
}) {
  return (
    <TableScroll caption="Sync schedules, by name" className="schedules-table">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Flows</th>
          <th scope="col">Mode</th>
          <th scope="col">When</th>
          <th scope="col">State</th>
          <th scope="col">Next fire time</th>
          <th scope="col">Last outcome</th>
          <th scope="col">Alerts</th>
          {onChanged && <th scope="col">Actions</th>}
        </tr>
      </thead>
      <tbody>
        {schedules.map((schedule) => (
          <ScheduleRow key={schedule.id} schedule={schedule} onChanged={onChanged} />
        ))}
      </tbody>
    </TableScroll>
  );
}

function ScheduleRow({
  schedule,
  onChanged,
}: {
  schedule: ScheduleSummaryFragment;
  onChanged: (() => void) | undefined;
}) {
  const { name, flows, mode, dryRun, cron, timeZone, enabled, alertOn, nextFireTimes, firings } = schedule;
  const words = cronInWords(cron);
  const next = nextFireTimes[0];
  return (
    <tr data-schedule={name}>
      <th scope="row">{name}</th>
      <td>{formatList(flows.map(flowLabel))}</td>
      <td>
        {enumLabel(mode)}
        {dryRun && <span className="tag">dry run</span>}
      </td>
      <td>
        <code className="cron">{cron}</code> <span className="muted">{timeZone}</span>
        {words !== null && <div className="hint">{words}</div>}
      </td>
      <td>
        <StatusText status={enabled ? 'ENABLED' : 'PAUSED'} />
      </td>
      <td className="next-fire">
        {next === undefined ? (
          <span className="blank">None while paused</span>
        ) : (
          <time dateTime={next}>{formatFireTime(next, timeZone)}</time>
        )}
      </td>
      <td>
        <LastOutcome firing={firings[0]} timeZone={timeZone} />
      </td>
      <td>
        {alertOn.length === 0 ? (
          <span className="blank">None</span>
        ) : (
          formatList(alertEvents.filter(({ event }) => alertOn.includes(event)).map(({ short }) => short))
        )}
      </td>
      {onChanged && (
        <td>
          <ScheduleActions schedule={schedule} onChanged={onChanged} />
        </td>
      )}
    </tr>
  );
}

/** The latest due time handled: the run it started (a link to it), or why none was. */
function LastOutcome({
  firing,
  timeZone,
}: {
  firing: ScheduleSummaryFragment['firings'][number] | undefined;
  timeZone: string;
}) {
  if (firing === undefined) return <span className="blank">Not fired yet</span>;
  return (
    <div className="last-outcome">
      <StatusText status={firing.outcome} />{' '}
      {firing.outcome === 'STARTED' ? (
        firing.run === null ? (
          <span className="muted">its run is no longer kept</span>
        ) : (
          <>
            run{' '}
            <Link to={paths.run(firing.run.id)} className="run-id">
              {firing.run.id}
            </Link>
          </>
        )
      ) : (
        <span className="reason">{firing.reason}</span>
      )}
      <div className="hint">
        due <time dateTime={firing.dueAt}>{formatFireTime(firing.dueAt, timeZone)}</time>
      </div>
    </div>
  );
}
