/**
 * The four Prospect-to-cash flows, by name, in dependency order: accounts and products (independent of
 * each other), then contacts, then quotes. Object key order is the run order.
 */
import { accountsFlow } from './accounts.js';
import { contactsFlow } from './contacts.js';
import { productsFlow } from './products.js';
import { quotesFlow } from './quotes.js';
import type { FlowDefinition, FlowName } from './types.js';

/** Every flow by name; iterating it gives the dependency order. */
export const flows: Readonly<Record<FlowName, FlowDefinition>> = {
  accounts: accountsFlow,
  products: productsFlow,
  contacts: contactsFlow,
  quotes: quotesFlow,
};

/** The flow names in the order "run all" runs them. */
export const flowOrder: readonly FlowName[] = Object.keys(flows) as FlowName[];

/**
 * `names` in dependency order, each once. Dependencies are ordered, not added: running only quotes
 * runs only quotes, and a quote whose account is missing in Finance fails with that reason.
 */
export function inDependencyOrder(names: Iterable<FlowName>): FlowName[] {
  const wanted = new Set(names);
  return flowOrder.filter((name) => wanted.has(name));
}

export { ACCOUNT_BLANK_COUNTRY } from './accounts.js';
export { CONTACT_BLANK_COUNTRY } from './contacts.js';
export { QUOTE_ACTIVE, QUOTE_BLANK_COUNTRY } from './quotes.js';
export type * from './types.js';
export {
  defaultValueMaps,
  valueMapNames,
  withValueMaps,
  type ValueMap,
  type ValueMapName,
  type ValueMaps,
} from './value-maps.js';
export { validateFlow, validateFlows } from './validate.js';
