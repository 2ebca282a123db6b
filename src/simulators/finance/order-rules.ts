/**
 * F&O business logic for sales orders, which `rules.ts` applies on writes: an order's lines and charges
 * need an open order (one invoiced or cancelled by posting is closed), order headers need existing
 * customers, lines a sellable item and a line number unique in the order, line charges an existing line.
 * Finance assigns lot ids, line amounts and tax, and keeps the header's totals ("Calculate sales totals").
 */
import type { Row, Value } from '../core/model.js';
import type { Store } from '../core/store.js';
import { writeFailed } from './errors.js';
import { orderLineAmounts, orderTotals, rowsOfOrder } from './orders.js';
import { equalsIgnoreCase, isBlank, mustExist, required } from './checks.js';
import type { NumberSequences } from './rules.js';

/** An order's child sets: lines, header charges and line charges. */
export const orderSets = new Set(['SalesOrderLines', 'SalesOrderHeaderCharges', 'SalesOrderLineCharges']);

/** An order's header totals, recomputed from its stored lines and charges. */
export const totalsOf = (store: Store, company: Value, salesOrderNumber: Value): Row => ({
  ...orderTotals(
    rowsOfOrder(store, 'SalesOrderLines', company, salesOrderNumber),
    rowsOfOrder(store, 'SalesOrderHeaderCharges', company, salesOrderNumber),
    rowsOfOrder(store, 'SalesOrderLineCharges', company, salesOrderNumber),
  ),
});

/** Finance closes an order by posting its invoice or cancelling it: no write may change it after. */
export function assertOrderOpen(set: string, order: Row): void {
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
export function orderHeaderRules(row: Row, previous: Row | undefined, store: Store): void {
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
export function orderLineRules(
  row: Row,
  previous: Row | undefined,
  store: Store,
  sequences: NumberSequences,
): void {
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
export function orderChargeRules(set: string, row: Row, store: Store): void {
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
