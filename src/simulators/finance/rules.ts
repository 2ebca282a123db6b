/**
 * F&O business logic the simulator enforces on writes: references that must exist (company, customer
 * group, customer, party, quotation, item), required values, and what Finance assigns itself (party
 * numbers from the global address book, quotation line ids, line amounts, names, edit timestamps).
 * Failures read like F&O's infolog so the hub's error reporting is exercised with real-looking text.
 */
import { multiplyDecimals, subtractDecimals } from '../core/decimal.js';
import type { Row } from '../core/model.js';
import type { Store } from '../core/store.js';
import { writeFailed } from './errors.js';

export interface NumberSequences {
  nextPartyNumber(): string;
  nextLotId(): string;
}

/** Continues the numbering found in the data (9-digit, zero-padded), like an F&O number sequence. */
export function createNumberSequences(store: Store): NumberSequences {
  const maxOf = (values: unknown[]): number =>
    values.reduce<number>(
      (max, v) => (typeof v === 'string' && /^\d+$/.test(v) ? Math.max(max, Number(v)) : max),
      0,
    );
  let party = Math.max(
    maxOf(store.scan('CustomersV3').map((r) => r['PartyNumber'])),
    maxOf(store.scan('ContactPersons').map((r) => r['ContactPersonPartyNumber'])),
  );
  let lot = maxOf(store.scan('SalesQuotationLines').map((r) => r['InventoryLotId']));
  return {
    nextPartyNumber: () => String(++party).padStart(9, '0'),
    nextLotId: () => String(++lot).padStart(9, '0'),
  };
}

const isBlank = (value: unknown): boolean => value === null || value === undefined || value === '';

function mustExist(
  store: Store,
  set: string,
  target: string,
  match: Row,
  field: string,
  relatedTable: string,
  value: unknown,
): void {
  if (!store.get(target, match)) {
    throw writeFailed(
      set,
      `Warning: The value '${String(value)}' in field '${field}' is not found in the related table '${relatedTable}'.`,
    );
  }
}

function required(set: string, row: Row, field: string, label: string): void {
  if (isBlank(row[field])) throw writeFailed(set, `Error: Field '${label}' must be filled in.`);
}

const equalsIgnoreCase = (a: unknown, b: unknown): boolean =>
  typeof a === 'string' && typeof b === 'string' ? a.toLowerCase() === b.toLowerCase() : a === b;

/**
 * Validates a row about to be written (`creating` says whether it is new) and fills in what Finance
 * assigns. Mutates `row`; throws a 500 infolog error on a business rule violation.
 */
export function applyFinanceRules(
  set: string,
  row: Row,
  creating: boolean,
  store: Store,
  sequences: NumberSequences,
  now: string,
): void {
  const company = row['dataAreaId'];
  switch (set) {
    case 'CustomersV3':
      required(set, row, 'CustomerGroupId', 'Customer group');
      mustExist(
        store,
        set,
        'CustomerGroups',
        { dataAreaId: company ?? null, CustomerGroupId: row['CustomerGroupId'] ?? null },
        'Customer group',
        'Customer groups',
        row['CustomerGroupId'],
      );
      if (creating) {
        row['PartyNumber'] = sequences.nextPartyNumber();
        row['PartyType'] ??= 'Organization';
        row['CreditLimit'] ??= '0';
      }
      if (row['PartyType'] === 'Person' && isBlank(row['OrganizationName'])) {
        row['OrganizationName'] = [row['PersonFirstName'], row['PersonLastName']]
          .filter((p) => !isBlank(p))
          .join(' ');
      }
      return;
    case 'ContactPersons':
      if (!isBlank(row['AssociatedPartyNumber'])) {
        const party = store
          .findBy('CustomersV3', 'PartyNumber', row['AssociatedPartyNumber'] ?? null)
          .find((c) => equalsIgnoreCase(c['dataAreaId'], company));
        if (!party)
          throw writeFailed(
            set,
            `Warning: The value '${String(row['AssociatedPartyNumber'])}' in field 'Associated party number' is not found in the related table 'Party'.`,
          );
      }
      if (creating) {
        row['ContactPersonPartyNumber'] = sequences.nextPartyNumber();
        row['IsInactive'] ??= 'No';
      }
      row['ContactPersonName'] =
        [row['FirstName'], row['LastName']].filter((p) => !isBlank(p)).join(' ') || null;
      row['LastEditDateTime'] = now;
      return;
    case 'SalesQuotationHeadersV2':
      required(set, row, 'RequestingCustomerAccountNumber', 'Customer account');
      mustExist(
        store,
        set,
        'CustomersV3',
        { dataAreaId: company ?? null, CustomerAccount: row['RequestingCustomerAccountNumber'] ?? null },
        'Customer account',
        'Customers',
        row['RequestingCustomerAccountNumber'],
      );
      required(set, row, 'SalesQuotationExpiryDate', 'Expiration date');
      required(set, row, 'RequestedShippingDate', 'Requested ship date');
      if (creating) row['SalesQuotationStatus'] ??= 'Created';
      row['InvoiceCustomerAccountNumber'] ??= row['RequestingCustomerAccountNumber'] ?? null;
      return;
    case 'SalesQuotationLines':
      required(set, row, 'SalesQuotationNumber', 'Quotation');
      mustExist(
        store,
        set,
        'SalesQuotationHeadersV2',
        { dataAreaId: company ?? null, SalesQuotationNumber: row['SalesQuotationNumber'] ?? null },
        'Quotation',
        'Quotations',
        row['SalesQuotationNumber'],
      );
      required(set, row, 'ItemNumber', 'Item number');
      mustExist(
        store,
        set,
        'SellableReleasedProducts',
        { dataAreaId: company ?? null, ProductNumber: row['ItemNumber'] ?? null },
        'Item number',
        'Released products',
        row['ItemNumber'],
      );
      if (creating) row['InventoryLotId'] = sequences.nextLotId();
      row['LineDiscountAmount'] ??= '0';
      row['LineAmount'] = subtractDecimals(
        multiplyDecimals(String(row['RequestedSalesQuantity'] ?? '0'), String(row['SalesPrice'] ?? '0')),
        String(row['LineDiscountAmount']),
      );
      return;
    default:
      return;
  }
}
