/**
 * Typed Sales (Dataverse) records as the connector returns them: logical column names as Dataverse
 * spells them (so the `sales` view in GraphQL is "the row as it is"), decimals as exact decimal text,
 * lookups as `_<name>_value` GUIDs, and the row's ETag.
 */

export type Decimal = string;
export type Guid = string;

interface Versioned {
  etag: string;
  statecode: number | null;
  statuscode: number | null;
  createdon: string | null;
  modifiedon: string | null;
  versionnumber: number | null;
}

export interface SalesAccount extends Versioned {
  accountid: Guid;
  name: string | null;
  accountnumber: string | null;
  telephone1: string | null;
  emailaddress1: string | null;
  websiteurl: string | null;
  fax: string | null;
  address1_line1: string | null;
  address1_city: string | null;
  address1_stateorprovince: string | null;
  address1_postalcode: string | null;
  address1_country: string | null;
  address2_line1: string | null;
  address2_city: string | null;
  address2_stateorprovince: string | null;
  address2_postalcode: string | null;
  address2_country: string | null;
  creditlimit: Decimal | null;
  customertypecode: number | null;
  description: string | null;
  _transactioncurrencyid_value: Guid | null;
}

export interface SalesContact extends Versioned {
  contactid: Guid;
  firstname: string | null;
  lastname: string | null;
  fullname: string | null;
  emailaddress1: string | null;
  telephone1: string | null;
  jobtitle: string | null;
  address1_line1: string | null;
  address1_city: string | null;
  address1_stateorprovince: string | null;
  address1_postalcode: string | null;
  address1_country: string | null;
  _parentcustomerid_value: Guid | null;
  msdynce_contactnumber: string | null;
  msdynce_isactivecustomer: boolean | null;
}

export interface SalesQuote extends Versioned {
  quoteid: Guid;
  quotenumber: string | null;
  name: string | null;
  _customerid_value: Guid | null;
  effectivefrom: string | null;
  effectiveto: string | null;
  requestdeliveryby: string | null;
  shipto_line1: string | null;
  shipto_city: string | null;
  shipto_stateorprovince: string | null;
  shipto_postalcode: string | null;
  shipto_country: string | null;
  totalamount: Decimal | null;
  _transactioncurrencyid_value: Guid | null;
}

export interface SalesQuoteLine {
  etag: string;
  quotedetailid: Guid;
  _quoteid_value: Guid | null;
  _productid_value: Guid | null;
  isproductoverridden: boolean | null;
  productdescription: string | null;
  quantity: Decimal | null;
  priceperunit: Decimal | null;
  manualdiscountamount: Decimal | null;
  extendedamount: Decimal | null;
  sequencenumber: number | null;
  _uomid_value: Guid | null;
  description: string | null;
  createdon: string | null;
  modifiedon: string | null;
  versionnumber: number | null;
}

export interface SalesProduct extends Versioned {
  productid: Guid;
  productnumber: string | null;
  name: string | null;
  description: string | null;
  price: Decimal | null;
  currentcost: Decimal | null;
  producttypecode: number | null;
  quantitydecimal: number | null;
  _defaultuomid_value: Guid | null;
  _transactioncurrencyid_value: Guid | null;
  msdynce_ismaintainedexternally: boolean | null;
}

/**
 * A product with its default price list (`pricelevelid`, set by update once the product has an item on
 * that list): what the products flow reads, since it keeps that item's price. `SalesProduct` stays the
 * row the GraphQL `sales` view shows.
 */
export interface SalesProductWithPriceList extends SalesProduct {
  _pricelevelid_value: Guid | null;
}

export interface SalesCurrency extends Versioned {
  transactioncurrencyid: Guid;
  isocurrencycode: string | null;
  currencyname: string | null;
  currencysymbol: string | null;
}

export interface SalesUnit extends Versioned {
  uomid: Guid;
  name: string | null;
}

/** A price list (`pricelevel`): quotes are priced from its items, in its currency. statecode 0 Active. */
export interface SalesPriceList extends Versioned {
  pricelevelid: Guid;
  name: string | null;
  _transactioncurrencyid_value: Guid | null;
}

/** A price list item (`productpricelevel`): one product's price in one unit on one price list. */
export interface SalesPriceListItem {
  etag: string;
  productpricelevelid: Guid;
  _pricelevelid_value: Guid | null;
  _productid_value: Guid | null;
  _uomid_value: Guid | null;
  /** Taken from the price list by Dataverse. */
  _transactioncurrencyid_value: Guid | null;
  amount: Decimal | null;
  /** 1 = Currency Amount (the price is `amount`). */
  pricingmethodcode: number | null;
  createdon: string | null;
  modifiedon: string | null;
  versionnumber: number | null;
}

/**
 * The Prospect-to-cash solution's processing status of a sales order (`msdynce_processingstatus`). A new
 * order is Draft and the only editable state; activating it makes it Active, and from then on Finance
 * moves it on.
 */
export const salesOrderStatus = {
  active: 647390000,
  confirmed: 647390001,
  packingSlip: 647390002,
  invoiced: 647390003,
  picked: 647390004,
  partiallyPicked: 647390005,
  partiallyPacked: 647390006,
  shipped: 647390007,
  partiallyShipped: 647390008,
  partiallyInvoiced: 647390009,
  cancelled: 647390010,
  draft: 647390011,
} as const;

/** The dual-write line status of a sales order line (`msdyn_linestatus`). */
export const salesOrderLineStatus = {
  backorder: 192350000,
  delivered: 192350001,
  invoiced: 192350002,
  cancelled: 192350003,
} as const;

/**
 * A sales order (`salesorder`). statecode 0 Active, 1 Submitted, 2 Canceled, 3 Fulfilled, 4 Invoiced; the
 * Prospect-to-cash progress is `msdynce_processingstatus` (`salesOrderStatus`).
 */
export interface SalesOrder extends Versioned {
  salesorderid: Guid;
  ordernumber: string | null;
  name: string | null;
  _customerid_value: Guid | null;
  /** The quote the order was converted from, if any. */
  _quoteid_value: Guid | null;
  _pricelevelid_value: Guid | null;
  _transactioncurrencyid_value: Guid | null;
  requestdeliveryby: string | null;
  shipto_line1: string | null;
  shipto_city: string | null;
  shipto_stateorprovince: string | null;
  shipto_postalcode: string | null;
  shipto_country: string | null;
  totallineitemamount: Decimal | null;
  discountamount: Decimal | null;
  totaldiscountamount: Decimal | null;
  totaltax: Decimal | null;
  freightamount: Decimal | null;
  totalamount: Decimal | null;
  msdynce_processingstatus: number | null;
  msdynce_hasexternallymaintainedproductsonly: boolean | null;
  msdynce_ismaintainedexternally: boolean | null;
}

/** The priced-line columns order and invoice lines share, and their row metadata. */
interface PricedLine {
  etag: string;
  _productid_value: Guid | null;
  isproductoverridden: boolean | null;
  productdescription: string | null;
  quantity: Decimal | null;
  priceperunit: Decimal | null;
  manualdiscountamount: Decimal | null;
  extendedamount: Decimal | null;
  tax: Decimal | null;
  sequencenumber: number | null;
  _uomid_value: Guid | null;
  createdon: string | null;
  modifiedon: string | null;
  versionnumber: number | null;
}

export interface SalesOrderLine extends PricedLine {
  salesorderdetailid: Guid;
  _salesorderid_value: Guid | null;
  description: string | null;
  msdyn_linestatus: number | null;
}

/**
 * An invoice (`invoice`); from Finance, read-only in Sales (`msdynce_ismaintainedexternally`).
 * statecode 0 Active, 1 Closed, 2 Paid, 3 Canceled.
 */
export interface SalesInvoice extends Versioned {
  invoiceid: Guid;
  invoicenumber: string | null;
  name: string | null;
  _customerid_value: Guid | null;
  _salesorderid_value: Guid | null;
  _pricelevelid_value: Guid | null;
  _transactioncurrencyid_value: Guid | null;
  msdynce_invoicedate: string | null;
  billto_line1: string | null;
  billto_city: string | null;
  billto_stateorprovince: string | null;
  billto_postalcode: string | null;
  billto_country: string | null;
  totallineitemamount: Decimal | null;
  totaldiscountamount: Decimal | null;
  totaltax: Decimal | null;
  freightamount: Decimal | null;
  totalamount: Decimal | null;
  msdynce_ismaintainedexternally: boolean | null;
  msdynce_hasexternallymaintainedproductsonly: boolean | null;
}

export interface SalesInvoiceLine extends PricedLine {
  invoicedetailid: Guid;
  _invoiceid_value: Guid | null;
  msdynce_invoicenumber: string | null;
  msdynce_invoicedate: string | null;
}

/** Every entity kind the Sales connector reads and writes, by name. */
export interface SalesRecords {
  account: SalesAccount;
  contact: SalesContact;
  quote: SalesQuote;
  quoteLine: SalesQuoteLine;
  order: SalesOrder;
  orderLine: SalesOrderLine;
  invoice: SalesInvoice;
  invoiceLine: SalesInvoiceLine;
  product: SalesProduct;
  productWithPriceList: SalesProductWithPriceList;
  currency: SalesCurrency;
  unit: SalesUnit;
  priceList: SalesPriceList;
  priceListItem: SalesPriceListItem;
}

export type SalesKind = keyof SalesRecords;
