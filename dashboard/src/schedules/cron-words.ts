/**
 * The common shapes of a cron expression in plain words: "every 15 minutes", "at 06:00 on weekdays",
 * "at 02:30 on day 1 of each month". Any other shape is null, and the next fire times the hub gives (the
 * cron helper shows both) say when it fires. Fields as the hub reads them (src/sync/schedules/cron.ts):
 * minute hour day-of-month month day-of-week, Sunday 0 or 7, day names allowed.
 */

const dayNames = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const dayAbbreviations = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
// In English whatever the browser's language: the sentence around the list is English.
const list = new Intl.ListFormat('en', { type: 'conjunction' });

export function cronInWords(cron: string): string | null {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) return null;
  const [minute = '', hour = '', dayOfMonth = '', month = '', dayOfWeek = ''] = fields;
  if (month !== '*') return null;
  const days = daysInWords(dayOfMonth, dayOfWeek);
  if (days === null) return null;
  const on = (words: string) => (days === '' ? words : `${words}, ${days}`);

  if (hour === '*') {
    if (minute === '*') return on('every minute');
    // Steps restart each hour: only one that divides the hour is "every N minutes".
    const step = stepOf(minute, 60);
    if (step !== null) return on(step === 1 ? 'every minute' : `every ${step} minutes`);
    const at = numberIn(minute, 0, 59);
    if (at === null) return null;
    return on(at === 0 ? 'every hour, on the hour' : `at ${minutes(at)} past every hour`);
  }
  const at = numberIn(minute, 0, 59);
  if (at === null) return null;
  const everyHours = stepOf(hour, 24);
  if (everyHours !== null) {
    const every = everyHours === 1 ? 'every hour' : `every ${everyHours} hours`;
    return on(at === 0 ? `${every}, on the hour` : `${every}, at ${minutes(at)} past`);
  }
  const hours = hour.split(',').map((part) => numberIn(part, 0, 23));
  if (hours.some((h) => h === null)) return null;
  const times = list.format((hours as number[]).map((h) => `${twoDigits(h)}:${twoDigits(at)}`));
  return `at ${times} ${days === '' ? 'every day' : days}`;
}

/** '' for every day, words for the common day shapes ("on weekdays", "on day 1 of each month"), else null. */
function daysInWords(dayOfMonth: string, dayOfWeek: string): string | null {
  if (dayOfMonth === '*' && dayOfWeek === '*') return '';
  if (dayOfWeek === '*') {
    const days = dayOfMonth.split(',').map((part) => numberIn(part, 1, 31));
    if (days.some((day) => day === null)) return null;
    return `on day ${list.format(days.map(String))} of each month`;
  }
  if (dayOfMonth !== '*') return null;
  const range = /^(\w+)-(\w+)$/.exec(dayOfWeek);
  if (range) {
    const [from, to] = [weekday(range[1]!), weekday(range[2]!)];
    if (from === null || to === null || from >= to) return null;
    if (from === 1 && to === 5) return 'on weekdays';
    return `from ${dayNames[from]} to ${dayNames[to % 7]}`;
  }
  const days = dayOfWeek.split(',').map(weekday);
  if (days.some((day) => day === null)) return null;
  const sorted = [...new Set((days as number[]).map((day) => day % 7))].sort((a, b) => a - b);
  if (sorted.join() === '0,6') return 'on weekends';
  return `on ${list.format(sorted.map((day) => `${dayNames[day]}s`))}`;
}

/** A day of the week, 0 (Sunday) to 7 (Sunday again), by number or three-letter name. */
function weekday(text: string): number | null {
  const byName = dayAbbreviations.indexOf(text.toLowerCase());
  return byName >= 0 ? byName : numberIn(text, 0, 7);
}

/** N of `*\/N` when it divides `cycle` evenly (the steps then fall at the same places each cycle). */
function stepOf(field: string, cycle: number): number | null {
  const step = /^\*\/(\d+)$/.exec(field);
  if (!step) return null;
  const n = Number(step[1]);
  return n >= 1 && n < cycle && cycle % n === 0 ? n : null;
}

function numberIn(text: string, min: number, max: number): number | null {
  if (!/^\d{1,2}$/.test(text)) return null;
  const n = Number(text);
  return n >= min && n <= max ? n : null;
}

const twoDigits = (n: number) => String(n).padStart(2, '0');
const minutes = (n: number) => (n === 1 ? '1 minute' : `${n} minutes`);
