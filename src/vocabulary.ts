/**
 * The hub's shared words, spelled once: the flows, the two systems, the statuses of a run, and the one
 * normalisation of business keys and record ids. A leaf: it imports nothing, so the database schema, the
 * configuration, the sync and the GraphQL layer can all use it without depending on one another.
 */

/**
 * The seven Prospect-to-cash flows, as the hub names them everywhere (GraphQL maps its enum onto these,
 * `orderStatus` as ORDER_STATUS).
 */
export const flowNames = [
  'accounts',
  'contacts',
  'products',
  'quotes',
  'orders',
  'orderStatus',
  'invoices',
] as const;
export type FlowName = (typeof flowNames)[number];

/**
 * The kinds of Finance invoice the invoices flow can bring to Sales (setting `invoiceTypes`, INVOICE_TYPES):
 * invoices of sales orders, and free-text invoices (no order).
 */
export const invoiceTypes = ['salesOrder', 'freeText'] as const;
export type InvoiceType = (typeof invoiceTypes)[number];

/** The two systems. */
export const systemNames = ['sales', 'finance'] as const;
export type SystemName = (typeof systemNames)[number];

/** Each system as a person reads it in a message. */
export const systemLabels: Readonly<Record<SystemName, string>> = { sales: 'Sales', finance: 'Finance' };

/** A run's or a flow's status. A skipped flow is CANCELLED, its reason in `error`. */
export const runStatuses = [
  'QUEUED',
  'RUNNING',
  'SUCCEEDED',
  'COMPLETED_WITH_ERRORS',
  'FAILED',
  'CANCELLED',
] as const;
export type RunStatus = (typeof runStatuses)[number];

/** The statuses of a run or flow that may still change; every other status is final. */
export const activeRunStatuses = ['QUEUED', 'RUNNING'] as const satisfies readonly RunStatus[];

/** Whether the status is final (not QUEUED or RUNNING). */
export function isFinal(status: RunStatus): boolean {
  return !(activeRunStatuses as readonly RunStatus[]).includes(status);
}

/**
 * The one normalisation of business keys and record ids, for every map and every stored link. Dataverse
 * and Finance compare keys case-insensitively, and Dataverse ids come in either case. Done here rather
 * than with SQL `lower()`: under the C locale (PGlite's, and common for PostgreSQL) `lower()` folds ASCII
 * only, so the two would disagree on a key like "ÄRZTE-1" and a lookup could miss its own link.
 */
export function matchKey(key: string): string {
  return key.toLowerCase();
}
