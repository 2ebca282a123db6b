/**
 * Sales orders and invoices on Finance's side, and the invoices Sales already holds:
 * - every order in Finance (`SalesOrderHeadersV2` + `SalesOrderLines`) at its status, lines with the
 *   discount per unit and a 'DISC-RND' line charge where the split lost a cent, and the one order with a
 *   25.00 'FREIGHT' header charge;
 * - one order created in Finance (Confirmed) that Sales has not seen;
 * - an invoice (`SalesInvoiceHeadersV2` + `SalesInvoiceLinesV2`, `CIV-000001`…) for every Invoiced order,
 *   about half of them (of orders whose status Sales shows) already in Sales as `invoices` +
 *   `invoicedetails`, read-only there; the rest is the invoices flow's work;
 * - a few free-text invoices (no sales order, lines without a product) for synchronised customers.
 *
 * Amounts come from the Finance simulator's own arithmetic (`finance/orders.ts`), so they agree with what
 * Finance would compute. Random choices come from the 'finance-orders' and 'invoices' streams.
 */
import type { Row } from '../core/model.js';
import {
  SalesInvoiceHeadersV2,
  SalesInvoiceLinesV2,
  SalesOrderHeaderCharges,
  SalesOrderHeadersV2,
  SalesOrderLineCharges,
  SalesOrderLines,
} from '../finance/entities.js';
import { freeTextInvoice, invoiceAddressOf, invoiceFromOrder, orderTotals } from '../finance/orders.js';
import { invoicedetails, invoices } from '../sales/entities.js';
import { financeAddressColumns } from './addresses.js';
import type { SeedContext } from './context.js';
import { formatCents, formatQuantity, lineAmountCents, parseCents } from './money.js';
import {
  financeLinePricing,
  financeLineStatusOf,
  financeStatusOf,
  isFinanceStage,
  type FinanceStage,
  type SeedOrder,
} from './orders.js';
import type { SeedProduct } from './products.js';
import type { SeededRandom } from './random.js';
import { ratios } from './ratios.js';
import { field, padded, rowBuilder, Sequence, text } from './rows.js';
import { DAY_MS, instantBetween, isoDateTime, startOfDay } from './time.js';
import { countryNameToIso, quoteBlankCountryIso, salesUnitToFinanceUnit } from './value-maps.js';

/** Rows of both systems for orders and invoices. */
export interface FinanceOrders {
  SalesOrderHeadersV2: Row[];
  SalesOrderLines: Row[];
  SalesOrderHeaderCharges: Row[];
  SalesOrderLineCharges: Row[];
  SalesInvoiceHeadersV2: Row[];
  SalesInvoiceLinesV2: Row[];
  /** Sales `invoices` and `invoicedetails`: Finance's invoices already synchronised. */
  invoices: Row[];
  invoicedetails: Row[];
}

/** The line charge that makes up for rounding a line discount to cents per unit. */
export const discountRoundingCharge = { code: 'DISC-RND', description: 'Discount rounding' } as const;
/** The one header charge of the seed. */
export const freightCharge = { code: 'FREIGHT', description: 'Freight' } as const;

/** The number of the order created in Finance (Finance's own number sequence, not Sales's `ORD-…`). */
export const financeOnlyOrderNumber = 'SO-000001';

const headerRow = rowBuilder(SalesOrderHeadersV2);
const lineRow = rowBuilder(SalesOrderLines);
const headerChargeRow = rowBuilder(SalesOrderHeaderCharges);
const lineChargeRow = rowBuilder(SalesOrderLineCharges);
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

interface Builder {
  context: SeedContext;
  out: FinanceOrders;
  lots: Sequence;
  invoiceNumbers: Sequence;
  customers: ReadonlyMap<string, Row>;
}

/**
 * Finance's orders and invoices for `orders`; `customerRows` are Finance's customers and `firstLotId` the
 * next lot id after the quotation lines (one lot sequence for quotation and order lines).
 */
export function generateFinanceOrders(
  context: SeedContext,
  orders: readonly SeedOrder[],
  customerRows: readonly Row[],
  products: readonly SeedProduct[],
  firstLotId: number,
): FinanceOrders {
  const out: FinanceOrders = {
    SalesOrderHeadersV2: [],
    SalesOrderLines: [],
    SalesOrderHeaderCharges: [],
    SalesOrderLineCharges: [],
    SalesInvoiceHeadersV2: [],
    SalesInvoiceLinesV2: [],
    invoices: [],
    invoicedetails: [],
  };
  // Customers synchronised from Sales accounts (usmf, mastered in Sales), by account number.
  const customers = new Map(
    customerRows
      .filter((c) => c['dataAreaId'] === 'usmf' && c['IsExternallyMaintained'] === 'Yes')
      .map((c) => [text(c, 'CustomerAccount'), c]),
  );
  const builder: Builder = {
    context,
    out,
    lots: new Sequence(firstLotId),
    invoiceNumbers: new Sequence(1),
    customers,
  };
  const random = context.random('invoices');
  for (const order of orders) {
    if (!isFinanceStage(order.stage)) continue;
    const financeOrder = orderRows(builder, order, order.stage);
    if (order.stage !== 'invoiced') continue;
    const invoiceMs = Math.min(order.createdMs + random.int(5, 15) * DAY_MS, context.referenceMs - DAY_MS);
    const invoice = postInvoice(builder, financeOrder, startOfDay(invoiceMs));
    const inSales =
      order.shownStage === 'invoiced' && (order.discountExample || random.chance(ratios.invoiceInSales));
    if (inSales) salesInvoice(builder, random, order, invoice, invoiceMs);
  }
  if (customers.size > 0 && products.some((p) => p.externallyMaintained)) {
    financeOnlyOrder(builder, context.random('finance-orders'), products);
    for (let i = 0; i < ratios.freeTextInvoices; i++) freeText(builder, random);
  }
  return out;
}

interface FinanceOrderRows {
  header: Row;
  lines: Row[];
  headerCharges: Row[];
  lineCharges: Row[];
}

/** The orders flow's header and line maps, then what Finance added: status, totals, charges. */
function orderRows(builder: Builder, order: SeedOrder, stage: FinanceStage): FinanceOrderRows {
  const { context, out } = builder;
  const { row } = order;
  const number = text(row, 'ordernumber');
  // The orders flow's default for a blank requested date: the day the order was taken (createdon).
  const requested = field(row, 'requestdeliveryby') ?? field(row, 'createdon');
  const lines: Row[] = [];
  const lineCharges: Row[] = [];
  for (const line of order.lines) {
    if (!line.product || !line.finance) throw new Error('An order in Finance has no write-in lines');
    const sequence = line.row['sequencenumber'] ?? null;
    lines.push(
      lineRow({
        dataAreaId: 'usmf',
        InventoryLotId: padded(builder.lots.take(), 9),
        SalesOrderNumber: number,
        LineCreationSequenceNumber: sequence,
        ItemNumber: line.product.number,
        OrderedSalesQuantity: field(line.row, 'quantity'),
        SalesPrice: field(line.row, 'priceperunit'),
        SalesUnitSymbol: salesUnitToFinanceUnit[line.product.unit],
        LineDiscountAmount: line.finance.discountPerUnit,
        LineAmount: line.finance.LineAmount,
        LineTotalTaxAmount: line.finance.LineTotalTaxAmount,
        SalesOrderLineStatus: financeLineStatusOf[stage],
        LineDescription: field(line.row, 'description'),
      }),
    );
    if (line.finance.roundingCents !== 0) {
      lineCharges.push(
        lineChargeRow({
          dataAreaId: 'usmf',
          SalesOrderNumber: number,
          LineCreationSequenceNumber: sequence,
          SalesChargeCode: discountRoundingCharge.code,
          FixedChargeAmount: formatCents(line.finance.roundingCents),
          ChargeDescription: discountRoundingCharge.description,
        }),
      );
    }
  }
  const headerCharges =
    order.freightCents === 0
      ? []
      : [
          headerChargeRow({
            dataAreaId: 'usmf',
            SalesOrderNumber: number,
            SalesChargeCode: freightCharge.code,
            FixedChargeAmount: formatCents(order.freightCents),
            ChargeDescription: freightCharge.description,
          }),
        ];
  const currencyId = text(row, '_transactioncurrencyid_value');
  const header = headerRow(
    {
      dataAreaId: 'usmf',
      SalesOrderNumber: number,
      SalesOrderName: field(row, 'name'),
      SalesOrderProcessingStatus: financeStatusOf[stage],
      OrderingCustomerAccountNumber: order.account.number,
      InvoiceCustomerAccountNumber: order.account.number,
      OrderingCustomerIsExternallyMaintained: 'Yes',
      InvoiceCustomerIsExternallyMaintained: 'Yes',
      CurrencyCode: context.reference.currencyCodeById.get(currencyId) ?? null,
      RequestedShippingDate: requested,
      ConfirmedShippingDate: stage === 'cancelled' ? null : requested,
      LanguageId: 'en-us',
    },
    financeAddressColumns(row, 'shipto', 'DeliveryAddress', 'StateId', quoteBlankCountryIso),
    { ...orderTotals(lines, headerCharges, lineCharges) },
  );
  out.SalesOrderHeadersV2.push(header);
  out.SalesOrderLines.push(...lines);
  out.SalesOrderHeaderCharges.push(...headerCharges);
  out.SalesOrderLineCharges.push(...lineCharges);
  return { header, lines, headerCharges, lineCharges };
}

/** Posts the invoice of an Invoiced order, as Finance's posting does (`invoiceFromOrder`). */
function postInvoice(
  builder: Builder,
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

function store(builder: Builder, posted: { header: Row; lines: Row[] }): { header: Row; lines: Row[] } {
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
function salesInvoice(
  builder: Builder,
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

/** An order entered in Finance for a synchronised customer and confirmed there; Sales has not seen it. */
function financeOnlyOrder(builder: Builder, random: SeededRandom, products: readonly SeedProduct[]): void {
  const { context } = builder;
  const customer = random.pick([...builder.customers.values()]);
  const synced = products.filter((p) => p.externallyMaintained);
  const createdMs = instantBetween(
    random,
    context.referenceMs - 30 * DAY_MS,
    context.referenceMs - 2 * DAY_MS,
  );
  const requested = isoDateTime(startOfDay(createdMs) + 21 * DAY_MS);
  const lines = Array.from({ length: random.int(1, 3) }, (_, i) => {
    const product = random.pick(synced);
    const quantityHundredths = product.precision === 0 ? random.int(1, 6) * 100 : random.int(1, 16) * 25;
    const pricing = financeLinePricing(quantityHundredths, product.priceCents, 0);
    return lineRow({
      dataAreaId: 'usmf',
      InventoryLotId: padded(builder.lots.take(), 9),
      SalesOrderNumber: financeOnlyOrderNumber,
      LineCreationSequenceNumber: i + 1,
      ItemNumber: product.number,
      OrderedSalesQuantity: formatQuantity(quantityHundredths, product.precision),
      SalesPrice: formatCents(product.priceCents),
      SalesUnitSymbol: salesUnitToFinanceUnit[product.unit],
      LineDiscountAmount: '0.00',
      LineAmount: pricing.LineAmount,
      LineTotalTaxAmount: pricing.LineTotalTaxAmount,
      SalesOrderLineStatus: 'Backorder',
    });
  });
  builder.out.SalesOrderHeadersV2.push(
    headerRow(
      {
        dataAreaId: 'usmf',
        SalesOrderNumber: financeOnlyOrderNumber,
        SalesOrderName: 'Phone order',
        SalesOrderProcessingStatus: 'Confirmed',
        OrderingCustomerAccountNumber: field(customer, 'CustomerAccount'),
        InvoiceCustomerAccountNumber: field(customer, 'CustomerAccount'),
        OrderingCustomerIsExternallyMaintained: 'Yes',
        InvoiceCustomerIsExternallyMaintained: 'Yes',
        CurrencyCode: field(customer, 'SalesCurrencyCode'),
        RequestedShippingDate: requested,
        ConfirmedShippingDate: requested,
        DeliveryAddressStreet: field(customer, 'DeliveryAddressStreet'),
        DeliveryAddressCity: field(customer, 'DeliveryAddressCity'),
        DeliveryAddressStateId: field(customer, 'DeliveryAddressState'),
        DeliveryAddressZipCode: field(customer, 'DeliveryAddressZipCode'),
        DeliveryAddressCountryRegionISOCode: field(customer, 'DeliveryAddressCountryRegionISOCode'),
        LanguageId: 'en-us',
      },
      { ...orderTotals(lines, [], []) },
    ),
  );
  builder.out.SalesOrderLines.push(...lines);
}

/** A free-text invoice for a synchronised customer: no sales order, lines with a description only. */
function freeText(builder: Builder, random: SeededRandom): void {
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
