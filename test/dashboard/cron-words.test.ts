/**
 * The dashboard's cron helper reads the common shapes of a cron expression in words and says nothing of
 * the others, whose next fire times (from the hub) say when they fire.
 */
import { describe, expect, it } from 'vitest';
import { cronInWords } from '../../dashboard/src/schedules/cron-words.js';

describe('a cron expression in words', () => {
  it.each([
    ['* * * * *', 'every minute'],
    ['*/15 * * * *', 'every 15 minutes'],
    ['*/15 * * * 1-5', 'every 15 minutes, on weekdays'],
    ['0 * * * *', 'every hour, on the hour'],
    ['5 * * * *', 'at 5 minutes past every hour'],
    ['0 */2 * * *', 'every 2 hours, on the hour'],
    ['30 */6 * * *', 'every 6 hours, at 30 minutes past'],
    ['0 6 * * *', 'at 06:00 every day'],
    ['0 6 * * 1-5', 'at 06:00 on weekdays'],
    ['0 6 * * MON-FRI', 'at 06:00 on weekdays'],
    ['0 6,18 * * *', 'at 06:00 and 18:00 every day'],
    ['0 8 * * 0,6', 'at 08:00 on weekends'],
    ['0 8 * * sat,7', 'at 08:00 on weekends'],
    ['0 9 * * 1,3,5', 'at 09:00 on Mondays, Wednesdays, and Fridays'],
    ['0 9 * * 2-4', 'at 09:00 from Tuesday to Thursday'],
    ['30 2 1 * *', 'at 02:30 on day 1 of each month'],
    ['  0   6 * * 1-5 ', 'at 06:00 on weekdays'],
  ])('reads %j as "%s"', (cron, words) => {
    expect(cronInWords(cron)).toBe(words);
  });

  it.each([
    ['a step that does not divide the hour', '*/7 * * * *'],
    ['hours in a range', '*/15 9-17 * * *'],
    ['one month', '0 6 * 1 *'],
    ['both days of the month and of the week', '0 6 1 * 1'],
    ['an hour no day has', '0 25 * * *'],
    ['six fields', '0 0 6 * * *'],
    ['no cron at all', 'every morning'],
  ])('says nothing of %s (%j)', (_shape, cron) => {
    expect(cronInWords(cron)).toBeNull();
  });
});
