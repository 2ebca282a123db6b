/**
 * How Dataverse addresses and renders rows: ETags from the row version, the primary key always present,
 * lookup annotations on request, and key predicates that may be a GUID, the primary key by name, or an
 * alternate key. Shared by the Sales reads and writes.
 */
import { type CollectionQuery, entitySetOrNotFound, pick, shapeWithExpansions } from '../core/collection.js';
import { ServiceError } from '../core/errors.js';
import { toWire } from '../core/json.js';
import type { EntitySetDef, Row } from '../core/model.js';
import type { ResourcePath } from '../core/resource-path.js';
import type { Store } from '../core/store.js';
import { salesCodes } from './errors.js';

export type SalesRows = ReturnType<typeof createSalesRows>;

export function createSalesRows(store: Store) {
  const etagOf = (set: EntitySetDef, row: Row): string => `W/"${store.versionOf(set.name, row)}"`;

  /** A row on the wire: etag, selected columns plus the primary key, lookup annotations if asked. */
  const shape = (
    set: EntitySetDef,
    row: Row,
    select: string[] | undefined,
    annotations: boolean,
  ): Record<string, unknown> => {
    const columns = select ? [...new Set([...select, ...set.key])] : Object.keys(set.properties);
    const out: Record<string, unknown> = {
      '@odata.etag': etagOf(set, row),
      ...toWire(pick(row, columns), set),
    };
    if (annotations) {
      for (const lookup of set.lookups ?? []) {
        if (columns.includes(lookup.column) && row[lookup.column]) {
          out[`${lookup.column}@Microsoft.Dynamics.CRM.lookuplogicalname`] =
            row[`${lookup.column}@type`] ?? defaultLogicalName(lookup.navigations);
        }
      }
    }
    return out;
  };

  const shapeAll = (
    set: EntitySetDef,
    rows: Row[],
    query: CollectionQuery,
    annotations: boolean,
  ): Record<string, unknown>[] =>
    shapeWithExpansions(set, rows, query, store, (target, row, select) =>
      shape(target, row, select, annotations && target === set),
    );

  const setOf = (name: string): EntitySetDef => entitySetOrNotFound(store, name);

  /** Finds the row a key predicate names: a bare GUID, the primary key by name, or an alternate key. */
  const resolve = (
    set: EntitySetDef,
    key: NonNullable<ResourcePath['key']>,
  ): { row: Row | undefined; keyValues: Row } => {
    if ('unnamed' in key) {
      if (typeof key.unnamed !== 'string' || !/^[0-9a-f-]{36}$/.test(key.unnamed)) {
        throw new ServiceError(
          400,
          '',
          `The key value '${String(key.unnamed)}' is not a valid Guid for ${set.entityType}.`,
        );
      }
      const keyValues = { [set.key[0]!]: key.unnamed };
      return { row: store.get(set.name, keyValues), keyValues };
    }
    const names = Object.keys(key.named).sort();
    if (names.length === 1 && names[0] === set.key[0]) {
      const keyValues = { [set.key[0]!]: String(key.named[names[0]!]).toLowerCase() };
      return { row: store.get(set.name, keyValues), keyValues };
    }
    const alternate = set.alternateKeys?.find((alt) => [...alt].sort().join(',') === names.join(','));
    if (!alternate) {
      throw new ServiceError(
        400,
        '',
        `The key [${names.join(',')}] is not a key or alternate key of ${set.entityType}.`,
      );
    }
    const keyValues: Row = Object.fromEntries(alternate.map((p) => [p, key.named[p] ?? null]));
    return { row: store.findByAlternateKey(set.name, keyValues), keyValues };
  };

  const notFound = (set: EntitySetDef, keyValues: Row): ServiceError =>
    new ServiceError(
      404,
      salesCodes.doesNotExist,
      set.key[0]! in keyValues
        ? `${set.entityType} With Id = ${String(keyValues[set.key[0]!])} Does Not Exist`
        : `A record with the specified key values does not exist in ${set.entityType} entity`,
    );

  return { etagOf, shape, shapeAll, setOf, resolve, notFound };
}

function defaultLogicalName(navigations: Record<string, string>): string {
  const target = Object.values(navigations)[0] ?? '';
  return target.endsWith('ies') ? `${target.slice(0, -3)}y` : target.replace(/s$/, '');
}
