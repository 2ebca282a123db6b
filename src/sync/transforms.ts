/**
 * How one field mapping turns a source record into a target value: read the source field, fall back to
 * `defaultFrom`, `default` or the value map's blank entry when it is blank, and otherwise apply the
 * transform. Failures are values, not exceptions, because the engine reports them per record and the drift
 * computation shows them; `applyMapping` is what throws.
 */
import type { FieldMapping, Transform } from './flows/types.js';
import { divideToCents, fromCents, timesQuantity } from './money.js';
import type { ValueMap, ValueMaps } from './flows/value-maps.js';
import { canonicalDecimal, isBlank, type Comparison } from './normalise.js';
import type { LookupName, ReferenceData } from './reference.js';

/** What a field mapping needs besides the record. */
export interface TransformContext {
  reference: ReferenceData;
  valueMaps: ValueMaps;
}

/**
 * The target value of one field, or why there is none:
 * - `unmapped`: the source value has no target value (a country the value map lacks, an unknown currency);
 * - `missingDependency`: the id refers to a record the target does not hold yet (a parent account never
 *   synchronised); the reference calls this a failed record, not a skipped one;
 * - `unavailable`: the caller's reference data has no lookup for it, so the value cannot be known here.
 */
export type FieldResult =
  | { status: 'ok'; value: unknown }
  | { status: 'unmapped' | 'missingDependency' | 'unavailable'; message: string };

/** A column of a record, null when absent. */
export const readField = (record: object, name: string): unknown =>
  (record as Readonly<Record<string, unknown>>)[name] ?? null;

const ok = (value: unknown): FieldResult => ({ status: 'ok', value });
const unmapped = (message: string): FieldResult => ({ status: 'unmapped', message });

/** The target value `field` gives for `record`. */
export function mapField(field: FieldMapping, record: object, context: TransformContext): FieldResult {
  const value = readField(record, field.source);
  const { transform } = field;
  if ((transform.kind === 'perUnit' || transform.kind === 'lineTotal') && !isBlank(value)) {
    return byQuantity(transform.kind, String(value).trim(), readField(record, transform.quantity));
  }
  if (!isBlank(value)) return applyTransform(transform, value, context);
  if (field.defaultFrom !== undefined) {
    const fallback = readField(record, field.defaultFrom);
    if (!isBlank(fallback)) return applyTransform(transform, fallback, context);
  }
  if (field.default !== undefined) return ok(field.default);
  // Data Integrator value maps use a blank left side as the default for a blank source.
  const map = mapOf(transform, context);
  if (map && map[''] !== undefined) return ok(map['']);
  return ok(null);
}

/** How values of a field mapped with `transform` are compared (in target terms). */
export function comparisonOf(transform: Transform): Comparison {
  switch (transform.kind) {
    case 'decimal':
    case 'perUnit':
    case 'lineTotal':
      return 'decimal';
    case 'date':
      return 'instant';
    case 'currencyId':
    case 'unitId':
      return 'id';
    case 'copy':
    case 'truncate':
    case 'valueMap':
    case 'currencyIso':
    case 'unitSymbol':
    case 'lookup':
      return 'text';
  }
}

/** `text` cut to `length` UTF-16 units (F&O's measure), never splitting a surrogate pair. */
export function truncate(text: string, length: number): string {
  if (text.length <= length) return text;
  const cut = text.slice(0, length);
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}

/** An ISO 8601 instant in UTC, whole seconds without milliseconds as Dataverse and F&O write them. */
export function isoInstant(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

function mapOf(transform: Transform, context: TransformContext): ValueMap | undefined {
  switch (transform.kind) {
    case 'valueMap':
    case 'unitSymbol':
    case 'unitId':
      return context.valueMaps[transform.map];
    default:
      return undefined;
  }
}

/**
 * `perUnit`: `amount` (a line total) ÷ `quantity`; `lineTotal`: `amount` (per unit) × `quantity`; rounded
 * half away from zero to cents, as exact decimal text. Both on the canonical decimals: the money arithmetic
 * takes plain decimals, not exponents (`1e-7`).
 */
function byQuantity(kind: 'perUnit' | 'lineTotal', amount: string, quantity: unknown): FieldResult {
  const exact = canonicalDecimal(amount);
  if (exact === undefined) return unmapped(`'${amount}' is not a decimal`);
  const count = isBlank(quantity) ? undefined : canonicalDecimal(String(quantity).trim());
  if (kind === 'lineTotal') {
    if (count === undefined) return unmapped(`no quantity to multiply '${amount}' by`);
    return ok(fromCents(timesQuantity(exact, count)));
  }
  if (count === undefined || Number(count) === 0) return unmapped(`no quantity to divide '${amount}' by`);
  return ok(divideToCents(exact, count));
}

function applyTransform(transform: Transform, value: unknown, context: TransformContext): FieldResult {
  const { reference, valueMaps } = context;
  const text = String(value).trim();
  switch (transform.kind) {
    case 'perUnit':
      return unmapped('a per-unit amount needs its record');
    case 'lineTotal':
      return unmapped('a line total needs its record');
    case 'copy':
      return ok(value);
    case 'truncate':
      return ok(truncate(String(value), transform.length));
    case 'decimal':
      return canonicalDecimal(text) === undefined ? unmapped(`'${text}' is not a decimal`) : ok(text);
    case 'date': {
      const ms = Date.parse(text);
      return Number.isNaN(ms) ? unmapped(`'${text}' is not a date`) : ok(isoInstant(ms));
    }
    case 'valueMap':
      return throughMap(valueMaps[transform.map], transform.map, text);
    case 'currencyIso': {
      const iso = reference.currencyIsoById(text);
      return iso === undefined ? unmapped(`no Sales currency has id ${text}`) : ok(iso);
    }
    case 'currencyId': {
      const id = reference.currencyIdByIso(text);
      return id === undefined ? unmapped(`no Sales currency has ISO code '${text}'`) : ok(id);
    }
    case 'unitSymbol': {
      const name = reference.unitNameById(text);
      if (name === undefined) return unmapped(`no Sales unit has id ${text}`);
      return throughMap(valueMaps[transform.map], transform.map, name);
    }
    case 'unitId': {
      const name = throughMap(valueMaps[transform.map], transform.map, text);
      if (name.status !== 'ok') return name;
      const id = reference.unitIdByName(String(name.value));
      return id === undefined ? unmapped(`no Sales unit is named '${String(name.value)}'`) : ok(id);
    }
    case 'lookup': {
      const lookup = reference.lookups?.[transform.lookup];
      if (!lookup)
        return { status: 'unavailable', message: `the ${transform.lookup} lookup was not provided` };
      const found = lookup(text);
      return found === undefined
        ? { status: 'missingDependency', message: missingDependencyMessages[transform.lookup](text) }
        : ok(found);
    }
  }
}

/**
 * What a person needs to hear when a record refers to one another flow has not brought over: which
 * record, and what to do about it.
 */
const missingDependencyMessages: Record<LookupName, (id: string) => string> = {
  accountNumberByAccountId: (id) =>
    `its account (Sales id ${id}) has no account number, so it cannot be a Finance customer; give the account a number and sync accounts first`,
  customerPartyByAccountId: (id) =>
    `its account (Sales id ${id}) is not a customer in Finance yet; sync the account first (an account without an account number is never synced)`,
  currencyIsoByAccountId: (id) => `its account (Sales id ${id}) has no currency the hub can resolve`,
  externalProductNumberById: (id) =>
    `its product (Sales id ${id}) is not maintained in Finance; only products that came from Finance can be quoted in Finance`,
  accountIdByNumber: (number) =>
    `its customer '${number}' is not an account in Sales; only customers mastered in Sales (synced by the accounts flow) get their orders and invoices in Sales`,
  salesOrderIdByNumber: (number) => `its sales order '${number}' is not in Sales; sync orders first`,
  productIdByNumber: (number) => `its product '${number}' is not in Sales; sync products first`,
  priceListIdByCurrency: (iso) => `no Sales currency has ISO code '${iso}'`,
};

function throughMap(map: ValueMap, name: string, key: string): FieldResult {
  // Object.hasOwn: a source value like 'constructor' must not find Object.prototype members.
  return Object.hasOwn(map, key) ? ok(map[key]) : unmapped(`'${key}' is not in value map ${name}`);
}
