/**
 * Finance connector — Dynamics 365 Finance and Operations, OData 4.0 data entities at `/data`.
 * Auth: Entra ID client credentials, scope `<environment URL>/.default` (through the OData client).
 * Limits: pages of up to 10,000 rows with `$skip` next links (reads are ordered by key so paging is
 * stable); no `in` operator, so batched lookups are `or` chains split by URL length; `$batch` of up to
 * 5,000 operations whose outer status is 200 even when parts failed; 429 + Retry-After when busy.
 * Writes go in batches of 1,000 operations by default (see `defaultFinanceBatchSize`), and reads a page
 * needs together go as GET parts of one `$batch` (`getByValuesTogether`).
 *
 * Every read is scoped to one company (`cross-company=true` plus `dataAreaId eq '<company>'`), so the
 * caller's default company in F&O never decides what the hub sees. F&O documents no upsert, so writes
 * check existence with batched reads, then create (POST) or update (PATCH) in `$batch` requests. Groups
 * that must land together (a quotation and its lines) go in one change set.
 */
import {
  and,
  anyOf,
  type BatchItem,
  type BatchOperation,
  type BatchPartResult,
  eq,
  keyPredicate,
  ODataError,
  type ODataClient,
  type ODataLiteral,
  type QueryOptions,
} from '../odata/index.js';
import {
  chunk,
  firstPageCount,
  groupBy,
  type KindValuesRead,
  type KindValuesResults,
  matchKey,
  readManyByValues,
  toRecord,
  toWireBody,
} from '../odata/records.js';
import { type FinanceEntity, financeEntities } from './entities.js';
import type { FinanceKind, FinanceRecords } from './types.js';
import { defaultFinanceBatchSize } from './batch-size.js';

export interface FinanceListOptions {
  filter?: string;
  orderby?: string;
  select?: readonly string[];
  top?: number;
  /** Rows to pass over first (`$skip`): resumes a read cut off after that many rows, in the same order. */
  skip?: number;
}

export interface FinanceUpsert {
  /** The values that identify the record (by default the key without `dataAreaId`). */
  match: Record<string, string | number>;
  /** Columns to write; decimals as text. `dataAreaId` is added. */
  body: Record<string, unknown>;
  /**
   * The current row when the caller has just read it (null: it read that there is none), so the upsert
   * does not read it again. Absent: the upsert looks the record up itself.
   */
  current?: object | null;
}

export interface FinanceWriteResult<T> {
  outcome: 'created' | 'updated' | 'deleted' | 'failed';
  /** The row Finance answered with on create (assigned values filled in). */
  record?: T;
  error?: ODataError;
}

/** One operation of a change set written with `writeChangeSets`. */
export type FinanceOperation =
  | { method: 'POST'; kind: FinanceKind; body: Record<string, unknown> }
  | {
      method: 'PATCH';
      kind: FinanceKind;
      key: Record<string, string | number>;
      body: Record<string, unknown>;
    }
  | { method: 'DELETE'; kind: FinanceKind; key: Record<string, string | number> };

/** One read of `getByValuesTogether`: the `kind` records whose `property` is one of `values`. */
export type FinanceValuesRead<K extends FinanceKind = FinanceKind> = KindValuesRead<K>;

/** What `getByValuesTogether` answers for each read: its records grouped by value (lower-cased). */
export type FinanceValuesResults<R extends readonly FinanceValuesRead[]> = KindValuesResults<
  FinanceRecords,
  R
>;

export { defaultFinanceBatchSize };

export interface FinanceConnectorOptions {
  client: ODataClient;
  /** The legal entity (`dataAreaId`) every read and write is scoped to, e.g. `usmf`. */
  company: string;
  /** Operations per write `$batch` request (default `defaultFinanceBatchSize`, 1,000; F&O allows 5,000). */
  batchSize?: number;
}

export interface FinanceConnector {
  readonly client: ODataClient;
  readonly company: string;
  list<K extends FinanceKind>(kind: K, options?: FinanceListOptions): AsyncIterable<FinanceRecords[K][]>;
  /**
   * How many records of the company the entity set holds (`$count=true` on a one-row read); null when
   * Finance gives no count.
   */
  count(kind: FinanceKind): Promise<number | null>;
  /** One record by its key (without `dataAreaId`); null when it does not exist. */
  get<K extends FinanceKind>(
    kind: K,
    key: Record<string, string | number>,
  ): Promise<FinanceRecords[K] | null>;
  /** Records whose `property` is one of `values`, grouped by value (lower-cased), in as few requests as URLs allow. */
  getByValues<K extends FinanceKind>(
    kind: K,
    property: string,
    values: readonly string[],
    options?: { select?: readonly string[] },
  ): Promise<Map<string, FinanceRecords[K][]>>;
  /**
   * Several independent `getByValues` reads in one request (the GET parts of one `$batch`, or one GET when
   * a single URL holds them all); one result per read, in order.
   */
  getByValuesTogether<const R extends readonly FinanceValuesRead[]>(
    reads: R,
  ): Promise<FinanceValuesResults<R>>;
  /**
   * Checks existence in batched reads (of the records without a `current` row), then creates or updates in
   * `$batch` requests; one result per record.
   */
  upsert<K extends FinanceKind>(
    kind: K,
    records: readonly FinanceUpsert[],
  ): Promise<FinanceWriteResult<FinanceRecords[K]>[]>;
  /** Writes groups of operations, each group in one atomic change set; results in the same shape. */
  writeChangeSets(
    groups: readonly (readonly FinanceOperation[])[],
  ): Promise<FinanceWriteResult<Record<string, unknown>>[][]>;
  /** The legal entities (companies) of the environment. */
  companies(): Promise<string[]>;
}

export function createFinanceConnector({
  client,
  company,
  batchSize = defaultFinanceBatchSize,
}: FinanceConnectorOptions): FinanceConnector {
  const dataAreaId = company.toLowerCase();

  const scope = (entity: FinanceEntity, filter?: string): QueryOptions =>
    entity.companySpecific
      ? { crossCompany: true, filter: and(eq('dataAreaId', dataAreaId), filter ? `(${filter})` : undefined) }
      : filter
        ? { filter }
        : {};

  const keyPath = (entity: FinanceEntity, key: Record<string, string | number>): string => {
    const full: Record<string, ODataLiteral> = entity.companySpecific ? { dataAreaId, ...key } : { ...key };
    return `${entity.set}${keyPredicate(Object.fromEntries(entity.key.map((k) => [k, full[k] ?? null])))}`;
  };

  async function* list<K extends FinanceKind>(
    kind: K,
    options: FinanceListOptions = {},
  ): AsyncGenerator<FinanceRecords[K][]> {
    const entity = financeEntities[kind];
    const query: QueryOptions = {
      ...scope(entity, options.filter),
      select: options.select ?? entity.columns,
      // `$skip` paging is only stable in a total order: the key, unless the caller orders otherwise.
      orderby: options.orderby ?? entity.key.join(','),
      ...(options.top !== undefined ? { top: options.top } : {}),
      ...(options.skip ? { skip: options.skip } : {}),
    };
    for await (const page of client.pages<Record<string, unknown>>(entity.set, query)) {
      yield page.rows.map((row) => toRecord<FinanceRecords[K]>(row, entity));
    }
  }

  async function count(kind: FinanceKind): Promise<number | null> {
    const entity = financeEntities[kind];
    const total = await firstPageCount(client, entity.set, {
      ...scope(entity),
      select: entity.key,
      top: 1,
      count: true,
    });
    return total ?? null;
  }

  async function get<K extends FinanceKind>(
    kind: K,
    key: Record<string, string | number>,
  ): Promise<FinanceRecords[K] | null> {
    const entity = financeEntities[kind];
    try {
      const response = await client.request<Record<string, unknown>>({
        method: 'GET',
        path: keyPath(entity, key),
        query: { select: entity.columns },
      });
      return response.body ? toRecord<FinanceRecords[K]>(response.body, entity) : null;
    } catch (error) {
      if (error instanceof ODataError && error.status === 404) return null;
      throw error;
    }
  }

  async function getByValues<K extends FinanceKind>(
    kind: K,
    property: string,
    values: readonly string[],
    { select }: { select?: readonly string[] } = {},
  ): Promise<Map<string, FinanceRecords[K][]>> {
    const [found] = await getByValuesTogether([{ kind, property, values, ...(select && { select }) }]);
    return found;
  }

  async function getByValuesTogether<const R extends readonly FinanceValuesRead[]>(
    reads: R,
  ): Promise<FinanceValuesResults<R>> {
    const rows = await readManyByValues(
      client,
      reads.map(({ kind, property, values, select }) => {
        const entity = financeEntities[kind];
        const columns = select ? [...new Set([...select, property, ...entity.key])] : entity.columns;
        // F&O reads `*` in an `eq` literal as a wildcard and has no escape for it, so such a value cannot
        // be matched exactly: `CustomerAccount eq '*'` would page through every row of the company to
        // group none under '*'. No row can be grouped under it anyway, so it is left out of the request.
        const exact = values.filter((value) => !value.includes('*'));
        return {
          entity,
          values: exact,
          render: (group: readonly string[]) => ({
            ...scope(entity, anyOf(property, group)),
            select: columns,
          }),
        };
      }),
    );
    return reads.map(({ kind, property }, index) => {
      const entity = financeEntities[kind];
      const records = rows[index]!.map((row) => toRecord<Record<string, unknown>>(row, entity));
      return groupBy(records, property);
    }) as unknown as FinanceValuesResults<R>;
  }

  async function runBatches<T>(
    operations: BatchItem<BatchOperation>[],
    interpret: (result: BatchPartResult, index: number) => T,
  ): Promise<T[]> {
    const results: T[] = [];
    for (const group of chunk(operations, batchSize)) {
      const answered = await client.batch(group);
      for (const item of answered) {
        const parts = item.kind === 'single' ? [item.part] : item.parts;
        for (const part of parts) results.push(interpret(part, results.length));
      }
    }
    return results;
  }

  async function upsert<K extends FinanceKind>(
    kind: K,
    records: readonly FinanceUpsert[],
  ): Promise<FinanceWriteResult<FinanceRecords[K]>[]> {
    const entity = financeEntities[kind];
    if (records.length === 0) return [];
    const matchOn = Object.keys(records[0]!.match);
    const [first, ...rest] = matchOn;
    if (!first) throw new TypeError('FinanceUpsert.match needs at least one property');
    const unknown = records.filter((record) => record.current === undefined);
    const existing =
      unknown.length === 0
        ? new Map<string, FinanceRecords[K][]>()
        : await getByValues(
            kind,
            first,
            unknown.map((r) => String(r.match[first])),
          );
    const operations: BatchItem<BatchOperation>[] = records.map((record) => {
      const candidates =
        record.current === undefined
          ? (existing.get(matchKey(record.match[first])) ?? [])
          : record.current === null
            ? []
            : [record.current as FinanceRecords[K]];
      const found = candidates.find((row) =>
        rest.every((p) => matchKey(fieldsOf(row)[p]) === matchKey(record.match[p])),
      );
      const body = toWireBody(record.body, entity);
      if (found) {
        const key = Object.fromEntries(entity.key.map((k) => [k, fieldsOf(found)[k] as string]));
        return {
          kind: 'single',
          part: { method: 'PATCH', path: keyPath(entity, key), body: withoutKey(body, entity) },
        };
      }
      return {
        kind: 'single',
        part: {
          method: 'POST',
          path: entity.set,
          body: { ...(entity.companySpecific ? { dataAreaId } : {}), ...record.match, ...body },
        },
      };
    });
    return runBatches(operations, (part) => interpretWrite<FinanceRecords[K]>(part, entity));
  }

  async function writeChangeSets(
    groups: readonly (readonly FinanceOperation[])[],
  ): Promise<FinanceWriteResult<Record<string, unknown>>[][]> {
    const shapes = groups.map((group) => group.length);
    const items: BatchItem<BatchOperation>[] = groups.map((group) => ({
      kind: 'changeset',
      parts: group.map((operation) => {
        const entity = financeEntities[operation.kind];
        if (operation.method === 'POST') {
          return {
            method: 'POST',
            path: entity.set,
            body: {
              ...(entity.companySpecific ? { dataAreaId } : {}),
              ...toWireBody(operation.body, entity),
            },
          };
        }
        if (operation.method === 'PATCH') {
          return {
            method: 'PATCH',
            path: keyPath(entity, operation.key),
            body: withoutKey(toWireBody(operation.body, entity), entity),
          };
        }
        return { method: 'DELETE', path: keyPath(entity, operation.key) };
      }),
    }));
    const operations = groups.flat();
    // Change sets are atomic, so one is never split across two batch requests.
    const flat: FinanceWriteResult<Record<string, unknown>>[] = [];
    let pending: BatchItem<BatchOperation>[] = [];
    let pendingSize = 0;
    const flush = async (): Promise<void> => {
      if (pending.length === 0) return;
      const answered = await client.batch(pending);
      for (const item of answered) {
        for (const part of item.kind === 'single' ? [item.part] : item.parts) {
          const operation = operations[flat.length]!;
          flat.push(interpretWrite(part, financeEntities[operation.kind], operation.method));
        }
      }
      pending = [];
      pendingSize = 0;
    };
    for (const item of items) {
      const size = item.kind === 'changeset' ? item.parts.length : 1;
      if (pendingSize + size > batchSize) await flush();
      pending.push(item);
      pendingSize += size;
    }
    await flush();
    let offset = 0;
    return shapes.map((size) => flat.slice(offset, (offset += size)));
  }

  async function companies(): Promise<string[]> {
    const ids: string[] = [];
    for await (const page of list('legalEntity'))
      ids.push(...page.map((entity) => entity.LegalEntityId.toLowerCase()));
    return ids;
  }

  return {
    client,
    company: dataAreaId,
    list,
    count,
    get,
    getByValues,
    getByValuesTogether,
    upsert,
    writeChangeSets,
    companies,
  };
}

const fieldsOf = (record: unknown): Record<string, unknown> => record as Record<string, unknown>;

function withoutKey(body: Record<string, unknown>, entity: FinanceEntity): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([name]) => !entity.key.includes(name)));
}

function interpretWrite<T>(
  part: BatchPartResult,
  entity: FinanceEntity,
  method = 'PATCH',
): FinanceWriteResult<T> {
  if (part.error) return { outcome: 'failed', error: part.error };
  if (method === 'DELETE') return { outcome: 'deleted' };
  if (part.status === 201 && part.body && typeof part.body === 'object') {
    return { outcome: 'created', record: toRecord<T>(part.body as Record<string, unknown>, entity) };
  }
  return { outcome: 'updated' };
}
