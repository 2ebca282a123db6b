/**
 * Dataverse Web API v9.2 behaviour over the in-memory store: reads with server paging
 * (`Prefer: odata.maxpagesize`, opaque `$skiptoken` links, no `$skip`), keys and alternate keys, change
 * tracking, creates (204 + OData-EntityId), updates and upserts (PATCH with If-Match / If-None-Match),
 * deletes, ETags from the row version, lookups written through `@odata.bind`, the bulk messages
 * (bulk.ts) and the `x-ms-dop-hint` header.
 */
import { parseCollectionQuery, selectRows } from '../core/collection.js';
import { ServiceError } from '../core/errors.js';
import { salesDialect } from '../core/filter/index.js';
import { stringifyBody } from '../core/json.js';
import { buildMetadata } from '../core/metadata.js';
import type { EntitySetDef } from '../core/model.js';
import { decodePageToken, encodePageToken, linkWith, parsePrefer } from '../core/paging.js';
import { type ResourcePath, parseResourcePath } from '../core/resource-path.js';
import { jsonHeaders, type SimRequest, type SimResponse, type SystemBehaviour } from '../core/service.js';
import type { Store } from '../core/store.js';
import { createBulkMessages } from './bulk.js';
import { createChangeTracking, type ChangeTracking } from './change-tracking.js';
import { renderSalesError, renderSalesThrottle } from './errors.js';
import { createSalesRows } from './rows.js';
import { createSalesWrites } from './writes.js';

export interface SalesBehaviourOptions {
  store: Store;
  /** Page size when the client sends no `Prefer: odata.maxpagesize` (Dataverse: 5,000). */
  pageSize?: number;
  now?: () => Date;
  /** Change-tracking tokens older than this are expired (Dataverse: 7 days). */
  changeTokenLifetimeMs?: number;
  /**
   * The `x-ms-dop-hint` header on every response: Dataverse's recommended degree of parallelism for
   * this environment. Default 4; real environments answer what their servers allow.
   */
  dopHint?: number;
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
  dopHint = 4,
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
  const rows = createSalesRows(store);
  const { etagOf, shapeAll, setOf, resolve, notFound } = rows;
  const writes = createSalesWrites(store, rows, timestamp);
  const { changesFrom, create, patch, remove } = writes;
  const bulk = createBulkMessages(store, rows, writes);

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

  function handle(request: SimRequest): SimResponse {
    const path = parseResourcePath(request.resource);
    const set = setOf(path.entitySet);
    const method = request.method;
    if (path.action) return bulk.execute(request, set, path.action);
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
    batch: { continueOnErrorByDefault: false, maxOperations: 1000, stoppedStatus: 400 },
    transaction: (work) => store.transaction(work),
    responseHeaders: { 'x-ms-dop-hint': String(dopHint) },
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
