/**
 * Dataverse Web API v9.2 behaviour over the in-memory store: reads with server paging
 * (`Prefer: odata.maxpagesize`, opaque `$skiptoken` links, no `$skip`), keys and alternate keys, change
 * tracking, creates (204 + OData-EntityId), updates and upserts (PATCH with If-Match / If-None-Match),
 * deletes, ETags from the row version, lookups written through `@odata.bind`.
 */
import { buildMetadata } from '../core/metadata.js';
import {
  type CollectionQuery,
  entitySetOrNotFound,
  parseCollectionQuery,
  pick,
  selectRows,
  shapeWithExpansions,
} from '../core/collection.js';
import { ServiceError } from '../core/errors.js';
import { salesDialect } from '../core/filter.js';
import { parseObjectBody, stringifyBody, toWire } from '../core/json.js';
import type { EntitySetDef, Row } from '../core/model.js';
import { decodePageToken, encodePageToken, linkWith, parsePrefer } from '../core/paging.js';
import { type ResourcePath, parseResourcePath } from '../core/resource-path.js';
import { jsonHeaders, type SimRequest, type SimResponse, type SystemBehaviour } from '../core/service.js';
import { DuplicateKeyError, type Store } from '../core/store.js';
import { coerceBody } from '../core/body.js';
import { createChangeTracking, type ChangeTracking } from './change-tracking.js';
import { renderSalesError, renderSalesThrottle, salesCodes } from './errors.js';
import { applyCreateDefaults, applyDerived, quoteTotal } from './rules.js';

export interface SalesBehaviourOptions {
  store: Store;
  /** Page size when the client sends no `Prefer: odata.maxpagesize` (Dataverse: 5,000). */
  pageSize?: number;
  now?: () => Date;
  /** Change-tracking tokens older than this are expired (Dataverse: 7 days). */
  changeTokenLifetimeMs?: number;
}

export interface SalesBehaviour extends SystemBehaviour {
  readonly changeTracking: ChangeTracking;
}

export const maxPageSize = 5000;

export function createSalesBehaviour({
  store,
  pageSize = maxPageSize,
  now = () => new Date(),
  changeTokenLifetimeMs = 7 * 24 * 3600 * 1000,
}: SalesBehaviourOptions): SalesBehaviour {
  const changeTracking = createChangeTracking({
    store,
    now,
    tokenLifetimeMs: changeTokenLifetimeMs,
    maxPageSize,
  });
  const timestamp = (): string =>
    now()
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');

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

  function readCollection(request: SimRequest, set: EntitySetDef): SimResponse {
    const prefer = parsePrefer(request.headers['prefer']);
    if (request.query.has('$skip')) {
      throw new ServiceError(
        400,
        '',
        'The query parameter $skip is not supported. Use server-driven paging: Prefer: odata.maxpagesize and @odata.nextLink.',
      );
    }
    if (prefer.has('odata.track-changes') || request.query.has('$deltatoken')) {
      return changeTracking.read(request, set, (rows, query) => shapeAll(set, rows, query, false));
    }
    const query = parseCollectionQuery(request.query, set, store, salesDialect);
    const annotations = /lookuplogicalname|\*/.test(prefer.get('odata.include-annotations') ?? '');
    const rows = selectRows(store.scan(set.name), set, query);
    const requested = prefer.has('odata.maxpagesize')
      ? parsePageSize(prefer.get('odata.maxpagesize'))
      : undefined;
    const size = requested ?? (query.top !== undefined ? Math.min(query.top, maxPageSize) : pageSize);
    const limit =
      requested === undefined && query.top !== undefined ? Math.min(query.top, rows.length) : rows.length;
    const offset = decodePageToken(request.query.get('$skiptoken'))?.offset ?? 0;
    const page = rows.slice(offset, Math.min(offset + size, limit));
    const body: Record<string, unknown> = { '@odata.context': `${request.serviceRoot}$metadata#${set.name}` };
    if (query.count) body['@odata.count'] = Math.min(rows.length, 5000);
    body['value'] = shapeAll(set, page, query, annotations);
    if (offset + page.length < limit) {
      body['@odata.nextLink'] = linkWith(request.serviceRoot, request.resource, request.rawQuery, {
        $skiptoken: encodePageToken({ offset: offset + page.length }),
      });
    }
    const headers = jsonHeaders(
      requested !== undefined ? { 'Preference-Applied': `odata.maxpagesize=${requested}` } : {},
    );
    return { status: 200, headers, body: stringifyBody(body) };
  }

  function readOne(request: SimRequest, set: EntitySetDef, path: ResourcePath): SimResponse {
    const { row, keyValues } = resolve(set, path.key!);
    if (!row) throw notFound(set, keyValues);
    const query = parseCollectionQuery(request.query, set, store, salesDialect);
    const annotations = /lookuplogicalname|\*/.test(
      parsePrefer(request.headers['prefer']).get('odata.include-annotations') ?? '',
    );
    const [shaped] = shapeAll(set, [row], query, annotations);
    const body = { '@odata.context': `${request.serviceRoot}$metadata#${set.name}/$entity`, ...shaped };
    return { status: 200, headers: jsonHeaders({ ETag: etagOf(set, row) }), body: stringifyBody(body) };
  }

  /** Column values from a request body, with `nav@odata.bind` resolved to lookup GUIDs. */
  function changesFrom(request: SimRequest, set: EntitySetDef): Row {
    const parsed = parseObjectBody(request.body, salesCodes.invalidArgument);
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
      const relative = value.replace(request.serviceRoot, '').replace(/^\/?(api\/data\/v9\.\d\/)?/, '');
      const target = parseResourcePath(relative);
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

  function refreshQuoteTotals(quoteIds: Iterable<string>): void {
    for (const quoteid of new Set(quoteIds)) {
      if (store.get('quotes', { quoteid }))
        store.update(
          'quotes',
          { quoteid },
          { totalamount: quoteTotal(store, quoteid), modifiedon: timestamp() },
        );
    }
  }

  function create(request: SimRequest, set: EntitySetDef, changes: Row): SimResponse {
    const row: Row = Object.fromEntries(Object.keys(set.properties).map((p) => [p, null]));
    Object.assign(row, changes);
    applyCreateDefaults(set.name, row, timestamp(), store);
    const quotes = applyDerived(set.name, row);
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
    refreshQuoteTotals(quotes);
    return written(request, set, stored, 201);
  }

  function update(request: SimRequest, set: EntitySetDef, current: Row, changes: Row): SimResponse {
    const merged = { ...current, ...changes, modifiedon: timestamp() };
    const quotes = applyDerived(set.name, merged);
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
    const previousQuote = current['_quoteid_value'];
    refreshQuoteTotals(typeof previousQuote === 'string' ? [...quotes, previousQuote] : quotes);
    return written(request, set, store.get(set.name, keyValues)!, 200);
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
    if (set.name === 'quotes') {
      for (const line of store.scan('quotedetails').filter((l) => l['_quoteid_value'] === row['quoteid'])) {
        store.remove('quotedetails', pick(line, ['quotedetailid']));
      }
    }
    store.remove(set.name, primary);
    if (set.name === 'quotedetails' && typeof row['_quoteid_value'] === 'string')
      refreshQuoteTotals([row['_quoteid_value']]);
    return { status: 204, headers: { 'OData-Version': '4.0' } };
  }

  function handle(request: SimRequest): SimResponse {
    const path = parseResourcePath(request.resource);
    const set = setOf(path.entitySet);
    const method = request.method;
    if (path.count) {
      if (method !== 'GET') throw new ServiceError(405, '', '$count supports GET only.');
      return {
        status: 200,
        headers: { 'Content-Type': 'text/plain', 'OData-Version': '4.0' },
        body: String(store.count(set.name)),
      };
    }
    if (!path.key) {
      if (method === 'GET') return readCollection(request, set);
      if (method === 'POST') {
        const changes = changesFrom(request, set);
        return store.transaction(() => create(request, set, changes));
      }
      throw new ServiceError(405, '', `${method} is not allowed on the collection ${set.name}.`);
    }
    if (method === 'GET') return readOne(request, set, path);
    if (method === 'PATCH') return store.transaction(() => patch(request, set, path));
    if (method === 'DELETE') return store.transaction(() => remove(set, path));
    throw new ServiceError(405, '', `${method} is not allowed on a ${set.entityType} record.`);
  }

  return {
    system: 'sales',
    rootPath: '/api/data/v9.2/',
    handle,
    renderError: renderSalesError,
    renderThrottle: renderSalesThrottle,
    metadata: () =>
      buildMetadata({
        namespace: 'Microsoft.Dynamics.CRM',
        containerName: 'System',
        sets: [...store.sets.values()],
      }),
    batch: { continueOnErrorByDefault: false, maxOperations: 1000 },
    transaction: (work) => store.transaction(work),
    changeTracking,
  };
}

function parsePageSize(value: string | undefined): number {
  const size = Number(value);
  if (!Number.isInteger(size) || size < 1) {
    throw new ServiceError(
      400,
      '',
      `odata.maxpagesize must be a positive whole number, got '${value ?? ''}'.`,
    );
  }
  return Math.min(size, maxPageSize);
}

function defaultLogicalName(navigations: Record<string, string>): string {
  const target = Object.values(navigations)[0] ?? '';
  return target.endsWith('ies') ? `${target.slice(0, -3)}y` : target.replace(/s$/, '');
}
