/**
 * Sales orders on Finance's side (`SalesOrderHeadersV2` + `SalesOrderLines` and their charges): each order
 * the orders flow sent, at its status, with the discount per unit and a 'DISC-RND' line charge where the
 * split lost a cent and the one 25.00 'FREIGHT' header charge; and the one order created in Finance
 * (Confirmed) that Sales has not seen. Also the rows and state the whole Finance orders run shares.
 */
import type { Row } from '../core/model.js';
import {
  SalesOrderHeaderCharges,
  SalesOrderHeadersV2,
  SalesOrderLineCharges,
  SalesOrderLines,
} from '../finance/entities.js';
import { orderTotals } from '../finance/orders.js';
import { financeAddressColumns } from './addresses.js';
import type { SeedContext } from './context.js';
import { formatCents, formatQuantity } from './money.js';
import {
  financeLinePricing,
  financeLineStatusOf,
  financeStatusOf,
  type FinanceStage,
} from './order-finance.js';
import type { SeedOrder } from './orders.js';
import type { SeedProduct } from './products.js';
import type { SeededRandom } from './random.js';
import { field, padded, rowBuilder, type Sequence, text } from './rows.js';
import { DAY_MS, instantBetween, isoDateTime, startOfDay } from './time.js';
import { quoteBlankCountryIso, salesUnitToFinanceUnit } from './value-maps.js';

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

/** What one run of the Finance orders generator shares: the rows so far and Finance's number sequences. */
export interface FinanceSeedBuilder {
  context: SeedContext;
  out: FinanceOrders;
  lots: Sequence;
  invoiceNumbers: Sequence;
  customers: ReadonlyMap<string, Row>;
}

/** One order's rows on Finance's side, as posting its invoice reads them. */
export interface FinanceOrderRows {
  header: Row;
  lines: Row[];
  headerCharges: Row[];
  lineCharges: Row[];
}

/** The orders flow's header and line maps, then what Finance added: status, totals, charges. */
export function orderRows(
  builder: FinanceSeedBuilder,
  order: SeedOrder,
  stage: FinanceStage,
): FinanceOrderRows {
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

/** An order entered in Finance for a synchronised customer and confirmed there; Sales has not seen it. */
export function financeOnlyOrder(
  builder: FinanceSeedBuilder,
  random: SeededRandom,
  products: readonly SeedProduct[],
): void {
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
