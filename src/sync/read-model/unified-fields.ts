/**
 * Unified fields read through the flows' own mappings: a record's unified field (`name`, `phone`,
 * `address.country`) is the column its flow maps it from in the source row, or to in the target row, so
 * the GraphQL types name no column a flow already declares. The source system is the system of record and
 * is read first; the target row is read only for a record absent from the source (or when asked), so an
 * outage of the target never hides the source's data.
 */
import type { FlowDefinition, MappingName, SystemName, TargetMapping, Transform } from '../flows/index.js';
import type { ReferenceData } from '../reference.js';
import { routedMappings, targetMappingOf } from './routes.js';
import { findMapping } from '../mapping.js';

/** The source row is the flow's system of record; the target row is where the flow writes it. */
export type Side = 'source' | 'target';

/** Where a view reads one record from; each read is made only when an answer needs it. */
export interface RecordRows<S extends object, T extends object> {
  /** The source row, null when the record is not in the source system. */
  source(): Promise<S | null>;
  /** The target row, null when the record is not in the target system. */
  target(): Promise<T | null>;
  /** Sales currencies and units, read only to show a Sales currency or unit id as what it stands for. */
  reference(): Promise<ReferenceData>;
}

/**
 * The row a record's unified fields are read from; a target row with the mapping it belongs to (a contact's
 * Finance row is a contact person or a person customer).
 */
export type RecordRow<S extends object, T extends object> =
  | { side: 'source'; system: SystemName; row: S }
  | { side: 'target'; system: SystemName; row: T; mapping: TargetMapping };

/** One unified field as a row holds it: `column` is null where that row's mapping does not map the field. */
export type FieldReading<S extends object, T extends object> = RecordRow<S, T> & {
  column: string | null;
  value: unknown;
};

/** Options of a read; every one has a default. */
export interface ReadOptions {
  /** Read only this side's row. Default: the source's, or the target's for a record not in the source. */
  only?: Side;
  /**
   * `whenNull`: also take the target's value when the source row holds null for the field. Default
   * `whenAbsent`: the target is read only for a record not in the source.
   */
  fallBack?: 'whenAbsent' | 'whenNull';
}

/** Unified fields of one kind of record, read through its flow's mappings. */
export interface RecordView<S extends object, T extends object> {
  readonly flow: FlowDefinition;
  /** The row a record's unified fields come from; null when the record is in neither system. */
  record(rows: RecordRows<S, T>, options?: Pick<ReadOptions, 'only'>): Promise<RecordRow<S, T> | null>;
  /** `field` of the record, raw, with the row and column it comes from; null when in neither system. */
  read(field: string, rows: RecordRows<S, T>, options?: ReadOptions): Promise<FieldReading<S, T> | null>;
  /**
   * `field` of the record as a person reads it: a Sales currency or unit id as its ISO code or unit name
   * (null when the id is unknown), anything else as the row holds it. `V` is what the caller knows the
   * column holds; rows are plain data and nothing checks it. A lookup (another flow's record id) is refused:
   * `read` it and resolve the id.
   */
  value<V = unknown>(field: string, rows: RecordRows<S, T>, options?: ReadOptions): Promise<V | null>;
  /** Several fields shown as `value` shows them, all from the one row; null when in neither system. */
  values<K extends string>(fields: readonly K[], rows: RecordRows<S, T>): Promise<Record<K, unknown> | null>;
  /** `field` of one row already in hand, raw. */
  fieldOf(side: Side, row: S | T, field: string): unknown;
  /** The business key of one row: the mapping's key column (`accountnumber`, `CustomerAccount`). */
  keyOf(side: Side, row: S | T): unknown;
}

/** Options of `recordView`; every one has a default. */
export interface RecordViewOptions {
  /** The mappings the records belong to. Default: those the flow routes records to (not its children's). */
  mappings?: readonly MappingName[];
}

interface Column {
  name: string;
  /** Null for a constant, which only the target holds. */
  transform: Transform | null;
}

/** The source row holds every column whichever route it takes: the first mapping that maps the field says which. */
function sourceColumn(mappings: readonly TargetMapping[], field: string): Column | null {
  for (const mapping of mappings) {
    const mapped = mapping.fields.find((f) => f.field === field);
    if (mapped) return { name: mapped.source, transform: mapped.transform };
  }
  return null;
}

/** A target row holds the columns of its own mapping: its mapped fields and the constants the flow sets. */
function targetColumn(mapping: TargetMapping, field: string): Column | null {
  const mapped = mapping.fields.find((f) => f.field === field);
  if (mapped) return { name: mapped.target, transform: mapped.transform };
  const constant = mapping.constants.find((c) => c.field === field);
  return constant ? { name: constant.target, transform: null } : null;
}

/** A Sales currency or unit id as its ISO code or unit name (null when blank or unknown); else the value. */
async function shownValue(
  system: SystemName,
  transform: Transform | null,
  value: unknown,
  reference: () => Promise<ReferenceData>,
): Promise<unknown> {
  if (system !== 'sales' || !transform) return value;
  switch (transform.kind) {
    case 'currencyIso':
    case 'currencyId':
      return value ? ((await reference()).currencyIsoById(String(value)) ?? null) : null;
    case 'unitSymbol':
    case 'unitId':
      return value ? ((await reference()).unitNameById(String(value)) ?? null) : null;
    default:
      return value;
  }
}

/** A view of `flow`'s records, `S` and `T` being the source and target row types. */
export function recordView<S extends object, T extends object>(
  flow: FlowDefinition,
  { mappings: names }: RecordViewOptions = {},
): RecordView<S, T> {
  const mappings = names ? names.map((name) => findMapping(flow, name)) : routedMappings(flow);
  const [primary] = mappings;
  if (!primary) throw new RangeError(`A view of the ${flow.name} flow needs at least one mapping`);
  const known = new Set(mappings.flatMap((m) => [...m.fields, ...m.constants].map((f) => f.field)));
  const lookups = new Set(
    mappings.flatMap((m) => m.fields.filter((f) => f.transform.kind === 'lookup').map((f) => f.field)),
  );

  const rowOf = (side: Side, row: S | T): RecordRow<S, T> => {
    if (side === 'source') return { side, system: primary.source.system, row: row as S };
    const mapping = targetMappingOf(mappings, row);
    return { side, system: mapping.target.system, row: row as T, mapping };
  };

  const columnOf = (record: RecordRow<S, T>, field: string): Column | null => {
    if (!known.has(field)) {
      throw new RangeError(
        `The ${flow.name} flow maps no unified field '${field}' (it maps ${[...known].join(', ')})`,
      );
    }
    return record.side === 'source' ? sourceColumn(mappings, field) : targetColumn(record.mapping, field);
  };

  const readIn = (record: RecordRow<S, T>, field: string): FieldReading<S, T> => {
    const column = columnOf(record, field);
    const value = column ? (record.row as Readonly<Record<string, unknown>>)[column.name] : null;
    return { ...record, column: column?.name ?? null, value };
  };

  const shown = (reading: FieldReading<S, T>, field: string, rows: RecordRows<S, T>): Promise<unknown> => {
    if (lookups.has(field)) {
      throw new RangeError(
        `'${field}' of the ${flow.name} flow is another record's id in the source: read it, and resolve the id`,
      );
    }
    const transform = reading.column ? (columnOf(reading, field)?.transform ?? null) : null;
    return shownValue(reading.system, transform, reading.value, () => rows.reference());
  };

  const view: RecordView<S, T> = {
    flow,
    async record(rows, { only } = {}) {
      if (only !== 'target') {
        const source = await rows.source();
        if (source) return rowOf('source', source);
        if (only === 'source') return null;
      }
      const target = await rows.target();
      return target ? rowOf('target', target) : null;
    },
    async read(field, rows, { only, fallBack = 'whenAbsent' } = {}) {
      const record = await view.record(rows, only ? { only } : {});
      if (!record) return null;
      const reading = readIn(record, field);
      if (fallBack === 'whenAbsent' || reading.side === 'target' || reading.value != null || only) {
        return reading;
      }
      const target = await rows.target();
      return target ? readIn(rowOf('target', target), field) : reading;
    },
    async value<V>(field: string, rows: RecordRows<S, T>, options: ReadOptions = {}) {
      const reading = await view.read(field, rows, options);
      return reading ? ((await shown(reading, field, rows)) as V | null) : null;
    },
    async values(fields, rows) {
      const record = await view.record(rows);
      if (!record) return null;
      const entries = await Promise.all(
        fields.map(async (field) => [field, await shown(readIn(record, field), field, rows)] as const),
      );
      return Object.fromEntries(entries) as Record<(typeof fields)[number], unknown>;
    },
    fieldOf: (side, row, field) => readIn(rowOf(side, row), field).value,
    keyOf(side, row) {
      // The routed mappings of one flow share the source's key (a contact's number, whatever its route).
      const mapping = side === 'source' ? primary : targetMappingOf(mappings, row);
      return (row as Readonly<Record<string, unknown>>)[mapping.key[side]];
    },
  };
  return view;
}
