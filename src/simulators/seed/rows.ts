/** Building rows and business numbers the way both systems shape them. */
import type { EntitySetDef, Row, Value } from '../core/model.js';
import type { SeededRandom } from './random.js';

/** Assigned by the store on insert, so seed rows leave it out. */
const STORE_ASSIGNED = 'versionnumber';

/**
 * A builder of full rows of `set`: every property present, in declaration order, null unless one of the
 * `parts` gives it (later parts win).
 *
 * Speed matters at a million rows, and V8 is picky: cloning one template keeps every row of a set on one
 * object shape; the template comes from `Object.fromEntries` because V8 clones such an object on its fast
 * path, while one grown property by property is cloned some twenty times slower; and parts are copied in
 * with `Object.assign` because object literals that spread other objects and then add properties
 * (`{ ...base, more }`) take V8's slow path. Callers therefore pass plain literals as separate parts.
 */
export function rowBuilder(set: EntitySetDef): (...parts: Row[]) => Row {
  const template: Row = Object.fromEntries(
    Object.keys(set.properties)
      .filter((name) => name !== STORE_ASSIGNED)
      .map((name) => [name, null]),
  );
  return (...parts) => {
    const row = { ...template };
    for (const part of parts) Object.assign(row, part);
    return row;
  };
}

/** A property of a row, null when absent. */
export const field = (row: Row, name: string): Value => row[name] ?? null;

/** A string property of a row; throws when it holds anything else (an invariant of the generator). */
export function text(row: Row, name: string): string {
  const value = row[name];
  if (typeof value !== 'string') throw new TypeError(`Expected ${name} to be text, got ${String(value)}`);
  return value;
}

/** `n` zero-padded to `width` digits (F&O number sequences: 9 digits). */
export const padded = (n: number, width: number): string => String(n).padStart(width, '0');

/** A counter like an F&O number sequence: hands out consecutive numbers, the first being `first`. */
export class Sequence {
  private nextValue: number;

  constructor(first: number) {
    this.nextValue = first;
  }

  take(): number {
    return this.nextValue++;
  }
}

/**
 * The P2C solution's auto-number: prefix, sequence of at least 5 digits, 6 random letters
 * (`ACC-01000-BVRCPS`). The sequence alone makes numbers unique; the suffix imitates the real format.
 */
export function autoNumber(prefix: string, sequence: number, random: SeededRandom): string {
  return `${prefix}-${padded(sequence, 5)}-${random.letters(6)}`;
}
