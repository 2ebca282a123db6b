/**
 * The order status flow: Finance's progress on sales orders → the Sales orders (declaration in
 * definition.ts, target in target.ts). Finance has no change feed over OData, so its orders are read in
 * full and an order whose mapped values hash as at the last sync is unchanged without reading Sales.
 */
import { salesOrderLookup } from '../lookups.js';
import type { FlowModule } from '../module.js';
import { documentId } from '../sales-documents.js';
import { orderStatusFlow } from './definition.js';
import { salesOrderStatusTarget } from './target.js';

export const orderStatus: FlowModule = {
  definition: orderStatusFlow,
  plan: () => ({
    flow: orderStatusFlow,
    source: { system: 'finance', kind: 'orderHeader', key: 'SalesOrderNumber' },
    targets: (connectors) => ({ orderStatus: salesOrderStatusTarget(connectors, orderStatusFlow) }),
    lookups: (connectors, rows, reference) =>
      salesOrderLookup(connectors, reference, rows, 'SalesOrderNumber'),
    linkEntity: 'orderStatus',
    salesId: (_source, current) => documentId(current, 'salesorderid'),
    unchangedByHash: true,
  }),
};
