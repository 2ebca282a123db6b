/**
 * A schedule's due time as its operators think of it: on the schedule's own clock, named, in the
 * browser's language: "Mon 7 Dec 2026, 06:00 (Europe/Paris)" in British English.
 */
const formats = new Map<string, Intl.DateTimeFormat>();

export function formatFireTime(iso: string, timeZone: string): string {
  const format = formatIn(timeZone);
  if (format === undefined) return `${formatIn('UTC')!.format(new Date(iso))} (UTC)`;
  return `${format.format(new Date(iso))} (${timeZone})`;
}

/** The format for `timeZone`, or undefined when this browser does not know the zone (the hub does). */
function formatIn(timeZone: string): Intl.DateTimeFormat | undefined {
  let format = formats.get(timeZone);
  if (format === undefined) {
    try {
      format = new Intl.DateTimeFormat(undefined, {
        timeZone,
        weekday: 'short',
        day: 'numeric',
        month: 'short',
        year: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
      });
    } catch {
      return undefined;
    }
    formats.set(timeZone, format);
  }
  return format;
}

/** The browser's own time zone: what a new schedule starts with. */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** Every zone this browser knows, UTC first, for the time zone field's suggestions. */
export function knownTimeZones(): string[] {
  const zones = Intl.supportedValuesOf('timeZone').filter((zone) => zone !== 'UTC');
  return ['UTC', ...zones];
}
