/**
 * The read model shows records through the flow definitions: a unified field is the column its flow maps,
 * from the system of record first; a contact's Finance row is the one its route writes; a record's sync
 * state is what the next run would act on. Rows are hand-written so each case states what it expects.
 */
import { describe, expect, it } from 'vitest';
import type { FinanceContactPerson, FinanceCustomer } from '../../src/connectors/finance/types.js';
import type { SalesContact } from '../../src/connectors/sales/types.js';
import { contentHash } from '../../src/sync/engine/outcomes.js';
import { flows, type FlowDefinition } from '../../src/sync/flows/index.js';
import { applyMapping } from '../../src/sync/mapping.js';
import {
  counterpartOf,
  recordView,
  recordViews,
  routedMapping,
  syncStatusOf,
  type RecordRows,
  type SyncFacts,
} from '../../src/sync/read-model/index.js';
import { createReferenceData } from '../../src/sync/reference.js';

const usd = '00000000-0000-0000-0000-0000000000d1';
const each = '00000000-0000-0000-0000-0000000000e1';
const reference = createReferenceData({
  currencies: [{ transactioncurrencyid: usd, isocurrencycode: 'USD' }],
  units: [{ uomid: each, name: 'Each' }],
});

/** Rows that count how often each side is read; any view takes them (rows are plain data to a view). */
function rowsOf(source: object | null, target: object | null) {
  const reads = { source: 0, target: 0, reference: 0 };
  const rows: RecordRows<object, object> = {
    source: async () => (reads.source++, source),
    target: async () => (reads.target++, target),
    reference: async () => (reads.reference++, reference),
  };
  return { rows: rows as RecordRows<never, never>, reads };
}

const salesAccount = {
  accountnumber: 'ACC-1',
  name: 'Contoso',
  telephone1: '555-0100',
  creditlimit: '1000.00',
  _transactioncurrencyid_value: usd,
  address1_line1: '1 Main St',
  address1_city: 'Springfield',
  address1_stateorprovince: 'IL',
  address1_postalcode: '62701',
  address1_country: 'United States',
};
const financeCustomer = {
  CustomerAccount: 'ACC-1',
  OrganizationName: 'Contoso Ltd',
  PrimaryContactPhone: '555-0199',
  CreditLimit: '2000.00',
  SalesCurrencyCode: 'EUR',
  CustomerGroupId: '20',
  PartyType: 'Organization',
  DeliveryAddressStreet: '2 Side St',
  DeliveryAddressCity: 'Shelbyville',
  DeliveryAddressState: 'IN',
  DeliveryAddressZipCode: '46176',
  DeliveryAddressCountryRegionISOCode: 'USA',
};
const contactPerson = {
  ContactPersonId: 'CON-1',
  FirstName: 'Ada',
  ContactPersonName: 'Ada Lovelace',
  EmploymentJobTitle: 'Analyst',
  PrimaryAddressStateId: 'NY',
  AssociatedPartyNumber: 'PTY-1',
} as unknown as FinanceContactPerson;
const personCustomer = {
  CustomerAccount: 'CON-1',
  PersonFirstName: 'Ada',
  OrganizationName: 'Ada Lovelace',
  PartyType: 'Person',
  DeliveryAddressState: 'CA',
} as unknown as FinanceCustomer;
const contact = (values: Partial<SalesContact>) =>
  ({ msdynce_contactnumber: 'CON-1', firstname: 'Ada', ...values }) as SalesContact;

const account = recordView<object, object>(flows.accounts);

describe('unified fields', () => {
  it.each([
    ['name', 'Contoso', 'Contoso Ltd'],
    ['phone', '555-0100', '555-0199'],
    ['creditLimit', '1000.00', '2000.00'],
    ['address.city', 'Springfield', 'Shelbyville'],
    ['address.stateOrProvince', 'IL', 'IN'],
    ['address.country', 'United States', 'USA'],
  ])(
    'reads %s from the column the accounts flow maps, in Sales or in Finance',
    async (field, sales, finance) => {
      expect(await account.value(field, rowsOf(salesAccount, financeCustomer).rows)).toBe(sales);
      expect(await account.value(field, rowsOf(null, financeCustomer).rows)).toBe(finance);
    },
  );

  it('reads the system of record only, unless the record is not there', async () => {
    const both = rowsOf(salesAccount, financeCustomer);
    await account.value('name', both.rows);
    expect(both.reads).toEqual({ source: 1, target: 0, reference: 0 });
    const financeOnly = rowsOf(null, financeCustomer);
    expect(await account.read('name', financeOnly.rows)).toMatchObject({
      side: 'target',
      system: 'finance',
      column: 'OrganizationName',
      value: 'Contoso Ltd',
    });
    expect(financeOnly.reads).toEqual({ source: 1, target: 1, reference: 0 });
    expect(await account.value('name', rowsOf(null, null).rows)).toBeNull();
  });

  it('reads a constant the flow sets on create from the target alone', async () => {
    const { rows, reads } = rowsOf(salesAccount, financeCustomer);
    expect(await account.value('customerGroup', rows, { only: 'target' })).toBe('20');
    expect(reads).toEqual({ source: 0, target: 1, reference: 0 });
    expect(await account.value('customerGroup', rows)).toBeNull();
  });

  it('takes the other system’s value for a field the system of record leaves null, when asked', async () => {
    const nameless = { ...salesAccount, name: null };
    expect(await account.value('name', rowsOf(nameless, financeCustomer).rows)).toBeNull();
    const fallBack = { fallBack: 'whenNull' } as const;
    expect(await account.value('name', rowsOf(nameless, financeCustomer).rows, fallBack)).toBe('Contoso Ltd');
    expect(await account.value('name', rowsOf(nameless, null).rows, fallBack)).toBeNull();
  });

  it('shows a Sales currency or unit id as what it stands for, and an unknown one as null', async () => {
    const { rows, reads } = rowsOf(salesAccount, financeCustomer);
    expect(await account.value('currency', rows)).toBe('USD');
    expect(reads.reference).toBe(1);
    const unknown = { ...salesAccount, _transactioncurrencyid_value: '00000000-0000-0000-0000-00000000ffff' };
    expect(await account.value('currency', rowsOf(unknown, null).rows)).toBeNull();
    const blank = rowsOf({ ...salesAccount, _transactioncurrencyid_value: null }, null);
    expect(await account.value('currency', blank.rows)).toBeNull();
    expect(blank.reads.reference).toBe(0);
    expect(await account.value('currency', rowsOf(null, financeCustomer).rows)).toBe('EUR');
    const product = rowsOf(
      { ProductNumber: 'P-1', SalesUnitSymbol: 'ea' },
      { productnumber: 'P-1', _defaultuomid_value: each },
    );
    const salesOnly = rowsOf(null, { productnumber: 'P-1', _defaultuomid_value: each });
    expect(await recordViews.product.value('unit', product.rows)).toBe('ea');
    expect(await recordViews.product.value('unit', salesOnly.rows)).toBe('Each');
  });

  it('reads every part of an address from one row', async () => {
    expect(
      await account.values(['address.line1', 'address.postalCode'], rowsOf(null, financeCustomer).rows),
    ).toEqual({ 'address.line1': '2 Side St', 'address.postalCode': '46176' });
  });

  it('reads a contact’s Finance row by the mapping it belongs to', async () => {
    const contacts = recordViews.contact;
    const cases = [
      [contactPerson, 'address.stateOrProvince', 'PrimaryAddressStateId', 'NY'],
      [personCustomer, 'address.stateOrProvince', 'DeliveryAddressState', 'CA'],
      [contactPerson, 'jobTitle', 'EmploymentJobTitle', 'Analyst'],
      [personCustomer, 'jobTitle', null, null],
      [contactPerson, 'fullName', null, null],
      [personCustomer, 'fullName', 'OrganizationName', 'Ada Lovelace'],
    ] as const;
    for (const [row, field, column, value] of cases) {
      expect(await contacts.read(field, rowsOf(null, row).rows)).toMatchObject({ column, value });
    }
    // The source row holds every column whichever route it takes: a person customer's job title too.
    const active = contact({ msdynce_isactivecustomer: true, jobtitle: 'Owner' });
    expect(await contacts.value('jobTitle', rowsOf(active, personCustomer).rows)).toBe('Owner');
  });

  it('refuses a field the flow does not map, and a lookup shown as a value, naming what it can do', async () => {
    await expect(account.value('nickname', rowsOf(salesAccount, null).rows)).rejects.toThrow(
      /The accounts flow maps no unified field 'nickname' \(it maps accountNumber, name, /,
    );
    await expect(recordViews.quote.value('account', rowsOf({}, null).rows)).rejects.toThrow(
      /'account' of the quotes flow is another record's id in the source: read it, and resolve the id/,
    );
  });

  it('gives each row’s business key', () => {
    expect(recordViews.quoteLine.keyOf('source', { sequencenumber: 3 } as never)).toBe(3);
    expect(recordViews.quoteLine.keyOf('target', { LineCreationSequenceNumber: 4 } as never)).toBe(4);
    expect(recordViews.contact.keyOf('target', personCustomer)).toBe('CON-1');
    expect(recordViews.contact.keyOf('target', contactPerson)).toBe('CON-1');
  });

  it.each(Object.values(flows))(
    'the $name flow reads each unified field from one source column, whatever the route',
    (flow: FlowDefinition) => {
      const columns = new Map<string, Set<string>>();
      for (const mapping of flow.mappings) {
        for (const field of mapping.fields) {
          const key = `${mapping.source.kind} ${field.field}`;
          columns.set(key, (columns.get(key) ?? new Set()).add(field.source));
        }
      }
      for (const [field, sources] of columns)
        expect([field, [...sources]]).toEqual([field, [...sources].slice(0, 1)]);
    },
  );
});

describe('routes and counterparts', () => {
  const parented = contact({ msdynce_isactivecustomer: false, _parentcustomerid_value: 'acc-id' });
  const active = contact({ msdynce_isactivecustomer: true, _parentcustomerid_value: 'acc-id' });
  const unrouted = contact({ msdynce_isactivecustomer: false, _parentcustomerid_value: null });
  const organisation = { ...personCustomer, PartyType: 'Organization' } as FinanceCustomer;

  it.each([
    ['an active customer', active, 'personCustomer'],
    ['a contact parented by an account', parented, 'contactPerson'],
    ['a contact the flow skips (the last route’s mapping)', unrouted, 'contactPerson'],
  ])('routes %s', (_, row, mapping) => {
    expect(routedMapping(flows.contacts, row, {}).name).toBe(mapping);
  });

  it.each([
    ['an active customer: its person customer', active, [contactPerson, personCustomer], personCustomer],
    ['an active customer: whatever the customer row is', active, [contactPerson, organisation], organisation],
    ['an active customer without one: none', active, [contactPerson, null], null],
    ['a parented contact: its contact person', parented, [contactPerson, personCustomer], contactPerson],
    ['a contact the flow skips: its contact person', unrouted, [null, personCustomer], null],
    ['no Sales contact: a contact person first', null, [contactPerson, personCustomer], contactPerson],
    ['no Sales contact: a person customer', null, [null, personCustomer], personCustomer],
    ['no Sales contact: never an organisation customer', null, [null, organisation], null],
  ] as const)('picks the counterpart of %s', (_, source, candidates, expected) => {
    expect(counterpartOf<object>(flows.contacts, source, candidates)).toBe(expected);
  });
});

describe('sync state', () => {
  const facts = (values: Partial<SyncFacts>): SyncFacts => ({
    link: null,
    source: salesAccount,
    target: { ...financeCustomer, OrganizationName: 'Contoso', PrimaryContactPhone: '555-0100' },
    reference,
    incomplete: false,
    ...values,
  });
  const synced = { state: null, lastSyncedAt: new Date('2026-01-02T00:00:00Z'), contentHash: null };

  it.each<[string, Partial<SyncFacts>, string]>([
    [
      'a stored FAILED over what could not be read',
      { link: { ...synced, state: 'FAILED' }, incomplete: true },
      'FAILED',
    ],
    ['UNKNOWN when something could not be read', { incomplete: true }, 'UNKNOWN'],
    [
      'PENDING when Sales changed after the last sync',
      { link: synced, source: { ...salesAccount, modifiedon: '2026-01-03T00:00:00Z' } },
      'PENDING',
    ],
    ['SALES_ONLY', { target: null }, 'SALES_ONLY'],
    ['FINANCE_ONLY', { source: null }, 'FINANCE_ONLY'],
    ['DRIFTED', { target: financeCustomer }, 'DRIFTED'],
  ])('is %s', (_, values, state) => {
    expect(syncStatusOf(flows.accounts, facts(values)).state).toBe(state);
  });

  it('lists the drift through the flow’s mapping, and none for one side alone', () => {
    const { drift } = syncStatusOf(flows.accounts, facts({ target: financeCustomer }));
    expect(drift).toContainEqual({ field: 'phone', sales: '555-0100', finance: '555-0199' });
    expect(syncStatusOf(flows.accounts, facts({ target: null })).drift).toEqual([]);
  });

  it('tells a Finance product changed since its last sync by the hash of its mapped values', () => {
    const product = {
      ProductNumber: 'P-1',
      ProductName: 'Widget',
      SalesPrice: '10.00',
      ProductType: 'Item',
      SalesUnitSymbol: 'ea',
      CurrencyCode: 'USD',
    };
    const valueMaps = { financeUnitToSalesUnit: { ea: 'Each' } };
    const hash = contentHash(applyMapping(flows.products, 'product', product, reference, { valueMaps }));
    const link = { state: null, lastSyncedAt: new Date(), contentHash: hash };
    const status = (source: object) =>
      syncStatusOf(
        flows.products,
        { link, source, target: null, reference, incomplete: false },
        { valueMaps },
      );
    expect(status(product).state).toBe('FINANCE_ONLY');
    expect(status({ ...product, ProductName: 'Renamed' }).state).toBe('PENDING');
  });
});
