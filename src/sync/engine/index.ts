/**
 * The flow engine: `createFlowRunner` implements the run manager's contract (`types.ts`) for the four
 * Prospect-to-cash flows; the products flow's settings and its price list check come with it.
 */
export { createFlowRunner, defaultPageSize } from './runner.js';
export { defaultDatabaseRetry, type DatabaseRetryPolicy } from './database-retry.js';
export { priceListProblems, readPriceLists } from './price-lists.js';
export {
  defaultProductSettings,
  productCreateStates,
  productSettings,
  vanishedProductPolicies,
  type ProductCreateState,
  type ProductSettings,
  type VanishedProductPolicy,
} from '../flows/products/settings.js';
export type * from './types.js';
