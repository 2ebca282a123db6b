/**
 * Dataverse writes: creates (204 + OData-EntityId, or the row with `Prefer: return=representation`),
 * updates and upserts by PATCH with `If-Match` / `If-None-Match`, deletes, lookups bound through
 * `nav@odata.bind`, the totals Dataverse keeps on quotes, orders and invoices, and the order and invoice
 * rules (order-rules.ts).
 */
import { parseCollectionQuery, pick } from '../core/collection.js';
import { coerceBody } from '../core/body.js';
import { ServiceError } from '../core/errors.js';
import { salesDialect } from '../core/filter/index.js';
import { parseObjectBody, stringifyBody } from '../core/json.js';
import type { EntitySetDef, Row } from '../core/model.js';
import { parsePrefer } from '../core/paging.js';
import { type ResourcePath, parseResourcePath } from '../core/resource-path.js';
import { jsonHeaders, type SimRequest, type SimResponse } from '../core/service.js';
import { DuplicateKeyError, type Store } from '../core/store.js';
import { applyCatalogRules, checkCreateColumns } from './catalog-rules.js';
import { salesCodes } from './errors.js';
import { checkOrderDelete, checkOrderRules } from './order-rules.js';
import { applyCreateDefaults, applyDerived, applyHeaderTotals, lineHeaders, quoteTotal } from './rules.js';
import type { SalesRows } from './rows.js';

export type SalesWrites = ReturnType<typeof createSalesWrites>;

/**
 * A record's URL as `@odata.bind` or `@odata.id` give it (absolute, `/api/data/v9.2/accounts(…)` or
 * `accounts(…)`), relative to the service root, for `parseResourcePath`.
 */
export function recordPath(url: string, serviceRoot: string): string {
  return url.replace(serviceRoot, '').replace(/^\/?(api\/data\/v9\.\d\/)?/, '');
}

export function createSalesWrites(store: Store, rows: SalesRows, timestamp: () => string) {
  const { etagOf, shape, setOf, resolve, notFound } = rows;

  /** Column values from a request body, with `nav@odata.bind` resolved to lookup GUIDs. */
  function changesFrom(request: SimRequest, set: EntitySetDef): Row {
    return changesOf(parseObjectBody(request.body, salesCodes.invalidArgument), set, request.serviceRoot);
  }

  /** Column values from one parsed record (a body, or a bulk message's target). */
  function changesOf(parsed: Record<string, unknown>, set: EntitySetDef, serviceRoot: string): Row {
    for (const name of Object.keys(parsed)) {
      if (/^_.+_value$/.test(name)) {
        const nav = set.lookups?.find((l) => l.column === name);
        const hint = nav
          ? ` Set it with "${Object.keys(nav.navigations)[0]}@odata.bind": "/<set>(<id>)".`
          : '';
        throw new ServiceError(
          400,
          '',
          `An undeclared property '${name}' was found in the payload: lookup columns are read-only.${hint}`,
        );
      }
    }
    const row = coerceBody(parsed, set, { readOnly: 'ignore' });
    for (const [name, value] of Object.entries(parsed)) {
      if (!name.endsWith('@odata.bind')) continue;
      const nav = name.slice(0, -'@odata.bind'.length);
      const lookup = set.lookups?.find((l) => nav in l.navigations);
      if (!lookup) {
        throw new ServiceError(
          400,
          '',
          `An undeclared property '${nav}' which only has property annotations in the payload but no property value was found in the payload.`,
        );
      }
      if (value === null) {
        row[lookup.column] = null;
        continue;
      }
      const targetSet = setOf(lookup.navigations[nav]!);
      if (typeof value !== 'string')
        throw new ServiceError(
          400,
          '',
          `The value of '${name}' must be a URL like "/${targetSet.name}(<id>)".`,
        );
      const target = parseResourcePath(recordPath(value, serviceRoot));
      if (target.entitySet !== targetSet.name || !target.key) {
        throw new ServiceError(
          400,
          '',
          `'${name}' must point to a ${targetSet.entityType} record, got '${value}'.`,
        );
      }
      const { row: referenced, keyValues } = resolve(targetSet, target.key);
      if (!referenced) throw notFound(targetSet, keyValues);
      row[lookup.column] = referenced[targetSet.key[0]!] ?? null;
      row[`${lookup.column}@type`] = targetSet.entityType;
    }
    return row;
  }

  /** Refreshes the totals of the headers (ids) of the lines of `lineSet` after those lines changed. */
  function refreshHeaders(lineSet: string, ids: Iterable<string>): void {
    const header = lineHeaders[lineSet];
    if (!header) return;
    for (const id of new Set(ids)) {
      const key = { [header.key]: id.toLowerCase() };
      const current = store.get(header.set, key);
      if (!current) continue;
      if (header.set === 'quotes') {
        store.update('quotes', key, { totalamount: quoteTotal(store, id), modifiedon: timestamp() });
        continue;
      }
      const next = { ...current };
      applyHeaderTotals(header.set, next, [], store);
      store.update(header.set, key, { ...next, modifiedon: timestamp() });
    }
  }

  /** Order and invoice headers: totals and the Finance-products flag, from the stored lines. */
  function completeHeader(set: string, row: Row, changes: Row): void {
    if (set === 'salesorders' || set === 'invoices') applyHeaderTotals(set, row, Object.keys(changes), store);
  }

  function create(request: SimRequest, set: EntitySetDef, changes: Row): SimResponse {
    return written(request, set, createRow(set, changes), 201);
  }

  /** Creates a row from `changes` with Dataverse's defaults and rules; the stored row. */
  function createRow(set: EntitySetDef, changes: Row): Row {
    checkCreateColumns(set.name, changes);
    const row: Row = Object.fromEntries(Object.keys(set.properties).map((p) => [p, null]));
    Object.assign(row, changes);
    applyCreateDefaults(set.name, row, timestamp(), store);
    applyCatalogRules(set.name, row, undefined, changes, store);
    checkOrderRules(set.name, row, undefined, changes, store);
    const headers = applyDerived(set.name, row);
    completeHeader(set.name, row, changes);
    let stored: Row;
    try {
      stored = store.insert(set.name, row);
    } catch (error) {
      if (error instanceof DuplicateKeyError) {
        throw new ServiceError(
          412,
          salesCodes.duplicateRecord,
          `A record that has the attribute values ${error.properties.join(', ')} already exists. The entity key requires that this set of attributes contains unique values.`,
        );
      }
      throw error;
    }
    refreshHeaders(set.name, headers);
    return stored;
  }

  function update(request: SimRequest, set: EntitySetDef, current: Row, changes: Row): SimResponse {
    return written(request, set, updateRow(set, current, changes), 200);
  }

  /** Applies `changes` to the stored row `current` with Dataverse's rules; the stored row after. */
  function updateRow(set: EntitySetDef, current: Row, changes: Row): Row {
    const merged = { ...current, ...changes, modifiedon: timestamp() };
    applyCatalogRules(set.name, merged, current, changes, store);
    checkOrderRules(set.name, merged, current, changes, store);
    const headers = applyDerived(set.name, merged);
    completeHeader(set.name, merged, changes);
    const keyValues = pick(current, set.key);
    try {
      store.update(set.name, keyValues, merged);
    } catch (error) {
      if (error instanceof DuplicateKeyError) {
        throw new ServiceError(
          412,
          salesCodes.duplicateRecord,
          `A record that has the attribute values ${error.properties.join(', ')} already exists.`,
        );
      }
      throw error;
    }
    // A line moved to another header leaves its previous header's totals to refresh too.
    const previousHeader = current[lineHeaders[set.name]?.column ?? ''];
    refreshHeaders(set.name, typeof previousHeader === 'string' ? [...headers, previousHeader] : headers);
    return store.get(set.name, keyValues)!;
  }

  /** 204 + OData-EntityId, or the row itself with `Prefer: return=representation`. */
  function written(
    request: SimRequest,
    set: EntitySetDef,
    row: Row,
    representationStatus: number,
  ): SimResponse {
    const entityId = `${request.serviceRoot}${set.name}(${String(row[set.key[0]!])})`;
    const headers = { 'OData-EntityId': entityId, ETag: etagOf(set, row), 'OData-Version': '4.0' };
    if (parsePrefer(request.headers['prefer']).get('return') === 'representation') {
      const select = parseCollectionQuery(request.query, set, store, salesDialect).select;
      const body = {
        '@odata.context': `${request.serviceRoot}$metadata#${set.name}/$entity`,
        ...shape(set, row, select, false),
      };
      return { status: representationStatus, headers: jsonHeaders(headers), body: stringifyBody(body) };
    }
    return { status: 204, headers };
  }

  function patch(request: SimRequest, set: EntitySetDef, path: ResourcePath): SimResponse {
    const { row: current, keyValues } = resolve(set, path.key!);
    const ifMatch = request.headers['if-match'];
    const ifNoneMatch = request.headers['if-none-match'];
    if (ifNoneMatch === '*' && current) {
      throw new ServiceError(
        412,
        salesCodes.duplicateRecord,
        'A record with matching key values already exists.',
      );
    }
    if (ifMatch !== undefined) {
      if (!current) throw notFound(set, keyValues);
      if (ifMatch !== '*' && ifMatch !== etagOf(set, current)) {
        throw new ServiceError(
          412,
          salesCodes.versionMismatch,
          "The version of the existing record doesn't match the RowVersion property provided.",
        );
      }
    }
    const changes = changesFrom(request, set);
    if (current) return update(request, set, current, changes);
    return create(request, set, { ...changes, ...keyValues });
  }

  function remove(set: EntitySetDef, path: ResourcePath): SimResponse {
    const { row, keyValues } = resolve(set, path.key!);
    if (!row) throw notFound(set, keyValues);
    const primary = pick(row, set.key);
    checkOrderDelete(set.name, row, store);
    // Deleting a header deletes its lines, as Dataverse's parental relationships do.
    for (const [lineSet, header] of Object.entries(lineHeaders)) {
      if (header.set !== set.name) continue;
      const lineKey = store.def(lineSet)!.key;
      for (const line of store.findBy(lineSet, header.column, row[header.key] ?? null)) {
        store.remove(lineSet, pick(line, lineKey));
      }
    }
    store.remove(set.name, primary);
    const header = lineHeaders[set.name];
    const headerId = header ? row[header.column] : undefined;
    if (typeof headerId === 'string') refreshHeaders(set.name, [headerId]);
    return { status: 204, headers: { 'OData-Version': '4.0' } };
  }

  return { changesFrom, changesOf, create, createRow, updateRow, patch, remove };
}
