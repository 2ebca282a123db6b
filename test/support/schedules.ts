/** A sync schedule for tests: the accounts flow every minute in UTC, enabled, unless `input` says otherwise. */
import type { ScheduleInput, ScheduleStore } from '../../src/db/schedules.js';

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
    createdBy: 'ops',
    ...input,
  });
}
