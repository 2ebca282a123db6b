/**
 * The Prospect-to-cash rules on sales orders and invoices, as the Data Integrator documentation states
 * them and the hub's order and invoice flows depend on:
 * - an order is activated (`msdynce_processingstatus` Draft → Active) only when every line is a product
 *   Finance maintains (`msdynce_hasexternallymaintainedproductsonly`, which rules.ts computes);
 * - once activated (any status but Draft) or mastered in Finance (`msdynce_ismaintainedexternally`), an
 *   order's lines are read-only in Sales except the line status and tax Finance sends back. Lines may still
 *   be added to an order Finance masters: that is how an order created in Finance arrives with its lines;
 * - an invoice Finance masters is read-only except its state; lines may still be added (they arrive with
 *   it, in the same change set), but not changed or deleted.
 *
 * A write that leaves a column at the value it has is not a change, so re-sending a record as it is
 * (an upsert of unchanged data) passes.
 */
import { ServiceError } from '../core/errors.js';
import type { Row } from '../core/model.js';
import { compareDecimals } from '../core/decimal.js';
import type { Store } from '../core/store.js';
import { salesCodes } from './errors.js';

/** The option values of `msdynce_processingstatus` these rules test. */
export const processingStatus = { active: 647390000, draft: 647390011 } as const;

/** What Finance still sends to the lines of a locked order. */
const writableOrderLineColumns: ReadonlySet<string> = new Set(['msdyn_linestatus', 'tax']);
/** What may still change on an invoice Finance masters. */
const writableInvoiceColumns: ReadonlySet<string> = new Set(['statecode', 'statuscode']);

/**
 * Checks a create (`previous` undefined) or update of a row of `set` against the order and invoice rules;
 * `row` is the row after the write, `changes` what the request set.
 */
export function checkOrderRules(
  set: string,
  row: Row,
  previous: Row | undefined,
  changes: Row,
  store: Store,
): void {
  if (set === 'salesorders' && previous) checkActivation(row, previous);
  else if (set === 'salesorderdetails') checkOrderLine(row, previous, changes, store);
  else if (set === 'invoices' && previous?.['msdynce_ismaintainedexternally'] === true) {
    const changed = changedColumns(set, previous, changes, store).filter(
      (c) => !writableInvoiceColumns.has(c),
    );
    if (changed.length > 0) throw readOnlyInvoice(previous, `cannot change ${changed.join(', ')}`);
  } else if (set === 'invoicedetails' && previous) {
    const invoice = invoiceOf(previous, store);
    if (invoice && changedColumns(set, previous, changes, store).length > 0) {
      throw readOnlyInvoice(invoice, 'its lines cannot be changed');
    }
  }
}

/** Checks the delete of a row of `set`: lines of locked orders and of Finance's invoices stay. */
export function checkOrderDelete(set: string, row: Row, store: Store): void {
  if (set === 'salesorderdetails') {
    const order = lockedOrder(row, store);
    if (order) throw readOnlyOrder(order, 'its lines cannot be deleted');
  } else if (set === 'invoicedetails') {
    const invoice = invoiceOf(row, store);
    if (invoice) throw readOnlyInvoice(invoice, 'its lines cannot be deleted');
  }
}

function checkActivation(row: Row, previous: Row): void {
  const activating =
    previous['msdynce_processingstatus'] === processingStatus.draft &&
    row['msdynce_processingstatus'] === processingStatus.active;
  if (!activating || previous['msdynce_hasexternallymaintainedproductsonly'] === true) return;
  throw new ServiceError(
    400,
    salesCodes.invalidArgument,
    `The order ${orderName(previous)} cannot be activated: the order has no lines, write-in products or products not maintained in Finance (msdynce_hasexternallymaintainedproductsonly is false). Only orders whose every line is a product maintained in Finance can be activated.`,
  );
}

function checkOrderLine(row: Row, previous: Row | undefined, changes: Row, store: Store): void {
  if (!previous) {
    const order = lockedOrder(row, store);
    if (order && order['msdynce_ismaintainedexternally'] !== true) {
      throw readOnlyOrder(order, 'lines cannot be added');
    }
    return;
  }
  const changed = changedColumns('salesorderdetails', previous, changes, store).filter(
    (c) => !writableOrderLineColumns.has(c),
  );
  if (changed.length === 0) return;
  for (const line of [previous, row]) {
    const order = lockedOrder(line, store);
    if (order)
      throw readOnlyOrder(
        order,
        `only msdyn_linestatus and tax of its lines can change, not ${changed.join(', ')}`,
      );
  }
}

/** The order of `line` when it is locked: activated (not Draft) or mastered in Finance. */
function lockedOrder(line: Row, store: Store): Row | undefined {
  const id = line['_salesorderid_value'];
  const order =
    typeof id === 'string' ? store.get('salesorders', { salesorderid: id.toLowerCase() }) : undefined;
  const locked =
    order !== undefined &&
    (order['msdynce_ismaintainedexternally'] === true ||
      order['msdynce_processingstatus'] !== processingStatus.draft);
  return locked ? order : undefined;
}

/** The invoice of `line` when Finance masters it. */
function invoiceOf(line: Row, store: Store): Row | undefined {
  const id = line['_invoiceid_value'];
  const invoice = typeof id === 'string' ? store.get('invoices', { invoiceid: id.toLowerCase() }) : undefined;
  return invoice?.['msdynce_ismaintainedexternally'] === true ? invoice : undefined;
}

/** Columns `changes` sets to a value other than the stored one (lookups by their `_…_value` column). */
function changedColumns(set: string, previous: Row, changes: Row, store: Store): string[] {
  const properties = store.def(set)!.properties;
  return Object.keys(changes).filter((name) => {
    if (name.includes('@') || name === 'modifiedon') return false;
    const before = previous[name] ?? null;
    const after = changes[name] ?? null;
    if (typeof before !== 'string' || typeof after !== 'string') return before !== after;
    switch (properties[name]?.type) {
      case 'Edm.Decimal':
        return compareDecimals(before, after) !== 0;
      case 'Edm.Guid':
        return before.toLowerCase() !== after.toLowerCase();
      default:
        return before !== after;
    }
  });
}

const orderName = (order: Row): string => String(order['ordernumber'] ?? order['salesorderid']);

function readOnlyOrder(order: Row, what: string): ServiceError {
  const why =
    order['msdynce_ismaintainedexternally'] === true ? 'is maintained in Finance' : 'has been activated';
  return new ServiceError(
    400,
    salesCodes.invalidArgument,
    `The order ${orderName(order)} ${why} and is read-only in Sales: ${what}.`,
  );
}

function readOnlyInvoice(invoice: Row, what: string): ServiceError {
  return new ServiceError(
    400,
    salesCodes.invalidArgument,
    `The invoice ${String(invoice['invoicenumber'] ?? invoice['invoiceid'])} is maintained in Finance and is read-only in Sales: ${what}.`,
  );
}
