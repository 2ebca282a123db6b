/**
 * Timestamps for the seed data, all relative to an explicit reference date rather than the clock, so the
 * same seed gives the same data on any day.
 */
import type { SeededRandom } from './random.js';

/** The default "today" of the generated data. */
export const defaultReferenceDate = '2026-01-01T00:00:00Z';

/** One day in milliseconds. */
export const DAY_MS = 86_400_000;

// A million rows carry two million timestamps; formatting each through Date costs seconds, while a day
// prefix and a time of day, each formatted once, cost a string concatenation.
const dayPrefixes = new Map<number, string>();
const timesOfDay: (string | undefined)[] = [];

/** `Edm.DateTimeOffset` text as Dataverse writes it: whole seconds, UTC, ending in `Z`. */
export function isoDateTime(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  const second = Math.floor((ms - day * DAY_MS) / 1000);
  let prefix = dayPrefixes.get(day);
  if (prefix === undefined) {
    prefix = new Date(day * DAY_MS).toISOString().slice(0, 11); // 'YYYY-MM-DDT'
    dayPrefixes.set(day, prefix);
  }
  let time = timesOfDay[second];
  if (time === undefined) {
    time = `${new Date(second * 1000).toISOString().slice(11, 19)}Z`; // 'hh:mm:ssZ'
    timesOfDay[second] = time;
  }
  return prefix + time;
}

/** A whole-second instant between `fromMs` and `toMs`. */
export function instantBetween(random: SeededRandom, fromMs: number, toMs: number): number {
  const seconds = Math.max(0, Math.floor((toMs - fromMs) / 1000));
  return fromMs + random.int(0, seconds) * 1000;
}

/** Midnight UTC of the day holding `ms` (quote validity dates are whole days). */
export function startOfDay(ms: number): number {
  return ms - (ms % DAY_MS);
}
