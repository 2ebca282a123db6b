/**
 * Sales orders and invoices as the Finance simulator models F&O: the order arithmetic ("Calculate sales
 * totals"), the invoice an order posts to, free-text invoices, and the posting steps that move an order's
 * processing status (what Finance does through its UI or batch jobs, never through a plain OData write).
 *
 * The arithmetic is pure and exported so seed data can build rows that agree with what the simulator
 * computes. Amounts are exact decimal text (`core/decimal.ts`), rounded to cents half away from zero.
 */
import {
  type FinanceOrderLineStatus,
  type FinanceOrderStatus,
  financeOrderStatuses,
} from '../../connectors/finance/types.js';
import { addDecimals, multiplyDecimals, subtractDecimals } from '../core/decimal.js';
import { ServiceError } from '../core/errors.js';
import type { Row, Value } from '../core/model.js';
import type { Store } from '../core/store.js';
import type { NumberSequences } from './rules.js';

/** The simulator's one sales tax group: 8 % on order lines; charges carry no tax. */
export const salesTaxRate = '0.08';

/** Decimal text rounded to cents, half away from zero (F&O's `round(x, 0.01)`), always two places. */
export function round2(value: string): string {
  const match = /^(-?)(\d+)(?:\.(\d*))?$/.exec(value.trim());
  if (!match) throw new TypeError(`Not a decimal: "${value}"`);
  const fraction = match[3] ?? '';
  let cents = BigInt(`${match[2]}${fraction.slice(0, 2).padEnd(2, '0')}`);
  if ((fraction[2] ?? '0') >= '5') cents += 1n;
  const digits = cents.toString().padStart(3, '0');
  const text = `${digits.slice(0, -2)}.${digits.slice(-2)}`;
  return match[1] && cents !== 0n ? `-${text}` : text;
}

/** A decimal column of a row as decimal text; blank counts as zero. */
const amount = (value: Value | undefined): string =>
  value === null || value === undefined || value === '' ? '0' : String(value);

const sum = (values: readonly string[]): string => values.reduce((a, b) => addDecimals(a, b), '0');

const isBlank = (value: Value | undefined): boolean => value === null || value === undefined || value === '';

export interface OrderLinePricing {
  quantity: string;
  price: string;
  /** Finance's `LineDiscountAmount`: per unit. Default `'0'`. */
  discountPerUnit?: string;
}

export interface OrderLineAmounts {
  LineAmount: string;
  LineTotalTaxAmount: string;
}

/** A line's amount, quantity × (price − per-unit discount), and its 8 % tax, each rounded to cents. */
export function orderLineAmounts({
  quantity,
  price,
  discountPerUnit = '0',
}: OrderLinePricing): OrderLineAmounts {
  const LineAmount = round2(multiplyDecimals(quantity, subtractDecimals(price, discountPerUnit)));
  return { LineAmount, LineTotalTaxAmount: round2(multiplyDecimals(LineAmount, salesTaxRate)) };
}

export interface OrderTotals {
  OrderTotalAmount: string;
  OrderTotalDiscountAmount: string;
  OrderTotalTaxAmount: string;
  OrderTotalChargesAmount: string;
}

/** An order's header totals from its line rows, header charge rows and line charge rows. */
export function orderTotals(
  lines: readonly Row[],
  headerCharges: readonly Row[],
  lineCharges: readonly Row[],
): OrderTotals {
  const discount = sum(
    lines.map((l) => multiplyDecimals(amount(l['LineDiscountAmount']), amount(l['OrderedSalesQuantity']))),
  );
  const charges = sum([...headerCharges, ...lineCharges].map((c) => amount(c['FixedChargeAmount'])));
  const tax = sum(lines.map((l) => amount(l['LineTotalTaxAmount'])));
  const net = sum(lines.map((l) => amount(l['LineAmount'])));
  return {
    OrderTotalAmount: round2(sum([net, charges, tax])),
    OrderTotalDiscountAmount: round2(discount),
    OrderTotalTaxAmount: round2(tax),
    OrderTotalChargesAmount: round2(charges),
  };
}

export interface InvoiceAddress {
  InvoiceAddressStreet: string | null;
  InvoiceAddressCity: string | null;
  InvoiceAddressStateId: string | null;
  InvoiceAddressZipCode: string | null;
  InvoiceAddressCountryRegionISOCode: string | null;
}

const addressParts = ['Street', 'City', 'State', 'ZipCode', 'CountryRegionISOCode'] as const;

/** A customer's invoice address for an invoice (its delivery address when the invoice address is blank). */
export function invoiceAddressOf(customer: Row): InvoiceAddress {
  const from = addressParts.every((p) => isBlank(customer[`InvoiceAddress${p}`]))
    ? 'DeliveryAddress'
    : 'InvoiceAddress';
  const part = (p: (typeof addressParts)[number]): string | null => {
    const value = customer[`${from}${p}`];
    return isBlank(value) ? null : String(value);
  };
  return {
    InvoiceAddressStreet: part('Street'),
    InvoiceAddressCity: part('City'),
    InvoiceAddressStateId: part('State'),
    InvoiceAddressZipCode: part('ZipCode'),
    InvoiceAddressCountryRegionISOCode: part('CountryRegionISOCode'),
  };
}

export interface InvoicePosting {
  invoiceNumber: string;
  /** `InvoiceDate`, ISO 8601 (`2026-12-07T00:00:00Z`). */
  date: string;
  voucher: string;
  address: InvoiceAddress;
}

/** A posted invoice: its `SalesInvoiceHeadersV2` row and `SalesInvoiceLinesV2` rows. */
export interface PostedInvoice {
  header: Row;
  lines: Row[];
}

const bySequence = (a: Row, b: Row): number =>
  Number(a['LineCreationSequenceNumber']) - Number(b['LineCreationSequenceNumber']);

/**
 * The invoice an order posts to. Line charges fold into their invoice line (amount + charges, discount −
 * charges, so 3 × 3.33 with a −0.01 charge shows a 10.00 discount); header charges stay on the header.
 */
export function invoiceFromOrder(
  order: Row,
  lines: readonly Row[],
  headerCharges: readonly Row[],
  lineCharges: readonly Row[],
  posting: InvoicePosting,
): PostedInvoice {
  const invoiceLines = [...lines].sort(bySequence).map((line): Row => {
    const sequence = line['LineCreationSequenceNumber'] ?? null;
    const charges = sum(
      lineCharges
        .filter((c) => Number(c['LineCreationSequenceNumber']) === Number(sequence))
        .map((c) => amount(c['FixedChargeAmount'])),
    );
    const discount = multiplyDecimals(
      amount(line['LineDiscountAmount']),
      amount(line['OrderedSalesQuantity']),
    );
    return {
      dataAreaId: order['dataAreaId'] ?? null,
      InvoiceNumber: posting.invoiceNumber,
      LineCreationSequenceNumber: sequence,
      ProductNumber: line['ItemNumber'] ?? null,
      InvoicedQuantity: line['OrderedSalesQuantity'] ?? null,
      SalesUnitSymbol: line['SalesUnitSymbol'] ?? null,
      SalesPrice: line['SalesPrice'] ?? null,
      LineAmount: round2(addDecimals(amount(line['LineAmount']), charges)),
      LineTotalDiscountAmount: round2(subtractDecimals(discount, charges)),
      LineTotalTaxAmount: round2(amount(line['LineTotalTaxAmount'])),
      LineDescription: line['LineDescription'] ?? null,
    };
  });
  return { header: invoiceHeader(order, invoiceLines, headerCharges, posting), lines: invoiceLines };
}

/** The header of an invoice over its (already posted) lines. */
function invoiceHeader(
  source: Row,
  lines: readonly Row[],
  headerCharges: readonly Row[],
  posting: InvoicePosting,
): Row {
  const charge = sum(headerCharges.map((c) => amount(c['FixedChargeAmount'])));
  const tax = sum(lines.map((l) => amount(l['LineTotalTaxAmount'])));
  const net = sum(lines.map((l) => amount(l['LineAmount'])));
  const descriptions = headerCharges.map((c) => c['ChargeDescription']).filter((d) => !isBlank(d));
  return {
    dataAreaId: source['dataAreaId'] ?? null,
    InvoiceNumber: posting.invoiceNumber,
    InvoiceDate: posting.date,
    SalesOrderNumber: source['SalesOrderNumber'] ?? null,
    InvoiceCustomerAccountNumber: source['InvoiceCustomerAccountNumber'] ?? null,
    CurrencyCode: source['CurrencyCode'] ?? null,
    LedgerVoucher: posting.voucher,
    ...posting.address,
    TotalInvoiceAmount: round2(sum([net, charge, tax])),
    TotalTaxAmount: round2(tax),
    TotalChargeAmount: round2(charge),
    TotalDiscountAmount: round2(sum(lines.map((l) => amount(l['LineTotalDiscountAmount'])))),
    ChargeDescription: descriptions.length > 0 ? descriptions.join(', ') : null,
  };
}

export interface FreeTextLine {
  description: string;
  quantity: string;
  price: string;
}

/** A free-text invoice for `customer`: no sales order, lines without a product, taxed like order lines. */
export function freeTextInvoice(
  customer: Row,
  lines: readonly FreeTextLine[],
  posting: Omit<InvoicePosting, 'address'>,
): PostedInvoice {
  const invoiceLines = lines.map((line, i): Row => {
    const amounts = orderLineAmounts({ quantity: line.quantity, price: line.price });
    return {
      dataAreaId: customer['dataAreaId'] ?? null,
      InvoiceNumber: posting.invoiceNumber,
      LineCreationSequenceNumber: i + 1,
      ProductNumber: null,
      InvoicedQuantity: line.quantity,
      SalesUnitSymbol: null,
      SalesPrice: line.price,
      LineAmount: amounts.LineAmount,
      LineTotalDiscountAmount: '0.00',
      LineTotalTaxAmount: amounts.LineTotalTaxAmount,
      LineDescription: line.description,
    };
  });
  const source: Row = {
    dataAreaId: customer['dataAreaId'] ?? null,
    SalesOrderNumber: null,
    InvoiceCustomerAccountNumber: customer['CustomerAccount'] ?? null,
    CurrencyCode: customer['SalesCurrencyCode'] ?? null,
  };
  const full = { ...posting, address: invoiceAddressOf(customer) };
  return { header: invoiceHeader(source, invoiceLines, [], full), lines: invoiceLines };
}

/** What Finance posts on an order, in the order an order goes through them (`cancel` aside). */
export const postingSteps = ['confirm', 'pick', 'pack', 'deliver', 'invoice', 'cancel'] as const;
export type PostingStep = (typeof postingSteps)[number];

const stepStatus: Record<PostingStep, FinanceOrderStatus> = {
  confirm: 'Confirmed',
  pick: 'Picked',
  pack: 'Packed',
  deliver: 'Delivered',
  invoice: 'Invoiced',
  cancel: 'Cancelled',
};
const stepLineStatus: Partial<Record<PostingStep, FinanceOrderLineStatus>> = {
  deliver: 'Delivered',
  invoice: 'Invoiced',
  cancel: 'Cancelled',
};
/** Ranks for "forward": statuses in the order an order moves (the Partially… ones only come from data). */
const statusRank = (status: FinanceOrderStatus): number => financeOrderStatuses.indexOf(status);

/**
 * The status `step` takes an order to, or the infolog text saying why Finance refuses: steps only move
 * forward, everything after confirmation needs a confirmed order, an invoiced or cancelled order is
 * final, and only open or confirmed orders can be cancelled.
 */
export function orderStatusAfter(
  salesOrderNumber: string,
  status: FinanceOrderStatus,
  step: PostingStep,
): { status: FinanceOrderStatus } | { refusal: string } {
  const target = stepStatus[step];
  const order = `Sales order ${salesOrderNumber}`;
  if (status === 'Invoiced' || status === 'Cancelled')
    return { refusal: `Error: ${order} is ${status}; nothing more can be posted on it.` };
  if (step === 'cancel')
    return status === 'None' || status === 'Confirmed'
      ? { status: target }
      : { refusal: `Error: ${order} is ${status}; only open or confirmed orders can be cancelled.` };
  if (step !== 'confirm' && status === 'None')
    return { refusal: `Error: ${order} must be confirmed before it is posted (${step}).` };
  if (statusRank(target) <= statusRank(status))
    return { refusal: `Error: ${order} is already ${status}; it cannot be posted (${step}) again.` };
  return { status: target };
}

/** An X++ error raised while posting, shaped as F&O answers it: 500, the infolog text inside. */
export function postingFailed(infolog: string): ServiceError {
  return new ServiceError(500, '', 'An error has occurred.', {
    inner: infolog,
    innerType: 'Microsoft.Dynamics.Ax.Xpp.ErrorException',
  });
}

/** Rows of an order's child set (lines or charges) in the order's company. */
export function rowsOfOrder(store: Store, set: string, company: Value, salesOrderNumber: Value): Row[] {
  const dataAreaId = String(company).toLowerCase();
  return store
    .findBy(set, 'SalesOrderNumber', salesOrderNumber)
    .filter((r) => String(r['dataAreaId']).toLowerCase() === dataAreaId);
}

/** What posting needs from the simulator: its tables, number sequences, and today's date. */
export interface PostingContext {
  store: Store;
  sequences: NumberSequences;
  /** Today as an F&O date: `2026-12-07T00:00:00Z`. */
  today: string;
}

export interface PostingResult {
  SalesOrderNumber: string;
  SalesOrderProcessingStatus: FinanceOrderStatus;
  /** The invoice posted by an `invoice` step; null for every other step. */
  InvoiceNumber: string | null;
}

/** Posts one step on an order (the order, its lines, and for `invoice` a new invoice). Run in a transaction. */
export function postSalesOrder(
  context: PostingContext,
  company: string,
  salesOrderNumber: string,
  step: PostingStep,
): PostingResult {
  const { store } = context;
  const key = { dataAreaId: company, SalesOrderNumber: salesOrderNumber };
  const order = store.get('SalesOrderHeadersV2', key);
  if (!order)
    throw postingFailed(`Error: Sales order ${salesOrderNumber} does not exist in company ${company}.`);
  const status = (order['SalesOrderProcessingStatus'] ?? 'None') as FinanceOrderStatus;
  const next = orderStatusAfter(salesOrderNumber, status, step);
  if ('refusal' in next) throw postingFailed(next.refusal);
  const lines = rowsOfOrder(store, 'SalesOrderLines', company, salesOrderNumber);
  const open = lines.filter(
    (l) => l['SalesOrderLineStatus'] !== 'Invoiced' && l['SalesOrderLineStatus'] !== 'Cancelled',
  );
  const InvoiceNumber = step === 'invoice' ? postOrderInvoice(context, order, open) : null;
  const lineStatus = stepLineStatus[step];
  if (lineStatus) {
    for (const line of open)
      store.update(
        'SalesOrderLines',
        { dataAreaId: line['dataAreaId'] ?? null, InventoryLotId: line['InventoryLotId'] ?? null },
        { SalesOrderLineStatus: lineStatus },
      );
  }
  store.update('SalesOrderHeadersV2', key, { SalesOrderProcessingStatus: next.status });
  return {
    SalesOrderNumber: String(order['SalesOrderNumber']),
    SalesOrderProcessingStatus: next.status,
    InvoiceNumber,
  };
}

/** Posts the invoice of an order's not yet invoiced lines; header charges go on its first invoice only. */
function postOrderInvoice(context: PostingContext, order: Row, lines: readonly Row[]): string {
  const { store, sequences } = context;
  const company = order['dataAreaId'] ?? null;
  const number = order['SalesOrderNumber'] ?? null;
  if (lines.length === 0)
    throw postingFailed(`Error: Sales order ${String(number)} has no lines to invoice.`);
  const invoiced = store
    .findBy('SalesInvoiceHeadersV2', 'SalesOrderNumber', number)
    .some((i) => String(i['dataAreaId']).toLowerCase() === String(company).toLowerCase());
  const customer = store.get('CustomersV3', {
    dataAreaId: company,
    CustomerAccount: order['InvoiceCustomerAccountNumber'] ?? null,
  });
  const invoice = invoiceFromOrder(
    order,
    lines,
    invoiced ? [] : rowsOfOrder(store, 'SalesOrderHeaderCharges', company, number),
    rowsOfOrder(store, 'SalesOrderLineCharges', company, number),
    {
      invoiceNumber: sequences.nextInvoiceNumber(),
      date: context.today,
      voucher: sequences.nextVoucher(),
      address: invoiceAddressOf(customer ?? {}),
    },
  );
  insertInvoice(store, invoice);
  return String(invoice.header['InvoiceNumber']);
}

function insertInvoice(store: Store, invoice: PostedInvoice): void {
  store.insert('SalesInvoiceHeadersV2', invoice.header);
  for (const line of invoice.lines) store.insert('SalesInvoiceLinesV2', line);
}

export interface FreeTextInvoiceRequest {
  customerAccount: string;
  lines: readonly FreeTextLine[];
  /** `InvoiceDate` (`YYYY-MM-DD` or ISO 8601); default today. */
  date?: string;
}

/** Posts a free-text invoice for a customer of `company`. Run in a transaction. */
export function postFreeTextInvoice(
  context: PostingContext,
  company: string,
  { customerAccount, lines, date }: FreeTextInvoiceRequest,
): PostedInvoice {
  const customer = context.store.get('CustomersV3', {
    dataAreaId: company,
    CustomerAccount: customerAccount,
  });
  if (!customer)
    throw postingFailed(`Error: Customer account '${customerAccount}' does not exist in company ${company}.`);
  if (lines.length === 0) throw postingFailed('Error: A free text invoice needs at least one line.');
  const day = date === undefined ? undefined : new Date(date);
  if (day && Number.isNaN(day.getTime()))
    throw postingFailed(`Error: '${String(date)}' is not a valid invoice date.`);
  const invoice = freeTextInvoice(customer, lines, {
    invoiceNumber: context.sequences.nextInvoiceNumber(),
    date: day ? day.toISOString().replace('.000Z', 'Z') : context.today,
    voucher: context.sequences.nextVoucher(),
  });
  insertInvoice(context.store, invoice);
  return invoice;
}
