/**
 * Opaque cursors for Relay connections. A cursor carries the sort key of the last row returned, so the
 * next page is a keyset read (`… gt <last>`) that stays stable while rows are added — no offsets, which
 * Dataverse does not support anyway. The inside is base64url JSON and is validated on the way back in.
 */
import { textProblem } from './arguments.js';
import { badInput, type HubError } from './errors.js';
import { maxPageSize } from './page-size.js';

export interface CursorPosition {
  /** Which listing the cursor belongs to; a cursor from another listing is refused. */
  list: string;
  /** The sort values of the last row: [primary sort value, tie-breaking key]. */
  after: [string | null, string];
}

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.list, ...position.after])).toString('base64url');
}

/** Decodes `after`; anything malformed or from another listing is a BAD_USER_INPUT naming the argument. */
export function decodeCursor(list: string, cursor: string, argument = 'after'): CursorPosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badInput(
      argument,
      'not a cursor returned by this API. Pass an endCursor or edge cursor exactly as received.',
    );
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 3 ||
    parsed[0] !== list ||
    !(parsed[1] === null || cursorValue(parsed[1])) ||
    !cursorValue(parsed[2])
  ) {
    throw notACursorOf(list, argument);
  }
  return { list, after: [parsed[1] as string | null, parsed[2] as string] };
}

/** The refusal of a cursor that is not one of `list`'s, e.g. one whose inside was edited. */
export function notACursorOf(list: string, argument = 'after'): HubError {
  return badInput(
    argument,
    `not a cursor of the ${list} listing. Pass an endCursor or edge cursor exactly as received.`,
  );
}

/**
 * The longest sort or key value a cursor may carry: above any name or key either system holds (Dataverse
 * names 160 characters, keys shorter), and short enough that a keyset filter repeating it stays within
 * Finance's 8 KB URLs even when each character takes nine percent-encoded bytes.
 */
const maxCursorValueLength = 500;

/** A sort or key value a cursor of this API can hold: text that fits in a URL and in the database. */
function cursorValue(value: unknown): value is string {
  return typeof value === 'string' && textProblem(value, maxCursorValueLength) === undefined;
}

/** `first` between 1 and `max`, or a BAD_USER_INPUT naming it. */
export function pageSize(first: number | null | undefined, max = maxPageSize): number {
  const size = first ?? 50;
  if (!Number.isInteger(size) || size < 1 || size > max) {
    throw badInput('first', `must be between 1 and ${max}, got ${String(first)}.`);
  }
  return size;
}
