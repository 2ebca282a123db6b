/**
 * The sync layer's read model: what the flow definitions say about a record as it stands in the two
 * systems, for anyone who shows records rather than syncs them (the GraphQL types). Its unified fields
 * are read through each flow's declared mappings, its route and counterpart through the flow's routes,
 * and its sync state through the same drift, link and hash tests the engine applies; so renaming a
 * mapped column is one edit to one flow definition.
 */
import type {
  FinanceContactPerson,
  FinanceCustomer,
  FinanceInvoiceHeader,
  FinanceInvoiceLine,
  FinanceOrderHeader,
  FinanceOrderLine,
  FinanceProduct,
  FinanceQuoteHeader,
  FinanceQuoteLine,
} from '../../connectors/finance/types.js';
import type {
  SalesAccount,
  SalesContact,
  SalesInvoice,
  SalesInvoiceLine,
  SalesOrder,
  SalesOrderLine,
  SalesProduct,
  SalesQuote,
  SalesQuoteLine,
} from '../../connectors/sales/types.js';
import { flows } from '../flows/index.js';
import { invoicesFlow } from '../flows/invoices/definition.js';
import { ordersFlow } from '../flows/orders/definition.js';
import { recordView } from './unified-fields.js';

export { counterpartOf, routedMapping, routedMappings, targetMappingOf } from './routes.js';
export type { CounterpartOptions } from './routes.js';
export { syncStatusOf } from './sync-state.js';
export type {
  LinePair,
  RecordSyncState,
  RecordSyncStatus,
  SyncFacts,
  SyncStatusOptions,
} from './sync-state.js';
export { recordView } from './unified-fields.js';
export type {
  FieldReading,
  ReadOptions,
  RecordRow,
  RecordRows,
  RecordView,
  RecordViewOptions,
  Side,
} from './unified-fields.js';

/** Each unified record kind, over its flow and the row types its connectors return (source, then target). */
export const recordViews = {
  account: recordView<SalesAccount, FinanceCustomer>(flows.accounts),
  contact: recordView<SalesContact, FinanceContactPerson | FinanceCustomer>(flows.contacts),
  quote: recordView<SalesQuote, FinanceQuoteHeader>(flows.quotes),
  quoteLine: recordView<SalesQuoteLine, FinanceQuoteLine>(flows.quotes, { mappings: ['quotationLine'] }),
  product: recordView<FinanceProduct, SalesProduct>(flows.products),
  // The order flows' definitions directly: the views need only the declarations, not the registered modules.
  order: recordView<SalesOrder, FinanceOrderHeader>(ordersFlow),
  orderLine: recordView<SalesOrderLine, FinanceOrderLine>(ordersFlow, { mappings: ['orderLine'] }),
  invoice: recordView<FinanceInvoiceHeader, SalesInvoice>(invoicesFlow),
  invoiceLine: recordView<FinanceInvoiceLine, SalesInvoiceLine>(invoicesFlow, { mappings: ['invoiceLine'] }),
};
