/**
 * The link store: which Sales row and which Finance row a business key stands for, and how its last
 * sync went. Reads are batched for DataLoaders (one query for any number of keys); writes are upserts by
 * (entity, normalized business key), so repeating a write never duplicates a link.
 */
import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { Database } from './connection.js';
import { recordLinks, type LinkEntity, type LinkRow, type LinkState } from './schema.js';
import { matchKey } from '../vocabulary.js';

/**
 * A link to write. `entity` and `businessKey` identify it; every other field that is present (`null`
 * included) is written, and every field left out keeps its stored value (`null` for a new link). So the
 * sync can record a failure (`{ lastError, state: 'FAILED', lastRunId }`) without knowing the keys.
 */
export interface LinkInput {
  entity: LinkEntity;
  /** As the system of record spells it; it replaces the stored spelling, the match ignores case. */
  businessKey: string;
  salesId?: string | null;
  financeKey?: string | null;
  financeCompany?: string | null;
  lastSyncedAt?: Date | null;
  contentHash?: string | null;
  lastRunId?: string | null;
  lastError?: string | null;
  state?: LinkState | null;
}

export interface LinkStore {
  /**
   * The links of `entity` for the given business keys, in one query however many keys there are,
   * keyed by `matchKey(key)`. Keys without a link are absent from the map.
   */
  findMany(entity: LinkEntity, businessKeys: readonly string[]): Promise<Map<string, LinkRow>>;
  /** Inserts the link, or updates the one with the same entity and normalized key (see LinkInput). */
  upsert(link: LinkInput): Promise<void>;
  /**
   * Upserts many links in one statement, however many there are. Every link must
   * name the same fields, since a field left out means "keep"; of two links with the same key the last
   * wins.
   */
  upsertMany(links: readonly LinkInput[]): Promise<void>;
}

/** The optional fields of a LinkInput: what an upsert may write besides the key. */
const optionalFields = [
  'salesId',
  'financeKey',
  'financeCompany',
  'lastSyncedAt',
  'contentHash',
  'lastRunId',
  'lastError',
  'state',
] as const satisfies readonly (keyof LinkInput & keyof LinkRow)[];
type OptionalField = (typeof optionalFields)[number];

/**
 * Each column's SQL type in the rows `jsonb_to_recordset` unpacks. One JSON parameter carries every row:
 * the statement's text depends only on the fields named, costs nothing to build however many links there
 * are, and meets no bind-parameter limit. (Drizzle's `insert().values()` builds a placeholder per value, and
 * building them took a tenth of a full sync's CPU.)
 */
const columnTypes: Record<'entity' | 'businessKey' | 'businessKeyNormalized' | OptionalField, string> = {
  entity: 'text',
  businessKey: 'text',
  businessKeyNormalized: 'text',
  salesId: 'uuid',
  financeKey: 'text',
  financeCompany: 'text',
  lastSyncedAt: 'timestamptz',
  contentHash: 'text',
  lastRunId: 'text',
  lastError: 'text',
  state: 'text',
};

/**
 * A link store over `database.db` — a database from `openDatabase`, or `{ db: tx }` inside a drizzle
 * transaction so links commit together with the rest of a sync's bookkeeping.
 */
export function createLinkStore(database: Pick<Database, 'db'>): LinkStore {
  const { db } = database;

  async function upsertMany(links: readonly LinkInput[]): Promise<void> {
    if (links.length === 0) return;
    const fields = namedFields(links);
    // PostgreSQL refuses to update one row twice in a statement, so duplicates collapse first.
    const rows = [...new Map(links.map((link) => [identity(link), toRow(link, fields)])).values()];
    const columns = ['entity', 'businessKey', 'businessKeyNormalized', ...fields] as const;
    const name = (column: (typeof columns)[number]) => sql`${sql.identifier(recordLinks[column].name)}`;
    const list = (each: (column: (typeof columns)[number]) => SQL) => sql.join(columns.map(each), sql`, `);
    await db.execute(sql`insert into ${recordLinks} (${list(name)})
      select ${list(name)}
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        as incoming(${list((column) => sql`${name(column)} ${sql.raw(columnTypes[column])}`)})
      on conflict (${name('entity')}, ${name('businessKeyNormalized')}) do update set
        ${sql.join(
          ['businessKey' as const, ...fields].map(
            (column) => sql`${name(column)} = excluded.${name(column)}`,
          ),
          sql`, `,
        )},
        ${sql.identifier(recordLinks.updatedAt.name)} = now()`);
  }

  return {
    async findMany(entity, businessKeys) {
      const keys = [...new Set(businessKeys.map(matchKey))];
      if (keys.length === 0) return new Map();
      // One array parameter rather than `in ($1, $2, …)`: the statement stays the same for any number
      // of keys and never meets the bind-parameter limit.
      const rows = await db
        .select()
        .from(recordLinks)
        .where(
          and(
            eq(recordLinks.entity, entity),
            sql`${recordLinks.businessKeyNormalized} = any(${sql.param(keys)}::text[])`,
          ),
        );
      return new Map(rows.map((row) => [row.businessKeyNormalized, row]));
    },
    upsert: (link) => upsertMany([link]),
    upsertMany,
  };
}

/** The optional fields the links name; all of them must name the same ones. */
function namedFields(links: readonly LinkInput[]): OptionalField[] {
  const namedBy = (link: LinkInput) => optionalFields.filter((field) => link[field] !== undefined);
  const fields = namedBy(links[0]!);
  links.forEach((link, index) => {
    const named = namedBy(link);
    if (named.join() !== fields.join()) {
      throw new TypeError(
        `upsertMany expects every link to name the same fields, because a field left out keeps its ` +
          `stored value; link 0 names [${fields.join(', ')}] but link ${index} ` +
          `(${link.entity} '${link.businessKey}') names [${named.join(', ')}]. Split the call by shape.`,
      );
    }
  });
  return fields;
}

function identity(link: LinkInput): string {
  return `${link.entity}\u0000${matchKey(link.businessKey)}`;
}

/** The link as `jsonb_to_recordset` reads it: each column by its name in the table. */
function toRow(link: LinkInput, fields: readonly OptionalField[]): Record<string, unknown> {
  const row: Record<string, unknown> = {
    entity: link.entity,
    business_key: link.businessKey,
    business_key_normalized: matchKey(link.businessKey),
  };
  for (const field of fields) row[recordLinks[field].name] = link[field];
  return row;
}
