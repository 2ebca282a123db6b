/**
 * Rows in and out of typed records, shared by both adapters: what an entity set is called, its key, the
 * columns the hub reads, and which of them are decimals (kept as exact text on the way in, written as
 * JSON numbers on the way out).
 */
import type { BatchPartResult } from './batch.js';
import type { ODataClient } from './client.js';
import { ODataError } from './errors.js';
import { toPage } from './response.js';
import { chunkByUrlLength, type QueryOptions } from './query.js';
import { decimal, decimalText } from './json.js';
import { matchKey as matchText } from '../../vocabulary.js';

export interface EntityDescriptor {
  /** Entity-set name in URLs. */
  set: string;
  /** Primary key properties (F&O: `dataAreaId` first). */
  key: readonly string[];
  /** Columns read by default (`$select`). */
  columns: readonly string[];
  /** Columns of type Edm.Decimal. */
  decimals: readonly string[];
}

/** A wire row as a typed record: the ETag as `etag`, decimals as exact text, unknown columns dropped. */
export function toRecord<T>(row: Record<string, unknown>, entity: EntityDescriptor): T {
  const record: Record<string, unknown> = {
    etag: typeof row['@odata.etag'] === 'string' ? row['@odata.etag'] : '',
  };
  for (const column of entity.columns) {
    const value = row[column];
    record[column] = entity.decimals.includes(column) ? (decimalText(value) ?? null) : (value ?? null);
  }
  return record as T;
}

/** A record body for the wire: decimal columns become JSON numbers with their exact digits. */
export function toWireBody(body: Record<string, unknown>, entity: EntityDescriptor): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(body)) {
    if (value === undefined) continue;
    out[name] =
      entity.decimals.includes(name) && (typeof value === 'string' || typeof value === 'number')
        ? decimal(value)
        : value;
  }
  return out;
}

/**
 * The vocabulary's `matchKey` over a column value of any type (a number as its text): business keys
 * compare case-insensitively, as both systems' collations compare them.
 */
export const matchKey = (value: unknown): string => matchText(String(value));

/** At most this many reads go in one `$batch` (Dataverse refuses more than 1,000 requests in one). */
export const maxReadsPerBatch = 100;

/** One read of `readManyByValues`: the rows of `entity` whose property is one of `values`. */
export interface ValuesRead {
  entity: EntityDescriptor;
  values: readonly string[];
  /** The query of one group of values (its filter names the property). */
  render: (group: readonly string[]) => QueryOptions;
}

/**
 * Reads every row whose `property` is one of `values` in one request whatever their number: the values
 * are split so each read's URL fits `client.maxUrlLength`, and when that takes more than one read, the
 * reads go as the GET parts of one `$batch` (both systems take reads in a batch), so a page of 500
 * accounts costs the same one request per entity as a page of 5. A part whose answer is paged has its
 * further pages read as usual. A part that fails fails the whole read with its own error.
 */
export async function readByValues(
  client: ODataClient,
  entity: EntityDescriptor,
  values: readonly string[],
  render: (group: readonly string[]) => QueryOptions,
  headers: Record<string, string> = {},
): Promise<Record<string, unknown>[]> {
  const [rows] = await readManyByValues(client, [{ entity, values, render }], headers);
  return rows ?? [];
}

/**
 * Several independent `readByValues` reads in one request: every URL-sized group of every read is a GET
 * part of the same `$batch` (one plain GET when there is only one group in all), so a page that needs
 * quotation headers and their lines, or customers and contact persons, asks Finance once. The rows of
 * each read come back in the order of `reads`. At most `maxReadsPerBatch` parts go in one `$batch`; more
 * (thousands of keys) go in further batches, sent together.
 */
export async function readManyByValues(
  client: ODataClient,
  reads: readonly ValuesRead[],
  headers: Record<string, string> = {},
): Promise<Record<string, unknown>[][]> {
  const rows = reads.map((): Record<string, unknown>[] => []);
  const parts = reads.flatMap(({ entity, values, render }, index) => {
    const unique = [...new Map(values.map((v) => [matchKey(v), v])).values()];
    if (unique.length === 0) return [];
    const groups = chunkOrRefuse(client, entity.set, unique, render);
    return groups.map((group) => ({ index, set: entity.set, query: render(group) }));
  });
  const readOn = async (index: number, nextLink: string | undefined): Promise<void> => {
    if (nextLink === undefined) return;
    for await (const page of client.pages<Record<string, unknown>>(nextLink, undefined, { headers }))
      rows[index]!.push(...page.rows);
  };
  if (parts.length <= 1) {
    const [only] = parts;
    if (only) await readOn(only.index, client.urlFor(only.set, only.query));
    return rows;
  }
  await Promise.all(
    chunk(parts, maxReadsPerBatch).map(async (batch) => {
      const answers = await client.batch(
        batch.map(({ set, query }) => ({
          kind: 'single' as const,
          part: { method: 'GET', path: set, query, headers },
        })),
      );
      const nextLinks = answers.map((answer, i) => {
        const { index, set } = batch[i]!;
        // Reads are never in a change set, so each answer is a single part.
        const part = (answer as { kind: 'single'; part: BatchPartResult }).part;
        if (part.error) throw part.error;
        const context = { system: client.system, method: 'GET', path: `$batch ${set}` };
        const page = toPage<Record<string, unknown>>(
          part.body,
          part.status,
          context,
          client.urlFor(set, batch[i]!.query),
        );
        rows[index]!.push(...page.rows);
        return { index, nextLink: page.nextLink };
      });
      await Promise.all(nextLinks.map(({ index, nextLink }) => readOn(index, nextLink)));
    }),
  );
  return rows;
}

/**
 * One read of a connector's `getByValuesTogether`: the records of `kind` whose `property` is one of `values`.
 * `K` is the connector's kinds.
 */
export interface KindValuesRead<K extends string> {
  kind: K;
  property: string;
  values: readonly string[];
  /** Columns to read (the property is added, and in Finance the key); default: the entity's columns. */
  select?: readonly string[];
}

/** What `getByValuesTogether` answers for each read of `R`: its `Records` grouped by value (lower-cased). */
export type KindValuesResults<Records, R extends readonly KindValuesRead<keyof Records & string>[]> = {
  [I in keyof R]: Map<string, Records[R[I]['kind']][]>;
};

/** Groups records by a property, case-insensitively. */
export function groupBy<T>(records: readonly T[], property: keyof T): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const record of records) {
    const key = matchKey(record[property]);
    const group = groups.get(key);
    if (group) group.push(record);
    else groups.set(key, [record]);
  }
  return groups;
}

/** Splits a list into chunks of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/**
 * `@odata.count` of the first page of a read with `$count=true` (ask for one row: the count is of every
 * row the query selects); undefined when the service gave none. The rest of the read is not fetched.
 */
export async function firstPageCount(
  client: ODataClient,
  set: string,
  query: QueryOptions & { count: true },
): Promise<number | undefined> {
  for await (const page of client.pages(set, query)) return page.count;
  return undefined;
}

/** The values in URL-sized groups; a value too long for a URL of its own is the connectors' typed error. */
function chunkOrRefuse(
  client: ODataClient,
  set: string,
  values: readonly string[],
  render: (group: readonly string[]) => QueryOptions,
): string[][] {
  try {
    return chunkByUrlLength(values, (group) => client.urlFor(set, render(group)), client.maxUrlLength);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new ODataError({
      kind: 'invalid-request',
      system: client.system,
      method: 'GET',
      path: set,
      status: 0,
      code: 'UrlTooLong',
      message: `Reading ${set} by key: ${error.message}`,
    });
  }
}
