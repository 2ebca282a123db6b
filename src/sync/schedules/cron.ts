/**
 * A schedule's cron expression and time zone: checked before it is stored, and turned into due times.
 * Expressions have five fields (minute, hour, day of month, month, day of week), so a schedule fires at
 * most once a minute, as the Data Integrator's shortest interval; a time zone is an IANA name, and due
 * times follow its daylight-saving changes. Parsing is cron-parser's (the job engine's own dependency).
 */
import cronParser from 'cron-parser';

export interface CronTiming {
  cron: string;
  timeZone: string;
}

/** A problem with one field of a schedule's timing, as a person can act on it. */
export interface TimingProblem {
  field: 'cron' | 'timeZone';
  message: string;
}

/** Every problem with the timing (none when it is good). */
export function timingProblems({ cron, timeZone }: CronTiming): TimingProblem[] {
  const problems: TimingProblem[] = [];
  if (!isTimeZone(timeZone)) {
    problems.push({
      field: 'timeZone',
      message: `"${timeZone}" is not a time zone; use an IANA name such as Europe/Paris, America/New_York or UTC.`,
    });
  }
  const fields = cron.trim().split(/\s+/).filter(Boolean);
  if (fields.length !== 5) {
    problems.push({
      field: 'cron',
      message:
        `"${cron}" has ${fields.length} field(s); a schedule takes five (minute hour day-of-month month ` +
        `day-of-week, e.g. "*/15 * * * *" every 15 minutes): it fires at most once a minute.`,
    });
    return problems;
  }
  try {
    cronParser.parseExpression(cron, { tz: isTimeZone(timeZone) ? timeZone : 'UTC' }).next();
  } catch (error) {
    problems.push({
      field: 'cron',
      message: `"${cron}" is not a cron expression: ${error instanceof Error ? error.message : String(error)}.`,
    });
  }
  return problems;
}

/** The next `count` due times after `after`. The timing must be valid (see `timingProblems`). */
export function nextDueTimes({ cron, timeZone }: CronTiming, after: Date, count: number): Date[] {
  const times = cronParser.parseExpression(cron, { tz: timeZone, currentDate: after });
  const due: Date[] = [];
  for (let i = 0; i < count && times.hasNext(); i += 1) due.push(times.next().toDate());
  return due;
}

/**
 * The latest due time at or before `now` and after `since`, or null when none fell in between: a hub
 * that was down over several due times fires once for them, not once each.
 */
export function latestDueTime({ cron, timeZone }: CronTiming, since: Date, now: Date): Date | null {
  // cron-parser's prev() is strictly before its current date: a due time exactly at `now` counts.
  const times = cronParser.parseExpression(cron, { tz: timeZone, currentDate: new Date(now.getTime() + 1) });
  if (!times.hasPrev()) return null;
  const due = times.prev().toDate();
  return due.getTime() > since.getTime() ? due : null;
}

function isTimeZone(name: string): boolean {
  if (name.trim() === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
