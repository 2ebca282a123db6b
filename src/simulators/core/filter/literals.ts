/** Literal text rules shared by the tokenizer, the type checker and the evaluator: numbers and dates. */
import type { EdmType, Value } from '../model.js';

/** Decimal text without exponent, as Edm.Decimal rows and decimal literals are written. */
export const plainDecimalPattern = /^-?\d+(?:\.\d+)?$/;
const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;
const dateTimePattern =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,7})?)?(?:Z|[+-](\d{2}):(\d{2}))$/;
const localDateTimePattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?$/;

/** The value as plain decimal text, or undefined when it is not one (exponents, NaN, non-numbers). */
export function plainDecimal(value: Value): string | undefined {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : undefined;
  return text !== undefined && plainDecimalPattern.test(text) ? text : undefined;
}

/** The EDM type of a numeric literal: an exponent makes a Double, a point a Decimal, else Int32 or Int64. */
export function numberType(text: string): EdmType {
  if (/[eE]/.test(text)) return 'Edm.Double';
  if (text.includes('.')) return 'Edm.Decimal';
  return Math.abs(Number(text)) <= 2_147_483_647 ? 'Edm.Int32' : 'Edm.Int64';
}

/** `date` (YYYY-MM-DD), `datetime` (with a zone), `local` (no zone), or undefined when not a valid value. */
export function classifyTemporal(text: string): 'date' | 'datetime' | 'local' | undefined {
  const date = datePattern.exec(text);
  if (date) return validDate(date) ? 'date' : undefined;
  const dateTime = dateTimePattern.exec(text);
  if (dateTime) {
    const [hour, minute, second, offsetHours, offsetMinutes] = [4, 5, 6, 7, 8].map((i) =>
      Number(dateTime[i] ?? 0),
    );
    const timeOk =
      hour! <= 23 && minute! <= 59 && second! <= 59 && offsetHours! <= 14 && offsetMinutes! <= 59;
    return validDate(dateTime) && timeOk ? 'datetime' : undefined;
  }
  return localDateTimePattern.test(text) ? 'local' : undefined;
}

function validDate(match: RegExpExecArray): boolean {
  const [year, month, day] = [1, 2, 3].map((i) => Number(match[i]));
  const leap = year! % 4 === 0 && (year! % 100 !== 0 || year! % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month! - 1];
  return days !== undefined && day! >= 1 && day! <= days;
}
