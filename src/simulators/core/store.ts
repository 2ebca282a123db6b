/**
 * The in-memory tables behind a simulator. Every write takes a new value from one service-wide row-version
 * counter (like SQL Server's rowversion, which both Dynamics systems expose): ETags, Dataverse's
 * `versionnumber` and the change feed are all derived from it. Deletions leave tombstones so the change
 * feed can report them. Writes inside `transaction()` are undone together when it throws, which is how
 * `$batch` change sets stay atomic.
 *
 * Keys are compared case-insensitively, as both systems' SQL Server collations do.
 */
import type { EntitySetDef, Row, Value } from './model.js';

export interface Tombstone {
  key: Row;
  version: number;
}

/**
 * Primary keys of the rows holding one value: the key itself while there is one row (most indexed columns
 * are keys or nearly, and a Set per value would make up most of an index's memory), a Set from two on.
 */
type Bucket = string | Set<string>;

/** A non-unique index on one property, built on first use and kept up to date by every write. */
interface PropertyIndex {
  /** Normalized value → primary keys. */
  buckets: Map<string, Bucket>;
  /**
   * Primary keys of rows whose value is not plain (see `isPlain`): case folding may not find them all
   * where a collator would, so `candidates` always adds them.
   */
  unplain: Set<string>;
}

interface Table {
  def: EntitySetDef;
  rows: Map<string, Row>;
  versions: Map<string, number>;
  tombstones: Tombstone[];
  /** Alternate key (properties joined by ',') → normalized values → primary key string. */
  alternates: Map<string, Map<string, string>>;
  /** Non-unique indexes built on first use by `findBy` and `candidates`: property → index. */
  indexes: Map<string, PropertyIndex>;
  /**
   * Primary key → the row's place in `rows`' iteration (insertion) order, which is the scan order. A Map
   * cannot say where a key sits in it, and index hits must be put back in scan order without a scan.
   */
  positions: Map<string, number>;
  /** The position the next row added to `rows` gets (a row put back by an undo goes last, as in the Map). */
  nextPosition: number;
  /** Bumped whenever a row joins or leaves `rows`: a `scan` snapshot is current while this stays put. */
  layout: number;
  /**
   * The last `scan` snapshot, handed out again while the layout stays put: every read of a table
   * copying all its rows made a sync of many pages quadratic in the table's size.
   */
  scanned: Row[] | undefined;
}

/**
 * One index probe: rows whose `property` equals one of `values`. Several probes in one `candidates` call
 * mean their union (an `or` across properties).
 */
export interface IndexProbe {
  property: string;
  values: readonly Value[];
}

export interface Store {
  readonly sets: ReadonlyMap<string, EntitySetDef>;
  /** The last row version handed out. */
  readonly version: number;
  def(set: string): EntitySetDef | undefined;
  get(set: string, key: Row): Row | undefined;
  /** Finds a row by one of the set's alternate keys (property names in declaration order). */
  findByAlternateKey(set: string, values: Row): Row | undefined;
  /**
   * Rows whose `property` equals `value` (case-insensitive), through an index built on first use and
   * kept up to date by every write — so rules that follow references stay O(1) per write.
   */
  findBy(set: string, property: string, value: Value): Row[];
  /**
   * Rows whose `property` may equal one of a probe's `values` under the systems' collation, for every
   * probe, in scan order and each once: the rows whose value equals a value case-insensitively (as
   * `findBy`), plus every row whose value is not printable-ASCII text, since a collator can equate such
   * text with ASCII text where case folding does not (full-width letters, ligatures, ignorable
   * characters). A superset, then: the caller still applies its own test. O(k log k) for k rows found;
   * never a scan once the index exists.
   */
  candidates(set: string, probes: readonly IndexProbe[]): Row[];
  /**
   * How many row references `candidates` would gather (duplicates across probes counted twice), without
   * gathering them: what a reader needs to pick the most selective index, or to prefer a scan.
   */
  countCandidates(set: string, probes: readonly IndexProbe[]): number;
  /**
   * Rows in insertion order. The array is a snapshot, the same one until a row joins or leaves the set:
   * never change it; rows are the live objects (do not mutate). Pass it
   * on unmodified: while no row has joined or left the set since, `scanSource` recognises it, so a reader
   * can answer from the indexes (`selectRows`) instead of visiting every row.
   */
  scan(set: string): Row[];
  count(set: string): number;
  versionOf(set: string, row: Row): number;
  insert(set: string, row: Row): Row;
  update(set: string, key: Row, changes: Row): Row;
  remove(set: string, key: Row): Row;
  /** Rows changed (created or updated) after `version`, ordered by version, and deletions after it. */
  changesSince(set: string, version: number): { changed: Row[]; deleted: Tombstone[] };
  transaction<T>(work: () => T): T;
}

export class DuplicateKeyError extends Error {
  override name = 'DuplicateKeyError';
  constructor(
    readonly set: string,
    readonly properties: readonly string[],
  ) {
    super(`A row with the same ${properties.join(', ')} already exists in ${set}`);
  }
}

/** Creates a store for the given entity sets; `versionColumn` (Dataverse `versionnumber`) is kept in rows. */
export function createStore(
  defs: readonly EntitySetDef[],
  { versionColumn }: { versionColumn?: string } = {},
): Store {
  const tables = new Map<string, Table>();
  for (const def of defs) {
    const alternates = new Map(
      (def.alternateKeys ?? []).map((props) => [props.join(','), new Map<string, string>()]),
    );
    tables.set(def.name, {
      def,
      rows: new Map(),
      versions: new Map(),
      tombstones: [],
      alternates,
      indexes: new Map(),
      positions: new Map(),
      nextPosition: 0,
      layout: 0,
      scanned: undefined,
    });
  }
  let version = 0;
  let journal: (() => void)[] | undefined;

  const table = (set: string): Table => {
    const found = tables.get(set);
    if (!found) throw new Error(`Unknown entity set ${set}`);
    return found;
  };
  const bump = (t: Table, pk: string, row: Row): number => {
    version += 1;
    t.versions.set(pk, version);
    if (versionColumn && versionColumn in t.def.properties) row[versionColumn] = version;
    return version;
  };
  const record = (undo: () => void): void => {
    journal?.push(undo);
  };

  /** Every row joining or leaving `rows` goes through these two, so positions and layout follow. */
  const place = (t: Table, pk: string, row: Row): void => {
    t.rows.set(pk, row);
    t.positions.set(pk, t.nextPosition++);
    t.layout += 1;
    t.scanned = undefined;
  };
  const unplace = (t: Table, pk: string): void => {
    t.rows.delete(pk);
    t.positions.delete(pk);
    t.layout += 1;
    t.scanned = undefined;
  };

  const indexValue = (index: PropertyIndex, pk: string, value: Value, add: boolean): void => {
    const key = valueKey(value);
    const bucket = index.buckets.get(key);
    if (add) {
      if (bucket === undefined) index.buckets.set(key, pk);
      else if (typeof bucket !== 'string') bucket.add(pk);
      else if (bucket !== pk) index.buckets.set(key, new Set([bucket, pk]));
      if (!isPlain(value)) index.unplain.add(pk);
      return;
    }
    // Emptied buckets are dropped so an index over values that keep changing does not grow without end.
    if (bucket === pk) index.buckets.delete(key);
    else if (typeof bucket !== 'string' && bucket?.delete(pk)) {
      if (bucket.size === 0) index.buckets.delete(key);
      else if (bucket.size === 1) index.buckets.set(key, bucket.values().next().value!);
    }
    index.unplain.delete(pk);
  };
  const propertyIndex = (t: Table, property: string): PropertyIndex => {
    let index = t.indexes.get(property);
    if (!index) {
      index = { buckets: new Map(), unplain: new Set() };
      for (const [pk, row] of t.rows) indexValue(index, pk, row[property] ?? null, true);
      t.indexes.set(property, index);
    }
    return index;
  };

  const indexAlternates = (t: Table, pk: string, row: Row, add: boolean): void => {
    for (const [property, index] of t.indexes) indexValue(index, pk, row[property] ?? null, add);
    for (const [name, index] of t.alternates) {
      const props = name.split(',');
      if (props.some((p) => row[p] === null || row[p] === undefined)) continue;
      const value = keyString(props.map((p) => row[p] ?? null));
      if (add) index.set(value, pk);
      else if (index.get(value) === pk) index.delete(value);
    }
  };
  const checkAlternates = (t: Table, pk: string, row: Row): void => {
    for (const [name, index] of t.alternates) {
      const props = name.split(',');
      if (props.some((p) => row[p] === null || row[p] === undefined)) continue;
      const owner = index.get(keyString(props.map((p) => row[p] ?? null)));
      if (owner !== undefined && owner !== pk) throw new DuplicateKeyError(t.def.name, props);
    }
  };

  const store: Store = {
    sets: new Map(defs.map((d) => [d.name, d])),
    get version() {
      return version;
    },
    def: (set) => tables.get(set)?.def,
    get: (set, key) => {
      const t = table(set);
      return t.rows.get(primaryKeyString(t.def, key));
    },
    findByAlternateKey: (set, values) => {
      const t = table(set);
      const name = Object.keys(values).join(',');
      const index = t.alternates.get(name);
      if (!index) return undefined;
      const pk = index.get(keyString(Object.values(values)));
      return pk === undefined ? undefined : t.rows.get(pk);
    },
    findBy: (set, property, value) => {
      const t = table(set);
      const index = propertyIndex(t, property);
      return [...keysIn(index.buckets.get(valueKey(value)))].map((pk) => t.rows.get(pk)!);
    },
    candidates: (set, probes) => {
      const t = table(set);
      const pks = new Set<string>();
      for (const { property, values } of probes) {
        const index = propertyIndex(t, property);
        for (const value of values) for (const pk of keysIn(index.buckets.get(valueKey(value)))) pks.add(pk);
        for (const pk of index.unplain) pks.add(pk);
      }
      const found = [...pks].map((pk) => ({ position: t.positions.get(pk)!, row: t.rows.get(pk)! }));
      return found.sort((a, b) => a.position - b.position).map((f) => f.row);
    },
    countCandidates: (set, probes) => {
      const t = table(set);
      let count = 0;
      for (const { property, values } of probes) {
        const index = propertyIndex(t, property);
        for (const key of new Set(values.map((v) => valueKey(v)))) count += sizeOf(index.buckets.get(key));
        count += index.unplain.size;
      }
      return count;
    },
    scan: (set) => {
      const t = table(set);
      if (t.scanned) return t.scanned;
      const rows = [...t.rows.values()];
      t.scanned = rows;
      const layout = t.layout;
      snapshots.set(rows, { store, set, current: () => t.layout === layout && rows.length === t.rows.size });
      return rows;
    },
    count: (set) => table(set).rows.size,
    versionOf: (set, row) => table(set).versions.get(primaryKeyString(table(set).def, row)) ?? 0,
    insert: (set, row) => {
      const t = table(set);
      const pk = primaryKeyString(t.def, row);
      if (t.rows.has(pk)) throw new DuplicateKeyError(set, t.def.key);
      checkAlternates(t, pk, row);
      const stored = { ...row };
      place(t, pk, stored);
      indexAlternates(t, pk, stored, true);
      bump(t, pk, stored);
      record(() => {
        indexAlternates(t, pk, stored, false);
        unplace(t, pk);
        t.versions.delete(pk);
      });
      return stored;
    },
    update: (set, key, changes) => {
      const t = table(set);
      const pk = primaryKeyString(t.def, key);
      const current = t.rows.get(pk);
      if (!current) throw new Error(`No row ${pk} in ${set}`);
      const before = { ...current };
      const previousVersion = t.versions.get(pk) ?? 0;
      const next = { ...current, ...changes };
      checkAlternates(t, pk, next);
      indexAlternates(t, pk, current, false);
      Object.assign(current, changes);
      indexAlternates(t, pk, current, true);
      bump(t, pk, current);
      record(() => {
        indexAlternates(t, pk, current, false);
        for (const name of Object.keys(current)) delete current[name];
        Object.assign(current, before);
        indexAlternates(t, pk, current, true);
        t.versions.set(pk, previousVersion);
      });
      return current;
    },
    remove: (set, key) => {
      const t = table(set);
      const pk = primaryKeyString(t.def, key);
      const current = t.rows.get(pk);
      if (!current) throw new Error(`No row ${pk} in ${set}`);
      const previousVersion = t.versions.get(pk) ?? 0;
      indexAlternates(t, pk, current, false);
      unplace(t, pk);
      t.versions.delete(pk);
      version += 1;
      const tombstone = { key: pickKey(t.def, current), version };
      t.tombstones.push(tombstone);
      record(() => {
        t.tombstones.splice(t.tombstones.indexOf(tombstone), 1);
        place(t, pk, current);
        t.versions.set(pk, previousVersion);
        indexAlternates(t, pk, current, true);
      });
      return current;
    },
    changesSince: (set, since) => {
      const t = table(set);
      const changed: { row: Row; version: number }[] = [];
      for (const [pk, row] of t.rows) {
        const v = t.versions.get(pk) ?? 0;
        if (v > since) changed.push({ row, version: v });
      }
      changed.sort((a, b) => a.version - b.version);
      return { changed: changed.map((c) => c.row), deleted: t.tombstones.filter((d) => d.version > since) };
    },
    transaction: (work) => {
      if (journal) return work(); // nested: the outer transaction owns the undo log
      const undo: (() => void)[] = [];
      journal = undo;
      try {
        return work();
      } catch (error) {
        for (let i = undo.length - 1; i >= 0; i--) undo[i]!();
        throw error;
      } finally {
        journal = undefined;
      }
    },
  };
  return store;
}

/** Where a `scan` snapshot came from, and whether it still lists exactly the set's rows in scan order. */
interface Snapshot {
  store: Store;
  set: string;
  current: () => boolean;
}

// Weak, so snapshots are collected as usual; only arrays `scan` returned are ever keys.
const snapshots = new WeakMap<readonly Row[], Snapshot>();

/**
 * The store and entity set `rows` was scanned from, when `rows` is an array `scan` returned and no row has
 * joined or left the set since (updates keep it current: it holds the live rows). Readers given rows by a
 * caller use this to know the rows are the whole set, in scan order, and answer from indexes instead.
 * A filtered or copied array is not recognised.
 */
export function scanSource(rows: readonly Row[]): { store: Store; set: string } | undefined {
  const snapshot = snapshots.get(rows);
  return snapshot?.current() ? { store: snapshot.store, set: snapshot.set } : undefined;
}

/** The key properties of a row, as a row. */
export function pickKey(def: EntitySetDef, row: Row): Row {
  return Object.fromEntries(def.key.map((k) => [k, row[k] ?? null]));
}

export function primaryKeyString(def: EntitySetDef, key: Row): string {
  return keyString(def.key.map((k) => key[k] ?? null));
}

function keysIn(bucket: Bucket | undefined): Iterable<string> {
  return bucket === undefined ? [] : typeof bucket === 'string' ? [bucket] : bucket;
}

function sizeOf(bucket: Bucket | undefined): number {
  return bucket === undefined ? 0 : typeof bucket === 'string' ? 1 : bucket.size;
}

/**
 * Printable-ASCII text (or null). Among such values, case-insensitive, accent-sensitive collation (SQL
 * Server's …_CI_AS, the ICU collator the filter engine uses) is exactly equality after lower-casing; any
 * other value (other text, control characters, numbers or booleans, whose text keyString does not fold)
 * may collate equal to a value in another bucket.
 */
function isPlain(value: Value): boolean {
  return value === null || (typeof value === 'string' && /^[\x20-\x7e]*$/.test(value));
}

/** `keyString([value])` without the array: indexes compute it for every row and every probed value. */
function valueKey(value: Value): string {
  return typeof value === 'string' ? value.toLowerCase() : String(value);
}

function keyString(values: readonly Value[]): string {
  return values.map((v) => (typeof v === 'string' ? v.toLowerCase() : String(v))).join('\u0000');
}
