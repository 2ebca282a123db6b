/**
 * A sync schedule for tests: the accounts flow every minute in UTC, enabled, alerting on everything, unless
 * `input` says otherwise.
 */
import type { ScheduleInput, ScheduleStore } from '../../src/db/schedules.js';
import { scheduleAlertEvents } from '../../src/db/schema.js';

export function createTestSchedule(
  schedules: ScheduleStore,
  input: Partial<ScheduleInput> & { name: string },
) {
  return schedules.create({
    flows: ['accounts'],
    mode: 'INCREMENTAL',
    dryRun: false,
    cron: '* * * * *',
    timeZone: 'UTC',
    enabled: true,
    alertOn: scheduleAlertEvents,
    createdBy: 'ops',
    ...input,
  });
}
