/**
 * The checks the Finance simulator's write rules share (`rules.ts`, `order-rules.ts`): blank values,
 * references that must exist and mandatory fields, failing the write with F&O's infolog text.
 */
import type { Row } from '../core/model.js';
import type { Store } from '../core/store.js';
import { writeFailed } from './errors.js';

/** Null, undefined or empty text: what F&O treats as not filled in. */
export const isBlank = (value: unknown): boolean => value === null || value === undefined || value === '';

/** The referenced row; a missing one fails the write as F&O's relation check does. */
export function mustExist(
  store: Store,
  set: string,
  target: string,
  match: Row,
  field: string,
  relatedTable: string,
  value: unknown,
): Row {
  const found = store.get(target, match);
  if (!found) {
    throw writeFailed(
      set,
      `Warning: The value '${String(value)}' in field '${field}' is not found in the related table '${relatedTable}'.`,
    );
  }
  return found;
}

/** A mandatory field; a blank one fails the write with F&O's infolog text. */
export function required(set: string, row: Row, field: string, label: string): void {
  if (isBlank(row[field])) throw writeFailed(set, `Error: Field '${label}' must be filled in.`);
}

/** Text compared as F&O compares keys (case-insensitive); anything else strictly. */
export const equalsIgnoreCase = (a: unknown, b: unknown): boolean =>
  typeof a === 'string' && typeof b === 'string' ? a.toLowerCase() === b.toLowerCase() : a === b;
