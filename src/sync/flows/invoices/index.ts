/**
 * The invoices flow: Finance's posted sales invoices → read-only Sales invoices (declaration in
 * definition.ts, target in target.ts). Finance has no change feed over OData, so invoices are read in
 * full and told apart by content hash; an invoice and its lines cost one Finance read each per page.
 * Which invoice types go is the `invoiceTypes` setting (INVOICE_TYPES).
 */
import { salesIdLookup, salesOrderLookup, valuesOf } from '../lookups.js';
import { idOf, type FlowModule } from '../module.js';
import { invoicesFlow } from './definition.js';
import { salesInvoiceTarget } from './target.js';

export const invoices: FlowModule = {
  definition: invoicesFlow,
  plan: () => ({
    flow: invoicesFlow,
    source: { system: 'finance', kind: 'invoiceHeader', key: 'InvoiceNumber' },
    targets: (connectors) => ({ invoiceHeader: salesInvoiceTarget(connectors) }),
    async lookups(connectors, rows, reference, lines) {
      const [orders, accounts, products] = await Promise.all([
        salesOrderLookup(connectors, reference, rows, 'SalesOrderNumber'),
        salesIdLookup(
          connectors,
          reference,
          'accountIdByNumber',
          { kind: 'account', column: 'accountnumber', id: 'accountid' },
          valuesOf(rows, 'InvoiceCustomerAccountNumber'),
        ),
        salesIdLookup(
          connectors,
          reference,
          'productIdByNumber',
          { kind: 'product', column: 'productnumber', id: 'productid' },
          valuesOf(lines, 'ProductNumber'),
        ),
      ]);
      return { ...orders, lookups: { ...orders.lookups, ...accounts.lookups, ...products.lookups } };
    },
    linkEntity: 'invoice',
    salesId: (_source, current) => idOf('invoiceid')(current),
    unchangedByHash: true,
  }),
};
