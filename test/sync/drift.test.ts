/**
 * Drift lists the mapped fields whose values differ between the two systems right now, under the unified
 * field names, with each system's value as that system shows it. Pairs come from the seeded data set,
 * joined by business key.
 */
import { describe, expect, it } from 'vitest';
import type { Row } from '../../src/simulators/core/model.js';
import { computeDrift, type FieldDrift } from '../../src/sync/drift.js';
import { flows } from '../../src/sync/flows/index.js';
import {
  basicReference,
  contactPersonsById,
  customersByAccount,
  financeProductsByNumber,
  firstPair,
  indexBy,
  pairs,
  quotationsByNumber,
  reference,
  seed,
  type Pair,
} from './seed-pairs.js';

const accountPairs = pairs(seed.sales.accounts, 'accountnumber', customersByAccount);

/** The fields the seed drifts in Finance, by the Sales and Finance column each compares. */
const driftable = [
  ['name', 'name', 'OrganizationName'],
  ['phone', 'telephone1', 'PrimaryContactPhone'],
  ['creditLimit', 'creditlimit', 'CreditLimit'],
] as const;

/** What the seed changed in Finance for this pair, found from the raw rows independently of the mapping. */
const seededDrift = ({ source, target }: Pair) =>
  driftable
    .filter(([, sales, finance]) => source[sales] !== target[finance])
    .map(([field, sales, finance]) => ({ field, sales: source[sales], finance: target[finance] }));

const inSync = (what: string, test: (account: Row) => boolean): Pair =>
  firstPair(
    accountPairs,
    `an in-sync account with ${what}`,
    (p) => seededDrift(p).length === 0 && test(p.source),
  );

const accountDrift = (pair: Pair, financeChanges: Row = {}) =>
  computeDrift(flows.accounts, pair.source, { ...pair.target, ...financeChanges }, basicReference);

describe('accounts: drift between a Sales account and its Finance customer', () => {
  it.each<[string, Pair]>([
    ['a US address', inSync('a US address', (a) => a['address1_country'] === 'United States')],
    ['a blank country (USA in Finance)', inSync('a blank country', (a) => a['address1_country'] === null)],
    ['a German address in euros', inSync('a German address', (a) => a['address1_country'] === 'Germany')],
    ['an invoice address', inSync('an invoice address', (a) => a['address2_line1'] !== null)],
    ['a name with quotes and ampersands', inSync('a tricky name', (a) => String(a['name']).includes("'"))],
  ])('is empty for a seeded in-sync pair with %s', (_, pair) => {
    expect(accountDrift(pair)).toEqual([]);
  });

  it('lists exactly the field the seed drifted, for every seeded pair, with both systems’ values', () => {
    const drifted = accountPairs.filter((pair) => seededDrift(pair).length > 0);
    expect(accountPairs.length).toBeGreaterThan(200);
    expect(drifted.length).toBeGreaterThan(5);
    for (const pair of accountPairs)
      expect([pair.key, accountDrift(pair)]).toEqual([pair.key, seededDrift(pair)]);
  });

  it.each<[string, Row, string, string, string | null]>([
    ['phone', { PrimaryContactPhone: '+1 (206) 555-0199' }, 'phone', 'telephone1', '+1 (206) 555-0199'],
    ['name retyped in capitals', { OrganizationName: 'SHOUTING LTD' }, 'name', 'name', 'SHOUTING LTD'],
    ['credit limit', { CreditLimit: '999999.00' }, 'creditLimit', 'creditlimit', '999999.00'],
    ['country', { DeliveryAddressCountryRegionISOCode: 'CAN' }, 'address.country', 'address1_country', 'CAN'],
    ['city', { DeliveryAddressCity: 'Elsewhere' }, 'address.city', 'address1_city', 'Elsewhere'],
    ['memo cleared', { SalesMemo: null }, 'description', 'description', null],
  ])(
    'lists %s changed in Finance, with the Sales value as Sales holds it',
    (_, change, field, salesColumn, finance) => {
      const pair = inSync(
        'a description and a US address',
        (a) => a['description'] !== null && a['address1_country'] === 'United States',
      );
      expect(accountDrift(pair, change)).toEqual([{ field, sales: pair.source[salesColumn], finance }]);
    },
  );

  it('shows the currency by ISO code on both sides', () => {
    const pair = inSync('US dollars', (a) => a['address1_country'] === 'United States');
    expect(accountDrift(pair, { SalesCurrencyCode: 'GBP' })).toEqual([
      { field: 'currency', sales: 'USD', finance: 'GBP' },
    ]);
  });

  it('lists a constant the flow asserts on every write, showing the asserted value on the Sales side', () => {
    const pair = inSync('anything', () => true);
    expect(accountDrift(pair, { IsExternallyMaintained: 'No' })).toEqual([
      { field: 'externallyMaintained', sales: 'Yes', finance: 'No' },
    ]);
  });

  it.each<[string, (finance: Row) => Row]>([
    [
      'a credit limit without trailing zeros',
      (f) => ({ ...f, CreditLimit: String(Number(f['CreditLimit'])) }),
    ],
    [
      'a phone with surrounding spaces',
      (f) => ({ ...f, PrimaryContactPhone: ` ${String(f['PrimaryContactPhone'])} ` }),
    ],
    ['an empty fax where Sales has none', (f) => ({ ...f, PrimaryContactFax: '' })],
    [
      'a customer group changed in Finance (a default Finance owns)',
      (f) => ({ ...f, CustomerGroupId: '20' }),
    ],
    ['a language changed in Finance (a default Finance owns)', (f) => ({ ...f, LanguageId: 'de' })],
    [
      'a column Finance did not return',
      (f) => withoutColumn({ ...f, PrimaryContactPhone: 'other' }, 'PrimaryContactPhone'),
    ],
  ])('is empty for %s', (_, edit) => {
    const pair = inSync('no fax', (a) => a['fax'] === null);
    expect(computeDrift(flows.accounts, pair.source, edit(pair.target), basicReference)).toEqual([]);
  });

  it('compares by the truncated value: a Sales name longer than Finance keeps is not drift', () => {
    const pair = inSync('anything', () => true);
    const long = 'L'.repeat(160);
    const drift = computeDrift(
      flows.accounts,
      { ...pair.source, name: long },
      { ...pair.target, OrganizationName: 'L'.repeat(100) },
      basicReference,
    );
    expect(drift).toEqual([]);
  });
});

describe('products: drift in the Finance → Sales direction', () => {
  const productPairs = pairs(seed.sales.products, 'productnumber', financeProductsByNumber);
  // Products flow from Finance, so Finance is the source and Sales the target.
  const productDrift = ({ source, target }: Pair, salesChanges: Row = {}) =>
    computeDrift(flows.products, target, { ...source, ...salesChanges }, basicReference);
  const item = firstPair(
    productPairs,
    'an in-sync item sold by the piece',
    (p) =>
      p.target['ProductType'] === 'Item' &&
      p.target['SalesUnitSymbol'] === 'ea' &&
      p.source['price'] === p.target['SalesPrice'],
  );

  it('lists only the price edited in Sales for every seeded pair, Sales value on the Sales side', () => {
    expect(productPairs.length).toBeGreaterThan(40);
    const expected = ({ source, target }: Pair) =>
      source['price'] === target['SalesPrice']
        ? []
        : [{ field: 'price', sales: source['price'], finance: target['SalesPrice'] }];
    const drifted = productPairs.filter((p) => expected(p).length > 0);
    expect(drifted.length).toBeGreaterThan(0);
    for (const p of productPairs) expect([p.key, productDrift(p)]).toEqual([p.key, expected(p)]);
  });

  it.each<[string, Row, FieldDrift[]]>([
    [
      'a price written without trailing zeros is not drift',
      { price: String(Number(item.target['SalesPrice'])) },
      [],
    ],
    ['a type changed in Sales', { producttypecode: 3 }, [{ field: 'type', sales: '3', finance: 'Item' }]],
    [
      'a unit changed in Sales, shown by name',
      { _defaultuomid_value: unitId('hr') },
      [{ field: 'unit', sales: 'hr', finance: 'ea' }],
    ],
    [
      'a currency changed in Sales, shown by ISO code',
      { _transactioncurrencyid_value: currencyId('EUR') },
      [{ field: 'currency', sales: 'EUR', finance: 'USD' }],
    ],
    [
      'the externally-maintained flag cleared in Sales',
      { msdynce_ismaintainedexternally: false },
      [{ field: 'externallyMaintained', sales: 'false', finance: 'true' }],
    ],
  ])('%s', (_, salesChanges, expected) => {
    expect(productDrift(item, salesChanges)).toEqual(expected);
  });
});

describe('contacts: drift compares each contact with what Finance made of it', () => {
  const contacts = seed.sales.contacts;
  const personCustomerPairs = pairs(
    contacts,
    'msdynce_contactnumber',
    indexBy(seed.finance.CustomersV3, 'CustomerAccount'),
  );
  const contactPersonPairs = pairs(contacts, 'msdynce_contactnumber', contactPersonsById);

  it('is empty for every seeded contact person and person customer', () => {
    expect(contactPersonPairs.length).toBeGreaterThan(300);
    expect(personCustomerPairs.length).toBeGreaterThan(30);
    for (const p of [...contactPersonPairs, ...personCustomerPairs]) {
      expect([p.key, computeDrift(flows.contacts, p.source, p.target, reference)]).toEqual([p.key, []]);
    }
  });

  it('compares a contact person with the contact-person mapping', () => {
    const [pair] = contactPersonPairs;
    if (!pair) throw new Error('no contact person in the seed');
    expect(
      computeDrift(flows.contacts, pair.source, { ...pair.target, FirstName: 'Changed' }, reference),
    ).toEqual([{ field: 'firstName', sales: pair.source['firstname'], finance: 'Changed' }]);
  });

  it('compares a person customer with the person-customer mapping', () => {
    const [pair] = personCustomerPairs;
    if (!pair) throw new Error('no person customer in the seed');
    expect(
      computeDrift(flows.contacts, pair.source, { ...pair.target, PartyType: 'Organization' }, reference),
    ).toEqual([{ field: 'partyType', sales: 'Person', finance: 'Organization' }]);
  });

  it('shows a contact person attached to another customer by party number', () => {
    const [pair] = contactPersonPairs;
    if (!pair) throw new Error('no contact person in the seed');
    expect(
      computeDrift(
        flows.contacts,
        pair.source,
        { ...pair.target, AssociatedPartyNumber: '000999999' },
        reference,
      ),
    ).toEqual([{ field: 'account', sales: pair.target['AssociatedPartyNumber'], finance: '000999999' }]);
  });

  it('leaves out fields whose lookup the caller did not provide, rather than guessing', () => {
    const [pair] = contactPersonPairs;
    if (!pair) throw new Error('no contact person in the seed');
    const target = { ...pair.target, AssociatedPartyNumber: '000999999' };
    expect(computeDrift(flows.contacts, pair.source, target, basicReference)).toEqual([]);
  });
});

describe('quotes: drift of quotation headers and lines', () => {
  const quotePairs = pairs(seed.sales.quotes, 'quotenumber', quotationsByNumber);

  it('is empty for every seeded quotation header', () => {
    expect(quotePairs.length).toBeGreaterThan(20);
    for (const p of quotePairs)
      expect([p.key, computeDrift(flows.quotes, p.source, p.target, reference)]).toEqual([p.key, []]);
  });

  it('is empty for every seeded quotation line, and lists a quantity changed in Finance', () => {
    const salesLines = indexBy(seed.sales.quotedetails, 'quotedetailid');
    const quoteIdByNumber = new Map(seed.sales.quotes.map((q) => [q['quotenumber'], q['quoteid']]));
    const financeLines = seed.finance.SalesQuotationLines;
    expect(financeLines.length).toBeGreaterThan(50);
    for (const financeLine of financeLines) {
      const quoteId = quoteIdByNumber.get(financeLine['SalesQuotationNumber'] ?? null);
      const salesLine = [...salesLines.values()].find(
        (l) =>
          l['_quoteid_value'] === quoteId &&
          l['sequencenumber'] === financeLine['LineCreationSequenceNumber'],
      );
      if (!salesLine) throw new Error(`no Sales line for ${String(financeLine['InventoryLotId'])}`);
      const drift = (changes: Row) =>
        computeDrift(flows.quotes, salesLine, { ...financeLine, ...changes }, reference, {
          mapping: 'quotationLine',
        });
      expect(drift({})).toEqual([]);
      expect(drift({ RequestedSalesQuantity: '999' })).toEqual([
        { field: 'quantity', sales: salesLine['quantity'], finance: '999' },
      ]);
    }
  });

  it('compares dates by instant and shows the customer by account number', () => {
    const [pair] = quotePairs;
    if (!pair) throw new Error('no quotation in the seed');
    const expiry = String(pair.target['SalesQuotationExpiryDate']).replace('Z', '.000Z');
    const target = {
      ...pair.target,
      SalesQuotationExpiryDate: expiry,
      RequestingCustomerAccountNumber: 'US-001',
    };
    const account = seed.sales.accounts.find((a) => a['accountid'] === pair.source['_customerid_value']);
    expect(computeDrift(flows.quotes, pair.source, target, reference)).toEqual([
      { field: 'account', sales: account?.['accountnumber'], finance: 'US-001' },
    ]);
  });
});

function unitId(name: string): string {
  const id = basicReference.unitIdByName(name);
  if (id === undefined) throw new Error(`no unit ${name} in the seed`);
  return id;
}

function currencyId(iso: string): string {
  const id = basicReference.currencyIdByIso(iso);
  if (id === undefined) throw new Error(`no currency ${iso} in the seed`);
  return id;
}

function withoutColumn(row: Row, name: string): Row {
  const copy = { ...row };
  delete copy[name];
  return copy;
}

describe('order status: drift leaves out what is written on create only', () => {
  it("compares an order's progress, not the customer, name or ship-to it was created with", () => {
    const financeHeader = {
      SalesOrderNumber: 'SO-000042',
      SalesOrderName: 'Phone order',
      SalesOrderProcessingStatus: 'Delivered',
      OrderingCustomerAccountNumber: 'ACC-01000-BVRCPS',
      DeliveryAddressCity: 'Redmond',
      OrderTotalAmount: '61.20',
    };
    const salesOrder = {
      ordernumber: 'SO-000042',
      name: 'Renamed in Sales',
      shipto_city: 'Seattle',
      msdynce_processingstatus: 647390001,
      totalamount: '61.20',
    };
    expect(computeDrift(flows.orderStatus, financeHeader, salesOrder, basicReference)).toEqual([
      { field: 'status', sales: '647390001', finance: 'Delivered' },
    ]);
  });
});
