/**
 * The order status flow: Finance's sales orders → the Sales orders, their progress and, for an order
 * created in Finance, the whole order (declaration in definition.ts, target in target.ts). Finance has no
 * change feed over OData, so its orders are read in full and an order whose mapped values hash as at the
 * last sync is unchanged without reading Sales.
 */
import { salesDocumentLookups } from '../lookups.js';
import type { FlowModule } from '../module.js';
import { documentId } from '../sales-documents.js';
import { orderStatusFlow } from './definition.js';
import { salesOrderStatusTarget } from './target.js';

export const orderStatus: FlowModule = {
  definition: orderStatusFlow,
  plan: (options) => ({
    flow: orderStatusFlow,
    source: { system: 'finance', kind: 'orderHeader', key: 'SalesOrderNumber' },
    targets: (connectors) => ({ orderStatus: salesOrderStatusTarget(connectors, orderStatusFlow) }),
    lookups: (connectors, rows, reference, lines) =>
      salesDocumentLookups(connectors, reference, rows, lines, {
        account: 'OrderingCustomerAccountNumber',
        product: 'ItemNumber',
        priceList: options.products.priceList,
      }),
    linkEntity: 'orderStatus',
    salesId: (_source, current) => documentId(current, 'salesorderid'),
    unchangedByHash: true,
  }),
};
