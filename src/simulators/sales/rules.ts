/**
 * What Dataverse computes or assigns itself when rows of the P2C tables are written: ids, timestamps,
 * default state, the auto-numbered quote, order and invoice numbers, a contact's full name, line amounts,
 * and the totals of quotes, orders and invoices.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Row, Value } from '../core/model.js';
import type { Store } from '../core/store.js';
import { addDecimals, multiplyDecimals, subtractDecimals } from '../core/decimal.js';
import { defaultStatus } from './catalog-rules.js';
import { processingStatus } from './order-rules.js';

/** Each line table with its header table and the lookup column that points at the header. */
export const lineHeaders: Readonly<Record<string, { set: string; key: string; column: string }>> = {
  quotedetails: { set: 'quotes', key: 'quoteid', column: '_quoteid_value' },
  salesorderdetails: { set: 'salesorders', key: 'salesorderid', column: '_salesorderid_value' },
  invoicedetails: { set: 'invoices', key: 'invoiceid', column: '_invoiceid_value' },
};

/** Auto-numbered columns: the P2C solution numbers these when the caller leaves them blank. */
const autoNumbered: Readonly<Record<string, { column: string; prefix: string }>> = {
  quotes: { column: 'quotenumber', prefix: 'QUO' },
  salesorders: { column: 'ordernumber', prefix: 'ORD' },
  invoices: { column: 'invoicenumber', prefix: 'INV' },
};

/** Values Dataverse fills on create when the caller did not give them. */
export function applyCreateDefaults(set: string, row: Row, now: string, store: Store): void {
  const def = store.def(set)!;
  const id = def.key[0]!;
  row[id] ??= randomUUID();
  if ('statecode' in def.properties) row['statecode'] ??= set === 'products' ? 2 : 0; // products start as Draft
  if ('statuscode' in def.properties) row['statuscode'] ??= defaultStatus(set, row['statecode']);
  row['createdon'] = now;
  row['modifiedon'] = now;
  const numbered = autoNumbered[set];
  if (numbered && !row[numbered.column]) row[numbered.column] = nextNumber(store, set, numbered);
  if (set === 'salesorders') row['msdynce_processingstatus'] ??= processingStatus.draft;
}

/**
 * Recomputes derived columns after any write; returns the ids of the headers (of `lineHeaders[set]`)
 * whose totals must be refreshed.
 */
export function applyDerived(set: string, row: Row): string[] {
  if (set === 'contacts') {
    row['fullname'] =
      [row['firstname'], row['lastname']].filter((p) => typeof p === 'string' && p !== '').join(' ') || null;
  }
  const header = lineHeaders[set];
  if (!header) return [];
  // Order and invoice lines carry tax, which their extended amount includes; quote lines have none.
  const net = subtractDecimals(
    multiplyDecimals(decimalOr0(row['quantity']), decimalOr0(row['priceperunit'])),
    decimalOr0(row['manualdiscountamount']),
  );
  row['extendedamount'] = set === 'quotedetails' ? net : addDecimals(net, decimalOr0(row['tax']));
  return typeof row[header.column] === 'string' ? [row[header.column] as string] : [];
}

/** A quote's total is the sum of its lines' extended amounts. */
export function quoteTotal(store: Store, quoteId: string): string {
  return store
    .findBy('quotedetails', '_quoteid_value', quoteId)
    .reduce((sum, line) => addDecimals(sum, decimalOr0(line['extendedamount'])), '0');
}

/** The totals Finance sends for the orders and invoices it masters (the dual-write and template maps). */
const financeTotalColumns: ReadonlySet<string> = new Set(['totaldiscountamount', 'totaltax', 'totalamount']);

/**
 * Completes an order or invoice header (`set` is `salesorders` or `invoices`) from its stored lines, as
 * Dataverse does:
 * - totallineitemamount = Σ (quantity × priceperunit − manualdiscountamount);
 * - totaltax = Σ tax; totaldiscountamount = discountamount (orders) + Σ manualdiscountamount;
 * - totalamount = totallineitemamount − discountamount + freightamount + totaltax;
 * - msdynce_hasexternallymaintainedproductsonly: at least one line, and every line a product (not
 *   written in) that Finance maintains.
 *
 * Two exceptions, so that Finance's totals (its own rounding and charges) win over Sales's arithmetic:
 * a total the write sets explicitly (`explicit`: the columns the request set) is kept; and on a record
 * Finance masters (`msdynce_ismaintainedexternally`), Sales leaves totaltax, totaldiscountamount and
 * totalamount as they were last written, whatever happens to the lines.
 */
export function applyHeaderTotals(set: string, row: Row, explicit: Iterable<string>, store: Store): void {
  const given = new Set(explicit);
  const mastered = row['msdynce_ismaintainedexternally'] === true;
  const keep = (column: string): boolean =>
    given.has(column) || (mastered && financeTotalColumns.has(column));
  const lineSet = set === 'salesorders' ? 'salesorderdetails' : 'invoicedetails';
  const lines = store.findBy(lineSet, lineHeaders[lineSet]!.column, row[lineHeaders[lineSet]!.key] ?? null);
  let lineItems = '0';
  let tax = '0';
  let lineDiscounts = '0';
  for (const line of lines) {
    lineItems = addDecimals(
      lineItems,
      subtractDecimals(decimalOr0(line['extendedamount']), decimalOr0(line['tax'])),
    );
    tax = addDecimals(tax, decimalOr0(line['tax']));
    lineDiscounts = addDecimals(lineDiscounts, decimalOr0(line['manualdiscountamount']));
  }
  const headerDiscount = decimalOr0(row['discountamount']);
  if (!keep('totallineitemamount')) row['totallineitemamount'] = lineItems;
  if (!keep('totaltax')) row['totaltax'] = tax;
  if (!keep('totaldiscountamount')) row['totaldiscountamount'] = addDecimals(headerDiscount, lineDiscounts);
  if (!keep('totalamount')) {
    row['totalamount'] = addDecimals(
      addDecimals(
        subtractDecimals(decimalOr0(row['totallineitemamount']), headerDiscount),
        decimalOr0(row['freightamount']),
      ),
      decimalOr0(row['totaltax']),
    );
  }
  row['msdynce_hasexternallymaintainedproductsonly'] =
    lines.length > 0 && lines.every((line) => isFinanceProductLine(line, store));
}

/** A line on a product (not written in) whose product Finance maintains. */
function isFinanceProductLine(line: Row, store: Store): boolean {
  const productId = line['_productid_value'];
  if (line['isproductoverridden'] === true || typeof productId !== 'string') return false;
  return (
    store.get('products', { productid: productId.toLowerCase() })?.['msdynce_ismaintainedexternally'] === true
  );
}

const decimalOr0 = (value: Value | undefined): string => (typeof value === 'string' ? value : '0');

/** The last sequence number handed out per store and table (read from the data once, then counted). */
const sequences = new WeakMap<Store, Map<string, number>>();

/** `QUO-01234-ABCDEF`: the P2C solution's auto-number format (prefix, sequence, random suffix). */
function nextNumber(
  store: Store,
  set: string,
  { column, prefix }: { column: string; prefix: string },
): string {
  let perSet = sequences.get(store);
  if (!perSet) sequences.set(store, (perSet = new Map()));
  let max = perSet.get(set);
  if (max === undefined) {
    max = 1000;
    const pattern = new RegExp(`^${prefix}-(\\d+)-`);
    for (const row of store.scan(set)) {
      const match = pattern.exec(String(row[column] ?? ''));
      if (match) max = Math.max(max, Number(match[1]));
    }
  }
  perSet.set(set, (max += 1));
  const suffix = [...randomBytes(6)].map((b) => String.fromCharCode(65 + (b % 26))).join('');
  return `${prefix}-${String(max).padStart(5, '0')}-${suffix}`;
}
