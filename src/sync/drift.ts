/**
 * Drift: the mapped fields whose values differ between a source record and its counterpart in the target
 * right now. A field drifts when the value the source maps to (transforms, defaults, truncation applied)
 * differs from the target's current value under the field's comparison (decimals by value, dates by
 * instant, trimmed text, blank equals null).
 *
 * Constants: those applied `always` (PartyType, IsExternallyMaintained…) are compared, because the next
 * sync would write them and a difference means someone changed what the flow asserts; `onCreate` defaults
 * (customer group, language, quotation status) are not, because the target owns them after creation, and
 * neither are fields applied `onCreate` (an order created in Finance: its customer, address and lines). For
 * a compared constant the source side shows the value the flow asserts.
 *
 * What each side shows: the value as that system holds it (the Sales name, not the truncated one; the
 * Sales country name, not the ISO code), except that Sales ids are shown as what they stand for (currency
 * ISO code, unit name, account number), since a GUID tells a person nothing.
 */
import type {
  FieldMapping,
  FlowDefinition,
  FlowDirection,
  MappingName,
  TargetMapping,
} from './flows/types.js';
import { withValueMaps, type ValueMaps } from './flows/value-maps.js';
import { findMapping } from './mapping.js';
import { isBlank, sameValue } from './normalise.js';
import type { ReferenceData } from './reference.js';
import { conditionHolds } from './routing.js';
import { comparisonOf, mapField, readField, type TransformContext } from './transforms.js';

/** One field that differs: its unified name and what each system holds. */
export interface FieldDrift {
  field: string;
  sales: string | null;
  finance: string | null;
}

/** Options of `computeDrift`; every one has a default. */
export interface DriftOptions {
  /**
   * The mapping the pair belongs to. Default: the routed mapping whose target key column the target record
   * has (so a contact is compared as a contact person or a person customer by what Finance holds), else the
   * route the source record takes. Quote lines need `quotationLine`.
   */
  mapping?: MappingName;
  /** Value maps replacing the defaults, by name. Default: none. */
  valueMaps?: Partial<ValueMaps>;
}

/**
 * The mapped fields of `sourceRecord` and `targetRecord` (a pair found by business key) that differ, in
 * mapping order. Fields whose value cannot be known here (a lookup `reference` does not provide) and
 * target columns the target record does not carry are not compared.
 */
export function computeDrift(
  flow: FlowDefinition,
  sourceRecord: object,
  targetRecord: object,
  reference: ReferenceData,
  options: DriftOptions = {},
): FieldDrift[] {
  const mapping = mappingFor(flow, sourceRecord, targetRecord, reference, options.mapping);
  const context: TransformContext = { reference, valueMaps: withValueMaps(options.valueMaps) };
  const drift: FieldDrift[] = [];
  for (const field of mapping.fields) {
    if (field.apply === 'onCreate' || !Object.hasOwn(targetRecord, field.target)) continue;
    const mapped = mapField(field, sourceRecord, context);
    if (mapped.status === 'unavailable') continue;
    const current = readField(targetRecord, field.target);
    // A value that does not map (a country the value map lacks) differs from whatever the target holds.
    if (mapped.status === 'ok' && sameValue(mapped.value, current, comparisonOf(field.transform))) continue;
    const source = sourceDisplay(field, readField(sourceRecord, field.source), reference);
    drift.push(sides(flow.direction, field.field, source, targetDisplay(field, current, reference)));
  }
  for (const constant of mapping.constants) {
    if (constant.apply !== 'always' || !Object.hasOwn(targetRecord, constant.target)) continue;
    const current = readField(targetRecord, constant.target);
    if (sameValue(constant.value, current, 'text')) continue;
    drift.push(sides(flow.direction, constant.field, shown(constant.value), shown(current)));
  }
  return drift;
}

function mappingFor(
  flow: FlowDefinition,
  sourceRecord: object,
  targetRecord: object,
  reference: ReferenceData,
  name: MappingName | undefined,
): TargetMapping {
  if (name !== undefined) return findMapping(flow, name);
  const routed = flow.routes.map((route) => findMapping(flow, route.mapping));
  const byShape = routed.filter((m) => Object.hasOwn(targetRecord, m.key.target));
  const [only] = byShape;
  if (only && byShape.length === 1) return only;
  const route = flow.routes.find((r) => conditionHolds(r.when, sourceRecord, reference));
  const fallback = route ? findMapping(flow, route.mapping) : (byShape[0] ?? routed[0]);
  if (!fallback) throw new RangeError(`The ${flow.name} flow has no mapping to compare with`);
  return fallback;
}

// Blank is shown as null on both sides, matching the comparison, where blank equals null.
const shown = (value: unknown): string | null => (isBlank(value) ? null : String(value));

/** The source value as its system shows it: ids resolved to what they stand for, everything else as is. */
function sourceDisplay(field: FieldMapping, value: unknown, reference: ReferenceData): string | null {
  const raw = shown(value);
  if (raw === null) return null;
  switch (field.transform.kind) {
    case 'currencyIso':
      return reference.currencyIsoById(raw) ?? raw;
    case 'unitSymbol':
      return reference.unitNameById(raw) ?? raw;
    case 'lookup':
      return reference.lookups?.[field.transform.lookup]?.(raw) ?? raw;
    default:
      return raw;
  }
}

/** The target value as its system shows it: Sales currency and unit ids resolved (products flow). */
function targetDisplay(field: FieldMapping, value: unknown, reference: ReferenceData): string | null {
  const raw = shown(value);
  if (raw === null) return null;
  switch (field.transform.kind) {
    case 'currencyId':
      return reference.currencyIsoById(raw) ?? raw;
    case 'unitId':
      return reference.unitNameById(raw) ?? raw;
    default:
      return raw;
  }
}

function sides(
  direction: FlowDirection,
  field: string,
  source: string | null,
  target: string | null,
): FieldDrift {
  return direction === 'salesToFinance'
    ? { field, sales: source, finance: target }
    : { field, sales: target, finance: source };
}
