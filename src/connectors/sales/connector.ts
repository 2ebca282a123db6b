/**
 * Sales connector — Dynamics 365 Sales on Dataverse, Web API v9.2 (OData 4.0, JSON).
 * Auth: Entra ID client credentials, scope `<environment URL>/.default` (through the OData client).
 * Limits: pages of at most 5,000 rows (`Prefer: odata.maxpagesize`), no `$skip`; URLs up to 32 KB, so
 * batched lookups use `Microsoft.Dynamics.CRM.In` split by URL length; `$batch` of at most 1,000
 * requests; service protection answers 429 + Retry-After, which the client's retry policy honours.
 *
 * Reads return typed records (`types.ts`). Writes use Dataverse's bulk messages where the table supports
 * them (bulk.ts): CreateMultiple for records known to be new, UpsertMultiple by alternate key for records
 * known to exist, UpdateMultiple for update-only writes — one request per 1,000 records. Where a table
 * refuses them, a chunk fails as a whole, or the caller does not know whether a record exists, records
 * are upserted one by one by alternate key (PATCH to `accounts(accountnumber='…')`, which creates or
 * updates) in `$batch` requests with `Prefer: odata.continue-on-error`, so one bad record never stops the
 * others. Records that must be written together go in one change set (`writeChangeSets`). Nothing here is
 * specific to the simulator: the same code speaks to a real Dataverse environment.
 */
import {
  type BatchItem,
  type BatchOperation,
  type BatchPartResult,
  crmIn,
  keyPredicate,
  ODataError,
  type ODataClient,
  type Page,
  type QueryOptions,
} from '../odata/index.js';
import {
  chunk,
  firstPageCount,
  groupBy,
  type KindValuesRead,
  type KindValuesResults,
  readByValues,
  readManyByValues,
  toRecord,
  type ValuesRead,
  toWireBody,
} from '../odata/records.js';
import { createBulkSender, defaultBulkSize, type BulkMessage } from './bulk.js';
import { salesEntities } from './entities.js';
import type { SalesKind, SalesRecords } from './types.js';

/**
 * A single-valued lookup read along with the rows (`$expand`), e.g. each quote line's product: the
 * related records (every column the hub reads, once each) go to `receive` before the rows are returned.
 */
export interface RelatedRecords<R extends SalesKind> {
  /** The lookup's navigation property (`productid` for `_productid_value`). */
  navigation: string;
  kind: R;
  receive(records: SalesRecords[R][]): void;
}

export interface SalesListOptions {
  /** A `$filter` built with the query helpers (literals escaped). */
  filter?: string;
  orderby?: string;
  /** Columns to read; default: every column the hub uses. */
  select?: readonly string[];
  /** Rows per page (`Prefer: odata.maxpagesize`, at most 5,000). */
  pageSize?: number;
  /**
   * At most this many rows in all, in one request (`$top`). Dataverse ignores `$top` when a page size is
   * preferred, so a `top` read sends no `Prefer: odata.maxpagesize` (top must be ≤ 5,000).
   */
  top?: number;
}

/** One page of the change feed. */
export interface SalesChangePage<T> {
  /** Rows created or changed (all rows on a full read). */
  rows: T[];
  /** Ids of rows deleted since the token. */
  deleted: string[];
  /**
   * On the last page: the link to read the next changes from, relative to the service root. Store it only
   * after the page is processed.
   */
  deltaLink?: string;
  /**
   * On every page but the last: the link to the next page. Stored after the page is processed, it lets a
   * read cut off half-way resume there (`resumeFrom`) instead of starting over.
   */
  nextLink?: string;
  /**
   * True when this read started from scratch: no link was given, or the given ones were refused. A
   * resumed read did not start from scratch, whichever read it continues.
   */
  fullRead: boolean;
  /** Set when a given link (resume position or token) was refused and the connector fell back. */
  restartReason?: string;
}

/** Where a change-feed read starts; without either link it reads every row. */
export interface SalesChangesOptions {
  /** The delta link of the last complete read: only the changes since. */
  deltaLink?: string;
  /**
   * A `nextLink` of a read that was cut off: continues that read. When refused, the read falls back to
   * `deltaLink`, then to a full read, saying why in `restartReason`.
   */
  resumeFrom?: string;
  select?: readonly string[];
  pageSize?: number;
}

/** What to write: the alternate-key value (or the record id) and the columns to set. */
export interface SalesUpsert {
  /** The alternate-key value (`accountnumber` for accounts), or `{ id }` for a record id. */
  key: string | { id: string };
  /** Column values; lookups as `"<nav>@odata.bind": "/accounts(…)"` (see `bind`). Decimals as text. */
  body: Record<string, unknown>;
  /**
   * What the caller read of the record just before: `{ id }` when it exists, null when it does not;
   * absent when unknown. Bulk messages answer nothing per record (UpsertMultiple answers 204), so only a
   * record whose existence is known can go in one: a new one by CreateMultiple (whose answer carries its
   * id), an existing one by UpsertMultiple. Unknown ones are upserted one by one in `$batch`.
   */
  existing?: { id: string } | null;
}

/**
 * One operation of a change set written with `writeChangeSets`. A PATCH upserts unless `only` says
 * `create` (`If-None-Match: *`: an existing record fails it) or `update` (`If-Match: *`: a missing record
 * fails it, none is created).
 */
export type SalesOperation =
  | { method: 'POST'; kind: SalesKind; body: Record<string, unknown> }
  | {
      method: 'PATCH';
      kind: SalesKind;
      key: string | { id: string };
      body: Record<string, unknown>;
      only?: 'create' | 'update';
      /** The record's id when the caller knows it: a bulk update answers none, so results carry this. */
      id?: string;
    }
  | { method: 'DELETE'; kind: SalesKind; key: string | { id: string } };

export interface UpsertResult {
  outcome: 'created' | 'updated' | 'failed';
  /** The record id on success. */
  id?: string;
  error?: ODataError;
}

/** One read of `getByValuesTogether`: the `kind` records whose `property` is one of `values`. */
export type SalesValuesRead<K extends SalesKind = SalesKind> = KindValuesRead<K>;

/** What `getByValuesTogether` answers for each read: its records grouped by value (lower-cased). */
export type SalesValuesResults<R extends readonly SalesValuesRead[]> = KindValuesResults<SalesRecords, R>;

export interface SalesConnectorOptions {
  client: ODataClient;
  /** Rows per page for reads (default 5,000, Dataverse's maximum). */
  pageSize?: number;
  /** Upserts per `$batch` request (Dataverse allows 1,000; smaller batches finish under the 2-minute timeout). */
  batchSize?: number;
  /** Records per bulk message (default 1,000, Microsoft's suggested start; see `defaultBulkSize`). */
  bulkSize?: number;
}

export interface SalesConnector {
  readonly client: ODataClient;
  list<K extends SalesKind>(kind: K, options?: SalesListOptions): AsyncIterable<SalesRecords[K][]>;
  /** One record by id or alternate-key value; null when it does not exist. */
  get<K extends SalesKind>(kind: K, key: string | { id: string }): Promise<SalesRecords[K] | null>;
  /**
   * How many records the entity set holds (`$count=true` on a one-row read); null when there are more
   * than Dataverse counts (5,000), so the number would only be a lower bound.
   */
  count(kind: SalesKind): Promise<number | null>;
  /**
   * Every record whose `property` equals one of `values` (case-insensitive), grouped by that value
   * (lower-cased): one request per URL-length chunk, however many values.
   */
  getByValues<K extends SalesKind, R extends SalesKind = never>(
    kind: K,
    property: string,
    values: readonly string[],
    options?: { select?: readonly string[]; related?: RelatedRecords<R> },
  ): Promise<Map<string, SalesRecords[K][]>>;
  /**
   * Several independent `getByValues` reads in one request (the GET parts of one `$batch`, or one GET when
   * a single URL holds them all); one result per read, in order.
   */
  getByValuesTogether<const R extends readonly SalesValuesRead[]>(reads: R): Promise<SalesValuesResults<R>>;
  /** The change feed: all rows and a delta link without a token, only changes with one. */
  changes<K extends SalesKind>(
    kind: K,
    options?: SalesChangesOptions,
  ): AsyncIterable<SalesChangePage<SalesRecords[K]>>;
  /**
   * Upserts records by alternate key (or id); one result per record, in order. Records whose `existing`
   * is known go by bulk messages (CreateMultiple, UpsertMultiple) on tables that support them; a chunk
   * Sales refuses as a whole, and every other record, is upserted one by one in `$batch` requests with
   * continue-on-error, so one bad record fails alone with its own error.
   */
  upsert(kind: SalesKind, records: readonly SalesUpsert[]): Promise<UpsertResult[]>;
  /**
   * Writes operations with bulk messages, one message per table and kind of write: a POST or a
   * create-only PATCH by CreateMultiple (results carry the new ids), an update-only PATCH by
   * UpdateMultiple, a PATCH by UpsertMultiple (reported `updated`, with the `id` given); a DELETE one by
   * one (Dataverse has no DeleteMultiple for standard tables). Each operation stands alone: a chunk
   * Sales refuses as a whole is written again one operation at a time in `$batch`, so only the bad one
   * fails. One result per operation, in order. Operations that must succeed or fail together belong in
   * `writeChangeSets`.
   */
  writeMultiple(operations: readonly SalesOperation[]): Promise<UpsertResult[]>;
  /**
   * Writes each group atomically: a group of several operations as one change set (all or none; later
   * parts may bind to records earlier parts create, by alternate key), a group of one as a plain request.
   * Groups go in `$batch` requests of at most `batchSize` operations with continue-on-error, a change set
   * never split between two. One result per operation, grouped like `groups`; when a change set fails,
   * its failing part carries Sales's error and the others say they were rolled back.
   */
  writeChangeSets(groups: readonly (readonly SalesOperation[])[]): Promise<UpsertResult[][]>;
  /** `"/accounts(<id>)"` or `"/accounts(accountnumber='A-1')"` for an `@odata.bind`. */
  bind(kind: SalesKind, key: string | { id: string }): string;
}

const maxPageSize = 5000;

export function createSalesConnector({
  client,
  pageSize = maxPageSize,
  batchSize = 200,
  bulkSize = defaultBulkSize,
}: SalesConnectorOptions): SalesConnector {
  const bulk = createBulkSender({ client, bulkSize });
  const pageHeaders = (size = pageSize): Record<string, string> => ({
    Prefer: `odata.maxpagesize=${Math.min(size, maxPageSize)}`,
  });

  const keyPath = (kind: SalesKind, key: string | { id: string }): string => {
    const entity = salesEntities[kind];
    if (typeof key === 'object') return `${entity.set}${keyPredicate({ guid: key.id })}`;
    if (!entity.alternateKey) throw new TypeError(`${entity.set} has no alternate key; address it by { id }`);
    return `${entity.set}${keyPredicate({ [entity.alternateKey]: key })}`;
  };

  async function* list<K extends SalesKind>(
    kind: K,
    options: SalesListOptions = {},
  ): AsyncGenerator<SalesRecords[K][]> {
    const entity = salesEntities[kind];
    const query: QueryOptions = {
      select: options.select ?? entity.columns,
      ...(options.filter ? { filter: options.filter } : {}),
      ...(options.orderby ? { orderby: options.orderby } : {}),
      ...(options.top !== undefined ? { top: Math.min(options.top, maxPageSize) } : {}),
    };
    const headers = options.top !== undefined ? {} : pageHeaders(options.pageSize);
    for await (const page of client.pages<Record<string, unknown>>(entity.set, query, { headers })) {
      yield page.rows.map((row) => toRecord<SalesRecords[K]>(row, entity));
    }
  }

  async function count(kind: SalesKind): Promise<number | null> {
    const entity = salesEntities[kind];
    const total = await firstPageCount(client, entity.set, { select: entity.key, top: 1, count: true });
    return total === undefined || total >= maxPageSize ? null : total;
  }

  async function get<K extends SalesKind>(
    kind: K,
    key: string | { id: string },
  ): Promise<SalesRecords[K] | null> {
    const entity = salesEntities[kind];
    try {
      const response = await client.request<Record<string, unknown>>({
        method: 'GET',
        path: keyPath(kind, key),
        query: { select: entity.columns },
      });
      return response.body ? toRecord<SalesRecords[K]>(response.body, entity) : null;
    } catch (error) {
      if (error instanceof ODataError && error.status === 404) return null;
      throw error;
    }
  }

  /** The read of `kind` rows whose `property` is one of `values`: `In` filters, the columns, an `$expand`. */
  function valuesRead({ kind, property, values, select }: SalesValuesRead, expand?: string): ValuesRead {
    const entity = salesEntities[kind];
    const columns = select ? [...new Set([...select, property])] : entity.columns;
    return {
      entity,
      values,
      render: (group) => ({
        select: columns,
        filter: crmIn(property, group),
        ...(expand !== undefined && { expand }),
      }),
    };
  }

  async function getByValues<K extends SalesKind, R extends SalesKind = never>(
    kind: K,
    property: string,
    values: readonly string[],
    { select, related }: { select?: readonly string[]; related?: RelatedRecords<R> } = {},
  ): Promise<Map<string, SalesRecords[K][]>> {
    const entity = salesEntities[kind];
    const relatedEntity = related ? salesEntities[related.kind] : undefined;
    const expand = related ? `${related.navigation}($select=${relatedEntity!.columns.join(',')})` : undefined;
    const read = valuesRead({ kind, property, values, ...(select && { select }) }, expand);
    const rows = await readByValues(client, entity, values, read.render, pageHeaders());
    if (related) {
      const byId = new Map<string, SalesRecords[R]>();
      for (const row of rows) {
        const nested = row[related.navigation];
        if (typeof nested !== 'object' || nested === null) continue;
        const fields = nested as Record<string, unknown>;
        byId.set(String(fields[relatedEntity!.key[0]!]), toRecord<SalesRecords[R]>(fields, relatedEntity!));
      }
      related.receive([...byId.values()]);
    }
    return groupBy(
      rows.map((row) => toRecord<SalesRecords[K]>(row, entity)),
      property as keyof SalesRecords[K],
    );
  }

  async function getByValuesTogether<const R extends readonly SalesValuesRead[]>(
    reads: R,
  ): Promise<SalesValuesResults<R>> {
    const rows = await readManyByValues(
      client,
      reads.map((read) => valuesRead(read)),
      pageHeaders(),
    );
    return reads.map(({ kind, property }, index) => {
      const entity = salesEntities[kind];
      const records = rows[index]!.map((row) => toRecord<Record<string, unknown>>(row, entity));
      return groupBy(records, property);
    }) as unknown as SalesValuesResults<R>;
  }

  async function* changes<K extends SalesKind>(
    kind: K,
    { deltaLink, resumeFrom, select, pageSize: size }: SalesChangesOptions = {},
  ): AsyncGenerator<SalesChangePage<SalesRecords[K]>> {
    const entity = salesEntities[kind];
    const headers = {
      Prefer: `odata.track-changes, odata.maxpagesize=${Math.min(size ?? pageSize, maxPageSize)}`,
    };
    let restartReason: string | undefined;
    const starts = [
      { link: resumeFrom, refused: 'The stored read position was refused' },
      { link: deltaLink, refused: 'The change-tracking token was refused' },
    ];
    for (const start of starts) {
      if (!start.link) continue;
      if (/^https?:\/\//i.test(start.link) && !start.link.startsWith(client.serviceRoot)) {
        // Stored by a hub that talked to another address (a Sales moved, or simulators on new ports):
        // it means nothing here, and following it would send the token elsewhere.
        restartReason = `${start.refused}: it was issued by another Sales address; reading ${
          start.link === resumeFrom && deltaLink ? 'the changes since the last complete read' : 'everything'
        } again.`;
        continue;
      }
      const iterator = client
        .pages<Record<string, unknown>>(start.link, undefined, { headers })
        [Symbol.asyncIterator]();
      let next: IteratorResult<Page<Record<string, unknown>>>;
      try {
        // The first page is read eagerly so a refused link can fall back before anything is yielded;
        // an error on a later page is the read's failure, not a refusal.
        next = await iterator.next();
      } catch (error) {
        if (!isExpiredToken(error)) throw error;
        restartReason = `${start.refused} (${(error as ODataError).message}); reading ${
          start.link === resumeFrom && deltaLink ? 'the changes since the last complete read' : 'everything'
        } again.`;
        continue;
      }
      while (!next.done) {
        yield {
          ...toChangePage(next.value, entity, false),
          ...(restartReason ? { restartReason } : {}),
        };
        next = await iterator.next();
      }
      return;
    }
    const query: QueryOptions = { select: select ?? entity.columns };
    for await (const page of client.pages<Record<string, unknown>>(entity.set, query, { headers })) {
      yield { ...toChangePage(page, entity, true), ...(restartReason ? { restartReason } : {}) };
    }
  }

  /**
   * A link under the service root without the root (`accounts?$deltatoken=…`): what the hub stores, so a
   * cursor survives the service moving to another address; `changes` resolves it against the current root.
   */
  function serviceRelative(link: string): string {
    return link.startsWith(client.serviceRoot) ? link.slice(client.serviceRoot.length) : link;
  }

  function toChangePage<T>(
    page: Page<Record<string, unknown>>,
    entity: (typeof salesEntities)[SalesKind],
    fullRead: boolean,
  ): SalesChangePage<T> {
    const rows: T[] = [];
    const deleted: string[] = [];
    for (const row of page.rows) {
      const context = row['@odata.context'];
      if (typeof context === 'string' && context.endsWith('$deletedEntity')) deleted.push(String(row['id']));
      else rows.push(toRecord<T>(row, entity));
    }
    return {
      rows,
      deleted,
      fullRead,
      ...(page.deltaLink ? { deltaLink: serviceRelative(page.deltaLink) } : {}),
      ...(page.nextLink ? { nextLink: serviceRelative(page.nextLink) } : {}),
    };
  }

  /** Upserts records one by one in `$batch` requests (continue-on-error); one result per record. */
  async function upsertInBatches(kind: SalesKind, records: readonly SalesUpsert[]): Promise<UpsertResult[]> {
    const results: UpsertResult[] = [];
    for (const group of chunk(records, Math.min(batchSize, 1000))) {
      const items: BatchItem<BatchOperation>[] = group.map((record) => ({
        kind: 'single',
        part: toBatchOperation({ method: 'PATCH', kind, key: record.key, body: record.body }),
      }));
      const answered = await client.batch(items, { continueOnError: true });
      for (const item of answered) {
        if (item.kind === 'single') results.push(toUpsertResult(item.part, kind));
      }
    }
    return results;
  }

  async function upsert(kind: SalesKind, records: readonly SalesUpsert[]): Promise<UpsertResult[]> {
    const entity = salesEntities[kind];
    const results: UpsertResult[] = new Array<UpsertResult>(records.length);
    const indexes = { created: [] as number[], updated: [] as number[], single: [] as number[] };
    records.forEach((record, index) => {
      const known = record.existing !== undefined && typeof record.key === 'string' && entity.alternateKey;
      if (!known) indexes.single.push(index);
      else indexes[record.existing ? 'updated' : 'created'].push(index);
    });
    const place = (at: readonly number[], answers: readonly UpsertResult[]): void =>
      at.forEach((index, n) => (results[index] = answers[n]!));
    const perRecord = (items: readonly SalesUpsert[]) => upsertInBatches(kind, items);

    place(
      indexes.created,
      await bulk.send({
        kind,
        message: 'CreateMultiple',
        items: indexes.created.map((index) => records[index]!),
        // The alternate key goes in as a column; a record created meanwhile makes the chunk fail
        // (duplicate key), and the per-record fallback then updates it, as an upsert should.
        toTarget: (record) => ({ ...toWireBody(record.body, entity), [entity.alternateKey!]: record.key }),
        written: (items, ids) =>
          items.map((_, n) => ({ outcome: 'created', ...(ids[n] ? { id: ids[n] } : {}) })),
        perRecord,
      }),
    );
    place(
      indexes.updated,
      await bulk.send({
        kind,
        message: 'UpsertMultiple',
        items: indexes.updated.map((index) => records[index]!),
        // Microsoft's UpsertMultiple reference names each record by `@odata.id` with its alternate key.
        toTarget: (record) => ({
          ...toWireBody(record.body, entity),
          '@odata.id': keyPath(kind, record.key),
        }),
        written: (items) => items.map((record) => ({ outcome: 'updated', id: record.existing!.id })),
        perRecord,
      }),
    );
    place(indexes.single, await perRecord(indexes.single.map((index) => records[index]!)));
    return results;
  }

  /** The bulk message an operation goes by; undefined for one that has none (DELETE). */
  function messageFor(operation: SalesOperation): BulkMessage | undefined {
    if (operation.method === 'DELETE') return undefined;
    if (operation.method === 'POST' || operation.only === 'create') return 'CreateMultiple';
    return operation.only === 'update' ? 'UpdateMultiple' : 'UpsertMultiple';
  }

  /** An operation as a bulk target: created with its key as a column, changed by `@odata.id`. */
  function toTarget(operation: SalesOperation): Record<string, unknown> {
    if (operation.method === 'DELETE') throw new TypeError('A DELETE has no bulk target');
    const entity = salesEntities[operation.kind];
    const body = toWireBody(operation.body, entity);
    if (operation.method === 'POST') return body;
    if (operation.only !== 'create') return { ...body, '@odata.id': keyPath(operation.kind, operation.key) };
    const key = operation.key;
    if (typeof key === 'object') return { ...body, [entity.key[0]!]: key.id };
    if (!entity.alternateKey) throw new TypeError(`${entity.set} has no alternate key; address it by { id }`);
    return { ...body, [entity.alternateKey]: key };
  }

  /** The result of an operation a bulk message wrote; `id` from CreateMultiple's `Ids`. */
  function writtenResult(operation: SalesOperation, id: string | undefined): UpsertResult {
    if (id !== undefined) return { outcome: 'created', id };
    const known =
      operation.method === 'PATCH'
        ? (operation.id ?? (typeof operation.key === 'object' ? operation.key.id : undefined))
        : undefined;
    return {
      outcome: messageFor(operation) === 'CreateMultiple' ? 'created' : 'updated',
      ...(known ? { id: known } : {}),
    };
  }

  async function writeMultiple(operations: readonly SalesOperation[]): Promise<UpsertResult[]> {
    const results: UpsertResult[] = new Array<UpsertResult>(operations.length);
    const groups = new Map<string, { kind: SalesKind; message: BulkMessage | undefined; at: number[] }>();
    operations.forEach((operation, index) => {
      const message = messageFor(operation);
      const name = `${operation.kind} ${message ?? 'single'}`;
      const group = groups.get(name) ?? { kind: operation.kind, message, at: [] };
      group.at.push(index);
      groups.set(name, group);
    });
    const oneByOne = async (items: readonly SalesOperation[]): Promise<UpsertResult[]> =>
      (await writeChangeSets(items.map((operation) => [operation]))).map((group) => group[0]!);
    for (const { kind, message, at } of groups.values()) {
      const items = at.map((index) => operations[index]!);
      const answers = message
        ? await bulk.send({
            kind,
            message,
            items,
            toTarget,
            written: (written, ids) => written.map((operation, n) => writtenResult(operation, ids[n])),
            perRecord: oneByOne,
          })
        : await oneByOne(items);
      at.forEach((index, n) => (results[index] = answers[n]!));
    }
    return results;
  }

  async function writeChangeSets(groups: readonly (readonly SalesOperation[])[]): Promise<UpsertResult[][]> {
    const limit = Math.min(batchSize, 1000);
    const results: UpsertResult[][] = [];
    let pending: (readonly SalesOperation[])[] = [];
    let pendingSize = 0;
    const flush = async (): Promise<void> => {
      if (pending.length === 0) return;
      const items: BatchItem<BatchOperation>[] = pending.map((group) =>
        group.length === 1
          ? { kind: 'single', part: toBatchOperation(group[0]!) }
          : { kind: 'changeset', parts: group.map(toBatchOperation) },
      );
      const answered = await client.batch(items, { continueOnError: true });
      answered.forEach((item, index) => {
        const group = pending[index]!;
        const parts = item.kind === 'single' ? [item.part] : item.parts;
        results.push(parts.map((part, i) => toUpsertResult(part, group[i]!.kind)));
      });
      pending = [];
      pendingSize = 0;
    };
    for (const group of groups) {
      if (group.length === 0) {
        results.push([]);
        continue;
      }
      if (pendingSize + group.length > limit) await flush();
      pending.push(group);
      pendingSize += group.length;
    }
    await flush();
    return results;
  }

  function toBatchOperation(operation: SalesOperation): BatchOperation {
    const entity = salesEntities[operation.kind];
    if (operation.method === 'DELETE')
      return { method: 'DELETE', path: keyPath(operation.kind, operation.key) };
    const conditions: Record<string, string> = {};
    if (operation.method === 'PATCH' && operation.only === 'create') conditions['If-None-Match'] = '*';
    if (operation.method === 'PATCH' && operation.only === 'update') conditions['If-Match'] = '*';
    return {
      method: operation.method,
      path: operation.method === 'POST' ? entity.set : keyPath(operation.kind, operation.key),
      query: { select: [entity.key[0]!] },
      // return=representation tells a create (201) from an update (200); PATCH without If-Match upserts.
      headers: { Prefer: 'return=representation', 'Content-Type': 'application/json', ...conditions },
      body: toWireBody(operation.body, entity),
    };
  }

  function toUpsertResult(part: BatchPartResult, kind: SalesKind): UpsertResult {
    if (part.error) return { outcome: 'failed', error: part.error };
    const idColumn = salesEntities[kind].key[0]!;
    const body = part.body as Record<string, unknown> | undefined;
    const id = body?.[idColumn] ?? /\(([0-9a-f-]{36})\)$/i.exec(part.headers['odata-entityid'] ?? '')?.[1];
    return {
      outcome: part.status === 201 ? 'created' : 'updated',
      ...(typeof id === 'string' ? { id } : {}),
    };
  }

  return {
    client,
    list,
    count,
    get,
    getByValues,
    getByValuesTogether,
    changes,
    upsert,
    writeMultiple,
    writeChangeSets,
    bind: (kind, key) => `/${keyPath(kind, key)}`,
  };
}

/** Dataverse's error code for a change-tracking token it no longer keeps the changes for. */
export const expiredTokenCode = '0x80044352';
/** ... and its documented message, for a gateway that passes the message on without the code. */
const expiredTokenMessage = /version stamp associated with the client has expired/i;

/**
 * Whether a refused delta link means "read everything again": Dataverse says so by its error code
 * 0x80044352, "Version stamp associated with the client has expired. Please perform a full sync."
 * (Microsoft's change-tracking documentation), whatever the HTTP status that carries it. Any other refusal
 * (a 400 for a malformed link, a 403, a 404 for a table that is gone) is an error: reading everything
 * again would hide it and cost a full read.
 */
function isExpiredToken(error: unknown): boolean {
  return (
    error instanceof ODataError &&
    error.kind === 'http' &&
    (error.code.toLowerCase() === expiredTokenCode || expiredTokenMessage.test(error.message))
  );
}
