/**
 * F&O OData behaviour at /data over the in-memory store: company-scoped reads (the default company
 * unless `cross-company=true`), server paging with `$skip`/`$top` next links, `$skip` supported, composite
 * keys that must name every part, creates answered 201 with the row (Finance-assigned values filled),
 * PATCH updates (no upsert), deletes, weak base64 ETags, and business validation failures as 500 with the
 * infolog text inside. Posted invoices are read-only; sales orders are posted (confirmed … invoiced) by the
 * `PostSalesOrder` action bound to an order (`posting-action.ts`), or by `postOrder` in-process: see
 * `posting.ts`.
 */
import { coerceBody } from '../core/body.js';
import {
  type CollectionQuery,
  entitySetOrNotFound,
  parseCollectionQuery,
  pick,
  selectRows,
  shapeWithExpansions,
} from '../core/collection.js';
import { ServiceError } from '../core/errors.js';
import { financeDialect } from '../core/filter/index.js';
import { parseObjectBody, stringifyBody, toWire } from '../core/json.js';
import { buildMetadata } from '../core/metadata.js';
import type { EntitySetDef, Row } from '../core/model.js';
import { linkWith } from '../core/paging.js';
import { type ResourcePath, parseResourcePath } from '../core/resource-path.js';
import { jsonHeaders, type SimRequest, type SimResponse, type SystemBehaviour } from '../core/service.js';
import { DuplicateKeyError, type Store } from '../core/store.js';
import { financeTableNames, renderFinanceError, renderFinanceThrottle, writeFailed } from './errors.js';
import type { PostedInvoice } from './orders.js';
import {
  type FreeTextInvoiceRequest,
  postFreeTextInvoice,
  type PostingContext,
  type PostingOptions,
  type PostingResult,
  type PostingStep,
  postSalesOrder,
} from './posting.js';
import {
  answerPostOrder,
  isPostOrderAction,
  namespace,
  postOrderAction,
  postingResultType,
} from './posting-action.js';
import { afterFinanceWrite, applyFinanceRules, beforeFinanceDelete, createNumberSequences } from './rules.js';

export interface FinanceBehaviourOptions {
  store: Store;
  /** Rows per page before a next link (F&O: 10,000). */
  pageSize?: number;
  /** The caller's default company: reads without `cross-company=true` see only it. */
  defaultCompany?: string;
  now?: () => Date;
}

/** The Finance behaviour plus what Finance does outside OData: posting orders and free-text invoices. */
export interface FinanceBehaviour extends SystemBehaviour {
  /** Posts one step on a sales order, atomically; throws a `ServiceError` (500 + infolog) when refused. */
  postOrder(
    company: string,
    salesOrderNumber: string,
    step: PostingStep,
    options?: PostingOptions,
  ): PostingResult;
  /** Posts a free-text invoice, atomically; throws a `ServiceError` (500 + infolog) when refused. */
  createFreeTextInvoice(company: string, request: FreeTextInvoiceRequest): PostedInvoice;
}

/** Entities Finance fills only by posting: every write over OData is refused. */
const postedEntities: Record<string, string> = {
  SalesInvoiceHeadersV2: 'SalesInvoiceHeaderV2Entity',
  SalesInvoiceLinesV2: 'SalesInvoiceLineV2Entity',
};

export function createFinanceBehaviour({
  store,
  pageSize = 10_000,
  defaultCompany = 'usmf',
  now = () => new Date(),
}: FinanceBehaviourOptions): FinanceBehaviour {
  const sequences = createNumberSequences(store);
  const timestamp = (): string =>
    now()
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
  /** F&O dates (an invoice date) are midnight UTC over OData. */
  const posting = (): PostingContext => ({
    store,
    sequences,
    today: `${now().toISOString().slice(0, 10)}T00:00:00Z`,
  });
  const isCompanySpecific = (set: EntitySetDef): boolean => set.key[0] === 'dataAreaId';

  /** `W/"JzEsNTYzNzE0NDU3Nic="`: F&O's weak ETag is base64 of `'1,<record version>'`. */
  const etagOf = (set: EntitySetDef, row: Row): string =>
    `W/"${Buffer.from(`'1,${store.versionOf(set.name, row)}'`).toString('base64')}"`;

  const shape = (set: EntitySetDef, row: Row, select: string[] | undefined): Record<string, unknown> => ({
    '@odata.etag': etagOf(set, row),
    ...toWire(pick(row, select ?? Object.keys(set.properties)), set),
  });

  const shapeAll = (set: EntitySetDef, rows: Row[], query: CollectionQuery): Record<string, unknown>[] =>
    shapeWithExpansions(set, rows, query, store, shape);

  const setOf = (name: string): EntitySetDef => entitySetOrNotFound(store, name);

  /** F&O wants every key part named: `CustomersV3(dataAreaId='usmf',CustomerAccount='US-001')`. */
  const keyOf = (set: EntitySetDef, path: ResourcePath): Row => {
    const key = path.key!;
    const named: Record<string, unknown> =
      'named' in key ? key.named : set.key.length === 1 ? { [set.key[0]!]: key.unnamed } : {};
    const missing = set.key.filter((k) => !(k in named));
    const extra = Object.keys(named).filter((k) => !set.key.includes(k));
    if (missing.length > 0 || extra.length > 0) {
      throw new ServiceError(
        400,
        '',
        `The key of ${set.name} is (${set.key.join(', ')}); the request gave (${Object.keys(named).join(', ')}). Name every key part.`,
      );
    }
    return Object.fromEntries(set.key.map((k) => [k, named[k] as Row[string]]));
  };

  const notFound = (set: EntitySetDef): ServiceError =>
    new ServiceError(
      404,
      '',
      `No resources were found when selecting for update on ${set.name}: the record does not exist.`,
    );

  function readCollection(request: SimRequest, set: EntitySetDef): SimResponse {
    const query = parseCollectionQuery(request.query, set, store, financeDialect);
    const crossCompany = request.query.get('cross-company') === 'true';
    const scoped =
      isCompanySpecific(set) && !crossCompany
        ? store.scan(set.name).filter((r) => String(r['dataAreaId']).toLowerCase() === defaultCompany)
        : store.scan(set.name);
    const rows = selectRows(scoped, set, query);
    const skip = query.skip ?? 0;
    const end = query.top !== undefined ? Math.min(rows.length, skip + query.top) : rows.length;
    const page = rows.slice(skip, Math.min(end, skip + pageSize));
    const body: Record<string, unknown> = { '@odata.context': `${request.serviceRoot}$metadata#${set.name}` };
    if (query.count) body['@odata.count'] = rows.length;
    body['value'] = shapeAll(set, page, query);
    const next = skip + page.length;
    if (next < end) {
      // Without a client $top the link carries only $skip: a $top in it would cap the following pages.
      body['@odata.nextLink'] = linkWith(request.serviceRoot, request.resource, request.rawQuery, {
        $skip: String(next),
        $top: query.top !== undefined ? String(end - next) : null,
      });
    }
    return { status: 200, headers: jsonHeaders(), body: stringifyBody(body) };
  }

  function readOne(request: SimRequest, set: EntitySetDef, path: ResourcePath): SimResponse {
    const row = store.get(set.name, keyOf(set, path));
    if (!row) throw new ServiceError(404, '', `Resource not found for the segment '${set.name}'.`);
    const query = parseCollectionQuery(request.query, set, store, financeDialect);
    const [shaped] = shapeAll(set, [row], query);
    const body = { '@odata.context': `${request.serviceRoot}$metadata#${set.name}/$entity`, ...shaped };
    return { status: 200, headers: jsonHeaders({ ETag: etagOf(set, row) }), body: stringifyBody(body) };
  }

  const bodyOf = (request: SimRequest, set: EntitySetDef): Row =>
    coerceBody(parseObjectBody(request.body), set, { readOnly: 'ignore' });

  const entityUrl = (request: SimRequest, set: EntitySetDef, row: Row): string =>
    `${request.serviceRoot}${set.name}(${set.key.map((k) => `${k}='${String(row[k]).replaceAll("'", "''")}'`).join(',')})`;

  function create(request: SimRequest, set: EntitySetDef): SimResponse {
    const row: Row = Object.fromEntries(Object.keys(set.properties).map((p) => [p, null]));
    Object.assign(row, bodyOf(request, set));
    if (isCompanySpecific(set)) {
      row['dataAreaId'] = String(row['dataAreaId'] ?? defaultCompany).toLowerCase();
      if (!store.get('LegalEntities', { LegalEntityId: row['dataAreaId'] })) {
        throw writeFailed(set.name, `Error: Company '${row['dataAreaId']}' does not exist.`);
      }
    }
    applyFinanceRules(set.name, row, undefined, store, sequences, timestamp());
    const missing = set.key.filter((k) => row[k] === null || row[k] === '');
    if (missing.length > 0)
      throw writeFailed(set.name, `Error: Field '${missing.join("', '")}' must be filled in.`);
    let stored: Row;
    try {
      stored = store.insert(set.name, row);
    } catch (error) {
      if (error instanceof DuplicateKeyError) {
        const keyText = set.key
          .filter((k) => k !== 'dataAreaId')
          .map((k) => `${k}: ${String(row[k])}`)
          .join(', ');
        throw writeFailed(
          set.name,
          `Error: Cannot create a record in ${financeTableNames[set.name]?.table ?? set.name}. ${keyText}. The record already exists.`,
        );
      }
      throw error;
    }
    afterFinanceWrite(set.name, stored, store);
    const url = entityUrl(request, set, stored);
    const body = {
      '@odata.context': `${request.serviceRoot}$metadata#${set.name}/$entity`,
      ...shape(set, stored, undefined),
    };
    return {
      status: 201,
      headers: jsonHeaders({ Location: url, 'OData-EntityId': url, ETag: etagOf(set, stored) }),
      body: stringifyBody(body),
    };
  }

  function update(request: SimRequest, set: EntitySetDef, path: ResourcePath): SimResponse {
    const key = keyOf(set, path);
    const current = store.get(set.name, key);
    if (!current) throw notFound(set);
    const ifMatch = request.headers['if-match'];
    if (ifMatch !== undefined && ifMatch !== '*' && ifMatch !== etagOf(set, current)) {
      throw new ServiceError(
        412,
        '',
        'The record was changed by another user since it was read (ETag mismatch). Read it again and retry.',
      );
    }
    const changes = bodyOf(request, set);
    for (const k of set.key) {
      if (k in changes && String(changes[k]).toLowerCase() !== String(current[k]).toLowerCase()) {
        throw new ServiceError(400, '', `The key property '${k}' cannot be changed.`);
      }
    }
    const merged = { ...current, ...changes };
    applyFinanceRules(set.name, merged, current, store, sequences, timestamp());
    const stored = store.update(set.name, key, merged);
    afterFinanceWrite(set.name, stored, store);
    return { status: 204, headers: { ETag: etagOf(set, stored), 'OData-Version': '4.0' } };
  }

  function remove(set: EntitySetDef, path: ResourcePath): SimResponse {
    const key = keyOf(set, path);
    const row = store.get(set.name, key);
    if (!row) throw notFound(set);
    beforeFinanceDelete(set.name, row, store);
    const removed = store.remove(set.name, key);
    afterFinanceWrite(set.name, removed, store);
    return { status: 204, headers: { 'OData-Version': '4.0' } };
  }

  function handle(request: SimRequest): SimResponse {
    const path = parseResourcePath(request.resource, { entityActions: true });
    const set = setOf(path.entitySet);
    const method = request.method;
    if (path.key && isPostOrderAction(set, path.action))
      return answerPostOrder(request, posting(), set, () => keyOf(set, path));
    // Any other action, on the collection or on an entity: F&O binds none the hub uses (Dataverse's bulk
    // messages are Sales only).
    if (path.action) throw new ServiceError(404, '', `No action '${path.action}' is bound to ${set.name}.`);
    const posted = postedEntities[set.name];
    if (posted && method !== 'GET') {
      throw new ServiceError(500, '', 'An error has occurred.', {
        inner: `Write failed for table row of type '${posted}'. Infolog: Error: ${set.name} is read-only: Finance creates invoices by posting them, never through the data entity.`,
      });
    }
    if (path.count) {
      if (method !== 'GET') throw new ServiceError(405, '', '$count supports GET only.');
      return { status: 200, headers: { 'Content-Type': 'text/plain' }, body: String(store.count(set.name)) };
    }
    if (!path.key) {
      if (method === 'GET') return readCollection(request, set);
      if (method === 'POST') return store.transaction(() => create(request, set));
      throw new ServiceError(
        405,
        '',
        `The HTTP method ${method} is not allowed on the collection ${set.name}.`,
      );
    }
    if (method === 'GET') return readOne(request, set, path);
    if (method === 'PATCH' || method === 'PUT') return store.transaction(() => update(request, set, path));
    if (method === 'DELETE') return store.transaction(() => remove(set, path));
    throw new ServiceError(405, '', `The HTTP method ${method} is not allowed on an entity of ${set.name}.`);
  }

  return {
    postOrder: (company, salesOrderNumber, step, options) =>
      store.transaction(() => postSalesOrder(posting(), company, salesOrderNumber, step, options)),
    createFreeTextInvoice: (company, request) =>
      store.transaction(() => postFreeTextInvoice(posting(), company, request)),
    system: 'finance',
    rootPath: '/data/',
    handle,
    renderError: renderFinanceError,
    renderThrottle: renderFinanceThrottle,
    metadata: () =>
      buildMetadata({
        namespace,
        containerName: 'Resources',
        sets: [...store.sets.values()],
        complexTypes: [postingResultType],
        actions: [postOrderAction],
      }),
    batch: { continueOnErrorByDefault: true, maxOperations: 5000, stoppedStatus: 200 },
    transaction: (work) => store.transaction(work),
  };
}
