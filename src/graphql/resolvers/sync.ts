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
import type { HubContext } from '../context.js';
import type { LinkEntity } from '../loaders.js';

export interface SyncLinkInput {
  entity: LinkEntity;
  key: string;
  flow: FlowName;
  /** The flow's source row (Sales for accounts, contacts, quotes; Finance for products), null if absent. */
  source: object | null;
  /** The flow's target row, null if absent. */
  target: object | null;
}

export async function syncLink(context: HubContext, input: SyncLinkInput): Promise<SyncLink> {
  const link = await context.loaders.link.load(`${input.entity}:${input.key}`);
  const history = {
    lastSyncedAt: link?.lastSyncedAt ? new Date(link.lastSyncedAt).toISOString() : null,
    lastRunId: link?.lastRunId ?? null,
    lastError: link?.lastError ?? null,
  };
  const flow = flows[input.flow];
  const salesSide = flow.direction === 'salesToFinance' ? input.source : input.target;
  const financeSide = flow.direction === 'salesToFinance' ? input.target : input.source;
  const reference = await context.reference();
  const drift =
    salesSide && financeSide
      ? computeDrift(flow, input.source!, input.target!, reference, {
          valueMaps: context.valueMaps,
        })
      : [];
  // Precedence: what the sync knows (FAILED, PENDING) over what the rows show.
  const state =
    link?.state === 'FAILED' || link?.state === 'PENDING'
      ? link.state
      : changedSinceSync(input.source, link?.lastSyncedAt) ||
          hashChangedSinceSync(flow, input.source, link?.contentHash, reference, context.valueMaps)
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
