/**
 * Invoices on Finance's side (`SalesInvoiceHeadersV2` + `SalesInvoiceLinesV2`, `CIV-000001`…): posted
 * from each Invoiced order as Finance's posting does, and a few free-text invoices (no sales order, lines
 * without a product); and those already in Sales as `invoices` + `invoicedetails`, read-only there.
 */
import type { Row } from '../core/model.js';
import { SalesInvoiceHeadersV2, SalesInvoiceLinesV2 } from '../finance/entities.js';
import { freeTextInvoice, invoiceAddressOf, invoiceFromOrder } from '../finance/orders.js';
import { invoicedetails, invoices } from '../sales/order-entities.js';
import type { FinanceSeedBuilder, FinanceOrderRows } from './finance-order-rows.js';
import { formatCents, lineAmountCents, parseCents } from './money.js';
import type { SeedOrder } from './orders.js';
import type { SeededRandom } from './random.js';
import { field, padded, rowBuilder, text } from './rows.js';
import { DAY_MS, instantBetween, isoDateTime, startOfDay } from './time.js';
import { countryNameToIso } from './value-maps.js';

const invoiceHeaderRow = rowBuilder(SalesInvoiceHeadersV2);
const invoiceLineRow = rowBuilder(SalesInvoiceLinesV2);
const salesInvoiceRow = rowBuilder(invoices);
const salesInvoiceLineRow = rowBuilder(invoicedetails);

/** ISO 3166 alpha-3 → the Sales country name (the account and quote maps read backwards). */
const countryNameOfIso = new Map(Object.entries(countryNameToIso).map(([name, iso]) => [iso, name]));

const freeTextItems = [
  'Consulting services',
  'Extended warranty',
  'Restocking fee',
  'Training day',
  'Site visit',
];

/** Posts the invoice of an Invoiced order, as Finance's posting does (`invoiceFromOrder`). */
export function postInvoice(
  builder: FinanceSeedBuilder,
  order: FinanceOrderRows,
  dayMs: number,
): { header: Row; lines: Row[] } {
  const sequence = builder.invoiceNumbers.take();
  const customer = builder.customers.get(text(order.header, 'InvoiceCustomerAccountNumber')) ?? {};
  const posted = invoiceFromOrder(order.header, order.lines, order.headerCharges, order.lineCharges, {
    invoiceNumber: `CIV-${padded(sequence, 6)}`,
    date: isoDateTime(dayMs),
    voucher: `ARI-${padded(sequence, 6)}`,
    address: invoiceAddressOf(customer),
  });
  return store(builder, posted);
}

function store(
  builder: FinanceSeedBuilder,
  posted: { header: Row; lines: Row[] },
): { header: Row; lines: Row[] } {
  const header = invoiceHeaderRow(posted.header);
  const lines = posted.lines.map((line) => invoiceLineRow(line));
  builder.out.SalesInvoiceHeadersV2.push(header);
  builder.out.SalesInvoiceLinesV2.push(...lines);
  return { header, lines };
}

/**
 * The invoice as the invoices flow leaves it in Sales: named by its number, date, bill-to address and
 * totals from Finance, the order's customer, price list and currency, lines priced as Finance's invoice
 * lines (the discount recomposed: 3 × 3.33 and a −0.01 charge show as 10.00).
 */
export function salesInvoice(
  builder: FinanceSeedBuilder,
  random: SeededRandom,
  order: SeedOrder,
  invoice: { header: Row; lines: Row[] },
  syncedMs: number,
): void {
  const { context, out } = builder;
  const { header } = invoice;
  const id = random.guid();
  const stamps = {
    createdon: isoDateTime(syncedMs),
    modifiedon: isoDateTime(syncedMs),
  };
  let lineItems = 0;
  for (const line of invoice.lines) {
    const sequence = line['LineCreationSequenceNumber'];
    const source = order.lines.find((l) => l.row['sequencenumber'] === sequence)!;
    const quantity = text(line, 'InvoicedQuantity');
    const price = parseCents(text(line, 'SalesPrice'));
    const discount = parseCents(text(line, 'LineTotalDiscountAmount'));
    const tax = parseCents(text(line, 'LineTotalTaxAmount'));
    // What Sales computes from the line (quantity × price − discount), as its own rules would.
    const net = lineAmountCents(Math.round(Number(quantity) * 100), price, discount);
    lineItems += net;
    out.invoicedetails.push(
      salesInvoiceLineRow(
        {
          invoicedetailid: random.guid(),
          _invoiceid_value: id,
          _productid_value: source.product?.id ?? null,
          isproductoverridden: false,
          productdescription: field(line, 'LineDescription'),
          quantity,
          priceperunit: formatCents(price),
          manualdiscountamount: formatCents(discount),
          extendedamount: formatCents(net + tax),
          tax: formatCents(tax),
          sequencenumber: sequence ?? null,
          _uomid_value: source.product ? context.reference.uomId[source.product.unit] : null,
          msdynce_invoicenumber: field(header, 'InvoiceNumber'),
          msdynce_invoicedate: field(header, 'InvoiceDate'),
        },
        stamps,
      ),
    );
  }
  const country = field(header, 'InvoiceAddressCountryRegionISOCode');
  out.invoices.push(
    salesInvoiceRow(
      {
        invoiceid: id,
        invoicenumber: field(header, 'InvoiceNumber'),
        name: field(header, 'InvoiceNumber'),
        _customerid_value: order.account.id,
        _salesorderid_value: field(order.row, 'salesorderid'),
        _pricelevelid_value: field(order.row, '_pricelevelid_value'),
        _transactioncurrencyid_value: field(order.row, '_transactioncurrencyid_value'),
        msdynce_invoicedate: field(header, 'InvoiceDate'),
        billto_line1: field(header, 'InvoiceAddressStreet'),
        billto_city: field(header, 'InvoiceAddressCity'),
        billto_stateorprovince: field(header, 'InvoiceAddressStateId'),
        billto_postalcode: field(header, 'InvoiceAddressZipCode'),
        billto_country: typeof country === 'string' ? (countryNameOfIso.get(country) ?? null) : null,
        totallineitemamount: formatCents(lineItems),
        totaldiscountamount: field(header, 'TotalDiscountAmount'),
        totaltax: field(header, 'TotalTaxAmount'),
        freightamount: field(header, 'TotalChargeAmount'),
        totalamount: field(header, 'TotalInvoiceAmount'),
        msdynce_ismaintainedexternally: true,
        msdynce_hasexternallymaintainedproductsonly: true,
        statecode: 0,
        statuscode: 1,
      },
      stamps,
    ),
  );
}

/** A free-text invoice for a synchronised customer: no sales order, lines with a description only. */
export function freeText(builder: FinanceSeedBuilder, random: SeededRandom): void {
  const { context } = builder;
  const customer = random.pick([...builder.customers.values()]);
  const lines = Array.from({ length: random.int(1, 2) }, () => ({
    description: random.pick(freeTextItems),
    quantity: String(random.int(1, 4)),
    price: formatCents(random.int(50, 900) * 100),
  }));
  const dayMs = startOfDay(
    instantBetween(random, context.referenceMs - 90 * DAY_MS, context.referenceMs - DAY_MS),
  );
  const sequence = builder.invoiceNumbers.take();
  store(
    builder,
    freeTextInvoice(customer, lines, {
      invoiceNumber: `CIV-${padded(sequence, 6)}`,
      date: isoDateTime(dayMs),
      voucher: `ARI-${padded(sequence, 6)}`,
    }),
  );
}
