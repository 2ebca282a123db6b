/**
 * The link store: which Sales row and which Finance row a business key stands for, and how its last
 * sync went. Reads are batched for DataLoaders (one query for any number of keys); writes are upserts by
 * (entity, normalized business key), so repeating a write never duplicates a link.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Database, HubDb } from './connection.js';
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
   * Upserts many links in one statement (one per 5,000 links, all in one transaction). Every link must
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
 * PostgreSQL takes at most 65,535 bind parameters per statement; a link uses at most 11, so 5,000 links
 * fit with room to spare.
 */
const linksPerStatement = 5_000;

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
    const write = async (target: HubDb, chunk: (typeof rows)[number][]) => {
      await target
        .insert(recordLinks)
        .values(chunk)
        .onConflictDoUpdate({
          target: [recordLinks.entity, recordLinks.businessKeyNormalized],
          set: {
            businessKey: sql`excluded.business_key`,
            updatedAt: sql`now()`,
            ...Object.fromEntries(
              fields.map((field) => [field, sql`excluded.${sql.identifier(recordLinks[field].name)}`]),
            ),
          },
        });
    };
    if (rows.length <= linksPerStatement) return write(db, rows);
    await db.transaction(async (tx) => {
      for (let start = 0; start < rows.length; start += linksPerStatement) {
        await write(tx, rows.slice(start, start + linksPerStatement));
      }
    });
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

function toRow(link: LinkInput, fields: readonly OptionalField[]): typeof recordLinks.$inferInsert {
  return {
    entity: link.entity,
    businessKey: link.businessKey,
    businessKeyNormalized: matchKey(link.businessKey),
    ...Object.fromEntries(fields.map((field) => [field, link[field]])),
  };
}
