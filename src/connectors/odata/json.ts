/**
 * JSON in and out of both systems without losing decimal digits. Money and quantities are `Edm.Decimal`
 * and arrive as JSON numbers (`"creditlimit": 2500.0000`); `JSON.parse` would turn them into floats that
 * drop trailing zeros and, past 15–17 significant digits, round. lossless-json keeps each number's text.
 *
 * Reading (`parseJson`): a number written as an integer that fits a safe JS integer becomes a `number`
 * (option-set codes, counts, version numbers); every other number becomes its exact source text as a
 * `string` (`2500.0000` → `"2500.0000"`, `0.1` → `"0.1"`, `12345678901234567890` → the same digits).
 * So a decimal property may reach an adapter as a number (when written without a fraction) or a string:
 * use `decimalText` to read one.
 *
 * Writing (`stringifyJson`): a value wrapped with `decimal('12.10')` is written as the bare JSON number
 * `12.10`, which is what both systems expect for `Edm.Decimal`. Plain strings stay strings.
 */
import { isLosslessNumber, LosslessNumber, parse, stringify } from 'lossless-json';

/** A decimal to be written as a JSON number with exactly these digits. Create it with `decimal()`. */
export type Decimal = LosslessNumber;

const decimalPattern = /^-?\d+(\.\d+)?$/;

/**
 * Marks decimal text (or an integer) for `stringifyJson` to write as a JSON number, digits unchanged.
 * Throws a TypeError for anything that is not plain decimal notation (no exponent, no `NaN`).
 */
export function decimal(value: string | number | bigint): Decimal {
  const text = typeof value === 'string' ? value.trim() : String(value);
  if (!decimalPattern.test(text)) {
    throw new TypeError(`Expected a decimal like "1234.50", got ${JSON.stringify(String(value))}`);
  }
  return new LosslessNumber(text);
}

/** True for values made by `decimal()` (or any lossless-json `LosslessNumber`). */
export function isDecimal(value: unknown): value is Decimal {
  return isLosslessNumber(value);
}

/** Parses a response body as described above. Throws SyntaxError on invalid JSON. */
export function parseJson(text: string): unknown {
  return parse(text, null, parseNumber);
}

function parseNumber(text: string): number | string {
  if (/^-?\d+$/.test(text)) {
    const value = Number(text);
    // `-0` stays text so it round-trips; everything else integral and safe is a plain number.
    if (Number.isSafeInteger(value) && !Object.is(value, -0)) return value;
  }
  return text;
}

/** Serializes a request body; `decimal()` values become JSON numbers, `undefined` members are dropped. */
export function stringifyJson(value: unknown): string {
  const text = stringify(value);
  if (text === undefined) throw new TypeError('A request body must be a JSON value, got undefined');
  return text;
}

/**
 * The exact decimal text of a value read by `parseJson` (`2500` → `"2500"`, `"2500.00"` → `"2500.00"`),
 * `null` for `null`, `undefined` for anything that is not a number.
 */
export function decimalText(value: unknown): string | null | undefined {
  if (value === null) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  if (typeof value === 'string') return /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(value) ? value : undefined;
  if (isLosslessNumber(value)) return value.value;
  return undefined;
}
