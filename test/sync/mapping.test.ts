/**
 * applyMapping computes the target values the reference's field maps describe: defaults, value maps,
 * truncation to Finance's lengths, currency and unit resolution through the Sales reference data.
 */
import { describe, expect, it } from 'vitest';
import type {
  FinanceOrderHeader,
  FinanceOrderLine,
  FinanceProduct,
} from '../../src/connectors/finance/types.js';
import type { SalesAccount, SalesQuote, SalesQuoteLine } from '../../src/connectors/sales/types.js';
import { defaultValueMaps, flows } from '../../src/sync/flows/index.js';
import { applyMapping, MappingError } from '../../src/sync/mapping.js';
import { createReferenceData } from '../../src/sync/reference.js';

const USD = '10000000-0000-0000-0000-000000000001';
const EUR = '10000000-0000-0000-0000-000000000002';
const PRIMARY_UNIT = '20000000-0000-0000-0000-000000000001';
const KG = '20000000-0000-0000-0000-000000000002';
const ACCOUNT = '30000000-0000-0000-0000-000000000001';
const UNSYNCED_ACCOUNT = '30000000-0000-0000-0000-000000000002';
const PRODUCT = '40000000-0000-0000-0000-000000000001';

const reference = createReferenceData({
  currencies: [
    { transactioncurrencyid: USD, isocurrencycode: 'USD' },
    { transactioncurrencyid: EUR, isocurrencycode: 'EUR' },
  ],
  units: [
    { uomid: PRIMARY_UNIT, name: 'Primary Unit' },
    { uomid: KG, name: 'kg' },
  ],
  lookups: {
    accountNumberByAccountId: (id) => (id === ACCOUNT ? 'ACC-01000-BVRCPS' : undefined),
    externalProductNumberById: (id) => (id === PRODUCT ? 'D0001' : undefined),
  },
});

const versioned = {
  etag: 'W/"1"',
  statecode: 0,
  statuscode: 1,
  createdon: null,
  modifiedon: null,
  versionnumber: 1,
};

const account: SalesAccount = {
  ...versioned,
  accountid: ACCOUNT,
  name: 'Contoso Audio Inc.',
  accountnumber: 'ACC-01000-BVRCPS',
  telephone1: '+1 (425) 555-0100',
  emailaddress1: 'sales@contoso-audio.com',
  websiteurl: 'https://www.contoso-audio.com',
  fax: null,
  address1_line1: '1 Microsoft Way',
  address1_city: 'Redmond',
  address1_stateorprovince: 'WA',
  address1_postalcode: '98052',
  address1_country: 'United States',
  address2_line1: null,
  address2_city: null,
  address2_stateorprovince: null,
  address2_postalcode: null,
  address2_country: null,
  creditlimit: '2500.00',
  customertypecode: 3,
  description: 'Premium audio reseller',
  _transactioncurrencyid_value: USD,
};

const customerOf = (changes: Partial<SalesAccount>): Record<string, unknown> =>
  applyMapping(flows.accounts, 'customer', { ...account, ...changes }, reference);

describe('accounts: applyMapping of a Sales account', () => {
  it('gives the Finance customer the P2C field map and defaults describe', () => {
    expect(customerOf({})).toEqual({
      CustomerAccount: 'ACC-01000-BVRCPS',
      OrganizationName: 'Contoso Audio Inc.',
      PrimaryContactPhone: '+1 (425) 555-0100',
      PrimaryContactEmail: 'sales@contoso-audio.com',
      PrimaryContactURL: 'https://www.contoso-audio.com',
      PrimaryContactFax: null,
      SalesMemo: 'Premium audio reseller',
      CreditLimit: '2500.00',
      SalesCurrencyCode: 'USD',
      DeliveryAddressStreet: '1 Microsoft Way',
      DeliveryAddressCity: 'Redmond',
      DeliveryAddressState: 'WA',
      DeliveryAddressZipCode: '98052',
      DeliveryAddressCountryRegionISOCode: 'USA',
      InvoiceAddressStreet: null,
      InvoiceAddressCity: null,
      InvoiceAddressState: null,
      InvoiceAddressZipCode: null,
      InvoiceAddressCountryRegionISOCode: null,
      CustomerGroupId: '10',
      LanguageId: 'en-us',
      PartyType: 'Organization',
      IsExternallyMaintained: 'Yes',
    });
  });

  it.each<[string, Partial<SalesAccount>, Record<string, unknown>]>([
    [
      'a blank country becomes USA',
      { address1_country: null },
      { DeliveryAddressCountryRegionISOCode: 'USA' },
    ],
    [
      'a whitespace country becomes USA',
      { address1_country: '  ' },
      { DeliveryAddressCountryRegionISOCode: 'USA' },
    ],
    [
      'a country name maps to its ISO code',
      { address1_country: 'Germany' },
      { DeliveryAddressCountryRegionISOCode: 'DEU' },
    ],
    [
      'the invoice address comes from address2, a blank country staying blank',
      { address2_line1: 'Unter den Linden 1', address2_city: 'Berlin', address2_country: null },
      {
        InvoiceAddressStreet: 'Unter den Linden 1',
        InvoiceAddressCity: 'Berlin',
        InvoiceAddressCountryRegionISOCode: null,
      },
    ],
    [
      'the currency is its ISO code through the reference data',
      { _transactioncurrencyid_value: EUR },
      { SalesCurrencyCode: 'EUR' },
    ],
    [
      'currency ids match whatever their case',
      { _transactioncurrencyid_value: EUR.toUpperCase() },
      { SalesCurrencyCode: 'EUR' },
    ],
    [
      'the credit limit stays exact decimal text',
      { creditlimit: '1234567.89' },
      { CreditLimit: '1234567.89' },
    ],
    [
      'the name is cut to Finance’s 100 characters',
      { name: 'N'.repeat(160) },
      { OrganizationName: 'N'.repeat(100) },
    ],
    [
      'the city is cut to 60 characters',
      { address1_city: 'C'.repeat(80) },
      { DeliveryAddressCity: 'C'.repeat(60) },
    ],
    [
      'the state is cut to 10 characters',
      { address1_stateorprovince: 'Nordrhein-Westfalen' },
      { DeliveryAddressState: 'Nordrhein-' },
    ],
    [
      'the postal code is cut to 10 characters',
      { address1_postalcode: '98052-6399-EXTRA' },
      { DeliveryAddressZipCode: '98052-6399' },
    ],
    [
      'the memo is cut to 1000 characters',
      { description: 'd'.repeat(2000) },
      { SalesMemo: 'd'.repeat(1000) },
    ],
    [
      'truncation never splits a character made of two code units',
      { name: `${'n'.repeat(99)}😀` },
      { OrganizationName: 'n'.repeat(99) },
    ],
  ])('%s', (_, changes, expected) => {
    expect(customerOf(changes)).toMatchObject(expected);
  });

  it('leaves the defaults Finance owns after creation out of an update', () => {
    const update = applyMapping(flows.accounts, 'customer', account, reference, { constants: 'always' });
    expect(update).toMatchObject({ PartyType: 'Organization', IsExternallyMaintained: 'Yes' });
    expect(update).not.toHaveProperty('CustomerGroupId');
    expect(update).not.toHaveProperty('LanguageId');
  });

  it('reports every field that does not map, naming the Finance field and the reason', () => {
    const unknown = {
      ...account,
      address1_country: 'Narnia',
      _transactioncurrencyid_value: 'not-a-currency',
    };
    const error = captureError(() => applyMapping(flows.accounts, 'customer', unknown, reference));
    expect(error).toBeInstanceOf(MappingError);
    expect(error.problems.map((p) => [p.field, p.status])).toEqual([
      ['currency', 'unmapped'],
      ['address.country', 'unmapped'],
    ]);
    expect(error.message).toBe(
      'accounts (customer): SalesCurrencyCode: no Sales currency has id not-a-currency; ' +
        "DeliveryAddressCountryRegionISOCode: 'Narnia' is not in value map countryNameToIso",
    );
  });

  it('uses a value map given in place of the default, whose blank entry fills fields without a default', () => {
    const valueMaps = {
      countryNameToIso: { ...defaultValueMaps.countryNameToIso, Narnia: 'NAR', '': 'ZZZ' },
    };
    const map = (changes: Partial<SalesAccount>): Record<string, unknown> =>
      applyMapping(flows.accounts, 'customer', { ...account, ...changes }, reference, { valueMaps });
    expect(map({ address1_country: 'Narnia' })).toMatchObject({ DeliveryAddressCountryRegionISOCode: 'NAR' });
    expect(map({ address1_country: null })).toMatchObject({ DeliveryAddressCountryRegionISOCode: 'USA' });
    expect(map({ address2_country: null })).toMatchObject({ InvoiceAddressCountryRegionISOCode: 'ZZZ' });
  });
});

describe('products: applyMapping of a Finance product (Finance → Sales)', () => {
  const product: FinanceProduct = {
    etag: 'W/"1"',
    dataAreaId: 'usmf',
    ProductNumber: 'T0007',
    ProductName: 'Copper Wire',
    ProductDescription: 'Copper wire, sold by weight.',
    ProductType: 'Item',
    SalesPrice: '12.00',
    UnitCost: '7.20',
    CurrencyCode: 'USD',
    SalesUnitSymbol: 'kg',
    SalesUnitDecimalPrecision: 2,
    IsSalesStopped: 'No',
  };

  it('gives the Sales product with unit, currency and type resolved and the externally-maintained flag', () => {
    expect(applyMapping(flows.products, 'product', product, reference)).toEqual({
      productnumber: 'T0007',
      name: 'Copper Wire',
      description: 'Copper wire, sold by weight.',
      price: '12.00',
      currentcost: '7.20',
      producttypecode: 1,
      quantitydecimal: 2,
      _defaultuomid_value: KG,
      _transactioncurrencyid_value: USD,
      msdynce_ismaintainedexternally: true,
    });
  });

  it.each([
    ['Item', 1],
    ['Service', 3],
  ] as const)('product type %s becomes Sales type code %i', (type, code) => {
    expect(
      applyMapping(flows.products, 'product', { ...product, ProductType: type }, reference),
    ).toMatchObject({
      producttypecode: code,
    });
  });

  it('fails a unit Sales does not have', () => {
    expect(() =>
      applyMapping(flows.products, 'product', { ...product, SalesUnitSymbol: 'box' }, reference),
    ).toThrow("'box' is not in value map financeUnitToSalesUnit");
  });
});

describe('quotes: applyMapping of a Sales quote and its lines', () => {
  const quote: SalesQuote = {
    ...versioned,
    statecode: 1,
    quoteid: '50000000-0000-0000-0000-000000000001',
    quotenumber: 'QUO-01000-ABCDEF',
    name: 'Speaker refresh - Mar 2025',
    _customerid_value: ACCOUNT,
    effectivefrom: '2025-03-01T00:00:00Z',
    effectiveto: '2025-05-30T00:00:00Z',
    requestdeliveryby: '2025-04-15T00:00:00Z',
    shipto_line1: null,
    shipto_city: null,
    shipto_stateorprovince: null,
    shipto_postalcode: null,
    shipto_country: null,
    totalamount: '100.00',
    _transactioncurrencyid_value: USD,
  };

  it.each<[string, Partial<SalesQuote>, Record<string, unknown>]>([
    [
      'the customer is the account number, requesting and invoiced',
      {},
      {
        RequestingCustomerAccountNumber: 'ACC-01000-BVRCPS',
        InvoiceCustomerAccountNumber: 'ACC-01000-BVRCPS',
      },
    ],
    ['a blank ship-to country becomes US', {}, { DeliveryAddressCountryRegionISOCode: 'US' }],
    [
      'a ship-to country name maps to its ISO code',
      { shipto_country: 'Canada' },
      { DeliveryAddressCountryRegionISOCode: 'CAN' },
    ],
    ['the currency is its ISO code', {}, { CurrencyCode: 'USD' }],
    [
      'dates are ISO instants',
      {},
      { SalesQuotationExpiryDate: '2025-05-30T00:00:00Z', RequestedShippingDate: '2025-04-15T00:00:00Z' },
    ],
    [
      'a blank requested delivery date takes the expiry date',
      { requestdeliveryby: null },
      { RequestedShippingDate: '2025-05-30T00:00:00Z' },
    ],
    ['the name is cut to 60 characters', { name: 'q'.repeat(300) }, { SalesQuotationName: 'q'.repeat(60) }],
    ['a new quotation is Sent', {}, { SalesQuotationStatus: 'Sent', LanguageId: 'en-us' }],
  ])('%s', (_, changes, expected) => {
    expect(applyMapping(flows.quotes, 'quotationHeader', { ...quote, ...changes }, reference)).toMatchObject(
      expected,
    );
  });

  it('fails a quote whose account was never synchronised as a missing dependency', () => {
    const error = captureError(() =>
      applyMapping(
        flows.quotes,
        'quotationHeader',
        { ...quote, _customerid_value: UNSYNCED_ACCOUNT },
        reference,
      ),
    );
    expect(error.missingDependency).toBe(true);
    expect(error.problems.map((p) => p.target)).toEqual([
      'RequestingCustomerAccountNumber',
      'InvoiceCustomerAccountNumber',
    ]);
  });

  const line: SalesQuoteLine = {
    etag: 'W/"1"',
    quotedetailid: '60000000-0000-0000-0000-000000000001',
    _quoteid_value: quote.quoteid,
    _productid_value: PRODUCT,
    isproductoverridden: false,
    productdescription: null,
    quantity: '3',
    priceperunit: '150.95',
    manualdiscountamount: null,
    extendedamount: '452.85',
    sequencenumber: 1,
    _uomid_value: PRIMARY_UNIT,
    description: 'Per site',
    createdon: null,
    modifiedon: null,
    versionnumber: 1,
  };

  it("gives the Finance line, Sales' Primary Unit becoming ea and a blank discount 0", () => {
    expect(applyMapping(flows.quotes, 'quotationLine', line, reference)).toEqual({
      LineCreationSequenceNumber: 1,
      ItemNumber: 'D0001',
      RequestedSalesQuantity: '3',
      SalesPrice: '150.95',
      LineDiscountAmount: '0',
      LineDescription: 'Per site',
      SalesUnitSymbol: 'ea',
    });
  });
});

describe('order status: applyMapping of a Finance order entered in Finance (Finance → Sales)', () => {
  const SALES_ACCOUNT = '30000000-0000-0000-0000-000000000009';
  const SALES_PRODUCT = '40000000-0000-0000-0000-000000000009';
  const PRICE_LIST = '50000000-0000-0000-0000-000000000001';
  const orderReference = createReferenceData({
    currencies: [{ transactioncurrencyid: USD, isocurrencycode: 'USD' }],
    units: [{ uomid: KG, name: 'kg' }],
    lookups: {
      accountIdByNumber: (number) => (number === 'ACC-01000-BVRCPS' ? SALES_ACCOUNT : undefined),
      productIdByNumber: (number) => (number === 'T0007' ? SALES_PRODUCT : undefined),
      priceListIdByCurrency: (iso) => (iso === 'USD' ? PRICE_LIST : undefined),
    },
  });
  const header: FinanceOrderHeader = {
    etag: 'W/"1"',
    dataAreaId: 'usmf',
    SalesOrderNumber: 'SO-000042',
    SalesOrderName: null,
    SalesOrderProcessingStatus: 'Confirmed',
    OrderingCustomerAccountNumber: 'ACC-01000-BVRCPS',
    InvoiceCustomerAccountNumber: 'ACC-01000-BVRCPS',
    OrderingCustomerIsExternallyMaintained: 'Yes',
    InvoiceCustomerIsExternallyMaintained: 'Yes',
    CurrencyCode: 'USD',
    RequestedShippingDate: '2026-12-24T12:00:00Z',
    ConfirmedShippingDate: null,
    DeliveryAddressStreet: '1 Microsoft Way',
    DeliveryAddressCity: 'Redmond',
    DeliveryAddressStateId: 'WA',
    DeliveryAddressZipCode: '98052',
    DeliveryAddressCountryRegionISOCode: 'USA',
    CustomersOrderReference: null,
    LanguageId: 'en-us',
    OrderTotalAmount: '61.20',
    OrderTotalDiscountAmount: '3.75',
    OrderTotalTaxAmount: '4.95',
    OrderTotalChargesAmount: '0.00',
  };
  const line: FinanceOrderLine = {
    etag: 'W/"1"',
    dataAreaId: 'usmf',
    InventoryLotId: '000000123',
    SalesOrderNumber: 'SO-000042',
    LineCreationSequenceNumber: 1,
    ItemNumber: 'T0007',
    OrderedSalesQuantity: '3',
    SalesPrice: '20.00',
    SalesUnitSymbol: 'kg',
    LineDiscountAmount: '1.25',
    LineAmount: '56.25',
    LineTotalTaxAmount: '4.95',
    SalesOrderLineStatus: 'Backorder',
    LineDescription: null,
  };
  const map = (mapping: 'orderStatus' | 'orderLineStatus', record: object, constants: 'all' | 'always') =>
    applyMapping(flows.orderStatus, mapping, record, orderReference, { constants });

  it('gives the whole Sales order on create, named by its number when Finance has no name', () => {
    expect(map('orderStatus', header, 'all')).toEqual({
      ordernumber: 'SO-000042',
      name: 'SO-000042',
      _customerid_value: SALES_ACCOUNT,
      _transactioncurrencyid_value: USD,
      _pricelevelid_value: PRICE_LIST,
      requestdeliveryby: '2026-12-24T12:00:00Z',
      shipto_line1: '1 Microsoft Way',
      shipto_city: 'Redmond',
      shipto_stateorprovince: 'WA',
      shipto_postalcode: '98052',
      shipto_country: 'United States',
      msdynce_processingstatus: 647390001,
      totalamount: '61.20',
      totaldiscountamount: '3.75',
      totaltax: '4.95',
      freightamount: '0.00',
      msdynce_ismaintainedexternally: true,
    });
  });

  it("gives only the order's progress on update", () => {
    expect(map('orderStatus', header, 'always')).toEqual({
      ordernumber: 'SO-000042',
      msdynce_processingstatus: 647390001,
      totalamount: '61.20',
      totaldiscountamount: '3.75',
      totaltax: '4.95',
      freightamount: '0.00',
      msdynce_ismaintainedexternally: true,
    });
  });

  it("gives the line's product, unit and discount as a line total (per unit × quantity) on create", () => {
    expect(map('orderLineStatus', line, 'all')).toEqual({
      sequencenumber: 1,
      msdyn_linestatus: 192350000,
      tax: '4.95',
      _productid_value: SALES_PRODUCT,
      quantity: '3',
      priceperunit: '20.00',
      manualdiscountamount: '3.75',
      _uomid_value: KG,
      description: null,
      isproductoverridden: false,
    });
    // Decimals as JSON numbers may come with an exponent.
    expect(
      map('orderLineStatus', { ...line, LineDiscountAmount: '1.25e0', OrderedSalesQuantity: '3e0' }, 'all'),
    ).toMatchObject({ manualdiscountamount: '3.75' });
    expect(map('orderLineStatus', line, 'always')).toEqual({
      sequencenumber: 1,
      msdyn_linestatus: 192350000,
      tax: '4.95',
    });
  });

  it('fails an item Sales does not have as a missing dependency, on create only', () => {
    const unknown = { ...line, ItemNumber: 'X-404' };
    expect(() => map('orderLineStatus', unknown, 'all')).toThrow(
      "its product 'X-404' is not in Sales; sync products first",
    );
    expect(map('orderLineStatus', unknown, 'always')).toMatchObject({ sequencenumber: 1 });
  });
});

describe('mapping names', () => {
  it('rejects a mapping the flow does not define, listing the ones it has', () => {
    expect(() => applyMapping(flows.contacts, 'customer', {}, reference)).toThrow(
      "The contacts flow has no mapping 'customer' (it has personCustomer, contactPerson)",
    );
  });
});

function captureError(action: () => unknown): MappingError {
  try {
    action();
  } catch (error) {
    if (error instanceof MappingError) return error;
    throw error;
  }
  throw new Error('Expected a MappingError');
}
