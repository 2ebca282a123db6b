/**
 * Where one record stands between the two systems right now: computed from its live rows (drift through
 * the flow's own mapping, `computeDrift`), the link the sync keeps for it, and for a Finance-mastered record
 * the content hash its flow compares, so the state shown is the one the next run would act on.
 */
import type { LinkRow } from '../../db/schema.js';
import { computeDrift, type FieldDrift } from '../drift.js';
import { contentHash } from '../engine/outcomes.js';
import type { FlowDefinition, ValueMaps } from '../flows/index.js';
import { applyMapping, MappingError } from '../mapping.js';
import type { ReferenceData } from '../reference.js';
import { routeRecord } from '../routing.js';

/** A record's state, as the `SyncState` GraphQL enum spells it. */
export type RecordSyncState =
  'IN_SYNC' | 'PENDING' | 'DRIFTED' | 'FAILED' | 'SALES_ONLY' | 'FINANCE_ONLY' | 'UNKNOWN';

/** What is known of a record; `undefined` where it could not be read. */
export interface SyncFacts {
  /** The stored link; null when no run has touched the record. */
  link: Pick<LinkRow, 'state' | 'lastSyncedAt' | 'contentHash'> | null | undefined;
  /** The flow's source row (Sales for accounts, contacts and quotes; Finance for products); null if absent. */
  source: object | null | undefined;
  /** The flow's target row; null if absent. */
  target: object | null | undefined;
  /** Sales currencies and units (and the configured settings): without them no mapped value compares. */
  reference: ReferenceData | undefined;
  /** Whether anything (a system, the hub's database) could not be read. */
  incomplete: boolean;
  /**
   * The record's child lines of both systems paired by line number, for a flow with children (orders,
   * invoices); absent when not read, and then only the header is compared.
   */
  lines?: readonly LinePair[] | undefined;
}

/** One child line of a record: the flow's source and target rows with one line number, either possibly null. */
export interface LinePair {
  lineNumber: number | string | null;
  source: object | null;
  target: object | null;
}

export interface RecordSyncStatus {
  state: RecordSyncState;
  /** The mapped fields that differ now; empty unless both rows and the reference data were read. */
  drift: FieldDrift[];
}

/** Options of `syncStatusOf`; every one has a default. */
export interface SyncStatusOptions {
  /** Value maps replacing the defaults, by name. Default: none. */
  valueMaps?: Partial<ValueMaps>;
}

/**
 * The record's state and drift. Precedence: what the sync knows (a stored FAILED or PENDING) over what
 * could not be read (UNKNOWN) over what the rows show.
 */
export function syncStatusOf(
  flow: FlowDefinition,
  { link, source, target, reference, incomplete, lines }: SyncFacts,
  { valueMaps }: SyncStatusOptions = {},
): RecordSyncStatus {
  const drift =
    source && target && reference
      ? [
          ...computeDrift(flow, source, target, reference, valueMaps ? { valueMaps } : {}),
          ...lineDrift(flow, lines ?? [], reference, valueMaps),
        ]
      : [];
  if (link?.state === 'FAILED' || link?.state === 'PENDING') return { state: link.state, drift };
  if (incomplete || !reference) return { state: 'UNKNOWN', drift };
  const toFinance = flow.direction === 'salesToFinance';
  const salesSide = toFinance ? source : target;
  const financeSide = toFinance ? target : source;
  const state: RecordSyncState =
    changedSinceSync(source ?? null, link?.lastSyncedAt) ||
    hashChangedSinceSync(flow, source ?? null, link?.contentHash, reference, valueMaps)
      ? 'PENDING'
      : !financeSide
        ? 'SALES_ONLY'
        : !salesSide
          ? 'FINANCE_ONLY'
          : drift.length > 0
            ? 'DRIFTED'
            : 'IN_SYNC';
  return { state, drift };
}

/**
 * The drift of a record's lines through the flow's child mapping, each field named after its line
 * (`lines[2].quantity`). A source line missing from the target is drift too (`lines[3]`, its number on
 * the source's side): the next run would write it. A line only in the target is not: the flow may write
 * lines of its own there (an invoice's header charges line in Sales).
 */
function lineDrift(
  flow: FlowDefinition,
  lines: readonly LinePair[],
  reference: ReferenceData,
  valueMaps: Partial<ValueMaps> | undefined,
): FieldDrift[] {
  const { children } = flow;
  if (!children) return [];
  const toFinance = flow.direction === 'salesToFinance';
  return lines.flatMap(({ lineNumber, source, target }): FieldDrift[] => {
    const name = `lines[${String(lineNumber)}]`;
    if (!source) return [];
    if (!target) {
      const shown = String(lineNumber);
      return [{ field: name, sales: toFinance ? shown : null, finance: toFinance ? null : shown }];
    }
    return computeDrift(flow, source, target, reference, {
      mapping: children.mapping,
      ...(valueMaps ? { valueMaps } : {}),
    }).map((field) => ({ ...field, field: `${name}.${field.field}` }));
  });
}

/**
 * A Sales source row modified after the record's last sync is waiting for the next run. Finance rows
 * carry no modified time (products): see `hashChangedSinceSync`.
 */
function changedSinceSync(source: object | null, lastSyncedAt: Date | string | null | undefined): boolean {
  if (!source || !lastSyncedAt || !('modifiedon' in source) || typeof source.modifiedon !== 'string')
    return false;
  return Date.parse(source.modifiedon) > new Date(lastSyncedAt).getTime();
}

/**
 * A Finance source row (a product) whose mapped values no longer hash as at its last sync has changed
 * since: the same test the products flow uses to tell changed products from unchanged ones.
 */
function hashChangedSinceSync(
  flow: FlowDefinition,
  source: object | null,
  storedHash: string | null | undefined,
  reference: ReferenceData,
  valueMaps: Partial<ValueMaps> | undefined,
): boolean {
  if (flow.direction !== 'financeToSales' || !source || !storedHash || !hashRecomputable(flow)) return false;
  const decision = routeRecord(flow, source, reference);
  if (decision.action === 'skip') return false;
  try {
    const values = applyMapping(flow, decision.mapping.name, source, reference, {
      ...(valueMaps ? { valueMaps } : {}),
      constants: 'all',
    });
    return contentHash(values) !== storedHash;
  } catch (error) {
    // A record that cannot be mapped is not pending: the next run fails it, and says why.
    if (error instanceof MappingError) return false;
    throw error;
  }
}

/**
 * Whether the read model can recompute the hash `flow` stores: not when it covers child lines (an
 * invoice's hash includes its lines' values) or values only a lookup finds (Sales ids), which a read of
 * one record does not have. Such a record is never shown PENDING by its hash; Finance's posted invoices do
 * not change anyway.
 */
function hashRecomputable(flow: FlowDefinition): boolean {
  return (
    !flow.children &&
    flow.mappings.every((mapping) => mapping.fields.every((field) => field.transform.kind !== 'lookup'))
  );
}
