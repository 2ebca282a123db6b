/**
 * JSON in and out of the simulators without losing decimal digits. `Edm.Decimal` values are held as exact
 * decimal text and written as JSON numbers (`2500.00`, not `"2500.00"` and not `2500`), which is what both
 * Dynamics systems send. Request bodies are parsed with every number kept as its source text, so a
 * client's `12.10` arrives as "12.10".
 */
import { LosslessNumber, parse } from 'lossless-json';
import { randomBytes } from 'node:crypto';
import { ServiceError } from './errors.js';
import type { EntitySetDef, Row, Value } from './model.js';

/** Parses a request body; numbers become `LosslessNumber` (their exact text). Throws SyntaxError. */
export function parseBody(text: string): unknown {
  return parse(text, null, (value) => new LosslessNumber(value));
}

/** A request body that must be a JSON object; anything else is a 400 with `code`. */
export function parseObjectBody(text: string, code = ''): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = parseBody(text || '{}');
  } catch {
    throw new ServiceError(400, code, 'The request body is not valid JSON.');
  }
  if (!isPlainObject(parsed)) throw new ServiceError(400, code, 'The request body must be a JSON object.');
  return parsed;
}

/**
 * What a decimal is while `JSON.stringify` writes a response: a string with a mark no client can know
 * (random per process), written back as a bare number afterwards. `JSON.stringify` without a replacer is
 * the engine's fast path; lossless-json's serializer, or a replacer, took a tenth of a busy simulator.
 */
const markText = randomBytes(8).toString('hex');
const decimalMark = `\u0001${markText}:`;
const markedDecimal = new RegExp(`"\\\\u0001${markText}:([^"]*)"`, 'g');

/** Serializes a response object; its decimals must have been marked by `toWire` first. */
export function stringifyBody(value: unknown): string {
  const text = JSON.stringify(value) ?? 'null';
  return text.includes(markText) ? text.replace(markedDecimal, '$1') : text;
}

/** A row as it goes on the wire: decimals as raw JSON numbers, everything else as is. */
export function toWire(row: Row, set: EntitySetDef): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(row)) {
    const type = set.properties[name]?.type;
    out[name] = type === 'Edm.Decimal' && typeof value === 'string' ? decimalMark + value : value;
  }
  return out;
}

/** The exact text of a parsed JSON number, or undefined when `value` is not one. */
export function numberText(value: unknown): string | undefined {
  if (value instanceof LosslessNumber) return value.value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof LosslessNumber)
  );
}

export type { Value };
