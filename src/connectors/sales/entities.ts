/** The Dataverse tables the Sales connector reads and writes: set names, keys, columns, decimals. */
import type { EntityDescriptor } from '../odata/records.js';
import type { SalesKind } from './types.js';

const versioned = ['statecode', 'statuscode', 'createdon', 'modifiedon', 'versionnumber'];
const address = (prefix: string): string[] =>
  ['line1', 'city', 'stateorprovince', 'postalcode', 'country'].map((part) => `${prefix}_${part}`);

const productColumns = [
  'productid',
  'productnumber',
  'name',
  'description',
  'price',
  'currentcost',
  'producttypecode',
  'quantitydecimal',
  '_defaultuomid_value',
  '_transactioncurrencyid_value',
  'msdynce_ismaintainedexternally',
  ...versioned,
];

/** Product states (`statecode`) with the status reason (`statuscode`) Dataverse gives each by default. */
export const productStates = {
  active: { statecode: 0, statuscode: 1 },
  retired: { statecode: 1, statuscode: 2 },
  draft: { statecode: 2, statuscode: 0 },
} as const;

export interface SalesEntity extends EntityDescriptor {
  /** The alternate key the P2C solution defines (upserts go through it). */
  alternateKey?: string;
}

export const salesEntities: Record<SalesKind, SalesEntity> = {
  account: {
    set: 'accounts',
    key: ['accountid'],
    alternateKey: 'accountnumber',
    columns: [
      'accountid',
      'name',
      'accountnumber',
      'telephone1',
      'emailaddress1',
      'websiteurl',
      'fax',
      ...address('address1'),
      ...address('address2'),
      'creditlimit',
      'customertypecode',
      'description',
      '_transactioncurrencyid_value',
      ...versioned,
    ],
    decimals: ['creditlimit'],
  },
  contact: {
    set: 'contacts',
    key: ['contactid'],
    alternateKey: 'msdynce_contactnumber',
    columns: [
      'contactid',
      'firstname',
      'lastname',
      'fullname',
      'emailaddress1',
      'telephone1',
      'jobtitle',
      ...address('address1'),
      '_parentcustomerid_value',
      'msdynce_contactnumber',
      'msdynce_isactivecustomer',
      ...versioned,
    ],
    decimals: [],
  },
  quote: {
    set: 'quotes',
    key: ['quoteid'],
    columns: [
      'quoteid',
      'quotenumber',
      'name',
      '_customerid_value',
      'effectivefrom',
      'effectiveto',
      'requestdeliveryby',
      'shipto_line1',
      'shipto_city',
      'shipto_stateorprovince',
      'shipto_postalcode',
      'shipto_country',
      'totalamount',
      '_transactioncurrencyid_value',
      ...versioned,
    ],
    decimals: ['totalamount'],
  },
  quoteLine: {
    set: 'quotedetails',
    key: ['quotedetailid'],
    columns: [
      'quotedetailid',
      '_quoteid_value',
      '_productid_value',
      'isproductoverridden',
      'productdescription',
      'quantity',
      'priceperunit',
      'manualdiscountamount',
      'extendedamount',
      'sequencenumber',
      '_uomid_value',
      'description',
      'createdon',
      'modifiedon',
      'versionnumber',
    ],
    decimals: ['quantity', 'priceperunit', 'manualdiscountamount', 'extendedamount'],
  },
  product: {
    set: 'products',
    key: ['productid'],
    alternateKey: 'productnumber',
    columns: productColumns,
    decimals: ['price', 'currentcost'],
  },
  productWithPriceList: {
    set: 'products',
    key: ['productid'],
    alternateKey: 'productnumber',
    columns: [...productColumns, '_pricelevelid_value'],
    decimals: ['price', 'currentcost'],
  },
  currency: {
    set: 'transactioncurrencies',
    key: ['transactioncurrencyid'],
    alternateKey: 'isocurrencycode',
    columns: ['transactioncurrencyid', 'isocurrencycode', 'currencyname', 'currencysymbol', ...versioned],
    decimals: [],
  },
  unit: {
    set: 'uoms',
    key: ['uomid'],
    columns: ['uomid', 'name', ...versioned],
    decimals: [],
  },
  priceList: {
    set: 'pricelevels',
    key: ['pricelevelid'],
    columns: ['pricelevelid', 'name', '_transactioncurrencyid_value', ...versioned],
    decimals: [],
  },
  priceListItem: {
    set: 'productpricelevels',
    key: ['productpricelevelid'],
    columns: [
      'productpricelevelid',
      '_pricelevelid_value',
      '_productid_value',
      '_uomid_value',
      '_transactioncurrencyid_value',
      'amount',
      'pricingmethodcode',
      'createdon',
      'modifiedon',
      'versionnumber',
    ],
    decimals: ['amount'],
  },
};
