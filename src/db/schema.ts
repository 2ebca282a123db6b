/**
 * The hub's own tables (drizzle pg-core). Only what the hub owns lives here — links between the two
 * systems' keys, hashes and sync outcomes — never a copy of business data (DESIGN.md, "Read through").
 * Changing this file needs a migration: `npm run db:generate`, then review the SQL; `npm run db:check`
 * fails while the two disagree.
 */
import { sql } from 'drizzle-orm';
import { check, primaryKey, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** The business records the hub links across Sales and Finance, one per sync flow. */
export const linkEntities = ['account', 'contact', 'quote', 'product'] as const;
export type LinkEntity = (typeof linkEntities)[number];

/**
 * A link's sync state as the sync sets it: `PENDING` while a change is queued or being written, `FAILED`
 * after its last write failed, `null` when nothing is outstanding. States such as DRIFTED or SALES_ONLY
 * are computed at read time from the live systems, not stored.
 */
export const linkStates = ['PENDING', 'FAILED'] as const;
export type LinkState = (typeof linkStates)[number];

/**
 * One row per business record known to the hub (an account number, a product number, …), with the key
 * each system holds it under. The business key is kept as the system of record spelled it, and matched
 * case-insensitively through `business_key_normalized` (see `normalizeBusinessKey` in links.ts), because Dataverse
 * and F&O both compare string keys without regard to case.
 */
export const recordLinks = pgTable(
  'record_links',
  {
    entity: text('entity', { enum: linkEntities }).notNull(),
    businessKey: text('business_key').notNull(),
    businessKeyNormalized: text('business_key_normalized').notNull(),
    salesId: uuid('sales_id'),
    /** Finance's key without dataAreaId, e.g. the CustomerAccount; the company is `financeCompany`. */
    financeKey: text('finance_key'),
    financeCompany: text('finance_company'),
    lastSyncedAt: timestamp('last_synced_at', { withTimezone: true }),
    /** Hash of the mapped content at the last sync, so an unchanged record is skipped without a write. */
    contentHash: text('content_hash'),
    lastRunId: text('last_run_id'),
    lastError: text('last_error'),
    state: text('state', { enum: linkStates }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.entity, t.businessKeyNormalized] }),
    // The TypeScript enums above only guard the hub's own code; these guard the table against anything
    // else that writes to it (a manual repair, a future migration).
    check('record_links_entity_check', sql`${t.entity} in ('account', 'contact', 'quote', 'product')`),
    check('record_links_state_check', sql`${t.state} in ('PENDING', 'FAILED')`),
  ],
);

/** A `record_links` row as read. */
export type LinkRow = typeof recordLinks.$inferSelect;
