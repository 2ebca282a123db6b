import { useId } from 'react';
import { ErrorAlert } from '../ui/error-alert';
import { cronInWords } from './cron-words';
import type { FieldProblems } from './field-errors';
import { browserTimeZone, formatFireTime, knownTimeZones } from './fire-times';
import { useScheduleTimes } from './use-schedule-times';

const timeZones = knownTimeZones();

/**
 * The cron expression and time zone of a schedule, with the cron helper: as they are typed, the common
 * shapes in words and the next five times the hub would fire at, or what is wrong under the field that
 * is wrong. `submitted` are the problems the hub found when the form was last sent.
 */
export function TimingFields({
  cron,
  timeZone,
  onCronChange,
  onTimeZoneChange,
  submitted,
}: {
  cron: string;
  timeZone: string;
  onCronChange: (cron: string) => void;
  onTimeZoneChange: (timeZone: string) => void;
  submitted: FieldProblems;
}) {
  const id = useId();
  const preview = useScheduleTimes(cron, timeZone);
  const cronProblem = preview.problems.cron ?? submitted.cron;
  const zoneProblem = preview.problems.timeZone ?? submitted.timeZone;
  const words = cronProblem === undefined ? cronInWords(cron) : null;
  const yours = browserTimeZone();
  return (
    <fieldset>
      <legend>When</legend>
      <div className="field">
        <label htmlFor={`${id}-cron`}>Cron expression</label>
        <input
          id={`${id}-cron`}
          className="cron-input"
          value={cron}
          spellCheck={false}
          autoComplete="off"
          aria-invalid={cronProblem !== undefined}
          aria-describedby={`${cronProblem === undefined ? '' : `${id}-cron-problem `}${id}-cron-hint`}
          onChange={(event) => onCronChange(event.target.value)}
        />
        {cronProblem !== undefined && (
          <p className="field-problem" id={`${id}-cron-problem`} role="alert">
            {cronProblem}
          </p>
        )}
        <p className="hint" id={`${id}-cron-hint`}>
          Five fields: minute, hour, day of month, month, day of week. For example <code>*/15 * * * *</code>{' '}
          every 15 minutes, <code>0 6 * * 1-5</code> at 06:00 on weekdays.
        </p>
      </div>
      <div className="field">
        <label htmlFor={`${id}-zone`}>Time zone</label>
        <input
          id={`${id}-zone`}
          list={`${id}-zones`}
          value={timeZone}
          spellCheck={false}
          autoComplete="off"
          aria-invalid={zoneProblem !== undefined}
          aria-describedby={`${zoneProblem === undefined ? '' : `${id}-zone-problem `}${id}-zone-hint`}
          onChange={(event) => onTimeZoneChange(event.target.value)}
        />
        <datalist id={`${id}-zones`}>
          {timeZones.map((zone) => (
            <option key={zone} value={zone} />
          ))}
        </datalist>
        {zoneProblem !== undefined && (
          <p className="field-problem" id={`${id}-zone-problem`} role="alert">
            {zoneProblem}
          </p>
        )}
        <p className="hint" id={`${id}-zone-hint`}>
          The clock the cron is read on, as an IANA name; its daylight-saving changes are followed. This
          browser&apos;s is {yours}.
        </p>
        <div className="zone-choices">
          {timeZone !== yours && (
            <button type="button" className="secondary" onClick={() => onTimeZoneChange(yours)}>
              Use {yours}
            </button>
          )}
          {timeZone !== 'UTC' && yours !== 'UTC' && (
            <button type="button" className="secondary" onClick={() => onTimeZoneChange('UTC')}>
              Use UTC
            </button>
          )}
        </div>
      </div>
      <section className="cron-helper" aria-label="When it fires" aria-live="polite">
        {words !== null && (
          <p>
            Fires <strong>{words}</strong>.
          </p>
        )}
        {preview.times !== undefined && (
          <>
            <p id={`${id}-times`}>Its next five times, as the hub will fire them:</p>
            <ol aria-labelledby={`${id}-times`} className="fire-times">
              {preview.times.map((time) => (
                <li key={time}>
                  <time dateTime={time}>{formatFireTime(time, preview.timeZone)}</time>
                </li>
              ))}
            </ol>
          </>
        )}
        {preview.pending && <p className="muted">Asking the hub when it fires…</p>}
        {preview.error && <ErrorAlert error={preview.error} />}
      </section>
    </fieldset>
  );
}
