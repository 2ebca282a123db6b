/**
 * A schedule's timing: five-field cron expressions in an IANA time zone, refused with the field and a
 * reason otherwise; due times that follow the zone's clock; one due time for a stretch of missed ones.
 */
import { describe, expect, it } from 'vitest';
import { latestDueTime, nextDueTimes, timingProblems } from '../../../src/sync/schedules/cron.js';

describe('a schedule timing', () => {
  it('takes a five-field expression in an IANA time zone', () => {
    expect(timingProblems({ cron: '*/15 * * * *', timeZone: 'Europe/Paris' })).toEqual([]);
    expect(timingProblems({ cron: '0 6 * * 1-5', timeZone: 'UTC' })).toEqual([]);
  });

  it('refuses a seconds field (more often than once a minute), a bad expression and an unknown zone, each named', () => {
    expect(timingProblems({ cron: '*/5 * * * * *', timeZone: 'UTC' })).toEqual([
      {
        field: 'cron',
        message: expect.stringMatching(/^"\*\/5 \* \* \* \* \*" has 6 field\(s\); a schedule takes five/),
      },
    ]);
    expect(timingProblems({ cron: '61 * * * *', timeZone: 'UTC' })).toEqual([
      { field: 'cron', message: expect.stringMatching(/^"61 \* \* \* \*" is not a cron expression: /) },
    ]);
    expect(timingProblems({ cron: 'every day', timeZone: 'Mars/Olympus' })).toEqual([
      {
        field: 'timeZone',
        message:
          '"Mars/Olympus" is not a time zone; use an IANA name such as Europe/Paris, America/New_York or UTC.',
      },
      { field: 'cron', message: expect.stringMatching(/has 2 field\(s\)/) },
    ]);
  });

  it('gives due times on the zone’s clock, across a daylight-saving change', () => {
    // Paris moves from UTC+1 to UTC+2 on 2026-03-29: 06:00 local is 05:00Z before and 04:00Z after.
    const due = nextDueTimes(
      { cron: '0 6 * * *', timeZone: 'Europe/Paris' },
      new Date('2026-03-27T12:00:00Z'),
      3,
    );
    expect(due.map((time) => time.toISOString())).toEqual([
      '2026-03-28T05:00:00.000Z',
      '2026-03-29T04:00:00.000Z',
      '2026-03-30T04:00:00.000Z',
    ]);
  });

  it('gives one due time for a stretch of missed ones, the latest, and none when none fell due', () => {
    const everyMinute = { cron: '* * * * *', timeZone: 'UTC' };
    const since = new Date('2026-12-06T08:00:00Z');
    expect(latestDueTime(everyMinute, since, new Date('2026-12-06T08:07:30Z'))?.toISOString()).toBe(
      '2026-12-06T08:07:00.000Z',
    );
    // Exactly on a due time, that one.
    expect(latestDueTime(everyMinute, since, new Date('2026-12-06T08:03:00Z'))?.toISOString()).toBe(
      '2026-12-06T08:03:00.000Z',
    );
    expect(latestDueTime(everyMinute, since, new Date('2026-12-06T08:00:40Z'))).toBeNull();
  });
});
