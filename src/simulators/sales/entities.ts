/**
 * The Dataverse tables the Sales simulator serves, with the columns the hub uses (logical names as in
 * Dynamics 365 Sales with the Prospect-to-cash solution). Max lengths follow the standard tables.
 * Every table also has `statecode`, `statuscode`, `createdon`, `modifiedon` and `versionnumber`
 * (the row version the change feed orders by). The order-to-cash tables (orders, invoices and their lines)
 * are in `order-entities.ts`; `salesEntitySets` lists them all.
 */
import type { EntitySetDef } from '../core/model.js';
import { bool, dateTime, decimal, guid, int32, int64, readOnly, required, str } from '../core/properties.js';
import {
  address,
  currencyExpansion,
  currencyLookup,
  customerAccountExpansion,
  customerLookup,
  pricedLineTable,
  system,
} from './columns.js';
import { invoicedetails, invoices, salesorderdetails, salesorders } from './order-entities.js';

export const accounts: EntitySetDef = {
  name: 'accounts',
  entityType: 'account',
  key: ['accountid'],
  alternateKeys: [['accountnumber']],
  properties: {
    accountid: required(guid()),
    name: str(160),
    accountnumber: str(20),
    telephone1: str(50),
    emailaddress1: str(100),
    websiteurl: str(200),
    fax: str(50),
    ...address('address1'),
    ...address('address2'),
    creditlimit: decimal(),
    customertypecode: int32(),
    description: str(2000),
    _transactioncurrencyid_value: guid(),
    ...system(),
  },
  lookups: [currencyLookup],
  expansions: {
    transactioncurrencyid: currencyExpansion,
    contact_customer_accounts: { target: 'contacts', cardinality: 'many', via: '_parentcustomerid_value' },
    quote_customer_accounts: { target: 'quotes', cardinality: 'many', via: '_customerid_value' },
    order_customer_accounts: { target: 'salesorders', cardinality: 'many', via: '_customerid_value' },
    invoice_customer_accounts: { target: 'invoices', cardinality: 'many', via: '_customerid_value' },
  },
};

export const contacts: EntitySetDef = {
  name: 'contacts',
  entityType: 'contact',
  key: ['contactid'],
  alternateKeys: [['msdynce_contactnumber']],
  properties: {
    contactid: required(guid()),
    firstname: str(50),
    lastname: str(50),
    fullname: readOnly(str(160)),
    emailaddress1: str(100),
    telephone1: str(50),
    jobtitle: str(100),
    ...address('address1'),
    _parentcustomerid_value: guid(),
    msdynce_contactnumber: str(100),
    msdynce_isactivecustomer: bool(),
    ...system(),
  },
  lookups: [
    {
      column: '_parentcustomerid_value',
      navigations: { parentcustomerid_account: 'accounts', parentcustomerid_contact: 'contacts' },
    },
  ],
  expansions: {
    parentcustomerid_account: { target: 'accounts', cardinality: 'one', via: '_parentcustomerid_value' },
  },
};

export const quotes: EntitySetDef = {
  name: 'quotes',
  entityType: 'quote',
  key: ['quoteid'],
  properties: {
    quoteid: required(guid()),
    quotenumber: str(100),
    name: str(300),
    _customerid_value: guid(),
    effectivefrom: dateTime(),
    effectiveto: dateTime(),
    requestdeliveryby: dateTime(),
    ...address('shipto'),
    totalamount: readOnly(decimal()),
    _transactioncurrencyid_value: guid(),
    ...system(),
  },
  lookups: [customerLookup, currencyLookup],
  expansions: {
    customerid_account: customerAccountExpansion,
    quote_details: { target: 'quotedetails', cardinality: 'many', via: '_quoteid_value' },
    transactioncurrencyid: currencyExpansion,
  },
};

export const quotedetails = pricedLineTable({
  name: 'quotedetails',
  entityType: 'quotedetail',
  header: { set: 'quotes', navigation: 'quoteid' },
  withTax: false,
  columns: { description: str(2000) },
});

export const products: EntitySetDef = {
  name: 'products',
  entityType: 'product',
  key: ['productid'],
  alternateKeys: [['productnumber']],
  properties: {
    productid: required(guid()),
    productnumber: str(100),
    name: str(100),
    description: str(2000),
    price: decimal(),
    currentcost: decimal(),
    producttypecode: int32(),
    quantitydecimal: int32(),
    _defaultuomid_value: guid(),
    // The default price list: not valid on create, and set only once the product has an item on the list.
    _pricelevelid_value: guid(),
    _transactioncurrencyid_value: guid(),
    msdynce_ismaintainedexternally: bool(),
    // statecode: 0 Active, 1 Retired, 2 Draft, 3 Under Revision (statuscode follows: 1, 2, 0, 3).
    ...system(),
  },
  lookups: [
    { column: '_defaultuomid_value', navigations: { defaultuomid: 'uoms' } },
    { column: '_pricelevelid_value', navigations: { pricelevelid: 'pricelevels' } },
    currencyLookup,
  ],
  expansions: {
    defaultuomid: { target: 'uoms', cardinality: 'one', via: '_defaultuomid_value' },
    pricelevelid: { target: 'pricelevels', cardinality: 'one', via: '_pricelevelid_value' },
    productpricelevel_product: { target: 'productpricelevels', cardinality: 'many', via: '_productid_value' },
  },
};

/** Price lists: a quote is priced from the price list items of its price list, each in the list's currency. */
export const pricelevels: EntitySetDef = {
  name: 'pricelevels',
  entityType: 'pricelevel',
  key: ['pricelevelid'],
  properties: {
    pricelevelid: required(guid()),
    name: str(100),
    description: str(2000),
    _transactioncurrencyid_value: guid(),
    // statecode: 0 Active, 1 Inactive.
    ...system(),
  },
  lookups: [currencyLookup],
  expansions: {
    transactioncurrencyid: currencyExpansion,
    price_level_product_price_levels: {
      target: 'productpricelevels',
      cardinality: 'many',
      via: '_pricelevelid_value',
    },
  },
};

/**
 * Price list items: the price of one product in one unit on one price list. Dataverse takes the item's
 * currency from its price list and has no state on these rows.
 */
export const productpricelevels: EntitySetDef = {
  name: 'productpricelevels',
  entityType: 'productpricelevel',
  key: ['productpricelevelid'],
  properties: {
    productpricelevelid: required(guid()),
    _pricelevelid_value: guid(),
    _productid_value: guid(),
    _uomid_value: guid(),
    _transactioncurrencyid_value: readOnly(guid()),
    amount: decimal(),
    // 1 Currency Amount: the item's price is `amount` (the other methods derive it from cost or list price).
    pricingmethodcode: int32(),
    createdon: readOnly(dateTime()),
    modifiedon: readOnly(dateTime()),
    versionnumber: readOnly(int64()),
  },
  lookups: [
    { column: '_pricelevelid_value', navigations: { pricelevelid: 'pricelevels' } },
    { column: '_productid_value', navigations: { productid: 'products' } },
    { column: '_uomid_value', navigations: { uomid: 'uoms' } },
  ],
  expansions: {
    pricelevelid: { target: 'pricelevels', cardinality: 'one', via: '_pricelevelid_value' },
    productid: { target: 'products', cardinality: 'one', via: '_productid_value' },
  },
};

/** Reference data the flows resolve codes against (currency ISO codes, unit names). */
export const transactioncurrencies: EntitySetDef = {
  name: 'transactioncurrencies',
  entityType: 'transactioncurrency',
  key: ['transactioncurrencyid'],
  alternateKeys: [['isocurrencycode']],
  properties: {
    transactioncurrencyid: required(guid()),
    isocurrencycode: str(5),
    currencyname: str(100),
    currencysymbol: str(10),
    ...system(),
  },
};

export const uoms: EntitySetDef = {
  name: 'uoms',
  entityType: 'uom',
  key: ['uomid'],
  properties: {
    uomid: required(guid()),
    name: str(100),
    ...system(),
  },
};

export const salesEntitySets: readonly EntitySetDef[] = [
  accounts,
  contacts,
  quotes,
  quotedetails,
  salesorders,
  salesorderdetails,
  invoices,
  invoicedetails,
  products,
  transactioncurrencies,
  uoms,
  pricelevels,
  productpricelevels,
];

/**
 * Tables on which the bulk operation messages (CreateMultiple, UpdateMultiple, UpsertMultiple) are refused.
 * Microsoft documents that "not all standard tables support these messages" and that a client should test
 * each table (`sdkmessagefilters` for the message and table) without listing which ones. The simulator
 * refuses them on `transactioncurrencies`: currencies are organization settings that an administrator
 * adds one by one (each with its exchange rate), not data a client loads in bulk, and one refusing table
 * lets tests pin the refusal. Every other table here accepts them, as custom and most common tables do.
 */
export const tablesWithoutBulkMessages: ReadonlySet<string> = new Set(['transactioncurrencies']);
