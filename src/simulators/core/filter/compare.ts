/**
 * How two values order, shared by `$filter` comparisons and `$orderby`. String comparisons are
 * case-insensitive and accent-sensitive, like the SQL Server collation behind both systems.
 */
import { compareDecimals } from '../decimal.js';
import type { PropertyDef, Value } from '../model.js';
import type { ValueCategory } from './ast.js';
import { plainDecimal } from './literals.js';
import { categoryOf, typeOfProperty } from './typing.js';

// SQL Server's default collations (…_CI_AS) ignore case but not accents; an ICU collator at "accent"
// strength is the closest match and also orders the way those collations do.
const collator = new Intl.Collator('en', { sensitivity: 'accent' });

/** Case folding for the case-insensitive string operations (wildcards, contains/startswith/endswith). */
export const fold = (text: string): string => text.toLowerCase();

/** Exact when both sides are plain decimal text (Edm.Decimal rows, literals); via Number otherwise. */
function compareNumbers(a: Value, b: Value): number {
  const x = plainDecimal(a);
  const y = plainDecimal(b);
  if (x !== undefined && y !== undefined) return compareDecimals(x, y);
  return Math.sign(Number(a) - Number(b));
}

/** Orders two non-null values under `category`'s rules; `members` gives an enum's declaration order. */
export function compareNonNull(
  a: Value,
  b: Value,
  category: ValueCategory,
  members?: readonly string[],
): number {
  switch (category) {
    case 'number':
      return compareNumbers(a, b);
    case 'temporal':
      // Edm.Date text parses as UTC midnight, so dates and date-times compare on one time line.
      return Math.sign(Date.parse(String(a)) - Date.parse(String(b)));
    case 'boolean':
      return Number(a) - Number(b);
    case 'guid': {
      const [x, y] = [fold(String(a)), fold(String(b))];
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case 'enum': {
      // F&O compares enums by their integer values, which follow declaration order.
      const [x, y] = [members?.indexOf(String(a)) ?? -1, members?.indexOf(String(b)) ?? -1];
      if (x >= 0 && y >= 0) return Math.sign(x - y);
      return collator.compare(String(a), String(b));
    }
    default:
      return collator.compare(String(a), String(b));
  }
}

/**
 * Orders two row values the way the systems' SQL does: nulls first, Edm.Decimal text by value, strings
 * case-insensitively. Without a `def`, the category is guessed from the JavaScript values (strings compare
 * as text then, so pass the def for Edm.Decimal columns).
 */
export function compareValues(a: Value, b: Value, def?: PropertyDef): number {
  if (a === null || b === null) return a === null ? (b === null ? 0 : -1) : 1;
  const type = def ? typeOfProperty(def) : undefined;
  const category = type
    ? categoryOf(type)
    : typeof a === 'number' && typeof b === 'number'
      ? 'number'
      : typeof a === 'boolean' && typeof b === 'boolean'
        ? 'boolean'
        : 'string';
  const order = compareNonNull(a, b, category, type?.enumMembers);
  return Number.isNaN(order) ? 0 : order;
}
