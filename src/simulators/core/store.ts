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

interface Table {
  def: EntitySetDef;
  rows: Map<string, Row>;
  versions: Map<string, number>;
  tombstones: Tombstone[];
  /** Alternate key (properties joined by ',') → normalized values → primary key string. */
  alternates: Map<string, Map<string, string>>;
  /** Non-unique indexes built on first use by `findBy`: property → normalized value → primary keys. */
  indexes: Map<string, Map<string, Set<string>>>;
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
  /** Rows in insertion order. The array is a snapshot; rows are the live objects (do not mutate). */
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

  const indexAlternates = (t: Table, pk: string, row: Row, add: boolean): void => {
    for (const [property, index] of t.indexes) {
      const value = keyString([row[property] ?? null]);
      const pks = index.get(value) ?? new Set<string>();
      if (add) index.set(value, pks.add(pk));
      else pks.delete(pk);
    }
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
      let index = t.indexes.get(property);
      if (!index) {
        index = new Map();
        for (const [pk, row] of t.rows) {
          const key = keyString([row[property] ?? null]);
          index.set(key, (index.get(key) ?? new Set<string>()).add(pk));
        }
        t.indexes.set(property, index);
      }
      return [...(index.get(keyString([value])) ?? [])].map((pk) => t.rows.get(pk)!);
    },
    scan: (set) => [...table(set).rows.values()],
    count: (set) => table(set).rows.size,
    versionOf: (set, row) => table(set).versions.get(primaryKeyString(table(set).def, row)) ?? 0,
    insert: (set, row) => {
      const t = table(set);
      const pk = primaryKeyString(t.def, row);
      if (t.rows.has(pk)) throw new DuplicateKeyError(set, t.def.key);
      checkAlternates(t, pk, row);
      const stored = { ...row };
      t.rows.set(pk, stored);
      indexAlternates(t, pk, stored, true);
      bump(t, pk, stored);
      record(() => {
        indexAlternates(t, pk, stored, false);
        t.rows.delete(pk);
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
      t.rows.delete(pk);
      t.versions.delete(pk);
      version += 1;
      const tombstone = { key: pickKey(t.def, current), version };
      t.tombstones.push(tombstone);
      record(() => {
        t.tombstones.splice(t.tombstones.indexOf(tombstone), 1);
        t.rows.set(pk, current);
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

/** The key properties of a row, as a row. */
export function pickKey(def: EntitySetDef, row: Row): Row {
  return Object.fromEntries(def.key.map((k) => [k, row[k] ?? null]));
}

export function primaryKeyString(def: EntitySetDef, key: Row): string {
  return keyString(def.key.map((k) => key[k] ?? null));
}

function keyString(values: readonly Value[]): string {
  return values.map((v) => (typeof v === 'string' ? v.toLowerCase() : String(v))).join('\u0000');
}
