/**
 * OData 4.0 literal and key-predicate formatting, shared by the connectors and (as a protocol helper) the
 * simulators. Everything that puts a value into a URL goes through here, so escaping lives in one place.
 *
 * Rules (OData 4.0 ABNF, part 2 §5.1.1): string literals are single-quoted with `'` doubled; GUIDs are
 * written bare; numbers and booleans bare; the whole URL component is then percent-encoded.
 */

const guidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True when `value` is a GUID in the 8-4-4-4-12 form Dataverse uses for primary keys. */
export function isGuid(value: string): boolean {
  return guidPattern.test(value);
}

/** A value that can appear as a literal in `$filter` or a key predicate. */
export type ODataLiteral = string | number | boolean | null | { guid: string } | { raw: string };

/** `O'Brien` → `'O''Brien'`. The result is not yet percent-encoded. */
export function quoteString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * Formats one literal. Strings are quoted and escaped; `{ guid }` is written bare after validation;
 * `{ raw }` is passed through for typed literals the caller built itself (e.g. an enum
 * `Microsoft.Dynamics.DataEntities.NoYes'Yes'`).
 */
export function formatLiteral(value: ODataLiteral): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return quoteString(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`OData number literal must be finite, got ${value}`);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if ('guid' in value) {
    if (!isGuid(value.guid))
      throw new TypeError(`Expected a GUID like 00000000-0000-0000-0000-000000000000, got "${value.guid}"`);
    return value.guid.toLowerCase();
  }
  return value.raw;
}

/** An enum literal in the F&O form `Microsoft.Dynamics.DataEntities.NoYes'Yes'`. */
export function enumLiteral(enumType: string, member: string): { raw: string } {
  return { raw: `Microsoft.Dynamics.DataEntities.${enumType}${quoteString(member)}` };
}

/**
 * A key predicate, ready to append to an entity-set segment:
 * `keyPredicate({ guid })` → `(4b75…)`, `keyPredicate({ accountnumber: 'A&1' })` → `(accountnumber='A%261')`,
 * `keyPredicate({ dataAreaId: 'usmf', CustomerAccount: 'US-001' })` → `(dataAreaId='usmf',CustomerAccount='US-001')`.
 * Values are percent-encoded for use in a path segment.
 */
export function keyPredicate(key: ODataLiteral | Record<string, ODataLiteral>): string {
  if (isKeyRecord(key)) {
    const parts = Object.entries(key).map(
      ([name, value]) => `${name}=${encodeKeyLiteral(formatLiteral(value))}`,
    );
    if (parts.length === 0) throw new TypeError('A key predicate needs at least one key property');
    return `(${parts.join(',')})`;
  }
  return `(${encodeKeyLiteral(formatLiteral(key))})`;
}

function isKeyRecord(key: ODataLiteral | Record<string, ODataLiteral>): key is Record<string, ODataLiteral> {
  return (
    key !== null &&
    typeof key === 'object' &&
    !('guid' in key && typeof key.guid === 'string') &&
    !('raw' in key && typeof key.raw === 'string')
  );
}

/**
 * Percent-encodes a formatted literal for a path segment. Quotes, commas and `=` stay readable (they are
 * legal in a segment and OData servers expect them); everything that would change the URL's meaning
 * (`/ ? # % &`, spaces, non-ASCII) is encoded.
 */
function encodeKeyLiteral(literal: string): string {
  return encodeURIComponent(literal).replace(/%27/g, "'").replace(/%2C/gi, ',').replace(/%3D/gi, '=');
}
