/**
 * Turning a JSON request body into typed column values, with the checks both systems make: known
 * property, right JSON type, string length, enum member, date format. Messages name the property and
 * what was expected, the way the real services do.
 */
import { ServiceError } from './errors.js';
import { isPlainObject, numberText } from './json.js';
import type { EntitySetDef, PropertyDef, Row, Value } from './model.js';

export interface CoerceOptions {
  /** Annotations (`@odata.*`, `x@odata.bind`) are handled by the caller; they are skipped here. */
  skipAnnotations?: boolean;
  /** What to do with read-only properties: Dataverse ignores them, F&O rejects them. */
  readOnly: 'ignore' | 'reject';
}

export function coerceBody(body: unknown, set: EntitySetDef, { readOnly }: CoerceOptions): Row {
  if (!isPlainObject(body)) throw new ServiceError(400, '', 'The request body must be a JSON object.');
  const row: Row = {};
  for (const [name, raw] of Object.entries(body)) {
    if (name.includes('@')) continue;
    const def = set.properties[name];
    if (!def) {
      throw new ServiceError(
        400,
        '',
        `The property '${name}' does not exist on type '${set.entityType}'. Make sure to only use property names that are defined by the type.`,
      );
    }
    if (def.readOnly) {
      if (readOnly === 'reject')
        throw new ServiceError(
          400,
          '',
          `The property '${name}' of '${set.entityType}' is read-only and cannot be set.`,
        );
      continue;
    }
    row[name] = coerceValue(raw, name, def, set);
  }
  return row;
}

export function coerceValue(raw: unknown, name: string, def: PropertyDef, set: EntitySetDef): Value {
  const fail = (expected: string): never => {
    throw new ServiceError(
      400,
      '',
      `Cannot convert the value of property '${name}' on '${set.entityType}' to ${expected}: got ${describe(raw)}.`,
    );
  };
  if (raw === null) {
    if (def.nullable === false)
      throw new ServiceError(400, '', `The property '${name}' on '${set.entityType}' cannot be null.`);
    return null;
  }
  switch (def.type) {
    case 'Edm.String': {
      if (typeof raw !== 'string') return fail('Edm.String');
      const text = raw as string;
      if (def.enumMembers && !def.enumMembers.includes(text)) {
        throw new ServiceError(
          400,
          '',
          `Requested value '${text}' was not found in enum ${def.enumType ?? ''} for property '${name}'. Allowed: ${def.enumMembers.join(', ')}.`,
        );
      }
      if (def.maxLength !== undefined && text.length > def.maxLength) {
        throw new ServiceError(
          400,
          '',
          `The length of the '${name}' attribute of the '${set.entityType}' entity exceeded the maximum allowed length of '${def.maxLength}'.`,
        );
      }
      return text;
    }
    case 'Edm.Guid':
      if (
        typeof raw !== 'string' ||
        !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(raw)
      )
        return fail('Edm.Guid');
      return (raw as string).toLowerCase();
    case 'Edm.Decimal': {
      const text =
        numberText(raw) ?? (typeof raw === 'string' && /^-?\d+(\.\d+)?$/.test(raw) ? raw : undefined);
      return text === undefined ? fail('Edm.Decimal') : normalizeDecimal(text);
    }
    case 'Edm.Int32':
    case 'Edm.Int64':
    case 'Edm.Double': {
      const text = numberText(raw);
      if (text === undefined) return fail(def.type);
      const value = Number(text);
      if (def.type !== 'Edm.Double' && !Number.isInteger(value)) return fail(def.type);
      return value;
    }
    case 'Edm.Boolean':
      return typeof raw === 'boolean' ? raw : fail('Edm.Boolean');
    case 'Edm.DateTimeOffset': {
      if (
        typeof raw !== 'string' ||
        !/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.test(raw) ||
        Number.isNaN(Date.parse(raw))
      ) {
        return fail('Edm.DateTimeOffset (ISO 8601, e.g. 2026-01-31T00:00:00Z)');
      }
      return new Date(raw as string).toISOString().replace('.000Z', 'Z');
    }
    case 'Edm.Date':
      if (typeof raw !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(raw)) return fail('Edm.Date (YYYY-MM-DD)');
      return raw as string;
  }
}

/** `1e3` or `12.500` → plain decimal text without exponent; trailing zeros are kept as sent. */
function normalizeDecimal(text: string): string {
  if (!/[eE]/.test(text)) return text;
  const value = Number(text);
  if (!Number.isFinite(value)) throw new ServiceError(400, '', `The decimal value ${text} is out of range.`);
  return String(value);
}

function describe(raw: unknown): string {
  if (raw === undefined) return 'nothing';
  const text = numberText(raw);
  if (text !== undefined) return `the number ${text}`;
  return JSON.stringify(raw)?.slice(0, 80) ?? String(raw);
}
