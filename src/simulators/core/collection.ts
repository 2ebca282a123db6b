/**
 * Reading a collection the OData way: `$filter`, `$orderby`, `$select`, `$expand` (one level, with a
 * nested `$select`), `$top`, `$skip`, `$count`. Paging is the system's business (Dataverse skip tokens,
 * F&O `$skip` links); this file answers "which rows, in which order, shaped how".
 *
 * A `$filter` that pins properties to literal values (key lookups, batched or not) is answered from the
 * store's indexes when the rows given are a whole-set `scan` snapshot: see `filterRows`.
 */
import { ServiceError } from './errors.js';
import {
  evaluateFilter,
  type FilterDialect,
  type FilterExpr,
  parseFilter,
  QueryOptionError,
} from './filter/index.js';
import { planLookup } from './filter/lookup-plan.js';
import type { EntitySetDef, Row } from './model.js';
import {
  compareRows,
  type OrderItem,
  parseNonNegativeInt,
  parseOrderBy,
  parseSelect,
} from './query-options.js';
import { scanSource, type Store } from './store.js';

export interface ExpandItem {
  navigation: string;
  select?: string[];
}

export interface CollectionQuery {
  filter?: FilterExpr;
  orderBy: OrderItem[];
  select?: string[];
  expand: ExpandItem[];
  top?: number;
  skip?: number;
  count: boolean;
}

const supportedOptions = new Set(['$filter', '$orderby', '$select', '$expand', '$top', '$skip', '$count']);

/** Parses the query options of a collection or single-entity read; any problem is a 400. */
export function parseCollectionQuery(
  query: URLSearchParams,
  set: EntitySetDef,
  store: Store,
  dialect: FilterDialect,
): CollectionQuery {
  try {
    for (const name of query.keys()) {
      if (
        name.startsWith('$') &&
        !supportedOptions.has(name) &&
        name !== '$skiptoken' &&
        name !== '$deltatoken'
      ) {
        throw new QueryOptionError(`The query parameter ${name} is not supported.`);
      }
    }
    const filterText = query.get('$filter');
    const count = query.get('$count');
    if (count !== null && count !== 'true' && count !== 'false') {
      throw new QueryOptionError(`$count must be true or false, got '${count}'.`);
    }
    const select = parseSelect(query.get('$select') ?? undefined, set);
    const top = parseNonNegativeInt('$top', query.get('$top') ?? undefined);
    const skip = parseNonNegativeInt('$skip', query.get('$skip') ?? undefined);
    return {
      ...(filterText !== null ? { filter: parseFilter(filterText, set, dialect) } : {}),
      orderBy: parseOrderBy(query.get('$orderby') ?? undefined, set),
      ...(select ? { select } : {}),
      expand: parseExpand(query.get('$expand') ?? undefined, set, store),
      ...(top !== undefined ? { top } : {}),
      ...(skip !== undefined ? { skip } : {}),
      count: count === 'true',
    };
  } catch (error) {
    if (error instanceof QueryOptionError) throw new ServiceError(400, '', error.message);
    throw error;
  }
}

/** How one `selectRows` call found its rows: for tests and benchmarks, never part of an answer. */
export interface SelectionTrace {
  set: string;
  /** `index`: candidates came from the store's indexes; `scan`: the filter was tried on every row given. */
  access: 'index' | 'scan';
  /** Rows given (the whole set, for a snapshot). */
  rows: number;
  /** Rows the filter was evaluated on. */
  evaluated: number;
  matched: number;
}

/**
 * Switches for tests and benchmarks: `useIndexes: false` forces the scan, to compare the two paths on the
 * same store. Module state, like the simulators themselves: one per process (per test file in vitest).
 */
export const selectionSettings = { useIndexes: true };

/**
 * An index lookup is used only when it yields at most this share of the rows: beyond it, sorting the
 * candidates back into scan order costs more than trying the filter on every row (which the evaluator
 * makes cheap for key lists), and the answer is the same either way.
 */
const maxIndexedShare = 0.25;

const observers = new Set<(trace: SelectionTrace) => void>();

/** Calls `observer` after every `selectRows` with a filter; returns the function that stops it. */
export function observeSelections(observer: (trace: SelectionTrace) => void): () => void {
  observers.add(observer);
  return () => observers.delete(observer);
}

/** Filtered and ordered rows (order by the requested keys, then by the primary key, so paging is stable). */
export function selectRows(
  rows: Row[],
  set: EntitySetDef,
  query: Pick<CollectionQuery, 'filter' | 'orderBy'>,
): Row[] {
  const filter = query.filter;
  const matching = filter ? filterRows(rows, set, filter) : [...rows];
  const order: OrderItem[] = [
    ...query.orderBy,
    ...set.key
      .filter((k) => !query.orderBy.some((o) => o.property === k))
      .map((property) => ({ property, descending: false })),
  ];
  return matching.sort(compareRows(order));
}

/**
 * The rows of `rows` that satisfy `filter`, in their order. When `rows` is a current `scan` snapshot of
 * `set` and the filter pins properties to literals (`planLookup`), the candidates come from the store's
 * indexes, already in scan order, and the whole filter is still evaluated on each: the same rows in the
 * same order as the scan, so `$orderby` ties, `$top` and paging come out the same. Any other array (a
 * caller's own subset, a copy) is scanned, since only a snapshot is known to be the whole set in order.
 */
function filterRows(rows: Row[], set: EntitySetDef, filter: FilterExpr): Row[] {
  const source = selectionSettings.useIndexes ? scanSource(rows) : undefined;
  const candidates =
    source?.set === set.name ? indexCandidates(source.store, set.name, filter, rows.length) : undefined;
  const tried = candidates ?? rows;
  const matching = tried.filter((row) => evaluateFilter(filter, row));
  if (observers.size > 0) {
    const trace: SelectionTrace = {
      set: set.name,
      access: candidates ? 'index' : 'scan',
      rows: rows.length,
      evaluated: tried.length,
      matched: matching.length,
    };
    for (const observer of observers) observer(trace);
  }
  return matching;
}

/** Candidate rows from the indexes, or undefined when there is no plan or it would not save work. */
function indexCandidates(store: Store, set: string, filter: FilterExpr, total: number): Row[] | undefined {
  const probes = planLookup(filter, (probe) => store.countCandidates(set, [probe]));
  if (!probes || store.countCandidates(set, probes) > total * maxIndexedShare) return undefined;
  return store.candidates(set, probes);
}

/**
 * Expands each row's navigation properties in one pass per navigation (rows of the target are grouped
 * once, not scanned per row) and projects the selected columns.
 */
export function expandRows(
  rows: Row[],
  set: EntitySetDef,
  expand: readonly ExpandItem[],
  store: Store,
): Map<Row, Record<string, unknown>> {
  const extra = new Map<Row, Record<string, unknown>>(rows.map((row) => [row, {}]));
  for (const item of expand) {
    const def = set.expansions?.[item.navigation];
    const target = def ? store.def(def.target) : undefined;
    if (!def || !target) continue;
    const references = def.references ?? target.key[target.key.length - 1]!;
    const matchKey = (values: unknown[]): string => values.map((v) => String(v).toLowerCase()).join('\u0000');
    const project = (r: Row): Row => (item.select ? pick(r, [...target.key, ...item.select]) : r);
    if (def.cardinality === 'one') {
      const index = new Map(
        store
          .scan(def.target)
          .map((r) => [matchKey([r[references], ...(def.alsoMatch ?? []).map((p) => r[p])]), r]),
      );
      for (const row of rows) {
        const found = index.get(matchKey([row[def.via], ...(def.alsoMatch ?? []).map((p) => row[p])]));
        extra.get(row)![item.navigation] = found ? { row: project(found), set: target } : null;
      }
    } else {
      const groups = new Map<string, Row[]>();
      for (const r of store.scan(def.target)) {
        const key = matchKey([r[def.via], ...(def.alsoMatch ?? []).map((p) => r[p])]);
        groups.set(key, [...(groups.get(key) ?? []), r]);
      }
      const ownKey = def.references ?? set.key[set.key.length - 1]!;
      for (const row of rows) {
        const key = matchKey([row[ownKey], ...(def.alsoMatch ?? []).map((p) => row[p])]);
        extra.get(row)![item.navigation] = { rows: (groups.get(key) ?? []).map(project), set: target };
      }
    }
  }
  return extra;
}

/**
 * Shapes rows for the wire with their expansions: `shape` renders one row of any set (the system's own
 * ETag and column rules); expanded rows are rendered whole, as both systems do for a nested `$select`.
 */
export function shapeWithExpansions(
  set: EntitySetDef,
  rows: Row[],
  query: Pick<CollectionQuery, 'expand' | 'select'>,
  store: Store,
  shape: (set: EntitySetDef, row: Row, select: string[] | undefined) => Record<string, unknown>,
): Record<string, unknown>[] {
  const expanded = expandRows(rows, set, query.expand, store);
  return rows.map((row) => {
    const out = shape(set, row, query.select);
    for (const [nav, value] of Object.entries(expanded.get(row) ?? {})) {
      const v = value as { row?: Row; rows?: Row[]; set: EntitySetDef } | null;
      if (v === null) out[nav] = null;
      else if (v.rows) out[nav] = v.rows.map((r) => shape(v.set, r, undefined));
      else if (v.row) out[nav] = shape(v.set, v.row, undefined);
    }
    return out;
  });
}

/** The declaration of an entity set named in a URL, or the 404 both systems answer. */
export function entitySetOrNotFound(store: Store, name: string): EntitySetDef {
  const set = store.def(name);
  if (!set) throw new ServiceError(404, '', `Resource not found for the segment '${name}'.`);
  return set;
}

export function pick(row: Row, columns: readonly string[]): Row {
  const out: Row = {};
  for (const column of columns) if (column in row) out[column] = row[column] ?? null;
  return out;
}

/** `$expand=nav1($select=a,b),nav2` — one level only, as both systems document. */
export function parseExpand(text: string | undefined, set: EntitySetDef, store: Store): ExpandItem[] {
  if (!text) return [];
  const items: ExpandItem[] = [];
  for (const raw of splitOutsideParens(text)) {
    const match = /^\s*([A-Za-z_]\w*)\s*(?:\((.*)\))?\s*$/.exec(raw);
    if (!match) throw new QueryOptionError(`Could not parse $expand item '${raw}'.`);
    const navigation = match[1]!;
    const def = set.expansions?.[navigation];
    const target = def ? store.def(def.target) : undefined;
    if (!def || !target) {
      throw new QueryOptionError(
        `Could not find a navigation property named '${navigation}' on type '${set.entityType}'.`,
      );
    }
    const nested = match[2]?.trim();
    if (!nested) {
      items.push({ navigation });
      continue;
    }
    const option = /^\$select=(.*)$/.exec(nested);
    if (!option) {
      throw new QueryOptionError(`Only $select is supported inside $expand (one level), got '${nested}'.`);
    }
    items.push({ navigation, select: parseSelect(option[1]!, target) ?? [] });
  }
  return items;
}

function splitOutsideParens(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.filter((p) => p.trim() !== '');
}
