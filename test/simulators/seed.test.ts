/**
 * The seed generator gives both simulators realistic, deterministic data whose overlap is what the
 * Prospect-to-cash flows leave behind: equal by the field maps, with some drift and some records on one
 * side only. Sizes stay at 300 and 1,200 accounts so the file runs in seconds.
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  addDecimals,
  compareDecimals,
  multiplyDecimals,
  subtractDecimals,
} from '../../src/simulators/core/decimal.js';
import type { EntitySetDef, PropertyDef, Row, Value } from '../../src/simulators/core/model.js';
import { financeEntitySets } from '../../src/simulators/finance/entities.js';
import { salesEntitySets } from '../../src/simulators/sales/entities.js';
import {
  countryIsoOf,
  countryNameToIso,
  financeUnitToSalesUnit,
  generateSeed,
  salesUnitToFinanceUnit,
  seedSummary,
  trickyAccountNames,
  type SeedData,
} from '../../src/simulators/seed/index.js';

const REFERENCE_DATE = '2026-01-01T00:00:00Z';
const small = generateSeed({ seed: 1, accounts: 300 });
const large = generateSeed({ seed: 1, accounts: 1200 });

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DECIMAL = /^-?\d+(\.\d+)?$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

const hashOf = (data: SeedData): string => createHash('sha256').update(JSON.stringify(data)).digest('hex');
const str = (row: Row, name: string): string => {
  const value = row[name];
  if (typeof value !== 'string') throw new Error(`${name} is ${String(value)}, expected text`);
  return value;
};
const ratio = (part: number, whole: number): number => (whole === 0 ? Number.NaN : part / whole);
const indexBy = (rows: readonly Row[], ...names: string[]): Map<string, Row> =>
  new Map(rows.map((row) => [names.map((n) => String(row[n])).join('|'), row]));
const groupBy = (rows: readonly Row[], name: string): Map<Value | undefined, Row[]> => {
  const groups = new Map<Value | undefined, Row[]>();
  for (const row of rows) groups.set(row[name], [...(groups.get(row[name]) ?? []), row]);
  return groups;
};

/** What a value of `def` may look like in a seed row; returns a problem or undefined. */
function typeProblem(def: PropertyDef, value: Value | undefined): string | undefined {
  if (value === undefined) return 'missing';
  if (value === null) return def.nullable === false ? 'null in a required property' : undefined;
  switch (def.type) {
    case 'Edm.Guid':
      return typeof value === 'string' && GUID.test(value) ? undefined : 'not a lower-case GUID';
    case 'Edm.Decimal':
      return typeof value === 'string' && DECIMAL.test(value) ? undefined : 'not decimal text';
    case 'Edm.Int32':
    case 'Edm.Int64':
      return Number.isInteger(value) ? undefined : 'not an integer';
    case 'Edm.Boolean':
      return typeof value === 'boolean' ? undefined : 'not a boolean';
    case 'Edm.DateTimeOffset':
      return typeof value === 'string' && DATE_TIME.test(value) && !Number.isNaN(Date.parse(value))
        ? undefined
        : 'not an ISO date-time ending in Z';
    default:
      if (typeof value !== 'string') return 'not text';
      if (def.maxLength !== undefined && value.length > def.maxLength) return `longer than ${def.maxLength}`;
      if (def.enumMembers && !def.enumMembers.includes(value)) return 'not an enum member';
      return undefined;
  }
}

const setsOf = (data: SeedData): [EntitySetDef, Row[]][] => [
  ...salesEntitySets.map((def): [EntitySetDef, Row[]] => [
    def,
    data.sales[def.name as keyof SeedData['sales']],
  ]),
  ...financeEntitySets.map((def): [EntitySetDef, Row[]] => [
    def,
    data.finance[def.name as keyof SeedData['finance']],
  ]),
];

describe('determinism', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('gives identical data for the same seed and size', () => {
    const again = generateSeed({ seed: 1, accounts: 300 });
    expect(again).toStrictEqual(small);
    expect(hashOf(again)).toBe(hashOf(small));
  });

  it('gives different data for a different seed', () => {
    const other = generateSeed({ seed: 2, accounts: 300 });
    expect(hashOf(other)).not.toBe(hashOf(small));
    expect(other.sales.accounts[0]?.['accountid']).not.toBe(small.sales.accounts[0]?.['accountid']);
  });

  it('does not depend on the clock', () => {
    vi.useFakeTimers({ now: new Date('2031-06-15T12:00:00Z') });
    expect(hashOf(generateSeed({ seed: 1, accounts: 300 }))).toBe(hashOf(small));
  });

  it('rejects a size that is not a whole number', () => {
    expect(() => generateSeed({ accounts: -1 })).toThrow(/accounts/);
    expect(() => generateSeed({ accounts: 1.5 })).toThrow(/accounts/);
  });
});

describe('row shape', () => {
  it.each(setsOf(small).map(([def, rows]) => [def.name, def, rows] as const))(
    'gives every %s row exactly the properties of its entity set, with values of the declared types',
    (_name, def, rows) => {
      expect(rows.length).toBeGreaterThan(0);
      const expected = Object.keys(def.properties)
        .filter((p) => p !== 'versionnumber')
        .sort();
      const problems: string[] = [];
      for (const row of rows) {
        const keys = Object.keys(row).sort();
        if (keys.join() !== expected.join()) problems.push(`keys ${keys.join()}`);
        for (const [name, prop] of Object.entries(def.properties)) {
          if (name === 'versionnumber') continue;
          const problem = typeProblem(prop, row[name]);
          if (problem) problems.push(`${name}=${JSON.stringify(row[name])}: ${problem}`);
        }
      }
      expect(problems.slice(0, 5)).toEqual([]);
    },
  );

  it.each(setsOf(large).map(([def, rows]) => [def.name, def, rows] as const))(
    'keeps %s keys unique (composite in Finance, case-insensitive) and alternate keys unique',
    (_name, def, rows) => {
      for (const key of [def.key, ...(def.alternateKeys ?? [])]) {
        const values = rows
          .filter((row) => key.every((p) => row[p] !== null))
          .map((row) => key.map((p) => String(row[p]).toLowerCase()).join('\u0000'));
        expect(new Set(values).size).toBe(values.length);
      }
    },
  );

  it('stamps every created and modified time before the reference date', () => {
    const latest = Date.parse(REFERENCE_DATE);
    for (const [, rows] of setsOf(small)) {
      for (const row of rows) {
        for (const name of ['createdon', 'modifiedon', 'LastEditDateTime']) {
          if (typeof row[name] === 'string') expect(Date.parse(str(row, name))).toBeLessThanOrEqual(latest);
        }
        if (typeof row['createdon'] === 'string' && typeof row['modifiedon'] === 'string') {
          expect(str(row, 'modifiedon') >= str(row, 'createdon')).toBe(true);
        }
      }
    }
  });

  it('dates the data relative to the given reference date', () => {
    const later = generateSeed({ accounts: 50, referenceDate: '2030-01-01T00:00:00Z' });
    const created = later.sales.accounts.map((a) => str(a, 'createdon'));
    expect(created.every((c) => c < '2030-01-01')).toBe(true);
    expect(created.some((c) => c > '2026-01-01')).toBe(true);
  });

  it.each([
    ['accounts', 'accountnumber', 'ACC'],
    ['contacts', 'msdynce_contactnumber', 'CON'],
    ['quotes', 'quotenumber', 'QUO'],
  ] as const)('numbers %s in the P2C style (%s), unique and at most 20 characters', (set, column, prefix) => {
    const numbers = large.sales[set].map((row) => row[column]).filter((n) => n !== null);
    expect(numbers.length).toBeGreaterThan(0);
    for (const number of numbers) {
      expect(number).toMatch(new RegExp(`^${prefix}-\\d{5,}-[A-Z]{6}$`));
      expect(String(number).length).toBeLessThanOrEqual(20);
    }
    expect(numbers).toContainEqual(expect.stringMatching(new RegExp(`^${prefix}-01000-`)));
    expect(new Set(numbers).size).toBe(numbers.length);
  });

  it('includes account names that need escaping', () => {
    const names = small.sales.accounts.map((a) => a['name']);
    for (const name of trickyAccountNames) expect(names).toContain(name);
    expect(names).toContain("O'Brien & Sons #1");
  });
});

describe('reference data', () => {
  it('has the Sales currencies and units and the Finance companies and customer groups', () => {
    expect(small.sales.transactioncurrencies.map((c) => c['isocurrencycode'])).toEqual(['USD', 'EUR', 'GBP']);
    expect(small.sales.uoms.map((u) => u['name'])).toEqual(['Primary Unit', 'ea', 'hr', 'kg', 'pcs']);
    expect(small.finance.LegalEntities.map((e) => [e['LegalEntityId'], e['Name']])).toEqual([
      ['usmf', 'Contoso Entertainment System USA'],
      ['demf', 'Contoso Entertainment System Germany'],
    ]);
    expect(
      small.finance.CustomerGroups.map((g) => `${String(g['dataAreaId'])}/${String(g['CustomerGroupId'])}`),
    ).toEqual(['usmf/10', 'usmf/20', 'usmf/30', 'usmf/40', 'demf/10', 'demf/20']);
  });

  it('has price lists in USD and EUR (none in GBP), the first USD one by name set up second', () => {
    const currency = new Map(
      small.sales.transactioncurrencies.map((c) => [c['transactioncurrencyid'], c['isocurrencycode']]),
    );
    expect(
      small.sales.pricelevels.map((list) => [
        list['name'],
        currency.get(list['_transactioncurrencyid_value'] ?? null),
      ]),
    ).toEqual([
      ['Wholesale USD', 'USD'],
      ['Retail USD', 'USD'],
      ['Retail EUR', 'EUR'],
    ]);
    expect(small.sales.pricelevels.every((list) => list['statecode'] === 0)).toBe(true);
  });

  it('uses only customer groups that exist in the customer’s company', () => {
    const groups = new Set(
      large.finance.CustomerGroups.map((g) => `${String(g['dataAreaId'])}/${String(g['CustomerGroupId'])}`),
    );
    for (const customer of large.finance.CustomersV3) {
      expect(groups).toContain(`${String(customer['dataAreaId'])}/${String(customer['CustomerGroupId'])}`);
    }
  });
});

describe('value maps', () => {
  it.each([
    ['United States', 'USA'],
    ['Germany', 'DEU'],
    ['United Kingdom', 'GBR'],
    ['Canada', 'CAN'],
  ])('maps the Sales country %s to the ISO alpha-3 code %s', (name, iso) => {
    expect(countryNameToIso[name]).toBe(iso);
    expect(countryIsoOf(name)).toBe(iso);
  });

  it.each([null, '', '  '])('maps a blank country (%j) to USA for accounts and US for quotes', (blank) => {
    expect(countryIsoOf(blank)).toBe('USA');
    expect(countryIsoOf(blank, 'US')).toBe('US');
  });

  it('leaves an unknown country unmapped', () => {
    expect(countryIsoOf('Atlantis')).toBeUndefined();
  });

  it.each(Object.entries(financeUnitToSalesUnit))(
    'round-trips the Finance unit %s through Sales uom %s',
    (symbol, name) => {
      expect(salesUnitToFinanceUnit[name]).toBe(symbol);
    },
  );

  it('maps the Sales default unit to each', () => {
    expect(salesUnitToFinanceUnit['Primary Unit']).toBe('ea');
  });
});

describe('accounts and customers', () => {
  const usmf = large.finance.CustomersV3.filter((c) => c['dataAreaId'] === 'usmf');
  const customers = indexBy(usmf, 'CustomerAccount');
  const numbered = large.sales.accounts.filter((a) => a['accountnumber'] !== null);
  const currencyCode = new Map(
    large.sales.transactioncurrencies.map((c) => [c['transactioncurrencyid'], c['isocurrencycode']]),
  );
  /** The P2C accounts field map, as the test's own statement of it. */
  const mapped = (account: Row): Row => ({
    OrganizationName: account['name'] ?? null,
    PrimaryContactPhone: account['telephone1'] ?? null,
    PrimaryContactEmail: account['emailaddress1'] ?? null,
    PrimaryContactURL: account['websiteurl'] ?? null,
    PrimaryContactFax: account['fax'] ?? null,
    SalesMemo: account['description'] ?? null,
    CreditLimit: account['creditlimit'] ?? null,
    SalesCurrencyCode: currencyCode.get(account['_transactioncurrencyid_value'] ?? null) ?? null,
    DeliveryAddressStreet: account['address1_line1'] ?? null,
    DeliveryAddressCity: account['address1_city'] ?? null,
    DeliveryAddressState: account['address1_stateorprovince'] ?? null,
    DeliveryAddressZipCode: account['address1_postalcode'] ?? null,
    DeliveryAddressCountryRegionISOCode: countryIsoOf(account['address1_country'] ?? null, 'USA') ?? null,
    InvoiceAddressStreet: account['address2_line1'] ?? null,
    InvoiceAddressCity: account['address2_city'] ?? null,
    InvoiceAddressState: account['address2_stateorprovince'] ?? null,
    InvoiceAddressZipCode: account['address2_postalcode'] ?? null,
    CustomerGroupId: '10',
    LanguageId: 'en-us',
    PartyType: 'Organization',
    IsExternallyMaintained: 'Yes',
  });
  const differences = (account: Row, customer: Row): string[] =>
    Object.entries(mapped(account))
      .filter(([name, value]) =>
        name === 'CreditLimit'
          ? compareDecimals(String(value), String(customer[name])) !== 0
          : customer[name] !== value,
      )
      .map(([name]) => name);
  const inFinance = numbered.filter((a) => customers.has(str(a, 'accountnumber')));
  const drifted = inFinance.filter((a) => differences(a, customers.get(str(a, 'accountnumber'))!).length > 0);

  it('leaves about 5% of accounts without an account number', () => {
    expect(ratio(large.sales.accounts.length - numbered.length, large.sales.accounts.length)).toBeGreaterThan(
      0.02,
    );
    expect(ratio(large.sales.accounts.length - numbered.length, large.sales.accounts.length)).toBeLessThan(
      0.09,
    );
  });

  it('mirrors most numbered accounts in usmf and leaves some Sales-only', () => {
    expect(ratio(inFinance.length, numbered.length)).toBeGreaterThan(0.8);
    expect(ratio(inFinance.length, numbered.length)).toBeLessThan(0.96);
  });

  it('keeps every mapped field equal except on a few drifted customers', () => {
    expect(ratio(drifted.length, inFinance.length)).toBeGreaterThan(0.03);
    expect(ratio(drifted.length, inFinance.length)).toBeLessThan(0.14);
  });

  it('drifts a customer in exactly one of phone, credit limit or name', () => {
    const kinds = new Set<string>();
    for (const account of drifted) {
      const changed = differences(account, customers.get(str(account, 'accountnumber'))!);
      expect(changed).toHaveLength(1);
      expect(['PrimaryContactPhone', 'CreditLimit', 'OrganizationName']).toContain(changed[0]);
      kinds.add(changed[0]!);
    }
    expect(kinds.size).toBe(3);
  });

  it('maps blank and foreign countries through the country map', () => {
    const isoCodes = new Set(
      inFinance.map((a) => customers.get(str(a, 'accountnumber'))!['DeliveryAddressCountryRegionISOCode']),
    );
    expect([...isoCodes].sort()).toEqual(['CAN', 'DEU', 'GBR', 'USA']);
    expect(inFinance.some((a) => a['address1_country'] === null)).toBe(true);
  });

  it('keeps a few Finance-only customers in usmf and a small set of demf customers in EUR', () => {
    const own = usmf.filter((c) => c['IsExternallyMaintained'] === 'No');
    expect(own.length).toBeGreaterThanOrEqual(3);
    expect(ratio(own.length, large.sales.accounts.length)).toBeLessThan(0.05);
    for (const customer of own) expect(customer['CustomerAccount']).toMatch(/^US-\d{3,}$/);
    const demf = large.finance.CustomersV3.filter((c) => c['dataAreaId'] === 'demf');
    expect(demf.length).toBeGreaterThanOrEqual(3);
    for (const customer of demf) {
      expect(customer['CustomerAccount']).toMatch(/^DE-\d{3,}$/);
      expect(customer['SalesCurrencyCode']).toBe('EUR');
    }
  });

  it('gives every Finance party a unique 9-digit party number', () => {
    const parties = [
      ...large.finance.CustomersV3.map((c) => c['PartyNumber']),
      ...large.finance.ContactPersons.map((c) => c['ContactPersonPartyNumber']),
    ];
    for (const party of parties) expect(party).toMatch(/^\d{9}$/);
    expect(new Set(parties).size).toBe(parties.length);
    expect(parties).toContain('000001001');
  });
});

describe('contacts', () => {
  const contacts = large.sales.contacts;
  const accountsById = indexBy(large.sales.accounts, 'accountid');
  const customers = large.finance.CustomersV3;
  const partyOwner = indexBy(customers, 'dataAreaId', 'PartyNumber');
  const contactsByNumber = indexBy(
    contacts.filter((c) => c['msdynce_contactnumber'] !== null),
    'msdynce_contactnumber',
  );

  it('gives each account one to four contacts, and a few contacts no parent', () => {
    const perAccount = groupBy(contacts, '_parentcustomerid_value');
    for (const account of large.sales.accounts) {
      const count = perAccount.get(account['accountid'] ?? null)?.length ?? 0;
      expect(count).toBeGreaterThanOrEqual(1);
      expect(count).toBeLessThanOrEqual(4);
    }
    expect(perAccount.get(null)?.length ?? 0).toBeGreaterThan(0);
    for (const contact of contacts) {
      expect(contact['fullname']).toBe(`${String(contact['firstname'])} ${String(contact['lastname'])}`);
      if (contact['_parentcustomerid_value'] !== null)
        expect(accountsById.has(str(contact, '_parentcustomerid_value'))).toBe(true);
    }
  });

  it('flags about 10% as active customers and leaves a few without a contact number', () => {
    expect(
      ratio(contacts.filter((c) => c['msdynce_isactivecustomer'] === true).length, contacts.length),
    ).toBeGreaterThan(0.06);
    expect(
      ratio(contacts.filter((c) => c['msdynce_isactivecustomer'] === true).length, contacts.length),
    ).toBeLessThan(0.14);
    expect(contacts.some((c) => c['msdynce_contactnumber'] === null)).toBe(true);
  });

  it('attaches every contact person to a customer’s party number', () => {
    expect(large.finance.ContactPersons.length).toBeGreaterThan(0);
    for (const person of large.finance.ContactPersons) {
      const customer = partyOwner.get(
        `${String(person['dataAreaId'])}|${String(person['AssociatedPartyNumber'])}`,
      );
      expect(customer, String(person['ContactPersonId'])).toBeDefined();
      const contact = contactsByNumber.get(str(person, 'ContactPersonId'))!;
      const account = accountsById.get(str(contact, '_parentcustomerid_value'))!;
      expect(customer!['CustomerAccount']).toBe(account['accountnumber']);
    }
  });

  it('maps contact persons by the contacts field map', () => {
    for (const person of large.finance.ContactPersons) {
      const contact = contactsByNumber.get(str(person, 'ContactPersonId'))!;
      expect(contact['msdynce_isactivecustomer']).toBe(false);
      expect({
        FirstName: person['FirstName'],
        LastName: person['LastName'],
        ContactPersonName: person['ContactPersonName'],
        PrimaryEmailAddress: person['PrimaryEmailAddress'],
        PrimaryPhoneNumber: person['PrimaryPhoneNumber'],
        EmploymentJobTitle: person['EmploymentJobTitle'],
        PrimaryAddressStreet: person['PrimaryAddressStreet'],
        PrimaryAddressCountryRegionISOCode: person['PrimaryAddressCountryRegionISOCode'],
        IsContactPersonExternallyMaintained: person['IsContactPersonExternallyMaintained'],
      }).toEqual({
        FirstName: contact['firstname'],
        LastName: contact['lastname'],
        ContactPersonName: contact['fullname'],
        PrimaryEmailAddress: contact['emailaddress1'],
        PrimaryPhoneNumber: contact['telephone1'],
        EmploymentJobTitle: contact['jobtitle'],
        PrimaryAddressStreet: contact['address1_line1'],
        PrimaryAddressCountryRegionISOCode: countryIsoOf(contact['address1_country'] ?? null),
        IsContactPersonExternallyMaintained: 'Yes',
      });
    }
  });

  it('holds most active-customer contacts as person customers and leaves some contacts out of Finance', () => {
    const persons = customers.filter((c) => c['PartyType'] === 'Person');
    const active = contacts.filter(
      (c) => c['msdynce_isactivecustomer'] === true && c['msdynce_contactnumber'] !== null,
    );
    expect(ratio(persons.length, active.length)).toBeGreaterThan(0.6);
    expect(ratio(persons.length, active.length)).toBeLessThan(1);
    for (const person of persons) {
      const contact = contactsByNumber.get(str(person, 'CustomerAccount'))!;
      expect(contact['msdynce_isactivecustomer']).toBe(true);
      expect([person['PersonFirstName'], person['PersonLastName'], person['CustomerGroupId']]).toEqual([
        contact['firstname'],
        contact['lastname'],
        '10',
      ]);
    }
    const inFinance = large.finance.ContactPersons.length + persons.length;
    expect(inFinance).toBeLessThan(contactsByNumber.size);
  });
});

describe('products', () => {
  const finance = large.finance.SellableReleasedProducts;
  const usmf = finance.filter((p) => p['dataAreaId'] === 'usmf');
  const sales = large.sales.products;
  const uomName = new Map(large.sales.uoms.map((u) => [u['uomid'], u['name']]));
  const synced = sales.filter((p) => p['msdynce_ismaintainedexternally'] === true);
  const byNumber = indexBy(usmf, 'ProductNumber');

  it('releases about a third as many products as accounts in usmf and fewer in demf, in USD and EUR', () => {
    expect(usmf.length).toBe(400);
    const demf = finance.filter((p) => p['dataAreaId'] === 'demf');
    expect(demf.length).toBeGreaterThan(0);
    expect(demf.length).toBeLessThan(usmf.length);
    expect(new Set(usmf.map((p) => p['CurrencyCode']))).toEqual(new Set(['USD']));
    expect(new Set(demf.map((p) => p['CurrencyCode']))).toEqual(new Set(['EUR']));
  });

  it('keeps at least 40 products in a small data set', () => {
    expect(
      generateSeed({ accounts: 30 }).finance.SellableReleasedProducts.filter(
        (p) => p['dataAreaId'] === 'usmf',
      ),
    ).toHaveLength(40);
  });

  it('numbers items D/P/T0001 and services SVC-0001, with units, precision and costs that fit', () => {
    for (const product of finance) {
      const service = product['ProductType'] === 'Service';
      expect(product['ProductNumber']).toMatch(service ? /^SVC-\d{4,}$/ : /^[DPT]\d{4,}$/);
      expect(product['SalesUnitSymbol']).toMatch(service ? /^hr$/ : /^(ea|pcs|kg)$/);
      expect(product['SalesUnitDecimalPrecision']).toBe(
        ['hr', 'kg'].includes(str(product, 'SalesUnitSymbol')) ? 2 : 0,
      );
      expect(compareDecimals(str(product, 'UnitCost'), str(product, 'SalesPrice'))).toBe(-1);
    }
    expect(finance.some((p) => p['IsSalesStopped'] === 'Yes')).toBe(true);
  });

  it('has about 60% of usmf products in Sales with equal mapped values, a few with a drifted price', () => {
    expect(ratio(synced.length, usmf.length)).toBeGreaterThan(0.5);
    expect(ratio(synced.length, usmf.length)).toBeLessThan(0.7);
    let drifted = 0;
    for (const product of synced) {
      const source = byNumber.get(str(product, 'productnumber'))!;
      expect({
        name: product['name'],
        description: product['description'],
        currentcost: product['currentcost'],
        producttypecode: product['producttypecode'],
        quantitydecimal: product['quantitydecimal'],
        uom: uomName.get(product['_defaultuomid_value'] ?? null),
        statecode: product['statecode'],
      }).toEqual({
        name: source['ProductName'],
        description: source['ProductDescription'],
        currentcost: source['UnitCost'],
        producttypecode: source['ProductType'] === 'Item' ? 1 : 3,
        quantitydecimal: source['SalesUnitDecimalPrecision'],
        uom: financeUnitToSalesUnit[str(source, 'SalesUnitSymbol') as keyof typeof financeUnitToSalesUnit],
        statecode: 0,
      });
      if (compareDecimals(str(product, 'price'), str(source, 'SalesPrice')) !== 0) drifted += 1;
    }
    expect(drifted).toBeGreaterThan(0);
    expect(ratio(drifted, synced.length)).toBeLessThan(0.12);
  });

  it('puts every Sales product on Retail USD, its default price list, at the price it was listed at', () => {
    const retailUsd = large.sales.pricelevels.find((list) => list['name'] === 'Retail USD')!['pricelevelid'];
    const items = groupBy(large.sales.productpricelevels, '_productid_value');
    let edited = 0;
    for (const product of sales) {
      expect(product['_pricelevelid_value']).toBe(retailUsd);
      const [item, ...others] = items.get(product['productid']) ?? [];
      expect(others).toEqual([]);
      expect(item).toMatchObject({
        _pricelevelid_value: retailUsd,
        _uomid_value: product['_defaultuomid_value'],
        _transactioncurrencyid_value: product['_transactioncurrencyid_value'],
        pricingmethodcode: 1,
      });
      const source = byNumber.get(str(product, 'productnumber'));
      // A synchronised product was listed at Finance's price; a seller may have edited its list price since.
      const listed = source ? str(source, 'SalesPrice') : str(product, 'price');
      expect(compareDecimals(str(item!, 'amount'), listed)).toBe(0);
      if (compareDecimals(str(item!, 'amount'), str(product, 'price')) !== 0) edited += 1;
    }
    expect(edited).toBeGreaterThan(0);
    expect(large.sales.productpricelevels).toHaveLength(sales.length);
  });

  it('keeps a couple of Sales-only products that Finance does not know', () => {
    const own = sales.filter((p) => p['msdynce_ismaintainedexternally'] === false);
    expect(own.length).toBeGreaterThanOrEqual(2);
    for (const product of own) expect(byNumber.has(str(product, 'productnumber'))).toBe(false);
  });
});

describe('quotes', () => {
  const { quotes, quotedetails, products, accounts } = large.sales;
  const quotesById = indexBy(quotes, 'quoteid');
  const productsById = indexBy(products, 'productid');
  const accountsById = indexBy(accounts, 'accountid');
  const linesByQuote = groupBy(quotedetails, '_quoteid_value');
  const usmfCustomers = indexBy(
    large.finance.CustomersV3.filter((c) => c['dataAreaId'] === 'usmf'),
    'CustomerAccount',
  );

  it('keeps state and status consistent, in a mix of draft, active, won and closed', () => {
    const statuses: Record<number, number[]> = { 0: [1], 1: [2, 3], 2: [4], 3: [5, 6, 7] };
    const perState = [0, 0, 0, 0];
    for (const quote of quotes) {
      const state = quote['statecode'] as number;
      expect(statuses[state]).toContain(quote['statuscode']);
      perState[state]! += 1;
    }
    const shares = perState.map((n) => ratio(n, quotes.length));
    [0.3, 0.35, 0.2, 0.15].forEach((expected, state) => {
      expect(Math.abs(shares[state]! - expected)).toBeLessThan(0.07);
    });
  });

  it('quotes an existing account, with zero to three quotes per numbered account', () => {
    const perAccount = groupBy(quotes, '_customerid_value');
    for (const [accountId, accountQuotes] of perAccount) {
      const account = accountsById.get(String(accountId));
      expect(account).toBeDefined();
      if (account!['accountnumber'] !== null) expect(accountQuotes.length).toBeLessThanOrEqual(3);
    }
    expect(quotes.some((q) => accountsById.get(str(q, '_customerid_value'))!['accountnumber'] === null)).toBe(
      true,
    );
  });

  it('references an existing quote and (unless write-in) an existing product from every quote line', () => {
    for (const line of quotedetails) {
      expect(quotesById.has(str(line, '_quoteid_value'))).toBe(true);
      if (line['isproductoverridden'] === true) {
        expect(line['_productid_value']).toBeNull();
        expect(line['productdescription']).toEqual(expect.any(String));
      } else {
        const product = productsById.get(str(line, '_productid_value'));
        expect(product).toBeDefined();
        expect(line['priceperunit']).toBe(product!['price']);
        expect(line['_uomid_value']).toBe(product!['_defaultuomid_value']);
      }
    }
    const writeIns = new Set(
      quotedetails.filter((l) => l['isproductoverridden'] === true).map((l) => l['_quoteid_value']),
    );
    expect(ratio(writeIns.size, quotes.length)).toBeGreaterThan(0.02);
    expect(ratio(writeIns.size, quotes.length)).toBeLessThan(0.09);
  });

  it('numbers each quote’s lines 1..n, one to six of them', () => {
    for (const quote of quotes) {
      const sequence = (linesByQuote.get(quote['quoteid']) ?? []).map((l) => l['sequencenumber']);
      expect(sequence.length).toBeGreaterThanOrEqual(1);
      expect(sequence.length).toBeLessThanOrEqual(6);
      expect(sequence).toEqual(sequence.map((_, i) => i + 1));
    }
  });

  it('computes extendedamount and totalamount exactly', () => {
    let discounted = 0;
    for (const quote of quotes) {
      let total = '0';
      for (const line of linesByQuote.get(quote['quoteid']) ?? []) {
        const expected = subtractDecimals(
          multiplyDecimals(str(line, 'quantity'), str(line, 'priceperunit')),
          str(line, 'manualdiscountamount'),
        );
        expect(compareDecimals(str(line, 'extendedamount'), expected)).toBe(0);
        if (compareDecimals(str(line, 'manualdiscountamount'), '0') !== 0) discounted += 1;
        total = addDecimals(total, str(line, 'extendedamount'));
      }
      expect(compareDecimals(str(quote, 'totalamount'), total)).toBe(0);
    }
    expect(discounted).toBeGreaterThan(0);
    expect(ratio(discounted, quotedetails.length)).toBeLessThan(0.3);
  });

  it('has about half the eligible Active quotes in Finance as Sent quotations', () => {
    const eligible = quotes.filter((quote) => {
      const number = accountsById.get(str(quote, '_customerid_value'))!['accountnumber'];
      const lines = linesByQuote.get(quote['quoteid']) ?? [];
      return (
        quote['statecode'] === 1 &&
        typeof number === 'string' &&
        usmfCustomers.has(number) &&
        lines.every(
          (l) => productsById.get(String(l['_productid_value']))?.['msdynce_ismaintainedexternally'] === true,
        )
      );
    });
    const eligibleNumbers = new Set(eligible.map((q) => q['quotenumber']));
    const headers = large.finance.SalesQuotationHeadersV2;
    for (const header of headers) {
      expect(eligibleNumbers).toContain(header['SalesQuotationNumber']);
      expect(header['SalesQuotationStatus']).toBe('Sent');
    }
    expect(ratio(headers.length, eligible.length)).toBeGreaterThan(0.35);
    expect(ratio(headers.length, eligible.length)).toBeLessThan(0.65);
  });

  it('maps mirrored quotation headers and lines by the quotes field map, with exact line amounts', () => {
    const quotesByNumber = indexBy(quotes, 'quotenumber');
    const financeLines = groupBy(large.finance.SalesQuotationLines, 'SalesQuotationNumber');
    const uomName = new Map(large.sales.uoms.map((u) => [u['uomid'], str(u, 'name')]));
    for (const header of large.finance.SalesQuotationHeadersV2) {
      const quote = quotesByNumber.get(str(header, 'SalesQuotationNumber'))!;
      const account = accountsById.get(str(quote, '_customerid_value'))!;
      expect(header['RequestingCustomerAccountNumber']).toBe(account['accountnumber']);
      expect(header['InvoiceCustomerAccountNumber']).toBe(account['accountnumber']);
      expect(header['SalesQuotationName']).toBe(quote['name']);
      expect(header['SalesQuotationExpiryDate']).toBe(quote['effectiveto']);
      expect(header['RequestedShippingDate']).toBe(quote['requestdeliveryby'] ?? quote['effectiveto']);
      expect(header['DeliveryAddressCountryRegionISOCode']).toBe(
        countryIsoOf(quote['shipto_country'] ?? null, 'US'),
      );
      const lines = linesByQuote.get(quote['quoteid']) ?? [];
      const mirrored = financeLines.get(header['SalesQuotationNumber']) ?? [];
      expect(mirrored.map((l) => l['LineCreationSequenceNumber'])).toEqual(
        lines.map((l) => l['sequencenumber']),
      );
      mirrored.forEach((financeLine, i) => {
        const line = lines[i]!;
        expect(financeLine['ItemNumber']).toBe(
          productsById.get(str(line, '_productid_value'))!['productnumber'],
        );
        expect(financeLine['SalesUnitSymbol']).toBe(
          salesUnitToFinanceUnit[
            uomName.get(line['_uomid_value'] ?? null) as keyof typeof salesUnitToFinanceUnit
          ],
        );
        expect([
          financeLine['RequestedSalesQuantity'],
          financeLine['SalesPrice'],
          financeLine['LineDiscountAmount'],
        ]).toEqual([line['quantity'], line['priceperunit'], line['manualdiscountamount']]);
        const amount = subtractDecimals(
          multiplyDecimals(str(financeLine, 'RequestedSalesQuantity'), str(financeLine, 'SalesPrice')),
          str(financeLine, 'LineDiscountAmount'),
        );
        expect(compareDecimals(str(financeLine, 'LineAmount'), amount)).toBe(0);
      });
    }
    for (const line of large.finance.SalesQuotationLines) expect(line['InventoryLotId']).toMatch(/^\d{9}$/);
  });
});

describe('size', () => {
  it('scales row counts with the number of accounts', () => {
    const a = seedSummary(small);
    const b = seedSummary(large);
    for (const set of [
      'accounts',
      'contacts',
      'quotes',
      'quotedetails',
      'products',
      'CustomersV3',
      'ContactPersons',
      'SalesQuotationLines',
      'SellableReleasedProducts',
    ] as const) {
      expect(ratio(b[set], a[set]), set).toBeGreaterThan(2.5);
      expect(ratio(b[set], a[set]), set).toBeLessThan(6);
    }
    expect(b.accounts).toBe(1200);
    expect(b.transactioncurrencies).toBe(a.transactioncurrencies);
  });

  it('summarises row counts for every set of both simulators', () => {
    const summary = seedSummary(small);
    expect(Object.keys(summary)).toEqual([...salesEntitySets, ...financeEntitySets].map((s) => s.name));
    expect(summary.accounts).toBe(300);
    expect(summary.SalesQuotationLines).toBe(small.finance.SalesQuotationLines.length);
  });

  it('generates only reference data and a minimum catalogue for zero accounts', () => {
    const empty = seedSummary(generateSeed({ accounts: 0 }));
    expect([empty.accounts, empty.contacts, empty.quotes, empty.CustomersV3, empty.ContactPersons]).toEqual([
      0, 0, 0, 0, 0,
    ]);
    expect(empty.SellableReleasedProducts).toBeGreaterThanOrEqual(40);
  });
});
