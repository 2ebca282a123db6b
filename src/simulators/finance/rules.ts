/**
 * F&O business logic the simulator enforces on writes: references that must exist (company, customer
 * group, customer, party, quotation, sales order, order line, item), required values, orders closed by
 * posting, and what Finance assigns itself (party numbers from the global address book, lot ids, line
 * amounts and tax, order totals, names, edit timestamps). Failures read like F&O's infolog so the hub's
 * error reporting is exercised with real-looking text.
 *
 * The sales order rules are in `order-rules.ts`; this module dispatches to them.
 */
import { multiplyDecimals, subtractDecimals } from '../core/decimal.js';
import type { Row } from '../core/model.js';
import type { Store } from '../core/store.js';
import { equalsIgnoreCase, isBlank, mustExist, required } from './checks.js';
import { writeFailed } from './errors.js';
import {
  assertOrderOpen,
  orderChargeRules,
  orderHeaderRules,
  orderLineRules,
  orderSets,
  totalsOf,
} from './order-rules.js';
import { rowsOfOrder } from './orders.js';

export interface NumberSequences {
  nextPartyNumber(): string;
  /** Inventory lot ids, one sequence for quotation and order lines (F&O's InventTransId). */
  nextLotId(): string;
  /** Sales invoice numbers: `CIV-000001`. */
  nextInvoiceNumber(): string;
  /** Customer invoice vouchers: `ARI-000001`. */
  nextVoucher(): string;
}

/** Continues the numbering found in the data, like F&O number sequences (one per kind, all companies). */
export function createNumberSequences(store: Store): NumberSequences {
  const maxOf = (values: unknown[], pattern = /^(\d+)$/): number =>
    values.reduce<number>((max, v) => {
      const match = typeof v === 'string' ? pattern.exec(v) : null;
      return match ? Math.max(max, Number(match[1])) : max;
    }, 0);
  const column = (set: string, name: string): unknown[] => store.scan(set).map((r) => r[name]);
  let party = Math.max(
    maxOf(column('CustomersV3', 'PartyNumber')),
    maxOf(column('ContactPersons', 'ContactPersonPartyNumber')),
  );
  let lot = Math.max(
    maxOf(column('SalesQuotationLines', 'InventoryLotId')),
    maxOf(column('SalesOrderLines', 'InventoryLotId')),
  );
  let invoice = maxOf(column('SalesInvoiceHeadersV2', 'InvoiceNumber'), /^CIV-(\d+)$/);
  let voucher = maxOf(column('SalesInvoiceHeadersV2', 'LedgerVoucher'), /^ARI-(\d+)$/);
  return {
    nextPartyNumber: () => String(++party).padStart(9, '0'),
    nextLotId: () => String(++lot).padStart(9, '0'),
    nextInvoiceNumber: () => `CIV-${String(++invoice).padStart(6, '0')}`,
    nextVoucher: () => `ARI-${String(++voucher).padStart(6, '0')}`,
  };
}

/**
 * Validates a row about to be written (`previous` is the stored row, absent when creating) and fills in
 * what Finance assigns. Mutates `row`; throws a 500 infolog error on a business rule violation.
 */
export function applyFinanceRules(
  set: string,
  row: Row,
  previous: Row | undefined,
  store: Store,
  sequences: NumberSequences,
  now: string,
): void {
  const company = row['dataAreaId'];
  const creating = previous === undefined;
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
    case 'SalesOrderHeadersV2':
      orderHeaderRules(row, previous, store);
      return;
    case 'SalesOrderLines':
      orderLineRules(row, previous, store, sequences);
      return;
    case 'SalesOrderHeaderCharges':
    case 'SalesOrderLineCharges':
      orderChargeRules(set, row, store);
      return;
    default:
      return;
  }
}

/**
 * After a write to an order's lines or charges: Finance's "Calculate sales totals", which the simulator
 * runs at every change of an order rather than on a batch schedule.
 */
export function afterFinanceWrite(set: string, row: Row, store: Store): void {
  if (!orderSets.has(set)) return;
  const key = { dataAreaId: row['dataAreaId'] ?? null, SalesOrderNumber: row['SalesOrderNumber'] ?? null };
  const header = store.get('SalesOrderHeadersV2', key);
  if (!header) return;
  const totals = totalsOf(store, key.dataAreaId, key.SalesOrderNumber);
  if (Object.entries(totals).some(([k, v]) => header[k] !== v))
    store.update('SalesOrderHeadersV2', key, totals);
}

/**
 * Before a delete: an invoiced or cancelled order keeps its lines and charges, and deleting a header
 * (quotation or order) deletes its lines and charges, deleting an order line its line charges.
 */
export function beforeFinanceDelete(set: string, row: Row, store: Store): void {
  const company = row['dataAreaId'] ?? null;
  const removeAll = (target: string, rows: Row[]): void => {
    const def = store.def(target)!;
    for (const r of rows) store.remove(target, Object.fromEntries(def.key.map((k) => [k, r[k] ?? null])));
  };
  if (set === 'SalesQuotationHeadersV2') {
    const lines = store
      .findBy('SalesQuotationLines', 'SalesQuotationNumber', row['SalesQuotationNumber'] ?? null)
      .filter((l) => equalsIgnoreCase(l['dataAreaId'], company));
    removeAll('SalesQuotationLines', lines);
    return;
  }
  if (set === 'SalesOrderHeadersV2') {
    assertOrderOpen(set, row);
    for (const child of orderSets)
      removeAll(child, rowsOfOrder(store, child, company, row['SalesOrderNumber'] ?? null));
    return;
  }
  if (!orderSets.has(set)) return;
  const order = store.get('SalesOrderHeadersV2', {
    dataAreaId: company,
    SalesOrderNumber: row['SalesOrderNumber'] ?? null,
  });
  if (order) assertOrderOpen(set, order);
  if (set === 'SalesOrderLines') {
    const charges = rowsOfOrder(store, 'SalesOrderLineCharges', company, row['SalesOrderNumber'] ?? null);
    removeAll(
      'SalesOrderLineCharges',
      charges.filter((c) => c['LineCreationSequenceNumber'] === row['LineCreationSequenceNumber']),
    );
  }
}
