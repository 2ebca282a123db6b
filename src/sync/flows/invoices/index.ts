/**
 * The invoices flow: Finance's posted sales invoices → read-only Sales invoices (declaration in
 * definition.ts, target in target.ts). Finance has no change feed over OData, so invoices are read in
 * full and told apart by content hash; an invoice and its lines cost one Finance read each per page.
 * Which invoice types go is the `invoiceTypes` setting (INVOICE_TYPES).
 */
import { salesDocumentLookups } from '../lookups.js';
import { idOf, type FlowModule } from '../module.js';
import { invoicesFlow } from './definition.js';
import { salesInvoiceTarget } from './target.js';

export const invoices: FlowModule = {
  definition: invoicesFlow,
  plan: (options) => ({
    flow: invoicesFlow,
    source: { system: 'finance', kind: 'invoiceHeader', key: 'InvoiceNumber' },
    targets: (connectors) => ({ invoiceHeader: salesInvoiceTarget(connectors) }),
    lookups: (connectors, rows, reference, lines) =>
      salesDocumentLookups(connectors, reference, rows, lines, {
        account: 'InvoiceCustomerAccountNumber',
        product: 'ProductNumber',
        priceList: options.products.priceList,
      }),
    linkEntity: 'invoice',
    salesId: (_source, current) => idOf('invoiceid')(current),
    unchangedByHash: true,
  }),
};
