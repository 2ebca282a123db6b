/**
 * The order-to-cash Dataverse tables the Sales simulator serves: sales orders, invoices and their lines,
 * with the Prospect-to-cash columns the hub uses (logical names as in Dynamics 365 Sales). Orders are
 * created in Sales and sent to Finance; invoices come from Finance. Headers have the system columns
 * (`statecode`, `statuscode`, `createdon`, `modifiedon`, `versionnumber`), lines only the last three.
 */
import type { EntitySetDef, PropertyDef } from '../core/model.js';
import { bool, dateTime, decimal, guid, int32, readOnly, required, str } from '../core/properties.js';
import {
  address,
  currencyExpansion,
  currencyLookup,
  customerAccountExpansion,
  customerLookup,
  pricedLineTable,
  system,
} from './columns.js';

/**
 * The money columns of an order or invoice header. `discountamount` (orders) and `freightamount` are what
 * the user (or Finance) gives; the others Sales computes from the lines (rules.ts) unless a write sets them,
 * which is how Finance's totals arrive.
 */
const headerTotals = (withDiscount: boolean): Record<string, PropertyDef> => ({
  totallineitemamount: decimal(),
  ...(withDiscount ? { discountamount: decimal() } : {}),
  totaldiscountamount: decimal(),
  totaltax: decimal(),
  freightamount: decimal(),
  totalamount: decimal(),
});

/**
 * Sales orders with the Prospect-to-cash columns: `msdynce_processingstatus` (Draft 647390011 until
 * activated, then Finance's progress), whether every line is a product Finance maintains (computed, so
 * read-only) and whether the order is mastered in Finance. statecode: 0 Active, 1 Submitted, 2 Canceled,
 * 3 Fulfilled, 4 Invoiced.
 */
export const salesorders: EntitySetDef = {
  name: 'salesorders',
  entityType: 'salesorder',
  key: ['salesorderid'],
  alternateKeys: [['ordernumber']],
  properties: {
    salesorderid: required(guid()),
    ordernumber: str(100),
    name: str(300),
    _customerid_value: guid(),
    _quoteid_value: guid(),
    _pricelevelid_value: guid(),
    _transactioncurrencyid_value: guid(),
    requestdeliveryby: dateTime(),
    ...address('shipto'),
    ...headerTotals(true),
    msdynce_processingstatus: int32(),
    msdynce_hasexternallymaintainedproductsonly: readOnly(bool()),
    msdynce_ismaintainedexternally: bool(),
    ...system(),
  },
  lookups: [
    customerLookup,
    { column: '_quoteid_value', navigations: { quoteid: 'quotes' } },
    { column: '_pricelevelid_value', navigations: { pricelevelid: 'pricelevels' } },
    currencyLookup,
  ],
  expansions: {
    customerid_account: customerAccountExpansion,
    quoteid: { target: 'quotes', cardinality: 'one', via: '_quoteid_value' },
    pricelevelid: { target: 'pricelevels', cardinality: 'one', via: '_pricelevelid_value' },
    order_details: { target: 'salesorderdetails', cardinality: 'many', via: '_salesorderid_value' },
    transactioncurrencyid: currencyExpansion,
  },
};

/** Order lines; `msdyn_linestatus` is the dual-write line status Finance sends (backorder, delivered, …). */
export const salesorderdetails = pricedLineTable({
  name: 'salesorderdetails',
  entityType: 'salesorderdetail',
  header: { set: 'salesorders', navigation: 'salesorderid' },
  withTax: true,
  columns: { description: str(2000), msdyn_linestatus: int32() },
});

/**
 * Invoices: created in Finance and sent to Sales, where they are read-only once
 * `msdynce_ismaintainedexternally` is set. statecode: 0 Active, 1 Closed, 2 Paid, 3 Canceled.
 */
export const invoices: EntitySetDef = {
  name: 'invoices',
  entityType: 'invoice',
  key: ['invoiceid'],
  alternateKeys: [['invoicenumber']],
  properties: {
    invoiceid: required(guid()),
    invoicenumber: str(100),
    name: str(300),
    _customerid_value: guid(),
    _salesorderid_value: guid(),
    _pricelevelid_value: guid(),
    _transactioncurrencyid_value: guid(),
    msdynce_invoicedate: dateTime(),
    ...address('billto'),
    ...headerTotals(false),
    msdynce_ismaintainedexternally: bool(),
    msdynce_hasexternallymaintainedproductsonly: readOnly(bool()),
    ...system(),
  },
  lookups: [
    customerLookup,
    { column: '_salesorderid_value', navigations: { salesorderid: 'salesorders' } },
    { column: '_pricelevelid_value', navigations: { pricelevelid: 'pricelevels' } },
    currencyLookup,
  ],
  expansions: {
    customerid_account: customerAccountExpansion,
    salesorderid: { target: 'salesorders', cardinality: 'one', via: '_salesorderid_value' },
    pricelevelid: { target: 'pricelevels', cardinality: 'one', via: '_pricelevelid_value' },
    invoice_details: { target: 'invoicedetails', cardinality: 'many', via: '_invoiceid_value' },
    transactioncurrencyid: currencyExpansion,
  },
};

/** Invoice lines, with the Finance invoice number and date each came from. */
export const invoicedetails = pricedLineTable({
  name: 'invoicedetails',
  entityType: 'invoicedetail',
  header: { set: 'invoices', navigation: 'invoiceid' },
  withTax: true,
  columns: { msdynce_invoicenumber: str(100), msdynce_invoicedate: dateTime() },
});
