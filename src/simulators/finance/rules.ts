/**
 * F&O business logic the simulator enforces on writes: references that must exist (company, customer
 * group, customer, party, quotation, sales order, order line, item), required values, orders closed by
 * posting, and what Finance assigns itself (party numbers from the global address book, lot ids, line
 * amounts and tax, order totals, names, edit timestamps). Failures read like F&O's infolog so the hub's
 * error reporting is exercised with real-looking text.
 */
import { multiplyDecimals, subtractDecimals } from '../core/decimal.js';
import type { Row, Value } from '../core/model.js';
import type { Store } from '../core/store.js';
import { writeFailed } from './errors.js';
import { orderLineAmounts, orderTotals, rowsOfOrder } from './orders.js';

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

const isBlank = (value: unknown): boolean => value === null || value === undefined || value === '';

/** The referenced row; a missing one fails the write as F&O's relation check does. */
function mustExist(
  store: Store,
  set: string,
  target: string,
  match: Row,
  field: string,
  relatedTable: string,
  value: unknown,
): Row {
  const found = store.get(target, match);
  if (!found) {
    throw writeFailed(
      set,
      `Warning: The value '${String(value)}' in field '${field}' is not found in the related table '${relatedTable}'.`,
    );
  }
  return found;
}

function required(set: string, row: Row, field: string, label: string): void {
  if (isBlank(row[field])) throw writeFailed(set, `Error: Field '${label}' must be filled in.`);
}

const equalsIgnoreCase = (a: unknown, b: unknown): boolean =>
  typeof a === 'string' && typeof b === 'string' ? a.toLowerCase() === b.toLowerCase() : a === b;

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

const orderSets = new Set(['SalesOrderLines', 'SalesOrderHeaderCharges', 'SalesOrderLineCharges']);

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

const totalsOf = (store: Store, company: Value, salesOrderNumber: Value): Row => ({
  ...orderTotals(
    rowsOfOrder(store, 'SalesOrderLines', company, salesOrderNumber),
    rowsOfOrder(store, 'SalesOrderHeaderCharges', company, salesOrderNumber),
    rowsOfOrder(store, 'SalesOrderLineCharges', company, salesOrderNumber),
  ),
});

/** Finance closes an order by posting its invoice or cancelling it: no write may change it after. */
function assertOrderOpen(set: string, order: Row): void {
  const status = order['SalesOrderProcessingStatus'];
  if (status === 'Invoiced' || status === 'Cancelled') {
    throw writeFailed(
      set,
      `Error: Sales order ${String(order['SalesOrderNumber'])} is ${status} and can no longer be changed.`,
    );
  }
}

/** The order a line or charge belongs to: it must exist and still be open. */
function openOrderOf(set: string, row: Row, store: Store): Row {
  required(set, row, 'SalesOrderNumber', 'Sales order');
  const order = mustExist(
    store,
    set,
    'SalesOrderHeadersV2',
    { dataAreaId: row['dataAreaId'] ?? null, SalesOrderNumber: row['SalesOrderNumber'] ?? null },
    'Sales order',
    'Sales orders',
    row['SalesOrderNumber'],
  );
  assertOrderOpen(set, order);
  return order;
}

const customerOf = (set: string, row: Row, store: Store, field: string, label: string): Row =>
  mustExist(
    store,
    set,
    'CustomersV3',
    { dataAreaId: row['dataAreaId'] ?? null, CustomerAccount: row[field] ?? null },
    label,
    'Customers',
    row[field],
  );

/**
 * Order headers: both customers must exist (the invoice account defaults to the ordering one) and set
 * the "externally maintained" flags; a new order is open (`None`) whatever was sent; totals are
 * recomputed from the stored lines and charges.
 */
function orderHeaderRules(row: Row, previous: Row | undefined, store: Store): void {
  const set = 'SalesOrderHeadersV2';
  if (previous) assertOrderOpen(set, previous);
  required(set, row, 'OrderingCustomerAccountNumber', 'Customer account');
  const ordering = customerOf(set, row, store, 'OrderingCustomerAccountNumber', 'Customer account');
  if (isBlank(row['InvoiceCustomerAccountNumber']))
    row['InvoiceCustomerAccountNumber'] = row['OrderingCustomerAccountNumber'] ?? null;
  const invoicing = customerOf(set, row, store, 'InvoiceCustomerAccountNumber', 'Invoice account');
  required(set, row, 'RequestedShippingDate', 'Requested ship date');
  if (!previous) {
    row['SalesOrderProcessingStatus'] = 'None';
    row['CurrencyCode'] ??= ordering['SalesCurrencyCode'] ?? null;
  }
  row['OrderingCustomerIsExternallyMaintained'] = ordering['IsExternallyMaintained'] === 'Yes' ? 'Yes' : 'No';
  row['InvoiceCustomerIsExternallyMaintained'] = invoicing['IsExternallyMaintained'] === 'Yes' ? 'Yes' : 'No';
  Object.assign(row, totalsOf(store, row['dataAreaId'] ?? null, row['SalesOrderNumber'] ?? null));
}

/**
 * Order lines: an open order, a sellable item, a line number unique in the order and fixed once given;
 * Finance assigns the lot id, the `Backorder` status, the amount (per-unit discount) and the tax, and
 * takes the unit and price from the item when none is sent.
 */
function orderLineRules(row: Row, previous: Row | undefined, store: Store, sequences: NumberSequences): void {
  const set = 'SalesOrderLines';
  openOrderOf(set, row, store);
  if (previous) {
    for (const field of ['SalesOrderNumber', 'LineCreationSequenceNumber']) {
      if (!equalsIgnoreCase(previous[field], row[field]))
        throw writeFailed(set, `Error: Field '${field}' of an existing order line cannot be changed.`);
    }
  } else {
    const taken = rowsOfOrder(store, set, row['dataAreaId'] ?? null, row['SalesOrderNumber'] ?? null).some(
      (l) => l['LineCreationSequenceNumber'] === row['LineCreationSequenceNumber'],
    );
    if (taken)
      throw writeFailed(
        set,
        `Error: Line number ${String(row['LineCreationSequenceNumber'])} already exists on sales order ${String(row['SalesOrderNumber'])}.`,
      );
  }
  required(set, row, 'ItemNumber', 'Item number');
  const product = mustExist(
    store,
    set,
    'SellableReleasedProducts',
    { dataAreaId: row['dataAreaId'] ?? null, ProductNumber: row['ItemNumber'] ?? null },
    'Item number',
    'Released products',
    row['ItemNumber'],
  );
  required(set, row, 'OrderedSalesQuantity', 'Quantity');
  if (!previous) {
    row['InventoryLotId'] = sequences.nextLotId();
    row['SalesOrderLineStatus'] = 'Backorder';
  }
  row['SalesUnitSymbol'] ??= product['SalesUnitSymbol'] ?? null;
  row['SalesPrice'] ??= product['SalesPrice'] ?? '0';
  row['LineDiscountAmount'] ??= '0';
  Object.assign(
    row,
    orderLineAmounts({
      quantity: String(row['OrderedSalesQuantity']),
      price: String(row['SalesPrice']),
      discountPerUnit: String(row['LineDiscountAmount']),
    }),
  );
}

/** Charges: an open order, and for a line charge a line with that line number on it. */
function orderChargeRules(set: string, row: Row, store: Store): void {
  openOrderOf(set, row, store);
  if (set === 'SalesOrderLineCharges') {
    const line = rowsOfOrder(
      store,
      'SalesOrderLines',
      row['dataAreaId'] ?? null,
      row['SalesOrderNumber'] ?? null,
    ).find((l) => l['LineCreationSequenceNumber'] === row['LineCreationSequenceNumber']);
    if (!line)
      throw writeFailed(
        set,
        `Warning: The value '${String(row['LineCreationSequenceNumber'])}' in field 'Line number' is not found in the related table 'Order lines'.`,
      );
  }
  row['FixedChargeAmount'] ??= '0';
}
