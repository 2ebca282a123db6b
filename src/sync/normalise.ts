/**
 * What "equal" means when the hub compares a value of one system with a value of the other: both systems
 * write the same thing differently (decimals with or without trailing zeros, instants with or without
 * milliseconds, an empty string where the other has null), and none of that is a difference a person
 * should be shown.
 */

/** How two values of a field are compared. */
export type Comparison =
  /** Trimmed text; case-sensitive; null, undefined and '' are all blank. */
  | 'text'
  /** Exact decimals by value: "2500.00" equals "2500" and "2.5e3". */
  | 'decimal'
  /** Dates by instant: "2025-03-01T00:00:00Z" equals "2025-03-01T00:00:00.000Z". */
  | 'instant'
  /** GUIDs, case-insensitively (Dataverse accepts either case). */
  | 'id';

/** True for null, undefined and text that is empty once trimmed. */
export const isBlank = (value: unknown): boolean =>
  value === null || value === undefined || (typeof value === 'string' && value.trim() === '');

const DECIMAL = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * The canonical text of an exact decimal ("002500.50" → "2500.5", "-0.00" → "0", "2.5e3" → "2500"), or
 * undefined when `text` is not a decimal. Works on digits, not floats, so no amount is ever rounded.
 */
export function canonicalDecimal(text: string): string | undefined {
  const match = DECIMAL.exec(text.trim());
  if (!match) return undefined;
  const [, sign = '', whole = '', fraction = '', exponentText = '0'] = match;
  if (whole === '' && fraction === '') return undefined;
  const digits = whole + fraction;
  // The decimal point sits after `point` digits; the exponent moves it.
  const point = whole.length + Number(exponentText);
  const padded = point < 0 ? '0'.repeat(-point) + digits : digits.padEnd(point, '0');
  const at = Math.max(point, 0);
  const integer = padded.slice(0, at).replace(/^0+/, '') || '0';
  const decimals = padded.slice(at).replace(/0+$/, '');
  const body = decimals === '' ? integer : `${integer}.${decimals}`;
  return body === '0' || sign !== '-' ? body : `-${body}`;
}

/** A key that is equal for two values exactly when the values are equal under `comparison`. */
export function comparable(value: unknown, comparison: Comparison): string {
  if (isBlank(value)) return '';
  const text = String(value).trim();
  switch (comparison) {
    case 'text':
      return text;
    case 'decimal':
      return canonicalDecimal(text) ?? text;
    case 'instant': {
      const ms = Date.parse(text);
      return Number.isNaN(ms) ? text : String(ms);
    }
    case 'id':
      return text.toLowerCase();
  }
}

/** Whether `a` and `b` are equal under `comparison`. */
export const sameValue = (a: unknown, b: unknown, comparison: Comparison): boolean =>
  comparable(a, comparison) === comparable(b, comparison);
