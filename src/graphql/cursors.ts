/**
 * Opaque cursors for Relay connections. A cursor carries the sort key of the last row returned, so the
 * next page is a keyset read (`… gt <last>`) that stays stable while rows are added — no offsets, which
 * Dataverse does not support anyway. The inside is base64url JSON and is validated on the way back in.
 */
import { badInput } from './errors.js';

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
    !(parsed[1] === null || typeof parsed[1] === 'string') ||
    typeof parsed[2] !== 'string'
  ) {
    throw badInput(
      argument,
      `not a cursor of the ${list} listing. Pass an endCursor or edge cursor exactly as received.`,
    );
  }
  return { list, after: [parsed[1] as string | null, parsed[2] as string] };
}

/** `first` between 1 and `max`, or a BAD_USER_INPUT naming it. */
export function pageSize(first: number | null | undefined, max = 500): number {
  const size = first ?? 50;
  if (!Number.isInteger(size) || size < 1 || size > max) {
    throw badInput('first', `must be between 1 and ${max}, got ${String(first)}.`);
  }
  return size;
}
