/**
 * `sync` on every unified record: where the record stands between the two systems right now, computed
 * from the live rows (drift through the flow's own mapping) and the link the sync keeps in the database.
 */
import type { SyncLink } from '../../generated/resolvers-types.js';
import { computeDrift } from '../../sync/drift.js';
import { contentHash } from '../../sync/engine/outcomes.js';
import { flows, type FlowName } from '../../sync/flows/index.js';
import type { FlowDefinition } from '../../sync/flows/types.js';
import type { ValueMaps } from '../../sync/flows/value-maps.js';
import { applyMapping, MappingError } from '../../sync/mapping.js';
import type { ReferenceData } from '../../sync/reference.js';
import { routeRecord } from '../../sync/routing.js';
import { isDatabaseOutage } from '../../db/outages.js';
import type { HubContext } from '../context.js';
import { HubError } from '../errors.js';
import type { LinkEntity } from '../loaders.js';

export interface SyncLinkInput {
  entity: LinkEntity;
  key: string;
  flow: FlowName;
  /** Reads the flow's source row (Sales for accounts, contacts, quotes; Finance for products), null if absent. */
  source: () => Promise<object | null>;
  /** Reads the flow's target row, null if absent. */
  target: () => Promise<object | null>;
}

/**
 * The record's sync link. An outage never fails it: a system, or the hub's database, that cannot be read
 * is named in `unavailable` and makes the state UNKNOWN — unless the stored link says FAILED or PENDING,
 * which stays true whatever the systems answer — so the record's other fields still answer. Any other
 * error is a bug and is thrown.
 */
export async function syncLink(context: HubContext, input: SyncLinkInput): Promise<SyncLink> {
  const flow = flows[input.flow];
  const toFinance = flow.direction === 'salesToFinance';
  const [link, source, target, reference] = await Promise.all([
    settle('DATABASE', () => context.loaders.link.load(`${input.entity}:${input.key}`), isDatabaseOutage),
    settle(toFinance ? 'SALES' : 'FINANCE', input.source),
    settle(toFinance ? 'FINANCE' : 'SALES', input.target),
    // Currencies and units come from Sales: without them no mapped value can be compared.
    settle('SALES', () => context.reference()),
  ]);
  const unavailable = [...new Set([link, source, target, reference].flatMap((read) => read.unavailable))];
  const row = link.value ?? null;
  const history = {
    lastSyncedAt: row?.lastSyncedAt ? new Date(row.lastSyncedAt).toISOString() : null,
    lastRunId: row?.lastRunId ?? null,
    lastError: row?.lastError ?? null,
    unavailable,
  };
  const sourceRow = source.value ?? null;
  const targetRow = target.value ?? null;
  const drift =
    sourceRow && targetRow && reference.value
      ? computeDrift(flow, sourceRow, targetRow, reference.value, { valueMaps: context.valueMaps })
      : [];
  // Precedence: what the sync knows (FAILED, PENDING) over what the rows show.
  if (row?.state === 'FAILED' || row?.state === 'PENDING') return { ...history, state: row.state, drift };
  if (unavailable.length > 0) return { ...history, state: 'UNKNOWN', drift };
  const salesSide = toFinance ? sourceRow : targetRow;
  const financeSide = toFinance ? targetRow : sourceRow;
  const state =
    changedSinceSync(sourceRow, row?.lastSyncedAt) ||
    hashChangedSinceSync(flow, sourceRow, row?.contentHash, reference.value!, context.valueMaps)
      ? 'PENDING'
      : !financeSide
        ? 'SALES_ONLY'
        : !salesSide
          ? 'FINANCE_ONLY'
          : drift.length > 0
            ? 'DRIFTED'
            : 'IN_SYNC';
  return { ...history, state, drift };
}

type Component = SyncLink['unavailable'][number];

/** A read's value, or the component it could not reach. */
interface Settled<T> {
  value: T | undefined;
  unavailable: Component[];
}

/** The loaders turn a system's outage into UPSTREAM_UNAVAILABLE (`fromUpstream`). */
const isSystemOutage = (error: unknown): boolean =>
  error instanceof HubError && error.code === 'UPSTREAM_UNAVAILABLE';

async function settle<T>(
  component: Component,
  read: () => Promise<T>,
  isOutage: (error: unknown) => boolean = isSystemOutage,
): Promise<Settled<T>> {
  try {
    return { value: await read(), unavailable: [] };
  } catch (error) {
    if (isOutage(error)) return { value: undefined, unavailable: [component] };
    throw error;
  }
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
  valueMaps: ValueMaps,
): boolean {
  if (flow.direction !== 'financeToSales' || !source || !storedHash) return false;
  const decision = routeRecord(flow, source, reference);
  if (decision.action === 'skip') return false;
  try {
    const values = applyMapping(flow, decision.mapping.name, source, reference, {
      valueMaps,
      constants: 'all',
    });
    return contentHash(values) !== storedHash;
  } catch (error) {
    // A record that cannot be mapped is not pending: the next run fails it, and says why.
    if (error instanceof MappingError) return false;
    throw error;
  }
}
