/**
 * invoices (Finance → Sales): Finance's posted sales invoices become read-only Sales invoices, header and
 * lines together in one change set, keyed by invoice number; the invoiced order's status becomes
 * Invoiced in the same change set (target.ts). Which invoices: those of sales orders Sales has (taken in
 * Sales, or entered in Finance and brought by the order status flow; the documented template's only kind) and, when the `invoiceTypes` setting includes `freeText`,
 * free-text invoices (no sales order), which the template leaves out.
 *
 * Header charges (freight) arrive as one write-in line named after the charges, as the template carries
 * header-level amounts; tax on header charges is not synced (the template's rule), line tax is.
 */
import type { FinanceInvoiceHeader, FinanceInvoiceLine } from '../../../connectors/finance/types.js';
import type { SalesInvoice, SalesInvoiceLine } from '../../../connectors/sales/types.js';
import { financeEntity, salesEntity } from '../entities.js';
import { documentFields } from '../finance-documents.js';
import { defineChildren, defineMapping, defineRules, type FlowDefinition } from '../types.js';

/** The product description of the write-in line that carries an invoice's header charges. */
export const HEADER_CHARGES_LINE = 'Charges';

const invoiceHeader = defineMapping<FinanceInvoiceHeader, SalesInvoice>({
  name: 'invoiceHeader',
  description: 'Finance sales invoice → read-only Sales invoice',
  source: financeEntity('invoiceHeader'),
  target: salesEntity('invoice'),
  key: { source: 'InvoiceNumber', target: 'invoicenumber' },
  fields: [
    { field: 'invoiceNumber', source: 'InvoiceNumber', target: 'invoicenumber', transform: { kind: 'copy' } },
    {
      field: 'name',
      source: 'InvoiceNumber',
      target: 'name',
      transform: { kind: 'copy' },
      description: 'Sales requires a name: the invoice number',
    },
    ...documentFields({ account: 'InvoiceCustomerAccountNumber', customer: 'Invoice customer' }),
    {
      field: 'order',
      source: 'SalesOrderNumber',
      target: '_salesorderid_value',
      transform: { kind: 'lookup', lookup: 'salesOrderIdByNumber' },
      description: 'The invoiced order; none on a free-text invoice',
    },
    {
      field: 'invoiceDate',
      source: 'InvoiceDate',
      target: 'msdynce_invoicedate',
      transform: { kind: 'date' },
    },
    {
      field: 'billTo.street',
      source: 'InvoiceAddressStreet',
      target: 'billto_line1',
      transform: { kind: 'copy' },
    },
    {
      field: 'billTo.city',
      source: 'InvoiceAddressCity',
      target: 'billto_city',
      transform: { kind: 'copy' },
    },
    {
      field: 'billTo.state',
      source: 'InvoiceAddressStateId',
      target: 'billto_stateorprovince',
      transform: { kind: 'copy' },
    },
    {
      field: 'billTo.postalCode',
      source: 'InvoiceAddressZipCode',
      target: 'billto_postalcode',
      transform: { kind: 'copy' },
    },
    {
      field: 'billTo.country',
      source: 'InvoiceAddressCountryRegionISOCode',
      target: 'billto_country',
      transform: { kind: 'valueMap', map: 'countryIsoToName' },
      description: 'ISO code → Sales country name',
    },
    { field: 'total', source: 'TotalInvoiceAmount', target: 'totalamount', transform: { kind: 'decimal' } },
    { field: 'taxTotal', source: 'TotalTaxAmount', target: 'totaltax', transform: { kind: 'decimal' } },
    {
      field: 'discountTotal',
      source: 'TotalDiscountAmount',
      target: 'totaldiscountamount',
      transform: { kind: 'decimal' },
    },
  ],
  constants: [
    {
      field: 'maintainedInFinance',
      target: 'msdynce_ismaintainedexternally',
      value: true,
      apply: 'always',
      description: 'Invoices come from Finance and are read-only in Sales',
    },
  ],
});

const invoiceLine = defineMapping<FinanceInvoiceLine, SalesInvoiceLine>({
  name: 'invoiceLine',
  description: 'Finance sales invoice line → Sales invoice line',
  source: financeEntity('invoiceLine'),
  target: salesEntity('invoiceLine'),
  key: { source: 'LineCreationSequenceNumber', target: 'sequencenumber' },
  fields: [
    {
      field: 'lineNumber',
      source: 'LineCreationSequenceNumber',
      target: 'sequencenumber',
      transform: { kind: 'copy' },
    },
    {
      field: 'product',
      source: 'ProductNumber',
      target: '_productid_value',
      transform: { kind: 'lookup', lookup: 'productIdByNumber' },
      description: 'Product number → the Sales product; a free-text line becomes a write-in line',
    },
    { field: 'quantity', source: 'InvoicedQuantity', target: 'quantity', transform: { kind: 'decimal' } },
    { field: 'unitPrice', source: 'SalesPrice', target: 'priceperunit', transform: { kind: 'decimal' } },
    {
      field: 'discount',
      source: 'LineTotalDiscountAmount',
      target: 'manualdiscountamount',
      transform: { kind: 'decimal' },
      default: '0',
      description: "The line's whole discount (per-unit discount and rounding charge together: $10.00 again)",
    },
    { field: 'tax', source: 'LineTotalTaxAmount', target: 'tax', transform: { kind: 'decimal' } },
    {
      field: 'unit',
      source: 'SalesUnitSymbol',
      target: '_uomid_value',
      transform: { kind: 'unitId', map: 'financeUnitToSalesUnit' },
    },
    {
      field: 'invoiceNumber',
      source: 'InvoiceNumber',
      target: 'msdynce_invoicenumber',
      transform: { kind: 'copy' },
    },
    {
      field: 'description',
      source: 'LineDescription',
      target: 'productdescription',
      transform: { kind: 'truncate', length: 500 },
      description: "The line's text; the product's name on a write-in line",
    },
  ],
  constants: [],
});

/** The invoices flow. */
export const invoicesFlow: FlowDefinition = {
  name: 'invoices',
  description: 'Finance sales invoices and their lines → read-only Sales invoices, by invoice number',
  direction: 'financeToSales',
  dependsOn: ['orderStatus'],
  source: invoiceHeader.source,
  // A customer that is not a Sales account fails the invoice (MISSING_DEPENDENCY), so a retry brings it
  // once the account exists; an invoice of an order Sales does not have (the order status flow skipped
  // it) is skipped, and read again on the next run, as Finance's invoices are read in full.
  eligibility: defineRules<FinanceInvoiceHeader>([
    { require: { test: 'notBlank', field: 'InvoiceNumber' }, reason: 'no invoice number' },
    {
      require: {
        test: 'anyOf',
        conditions: [
          { test: 'notBlank', field: 'SalesOrderNumber' },
          { test: 'settingIncludes', setting: 'invoiceTypes', value: 'freeText', byDefault: false },
        ],
      },
      reason: 'free-text invoice (not in invoiceTypes)',
    },
    {
      require: {
        test: 'anyOf',
        conditions: [
          { test: 'blank', field: 'SalesOrderNumber' },
          { test: 'settingIncludes', setting: 'invoiceTypes', value: 'salesOrder', byDefault: true },
        ],
      },
      reason: 'sales order invoice (not in invoiceTypes)',
    },
    {
      require: {
        test: 'anyOf',
        conditions: [
          { test: 'blank', field: 'SalesOrderNumber' },
          { test: 'resolves', field: 'SalesOrderNumber', lookup: 'salesOrderIdByNumber' },
        ],
      },
      reason: 'order not in Sales',
    },
  ]),
  routes: [{ when: { test: 'always' }, mapping: 'invoiceHeader', description: 'every eligible invoice' }],
  unrouted: null,
  mappings: [invoiceHeader, invoiceLine],
  children: defineChildren<FinanceInvoiceLine, SalesInvoiceLine>({
    label: 'line',
    mapping: 'invoiceLine',
    parent: { source: 'InvoiceNumber', target: 'msdynce_invoicenumber' },
    eligibility: [],
  }),
};
