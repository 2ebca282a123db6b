import type { CombinedError } from 'urql';

/** The fields of the schedule form the hub may name in a BAD_USER_INPUT. */
export type ScheduleField = 'name' | 'flows' | 'cron' | 'timeZone' | 'alertOn';
const fields: ReadonlySet<string> = new Set<ScheduleField>(['name', 'flows', 'cron', 'timeZone', 'alertOn']);

export type FieldProblems = Partial<Record<ScheduleField, string>>;

/**
 * The hub's BAD_USER_INPUT errors by the field they name (its `argument` extension: `cron`, `input.cron`,
 * `change.timeZone`, `name`), each its sentence without the "Invalid argument …:" the field already says;
 * `unplaced` is true when some error names no field of the form and must be shown as it is.
 */
export function fieldProblems(error: CombinedError | undefined): {
  problems: FieldProblems;
  unplaced: boolean;
} {
  const problems: FieldProblems = {};
  if (error === undefined) return { problems, unplaced: false };
  let unplaced = error.graphQLErrors.length === 0;
  for (const { message, extensions } of error.graphQLErrors) {
    const argument = extensions['code'] === 'BAD_USER_INPUT' ? extensions['argument'] : undefined;
    const field = typeof argument === 'string' ? argument.split('.').at(-1) : undefined;
    if (field !== undefined && fields.has(field)) {
      problems[field as ScheduleField] ??= message.replace(/^Invalid argument "[^"]*": /, '');
    } else {
      unplaced = true;
    }
  }
  return { problems, unplaced };
}
