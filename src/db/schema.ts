/**
 * The hub's own tables (drizzle pg-core). Only what the hub owns lives here — links between the two
 * systems' keys, hashes and sync outcomes — never a copy of business data (DESIGN.md, "Read through").
 * Changing this file needs a migration: `npm run db:generate`, then review the SQL; `npm run db:check`
 * fails while the two disagree.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  doublePrecision,
  foreignKey,
  index,
  integer,
  jsonb,
  primaryKey,
  pgTable,
  text,
  timestamp,
  uuid,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';
import { flowNames, runStatuses, systemNames } from '../vocabulary.js';

/** The business records the hub links across Sales and Finance, one per sync flow. */
export const linkEntities = [
  'account',
  'contact',
  'quote',
  'product',
  'order',
  'orderStatus',
  'invoice',
] as const;
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
 * case-insensitively through `business_key_normalized` (`matchKey` of src/vocabulary.ts), because
 * Dataverse and F&O both compare string keys without regard to case.
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
    check('record_links_entity_check', oneOf(t.entity, linkEntities)),
    check('record_links_state_check', sql`${t.state} in ('PENDING', 'FAILED')`),
  ],
);

/** A `record_links` row as read. */
export type LinkRow = typeof recordLinks.$inferSelect;

/** INCREMENTAL reads the changes since the flow's cursor; FULL re-reads everything. */
export const syncModes = ['INCREMENTAL', 'FULL'] as const;
export type SyncMode = (typeof syncModes)[number];

/** What starts a run. */
export const syncTriggerKinds = ['PERSON', 'SCHEDULE', 'CONTINUOUS', 'WEBHOOK'] as const;
export type SyncTriggerKind = (typeof syncTriggerKinds)[number];

/** JSON as jsonb stores it. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * Where a flow's read stands, beyond its delta link: e.g. the page position of a full read, so a run
 * that dies half-way resumes there. An object, never a bare value: drizzle decodes a jsonb string that
 * looks like JSON (`"123"`) into a number on node-postgres, so a bare value could come back changed.
 */
export type Checkpoint = { [key: string]: JsonValue };

/** `column in ('a', 'b', …)` for a check constraint; the values are the hub's own constants. */
function oneOf(column: AnyPgColumn, values: readonly string[]) {
  return sql`${column} in (${sql.raw(values.map((value) => `'${value}'`).join(', '))})`;
}

/** `array['a', 'b', …]::text[]` for a check constraint. */
function textArray(values: readonly string[]) {
  return sql.raw(`array[${values.map((value) => `'${value}'`).join(', ')}]::text[]`);
}

/**
 * One sync run: what was asked (flows, mode, dry run, by whom, which run's failures it retries) and how it
 * went. The id is a time-ordered UUIDv7 (src/db/run-ids.ts), so ordering by id is ordering by creation and
 * the primary key serves "newest first" paging.
 */
export const syncRuns = pgTable(
  'sync_runs',
  {
    id: text('id').primaryKey(),
    status: text('status', { enum: runStatuses }).notNull(),
    mode: text('mode', { enum: syncModes }).notNull(),
    dryRun: boolean('dry_run').notNull(),
    requestedBy: text('requested_by'),
    /** The flow names in the order the run runs them. */
    flows: text('flows', { enum: flowNames }).array().notNull(),
    /** The run whose failed records this run retries; kept null once that run is purged. */
    retryOf: text('retry_of').references((): AnyPgColumn => syncRuns.id, { onDelete: 'set null' }),
    error: text('error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    /** Moves with every change to the run or its flows, a page commit included: a heartbeat. */
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    /** The hub instance executing the run (`HUB_INSTANCE_ID`); null for a run no instance claimed. */
    ownerInstance: text('owner_instance'),
    /** The owner's machine and process id: on its own machine an instance can tell the owner is gone. */
    ownerHost: text('owner_host'),
    ownerPid: integer('owner_pid'),
    /** Until when the owner holds the run; it renews the lease while it executes (see run-leases.ts). */
    leaseExpiresAt: timestamp('lease_expires_at', { withTimezone: true }),
    /**
     * Why the run has no owner although it was executing: its owner died or stopped and released it
     * (run-leases.ts). The instance that claims it next writes it into the run's notes and clears it.
     */
    handoverReason: text('handover_reason'),
    /** When a cancel was asked of an instance that does not execute the run; its owner stops it. */
    cancelRequestedAt: timestamp('cancel_requested_at', { withTimezone: true }),
    /** What happened to the run as a whole besides its flows' reports: which instance took it over and why. */
    notes: text('notes')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /** What started the run: a person (`requested_by`), a schedule, continuous sync or a webhook. */
    triggerKind: text('trigger_kind', { enum: syncTriggerKinds }).notNull().default('PERSON'),
    /** The schedule's name for a SCHEDULE run; null otherwise. */
    triggerName: text('trigger_name'),
  },
  (t) => [
    check('sync_runs_trigger_kind_check', oneOf(t.triggerKind, syncTriggerKinds)),
    // listRuns filtered by status pages by id within it.
    index('sync_runs_status_id_idx').on(t.status, t.id),
    check('sync_runs_status_check', oneOf(t.status, runStatuses)),
    check('sync_runs_mode_check', oneOf(t.mode, syncModes)),
    check(
      'sync_runs_flows_check',
      sql`cardinality(${t.flows}) > 0 and ${t.flows} <@ ${textArray(flowNames)}`,
    ),
  ],
);

/** Skipped records by reason: the reason an eligibility rule gives → how many records it skipped. */
export type SkipCounts = { [reason: string]: number };

/** The counters a run keeps per flow, as GraphQL's SyncCounters. */
export const counterNames = ['read', 'created', 'updated', 'unchanged', 'skipped', 'failed'] as const;
export type CounterName = (typeof counterNames)[number];

/** One flow of a run: its own status, progress counters and error (or skip reason). */
export const syncRunFlows = pgTable(
  'sync_run_flows',
  {
    runId: text('run_id')
      .notNull()
      .references(() => syncRuns.id, { onDelete: 'cascade' }),
    flow: text('flow', { enum: flowNames }).notNull(),
    status: text('status', { enum: runStatuses }).notNull(),
    read: integer('read').notNull().default(0),
    created: integer('created').notNull().default(0),
    updated: integer('updated').notNull().default(0),
    unchanged: integer('unchanged').notNull().default(0),
    skipped: integer('skipped').notNull().default(0),
    failed: integer('failed').notNull().default(0),
    /** How many records the flow expects to read, when the source can tell; drives the ETA. */
    estimatedTotal: integer('estimated_total'),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    /** Why the flow failed, or why it was skipped (status CANCELLED). */
    error: text('error'),
    /**
     * What the engine reported on completing the flow besides its counters (a refused change-tracking
     * token, records deleted in one system only, a dry run), in the order it reported them.
     */
    notes: text('notes')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /**
     * The skipped records counted by reason (reason → count), added up page by page with the counters,
     * so the counts always add up to `skipped`. A column of the flow rather than a table of its own,
     * because a flow has a handful of reasons and they are always read together with its counters.
     */
    skips: jsonb('skips')
      .$type<SkipCounts>()
      .notNull()
      .default(sql`'{}'::jsonb`),
  },
  (t) => [
    primaryKey({ columns: [t.runId, t.flow] }),
    check('sync_run_flows_flow_check', oneOf(t.flow, flowNames)),
    check('sync_run_flows_status_check', oneOf(t.status, runStatuses)),
    // Counters only grow from zero; the store adds increments and refuses negative ones.
    check(
      'sync_run_flows_counters_check',
      sql`least(${t.read}, ${t.created}, ${t.updated}, ${t.unchanged}, ${t.skipped}, ${t.failed}) >= 0`,
    ),
    check('sync_run_flows_skips_check', sql`jsonb_typeof(${t.skips}) = 'object'`),
  ],
);

/**
 * One record that failed in a run: its source key, why, and which attempt it was. The foreign key is the
 * run's flow, so a failure cannot name a flow its run does not have, and goes with the run when purged.
 */
export const syncFailures = pgTable(
  'sync_failures',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    runId: text('run_id').notNull(),
    flow: text('flow', { enum: flowNames }).notNull(),
    recordKey: text('record_key').notNull(),
    message: text('message').notNull(),
    code: text('code'),
    /** 1 for a record's first failure, one more for each retry run that failed it again. */
    attempt: integer('attempt').notNull().default(1),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    foreignKey({
      columns: [t.runId, t.flow],
      foreignColumns: [syncRunFlows.runId, syncRunFlows.flow],
    }).onDelete('cascade'),
    // Serves the foreign key, a run's failures of one flow in order, and the cascade on purge.
    index('sync_failures_run_flow_idx').on(t.runId, t.flow, t.id),
    check('sync_failures_attempt_check', sql`${t.attempt} >= 1`),
  ],
);

/**
 * The business keys a flow of a run has read so far, each with the source record that holds it: a key a
 * second record uses in the same run is that record's failure, never a merge (src/sync/engine/page.ts),
 * and the products flow asks which Sales products its complete read saw. Kept here rather than in the
 * engine's memory, which would grow with every record a run reads: each page looks up its own keys and
 * commits its new ones with its outcomes. Only a flow in progress needs them, so they are deleted when the
 * flow ends (src/db/run-status.ts), and go with the run if it is purged first.
 */
export const syncRunKeys = pgTable(
  'sync_run_keys',
  {
    runId: text('run_id').notNull(),
    flow: text('flow', { enum: flowNames }).notNull(),
    /** `matchKey` of the business key: both systems compare keys without regard to case. */
    keyNormalized: text('key_normalized').notNull(),
    /** The record that holds the key: its Sales row id for a Sales source, else the key itself. */
    claimedBy: text('claimed_by').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.runId, t.flow, t.keyNormalized] }),
    foreignKey({
      columns: [t.runId, t.flow],
      foreignColumns: [syncRunFlows.runId, syncRunFlows.flow],
    }).onDelete('cascade'),
  ],
);

/**
 * Where each flow's change feed stands: the delta link of its last complete read, and the checkpoint of a
 * read in progress. A page commit advances it in the same transaction as the page's outcomes.
 */
export const syncCursors = pgTable(
  'sync_cursors',
  {
    flow: text('flow', { enum: flowNames }).primaryKey(),
    deltaLink: text('delta_link'),
    checkpoint: jsonb('checkpoint').$type<Checkpoint>(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    /** The run that last moved the cursor; null once that run is purged. */
    lastRunId: text('last_run_id').references(() => syncRuns.id, { onDelete: 'set null' }),
  },
  (t) => [check('sync_cursors_flow_check', oneOf(t.flow, flowNames))],
);

/**
 * The mutation allowance of each caller when the hub runs on PostgreSQL: a token bucket per caller
 * (src/server/shared-rate-limit.ts), shared by every hub instance on the database. `tokens` is the level
 * at `updated_at`; the level now follows from the refill rate. A row whose bucket has refilled is the same
 * as no row and may be deleted.
 */
export const rateLimitBuckets = pgTable('rate_limit_buckets', {
  key: text('key').primaryKey(),
  tokens: doublePrecision('tokens').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});

/**
 * What can raise an alert for a schedule: a run it started ending FAILED or COMPLETED_WITH_ERRORS, or its
 * due times skipped several times in a row. Every schedule starts with all three.
 */
export const scheduleAlertEvents = ['RUN_FAILED', 'RUN_COMPLETED_WITH_ERRORS', 'SCHEDULE_SKIPPED'] as const;
export type ScheduleAlertEvent = (typeof scheduleAlertEvents)[number];

/**
 * Syncs that start by themselves on a cron timing (src/sync/schedules). `last_due_at` is the latest due
 * time handled (fired or skipped), so a hub that was down over several due times fires once for them.
 */
export const syncSchedules = pgTable(
  'sync_schedules',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull().unique(),
    flows: text('flows', { enum: flowNames }).array().notNull(),
    mode: text('mode', { enum: syncModes }).notNull(),
    dryRun: boolean('dry_run').notNull(),
    /** Five fields: minute hour day-of-month month day-of-week. */
    cron: text('cron').notNull(),
    /** An IANA name; the cron fields are read on its clock. */
    timeZone: text('time_zone').notNull(),
    enabled: boolean('enabled').notNull().default(true),
    createdBy: text('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    lastDueAt: timestamp('last_due_at', { withTimezone: true }),
    /** What raises an alert for this schedule (src/alerts): a subset of `scheduleAlertEvents`. */
    alertOn: text('alert_on', { enum: scheduleAlertEvents })
      .array()
      .notNull()
      .default(sql.raw(`'{${scheduleAlertEvents.join(',')}}'::text[]`)),
  },
  (t) => [
    check('sync_schedules_mode_check', oneOf(t.mode, syncModes)),
    check('sync_schedules_alert_on_check', sql`${t.alertOn} <@ ${textArray(scheduleAlertEvents)}`),
    check(
      'sync_schedules_flows_check',
      sql`cardinality(${t.flows}) > 0 and ${t.flows} <@ ${textArray(flowNames)}`,
    ),
  ],
);

/**
 * One row per schedule and due time, whatever the number of instances: the primary key makes a due time
 * fire once. A skipped due time says why (its flows still running from an earlier run).
 */
export const syncScheduleFirings = pgTable(
  'sync_schedule_firings',
  {
    scheduleId: text('schedule_id')
      .notNull()
      .references(() => syncSchedules.id, { onDelete: 'cascade' }),
    dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
    /**
     * PENDING while the instance that claimed the due time starts its run; then STARTED (its run is
     * `run_id`), SKIPPED (`reason` says why), or FAILED to start (`reason`).
     */
    outcome: text('outcome', { enum: ['PENDING', 'STARTED', 'SKIPPED', 'FAILED'] }).notNull(),
    runId: text('run_id').references(() => syncRuns.id, { onDelete: 'set null' }),
    reason: text('reason'),
    firedAt: timestamp('fired_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.scheduleId, t.dueAt] }),
    check(
      'sync_schedule_firings_outcome_check',
      oneOf(t.outcome, ['PENDING', 'STARTED', 'SKIPPED', 'FAILED']),
    ),
  ],
);

/** Alerts sent to the configured webhook, with how their delivery went (src/alerts). */
export const alertDeliveries = pgTable(
  'alert_deliveries',
  {
    id: text('id').primaryKey(),
    /** `sync.run.finished`, `sync.schedule.skipped`, `system.unavailable` or `system.available`. */
    event: text('event').notNull(),
    runId: text('run_id').references(() => syncRuns.id, { onDelete: 'set null' }),
    scheduleId: text('schedule_id').references(() => syncSchedules.id, { onDelete: 'set null' }),
    /** PENDING (being tried), DELIVERED (the receiver answered 2xx) or FAILED (every attempt failed). */
    status: text('status', { enum: ['PENDING', 'DELIVERED', 'FAILED'] }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    /** The receiver's last HTTP status; null before an answer (or when none came). */
    lastStatus: integer('last_status'),
    /** Why the last attempt failed; null after a delivery. */
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
  },
  (t) => [
    index('alert_deliveries_created_idx').on(t.createdAt),
    check('alert_deliveries_status_check', oneOf(t.status, ['PENDING', 'DELIVERED', 'FAILED'])),
  ],
);

/**
 * Continuous sync, per flow (src/sync/continuous): whether the hub follows the flow's source for changes
 * and how often, and what the last look found. A row exists once the flow was first switched; no row is
 * the same as switched off. The look itself is a job of the job engine, so one instance looks at a time.
 */
export const continuousSyncs = pgTable(
  'continuous_syncs',
  {
    flow: text('flow', { enum: flowNames }).primaryKey(),
    enabled: boolean('enabled').notNull(),
    /** Seconds between looks; null: the configured default for the flow. */
    intervalSeconds: integer('interval_seconds'),
    updatedBy: text('updated_by'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    /** When the hub last looked at the source, whatever it found. */
    lastCheckedAt: timestamp('last_checked_at', { withTimezone: true }),
    /** When a look last found changes. */
    lastChangeSeenAt: timestamp('last_change_seen_at', { withTimezone: true }),
    /** The last run continuous sync started for the flow; null once purged. */
    lastRunId: text('last_run_id').references(() => syncRuns.id, { onDelete: 'set null' }),
    /** Looks in a row that failed (a system throttling or away), or runs in a row that FAILED; 0 when well. */
    failures: integer('failures').notNull().default(0),
    /** Why the last look or run failed; null when well. */
    lastError: text('last_error'),
    /** When the next look is due (later while backing off). */
    nextCheckAt: timestamp('next_check_at', { withTimezone: true }),
  },
  (t) => [
    check('continuous_syncs_flow_check', oneOf(t.flow, flowNames)),
    check('continuous_syncs_interval_check', sql`${t.intervalSeconds} is null or ${t.intervalSeconds} >= 1`),
  ],
);

/**
 * Whether each system answers, as the job engine's minute look finds it (src/alerts/availability.ts): a
 * system down for longer than the configured time raises one alert, whatever the number of instances
 * (`alerted_at` is set by one conditional update), and one more when it answers again.
 */
export const systemAvailability = pgTable(
  'system_availability',
  {
    system: text('system', { enum: systemNames }).primaryKey(),
    /** When it first failed to answer, in the current outage; null while it answers. */
    downSince: timestamp('down_since', { withTimezone: true }),
    lastCheckedAt: timestamp('last_checked_at', { withTimezone: true }).notNull(),
    /** What the last failed look found; null while it answers. */
    lastError: text('last_error'),
    /** When the outage's alert was raised; null before (or without an outage). */
    alertedAt: timestamp('alerted_at', { withTimezone: true }),
  },
  (t) => [check('system_availability_system_check', oneOf(t.system, systemNames))],
);

/**
 * The hub instances sharing the database, each renewing its row while it lives (run-leases.ts): a stopping
 * instance hands its runs back when another instance lives to take them, and fails them when it is alone.
 */
export const hubInstances = pgTable('hub_instances', {
  id: text('id').primaryKey(),
  host: text('host').notNull(),
  pid: integer('pid').notNull(),
  startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
  /** Until when the instance counts as alive without renewing. */
  aliveUntil: timestamp('alive_until', { withTimezone: true }).notNull(),
});

/** A `sync_runs` row as read. */
export type SyncRunRow = typeof syncRuns.$inferSelect;
/** A `sync_run_flows` row as read. */
export type SyncRunFlowRow = typeof syncRunFlows.$inferSelect;
/** A `sync_failures` row as read. */
export type SyncFailureRow = typeof syncFailures.$inferSelect;
/** A `sync_cursors` row as read. */
export type SyncCursorRow = typeof syncCursors.$inferSelect;
