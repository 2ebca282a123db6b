/**
 * Flow names between the hub's own (`accounts`, as the flows, the database and the engine name them)
 * and the schema's `SyncFlowName` enum (`ACCOUNTS`): one pair of maps for every resolver.
 */
import type { SyncFlowName } from '../../generated/resolvers-types.js';
import type { FlowName } from '../../sync/flows/index.js';

export const flowNameToGraphQL = {
  accounts: 'ACCOUNTS',
  contacts: 'CONTACTS',
  products: 'PRODUCTS',
  quotes: 'QUOTES',
} as const satisfies Record<FlowName, SyncFlowName>;

export const flowNameFromGraphQL = {
  ACCOUNTS: 'accounts',
  CONTACTS: 'contacts',
  PRODUCTS: 'products',
  QUOTES: 'quotes',
} as const satisfies Record<SyncFlowName, FlowName>;
