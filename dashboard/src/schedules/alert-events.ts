import type { ScheduleAlertEvent } from '../generated/graphql';

/** What can raise an alert for a schedule, in the hub's order: the form's checkboxes and the list's words. */
export const alertEvents: { event: ScheduleAlertEvent; label: string; short: string; hint: string }[] = [
  {
    event: 'RUN_FAILED',
    label: 'Alert when a run fails',
    short: 'run fails',
    hint: 'A run the schedule started ended FAILED.',
  },
  {
    event: 'RUN_COMPLETED_WITH_ERRORS',
    label: 'Alert when a run ends with errors',
    short: 'run ends with errors',
    hint: 'A run the schedule started ended COMPLETED_WITH_ERRORS: some records failed.',
  },
  {
    event: 'SCHEDULE_SKIPPED',
    label: 'Alert when it is skipped repeatedly',
    short: 'skipped repeatedly',
    hint: 'Three due times in a row were skipped, its flows still running from earlier runs.',
  },
];
