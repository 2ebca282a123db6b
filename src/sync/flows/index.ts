/**
 * The Prospect-to-cash flows, one folder each, registered here in dependency order: accounts and products
 * (independent of each other), then contacts, then quotes and orders, then order status, then invoices. Object key order is the run order. Adding a
 * flow means adding its folder and one line below.
 */
import type { FlowPlans } from '../engine/plan.js';
import { accounts } from './accounts/index.js';
import { contacts } from './contacts/index.js';
import { invoices } from './invoices/index.js';
import { orderStatus } from './order-status/index.js';
import { orders } from './orders/index.js';
import type { FlowModule } from './module.js';
import { products } from './products/index.js';
import { productSettings, type ProductSettings } from './products/settings.js';
import { quotes } from './quotes/index.js';
import type { FlowDefinition, FlowName } from './types.js';

/** Every flow module by name; a Record, so a new flow name does not compile until it has a module. */
const modules: Readonly<Record<FlowName, FlowModule>> = {
  accounts,
  products,
  contacts,
  quotes,
  orders,
  orderStatus,
  invoices,
};

const mapFlows = <T>(pick: (module: FlowModule) => T): Readonly<Record<FlowName, T>> =>
  Object.fromEntries(Object.entries(modules).map(([name, module]) => [name, pick(module)])) as Record<
    FlowName,
    T
  >;

/** Every flow's declaration by name; iterating it gives the dependency order. */
export const flows: Readonly<Record<FlowName, FlowDefinition>> = mapFlows((module) => module.definition);

/**
 * How the engine runs each flow, with the flows' settings; a setting left out takes its default (the
 * products flow's: Active, Microsoft's price list, report).
 */
export function flowPlans(settings: { products?: Partial<ProductSettings> } = {}): FlowPlans {
  const options = { products: productSettings(settings.products) };
  return mapFlows((module) => module.plan(options));
}

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

export { ACCOUNT_BLANK_COUNTRY } from './accounts/definition.js';
export { CONTACT_BLANK_COUNTRY } from './contacts/definition.js';
export { QUOTE_ACTIVE, QUOTE_BLANK_COUNTRY } from './quotes/definition.js';
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
