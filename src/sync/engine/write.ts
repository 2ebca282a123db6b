/**
 * Where mapped records go: one adapter per target entity that reads the current target rows of a page in
 * one batched request and writes the page's creates and updates. Sales targets are upserted by alternate
 * key, with bulk messages where Sales supports them (the rows read tell new records from existing ones,
 * which bulk messages need), else in `$batch`; Finance targets are upserted with `match` on the business
 * key, with the rows the page already read, so nothing is read twice. Records with children go through a change-set adapter
 * (change-set.ts).
 */
import type { Connectors } from '../../connectors/index.js';
import type { FinanceKind } from '../../connectors/finance/types.js';
import { salesEntities } from '../../connectors/sales/entities.js';
import type { SalesKind } from '../../connectors/sales/types.js';
import { computeDrift } from '../drift.js';
import type { FlowDefinition, MappingName } from '../flows/types.js';
import type { ValueMaps } from '../flows/value-maps.js';
import { isBlank } from '../normalise.js';
import type { ReferenceData } from '../reference.js';

/** A child record (a quote line) with its mapped values, written with its parent. */
export interface MappedChild {
  source: object;
  values: Record<string, unknown>;
  /**
   * Why the child cannot be created, when only its fields applied `onCreate` failed to map (`values` are
   * then without them): a target that would create the child reports the record failed with this.
   */
  createFailure?: string;
}

/** One record to write: its business key and the target values (without onCreate constants on update). */
export interface TargetWrite {
  key: string;
  values: Record<string, unknown>;
  /** The current target row when the record exists (an update); absent for a create. */
  existing?: object;
  /** The source record the values were mapped from. */
  source: object;
  /** Its children, in order, for flows that declare them; each child's values carry the parent's key. */
  children?: readonly MappedChild[];
}

/** What an adapter compares with: the flow, the mapping the record routed to, and the page's reference data. */
export interface Comparison {
  flow: FlowDefinition;
  mapping: MappingName;
  reference: ReferenceData;
  valueMaps: ValueMaps;
}

/** How one write ended; `message` is the back-end's reason for a failure (Finance's infolog text). */
export interface TargetWriteResult {
  outcome: 'created' | 'updated' | 'failed';
  message?: string;
  /** The Sales row id, when Sales answered with it. */
  id?: string;
}

/** Reads and writes one target entity by business key. */
export interface TargetAdapter {
  /** The current target rows of `keys`, by `matchKey(key)`, in one batched read. */
  readCurrent(keys: readonly string[]): Promise<Map<string, object>>;
  /**
   * Whether the current row already holds what the record maps to. Absent: when no mapped field drifts
   * (`holdsMapped`).
   */
  holds?(record: TargetWrite & { existing: object }, comparison: Comparison): boolean;
  /**
   * Why the target would refuse each record, known before writing (a new product whose currency no
   * price list has): one reason or null per record, in order. Asked in dry runs too, so a dry run fails
   * the same records a real run would. Absent: nothing is known to stand in the way.
   */
  check?(records: readonly TargetWrite[], reference: ReferenceData): Promise<(string | null)[]>;
  /** Writes the records; one result per record, in order. */
  write(records: readonly TargetWrite[], comparison: Comparison): Promise<TargetWriteResult[]>;
}

/** Whether `target` holds every field the comparison's mapping maps from `source`. */
export function holdsMapped(source: object, target: object, comparison: Comparison): boolean {
  const { flow, mapping, reference, valueMaps } = comparison;
  return computeDrift(flow, source, target, reference, { mapping, valueMaps }).length === 0;
}

const firstOfEach = <T>(groups: Map<string, T[]>): Map<string, object> =>
  new Map([...groups].flatMap(([key, rows]) => (rows[0] ? [[key, rows[0] as object] as const] : [])));

/** Options of `financeTarget`. */
export interface FinanceTargetOptions {
  /**
   * The current rows of `keys` when the page's lookups already read them (in the same `$batch`), by
   * `matchKey(key)`; undefined when they did not, and the adapter reads them itself.
   */
  readAhead?: (keys: readonly string[]) => Map<string, object> | undefined;
}

/** A Finance entity keyed by `keyField` (`CustomerAccount`), written with `upsert` matching on it. */
export function financeTarget(
  connectors: Connectors,
  kind: FinanceKind,
  keyField: string,
  { readAhead }: FinanceTargetOptions = {},
): TargetAdapter {
  const { finance } = connectors;
  return {
    readCurrent: async (keys) =>
      readAhead?.(keys) ?? firstOfEach(await finance.getByValues(kind, keyField, keys)),
    async write(records) {
      const results = await finance.upsert(
        kind,
        // The rows readCurrent found (or that there was none) go along, so the upsert reads nothing again.
        records.map(({ key, values, existing }) => ({
          match: { [keyField]: key },
          body: values,
          current: existing ?? null,
        })),
      );
      return results.map((result) =>
        result.outcome === 'failed' || result.outcome === 'deleted'
          ? { outcome: 'failed', message: result.error?.message ?? 'Finance refused the write' }
          : { outcome: result.outcome },
      );
    },
  };
}

/**
 * Sales lookups a mapping targets as `_<nav>_value` (what Sales reads) and must write as
 * `<nav>@odata.bind`: the navigation property and the entity it points to.
 */
const salesLookups: Readonly<Record<string, { nav: string; kind: SalesKind }>> = {
  _defaultuomid_value: { nav: 'defaultuomid', kind: 'unit' },
  _transactioncurrencyid_value: { nav: 'transactioncurrencyid', kind: 'currency' },
  _uomid_value: { nav: 'uomid', kind: 'unit' },
  _productid_value: { nav: 'productid', kind: 'product' },
  // The flows only ever name an account as a customer (an invoice's), never a contact.
  _customerid_value: { nav: 'customerid_account', kind: 'account' },
  _salesorderid_value: { nav: 'salesorderid', kind: 'order' },
  _pricelevelid_value: { nav: 'pricelevelid', kind: 'priceList' },
};

/** Mapped Sales values as a request body: lookups (`_x_value`) become `x@odata.bind`. */
export function salesBody(connectors: Connectors, values: Record<string, unknown>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(values)) {
    const lookup = salesLookups[name];
    if (!lookup) body[name] = value;
    // An empty lookup is left alone: clearing one takes a DELETE of the reference, not a PATCH.
    else if (!isBlank(value))
      body[`${lookup.nav}@odata.bind`] = connectors.sales.bind(lookup.kind, { id: String(value) });
  }
  return body;
}

/** A Sales entity with an alternate key (`productnumber`), upserted by that key. */
export function salesTarget(connectors: Connectors, kind: SalesKind, keyField: string): TargetAdapter {
  const { sales } = connectors;
  const toBody = (values: Record<string, unknown>) => salesBody(connectors, values);
  return {
    readCurrent: async (keys) => firstOfEach(await sales.getByValues(kind, keyField, keys)),
    async write(records) {
      const idColumn = salesEntities[kind].key[0]!;
      const results = await sales.upsert(
        kind,
        // readCurrent just said which records exist, so the connector can write them with bulk messages.
        records.map(({ key, values, existing }) => {
          const id = existing ? (existing as Record<string, unknown>)[idColumn] : undefined;
          const known = existing ? (typeof id === 'string' ? { existing: { id } } : {}) : { existing: null };
          return { key, body: toBody(values), ...known };
        }),
      );
      return results.map((result) =>
        result.outcome === 'failed'
          ? { outcome: 'failed', message: result.error?.message ?? 'Sales refused the write' }
          : { outcome: result.outcome, ...(result.id ? { id: result.id } : {}) },
      );
    },
  };
}
