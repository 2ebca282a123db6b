/**
 * Small, hand-written data sets for wire tests: every value chosen so a test can state what it expects.
 */
import type { Row } from '../../src/simulators/core/model.js';
import { accounts, contacts } from '../../src/simulators/sales/entities.js';
import {
  CustomerGroups,
  CustomersV3,
  LegalEntities,
  SellableReleasedProducts,
} from '../../src/simulators/finance/entities.js';
import type { EntitySetDef } from '../../src/simulators/core/model.js';

/** A full row of `set` (every property null) with the given values. */
export function rowOf(set: EntitySetDef, values: Row): Row {
  return { ...Object.fromEntries(Object.keys(set.properties).map((p) => [p, null])), ...values };
}

export const guid = (n: number): string => `00000000-0000-0000-0000-${String(n).padStart(12, '0')}`;

/** `count` Sales accounts ACC-00001… with ids guid(1)…; account 3 is "O'Brien & Sons #1". */
export function salesAccounts(count: number): Row[] {
  return Array.from({ length: count }, (_, i) =>
    rowOf(accounts, {
      accountid: guid(i + 1),
      name: i === 2 ? "O'Brien & Sons #1" : `Account ${String(i + 1).padStart(3, '0')}`,
      accountnumber: `ACC-${String(i + 1).padStart(5, '0')}`,
      telephone1: `555-01${String(i).padStart(2, '0')}`,
      creditlimit: `${(i + 1) * 1000}.50`,
      customertypecode: 3,
      statecode: 0,
      statuscode: 1,
      createdon: '2026-01-01T00:00:00Z',
      modifiedon: '2026-01-01T00:00:00Z',
    }),
  );
}

export function salesContacts(): Row[] {
  return [
    rowOf(contacts, {
      contactid: guid(101),
      firstname: 'Ada',
      lastname: 'Lovelace',
      fullname: 'Ada Lovelace',
      _parentcustomerid_value: guid(1),
      msdynce_contactnumber: 'CON-00001',
      msdynce_isactivecustomer: false,
      statecode: 0,
      statuscode: 1,
    }),
  ];
}

export function financeData(customers: number): Record<string, Row[]> {
  return {
    LegalEntities: [
      rowOf(LegalEntities, { LegalEntityId: 'usmf', Name: 'Contoso USA' }),
      rowOf(LegalEntities, { LegalEntityId: 'demf', Name: 'Contoso Germany' }),
    ],
    CustomerGroups: ['usmf', 'demf'].flatMap((company) =>
      ['10', '20'].map((group) => rowOf(CustomerGroups, { dataAreaId: company, CustomerGroupId: group })),
    ),
    CustomersV3: [
      ...Array.from({ length: customers }, (_, i) =>
        rowOf(CustomersV3, {
          dataAreaId: 'usmf',
          CustomerAccount: `ACC-${String(i + 1).padStart(5, '0')}`,
          OrganizationName: i === 2 ? "O'Brien & Sons #1" : `Account ${String(i + 1).padStart(3, '0')}`,
          PartyType: 'Organization',
          PartyNumber: String(1000 + i).padStart(9, '0'),
          CustomerGroupId: '10',
          CreditLimit: `${(i + 1) * 1000}.50`,
          SalesCurrencyCode: 'USD',
          IsExternallyMaintained: 'Yes',
        }),
      ),
      rowOf(CustomersV3, {
        dataAreaId: 'demf',
        CustomerAccount: 'DE-001',
        OrganizationName: 'Müller GmbH',
        PartyType: 'Organization',
        PartyNumber: '000005000',
        CustomerGroupId: '10',
        CreditLimit: '0',
        SalesCurrencyCode: 'EUR',
        IsExternallyMaintained: 'No',
      }),
    ],
    SellableReleasedProducts: [
      rowOf(SellableReleasedProducts, {
        dataAreaId: 'usmf',
        ProductNumber: 'D0001',
        ProductName: 'Speaker',
        ProductType: 'Item',
        SalesPrice: '199.99',
        UnitCost: '120',
        CurrencyCode: 'USD',
        SalesUnitSymbol: 'ea',
        SalesUnitDecimalPrecision: 0,
        IsSalesStopped: 'No',
      }),
    ],
  };
}
