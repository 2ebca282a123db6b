/**
 * The flow engine: `createFlowRunner` implements the run manager's contract (`types.ts`) for any flow
 * plan; the flows themselves (src/sync/flows) give the plans.
 */
export { createFlowRunner, defaultPageSize } from './runner.js';
export { defaultDatabaseRetry, type DatabaseRetryPolicy } from './database-retry.js';
export type * from './plan.js';
export type * from './types.js';
