/**
 * The Dataverse tables the Sales simulator serves, with the columns the hub uses (logical names as in
 * Dynamics 365 Sales with the Prospect-to-cash solution). Max lengths follow the standard tables.
 * Every table also has `statecode`, `statuscode`, `createdon`, `modifiedon` and `versionnumber`
 * (the row version the change feed orders by).
 */
import type { EntitySetDef, PropertyDef } from '../core/model.js';
import { bool, dateTime, decimal, guid, int32, int64, readOnly, required, str } from '../core/properties.js';

const system = (): Record<string, PropertyDef> => ({
  statecode: int32(),
  statuscode: int32(),
  createdon: readOnly(dateTime()),
  modifiedon: readOnly(dateTime()),
  versionnumber: readOnly(int64()),
});

/** The currency lookup most tables have: `_transactioncurrencyid_value`, bound as `transactioncurrencyid`. */
const currencyLookup = {
  column: '_transactioncurrencyid_value',
  navigations: { transactioncurrencyid: 'transactioncurrencies' },
};

/** `$expand=transactioncurrencyid` on a table with `currencyLookup`. */
const currencyExpansion = {
  target: 'transactioncurrencies',
  cardinality: 'one',
  via: '_transactioncurrencyid_value',
} as const;

const address = (prefix: string): Record<string, PropertyDef> => ({
  [`${prefix}_line1`]: str(250),
  [`${prefix}_city`]: str(80),
  [`${prefix}_stateorprovince`]: str(50),
  [`${prefix}_postalcode`]: str(20),
  [`${prefix}_country`]: str(80),
});

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
    shipto_line1: str(250),
    shipto_city: str(80),
    shipto_stateorprovince: str(50),
    shipto_postalcode: str(20),
    shipto_country: str(80),
    totalamount: readOnly(decimal()),
    _transactioncurrencyid_value: guid(),
    ...system(),
  },
  lookups: [
    {
      column: '_customerid_value',
      navigations: { customerid_account: 'accounts', customerid_contact: 'contacts' },
    },
    currencyLookup,
  ],
  expansions: {
    customerid_account: { target: 'accounts', cardinality: 'one', via: '_customerid_value' },
    quote_details: { target: 'quotedetails', cardinality: 'many', via: '_quoteid_value' },
    transactioncurrencyid: currencyExpansion,
  },
};

export const quotedetails: EntitySetDef = {
  name: 'quotedetails',
  entityType: 'quotedetail',
  key: ['quotedetailid'],
  properties: {
    quotedetailid: required(guid()),
    _quoteid_value: guid(),
    _productid_value: guid(),
    isproductoverridden: bool(),
    productdescription: str(500),
    quantity: decimal(),
    priceperunit: decimal(),
    manualdiscountamount: decimal(),
    extendedamount: readOnly(decimal()),
    sequencenumber: int32(),
    _uomid_value: guid(),
    description: str(2000),
    createdon: readOnly(dateTime()),
    modifiedon: readOnly(dateTime()),
    versionnumber: readOnly(int64()),
  },
  lookups: [
    { column: '_quoteid_value', navigations: { quoteid: 'quotes' } },
    { column: '_productid_value', navigations: { productid: 'products' } },
    { column: '_uomid_value', navigations: { uomid: 'uoms' } },
  ],
  expansions: {
    quoteid: { target: 'quotes', cardinality: 'one', via: '_quoteid_value' },
    productid: { target: 'products', cardinality: 'one', via: '_productid_value' },
    uomid: { target: 'uoms', cardinality: 'one', via: '_uomid_value' },
  },
};

/** The customer lookup of quotes, orders and invoices: an account or a contact. */
const customerLookup = {
  column: '_customerid_value',
  navigations: { customerid_account: 'accounts', customerid_contact: 'contacts' },
};

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

/** The priced-line columns orders and invoices share with quote lines, plus the line's tax. */
const pricedLine = (): Record<string, PropertyDef> => ({
  _productid_value: guid(),
  isproductoverridden: bool(),
  productdescription: str(500),
  quantity: decimal(),
  priceperunit: decimal(),
  manualdiscountamount: decimal(),
  extendedamount: readOnly(decimal()),
  tax: decimal(),
  sequencenumber: int32(),
  _uomid_value: guid(),
});

const lineSystem = (): Record<string, PropertyDef> => ({
  createdon: readOnly(dateTime()),
  modifiedon: readOnly(dateTime()),
  versionnumber: readOnly(int64()),
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
    customerid_account: { target: 'accounts', cardinality: 'one', via: '_customerid_value' },
    quoteid: { target: 'quotes', cardinality: 'one', via: '_quoteid_value' },
    pricelevelid: { target: 'pricelevels', cardinality: 'one', via: '_pricelevelid_value' },
    order_details: { target: 'salesorderdetails', cardinality: 'many', via: '_salesorderid_value' },
    transactioncurrencyid: currencyExpansion,
  },
};

/** Order lines; `msdyn_linestatus` is the dual-write line status Finance sends (backorder, delivered, …). */
export const salesorderdetails: EntitySetDef = {
  name: 'salesorderdetails',
  entityType: 'salesorderdetail',
  key: ['salesorderdetailid'],
  properties: {
    salesorderdetailid: required(guid()),
    _salesorderid_value: guid(),
    ...pricedLine(),
    description: str(2000),
    msdyn_linestatus: int32(),
    ...lineSystem(),
  },
  lookups: [
    { column: '_salesorderid_value', navigations: { salesorderid: 'salesorders' } },
    { column: '_productid_value', navigations: { productid: 'products' } },
    { column: '_uomid_value', navigations: { uomid: 'uoms' } },
  ],
  expansions: {
    salesorderid: { target: 'salesorders', cardinality: 'one', via: '_salesorderid_value' },
    productid: { target: 'products', cardinality: 'one', via: '_productid_value' },
    uomid: { target: 'uoms', cardinality: 'one', via: '_uomid_value' },
  },
};

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
    customerid_account: { target: 'accounts', cardinality: 'one', via: '_customerid_value' },
    salesorderid: { target: 'salesorders', cardinality: 'one', via: '_salesorderid_value' },
    pricelevelid: { target: 'pricelevels', cardinality: 'one', via: '_pricelevelid_value' },
    invoice_details: { target: 'invoicedetails', cardinality: 'many', via: '_invoiceid_value' },
    transactioncurrencyid: currencyExpansion,
  },
};

/** Invoice lines, with the Finance invoice number and date each came from. */
export const invoicedetails: EntitySetDef = {
  name: 'invoicedetails',
  entityType: 'invoicedetail',
  key: ['invoicedetailid'],
  properties: {
    invoicedetailid: required(guid()),
    _invoiceid_value: guid(),
    ...pricedLine(),
    msdynce_invoicenumber: str(100),
    msdynce_invoicedate: dateTime(),
    ...lineSystem(),
  },
  lookups: [
    { column: '_invoiceid_value', navigations: { invoiceid: 'invoices' } },
    { column: '_productid_value', navigations: { productid: 'products' } },
    { column: '_uomid_value', navigations: { uomid: 'uoms' } },
  ],
  expansions: {
    invoiceid: { target: 'invoices', cardinality: 'one', via: '_invoiceid_value' },
    productid: { target: 'products', cardinality: 'one', via: '_productid_value' },
    uomid: { target: 'uoms', cardinality: 'one', via: '_uomid_value' },
  },
};

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
