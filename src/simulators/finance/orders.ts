/**
 * Sales orders and invoices as the Finance simulator models F&O: the order arithmetic ("Calculate sales
 * totals"), the invoice an order posts to and free-text invoices, as rows. Posting them, and the steps
 * that move an order's processing status, are in `posting.ts`.
 *
 * The arithmetic is pure and exported so seed data can build rows that agree with what the simulator
 * computes. Amounts are exact decimal text (`core/decimal.ts`), rounded to cents half away from zero.
 */
import { addDecimals, multiplyDecimals, subtractDecimals } from '../core/decimal.js';
import type { Row, Value } from '../core/model.js';
import type { Store } from '../core/store.js';

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

/** Rows of an order's child set (lines or charges) in the order's company. */
export function rowsOfOrder(store: Store, set: string, company: Value, salesOrderNumber: Value): Row[] {
  const dataAreaId = String(company).toLowerCase();
  return store
    .findBy(set, 'SalesOrderNumber', salesOrderNumber)
    .filter((r) => String(r['dataAreaId']).toLowerCase() === dataAreaId);
}
