/**
 * The flow engine: `createFlowRunner` implements the run manager's contract (`types.ts`) for the four
 * Prospect-to-cash flows.
 */
export { createFlowRunner, defaultPageSize } from './runner.js';
export type * from './types.js';
