/**
 * Order: a Sales order (system of record) with its lines, and the Finance sales order with the same
 * number. Unified fields are the orders flow's mapped fields, header and lines (see the read model);
 * Finance's progress (status, totals, line status, charges) is shown from Finance.
 */
import type { FinanceOrderHeader } from '../../connectors/finance/types.js';
import { salesOrderStatus, type SalesOrder } from '../../connectors/sales/types.js';
import type { OrderLineResolvers, OrderResolvers, OrderStatus } from '../../generated/resolvers-types.js';
import { ROUNDING_CHARGE } from '../../sync/flows/orders/definition.js';
import { recomposeLineDiscount } from '../../sync/money.js';
import { recordViews, type RecordView } from '../../sync/read-model/index.js';
import type { HubContext } from '../context.js';
import type { AccountModel, InvoiceModel, OrderLineModel, OrderModel, QuoteModel } from '../models.js';
import { accountOfSales } from './account.js';
import { invoicesOf } from './invoice.js';
import { lineProduct, pairLines } from './lines.js';
import { rowsOf, unifiedAddress } from './shared.js';
import { syncLink } from './sync.js';

const orders = recordViews.order;
const orderLines = recordViews.orderLine;

/** Each Sales processing status (`msdynce_processingstatus`) as the `OrderStatus` enum spells it. */
const statusNames = {
  draft: 'DRAFT',
  active: 'ACTIVE',
  confirmed: 'CONFIRMED',
  packingSlip: 'PACKING_SLIP',
  invoiced: 'INVOICED',
  picked: 'PICKED',
  partiallyPicked: 'PARTIALLY_PICKED',
  partiallyPacked: 'PARTIALLY_PACKED',
  shipped: 'SHIPPED',
  partiallyShipped: 'PARTIALLY_SHIPPED',
  partiallyInvoiced: 'PARTIALLY_INVOICED',
  cancelled: 'CANCELLED',
} as const satisfies Record<keyof typeof salesOrderStatus, OrderStatus>;

const statusByValue = new Map<number, OrderStatus>(
  Object.entries(statusNames).map(([name, status]) => [
    salesOrderStatus[name as keyof typeof statusNames],
    status,
  ]),
);

/** The Sales option value of an `OrderStatus` (for the listing's filter). */
export function orderStatusValue(status: OrderStatus): number {
  const name = (Object.keys(statusNames) as (keyof typeof statusNames)[]).find(
    (key) => statusNames[key] === status,
  );
  if (!name) throw new RangeError(`Unknown order status ${status}`);
  return salesOrderStatus[name];
}

export async function salesOrderOf(order: OrderModel, context: HubContext): Promise<SalesOrder | null> {
  return order.sales !== undefined ? order.sales : context.loaders.salesOrderByNumber.load(order.orderNumber);
}

async function financeOrderOf(order: OrderModel, context: HubContext): Promise<FinanceOrderHeader | null> {
  return order.finance !== undefined
    ? order.finance
    : context.loaders.financeOrderByNumber.load(order.orderNumber);
}

/** The unified order of a Sales order row; null for one without an order number (never synced). */
export function orderOfSales(row: SalesOrder | null): OrderModel | null {
  const number = row ? orders.keyOf('source', row) : null;
  return row && typeof number === 'string' && number
    ? { orderNumber: number, sales: row, finance: undefined }
    : null;
}

/** Sales orders as a list shows them: those with an order number, by order number, at most `first`. */
export function ordersOfSales(rows: readonly SalesOrder[], first: number): OrderModel[] {
  return rows
    .map(orderOfSales)
    .filter((order): order is OrderModel => order !== null)
    .sort((a, b) => a.orderNumber.localeCompare(b.orderNumber))
    .slice(0, first);
}

const rows = (order: OrderModel, context: HubContext) =>
  rowsOf(
    context,
    () => salesOrderOf(order, context),
    () => financeOrderOf(order, context),
  );

export const Order: OrderResolvers = {
  orderNumber: (order) => order.orderNumber,
  // An order saved in Sales without a name shows its Finance order's.
  name: (o, _a, ctx) => orders.value<string>('name', rows(o, ctx), { fallBack: 'whenNull' }),
  status: async (o, _a, ctx) => {
    const value = (await salesOrderOf(o, ctx))?.msdynce_processingstatus;
    return value === null || value === undefined ? null : (statusByValue.get(value) ?? null);
  },
  /** Finance's own: the order status flow brings it to Sales as `status`. */
  financeStatus: async (o, _a, ctx) => (await financeOrderOf(o, ctx))?.SalesOrderProcessingStatus ?? null,
  currency: (o, _a, ctx) => orders.value<string>('currency', rows(o, ctx)),
  requestedDeliveryBy: (o, _a, ctx) => orders.value<string>('requestedDeliveryBy', rows(o, ctx)),
  /** Not mapped by the orders flow (Finance computes its totals; the order status flow copies them back). */
  totalAmount: async (o, _a, ctx) => {
    const record = await orders.record(rows(o, ctx));
    if (!record) return null;
    return record.side === 'source' ? record.row.totalamount : record.row.OrderTotalAmount;
  },
  shipTo: (o, _a, ctx) => unifiedAddress(orders, 'shipTo', rows(o, ctx)),
  account: async (o, _a, ctx): Promise<AccountModel | null> => {
    const reading = await orders.read('account', rows(o, ctx));
    const value = reading?.value;
    if (!reading || typeof value !== 'string' || !value) return null;
    // Sales holds the customer's id, Finance the customer's account number.
    return reading.side === 'source'
      ? accountOfSales(await ctx.loaders.salesAccountById.load(value))
      : { accountNumber: value, sales: undefined, finance: undefined };
  },
  quote: async (o, _a, ctx): Promise<QuoteModel | null> => {
    const quoteId = (await salesOrderOf(o, ctx))?._quoteid_value;
    const quote = quoteId ? await ctx.loaders.salesQuoteById.load(quoteId) : null;
    const number = quote ? recordViews.quote.keyOf('source', quote) : null;
    return quote && typeof number === 'string' && number
      ? { quoteNumber: number, sales: quote, finance: undefined }
      : null;
  },
  /** Lines of both systems paired by line number; a line in only one system comes with the other side null. */
  lines: async (o, _a, ctx): Promise<OrderLineModel[]> => {
    const sales = await salesOrderOf(o, ctx);
    const [salesLines, financeLines] = await Promise.all([
      sales ? ctx.loaders.salesOrderLinesByOrderId.load(sales.salesorderid) : [],
      ctx.loaders.financeOrderLinesByNumber.load(o.orderNumber),
    ]);
    return pairLines(orderLines, salesLines, financeLines).map((line) => ({
      orderNumber: o.orderNumber,
      lineNumber: line.lineNumber,
      sales: line.source,
      finance: line.target,
    }));
  },
  /** The Sales invoices of the order and the Finance invoices of its number, matched by invoice number. */
  invoices: async (o, _a, ctx): Promise<InvoiceModel[]> => {
    const sales = await salesOrderOf(o, ctx);
    const [salesInvoices, financeInvoices] = await Promise.all([
      sales ? ctx.loaders.salesInvoicesByOrderId.load(sales.salesorderid) : [],
      ctx.loaders.financeInvoicesByOrderNumber.load(o.orderNumber),
    ]);
    return invoicesOf(financeInvoices, salesInvoices);
  },
  sales: (o, _a, ctx) => salesOrderOf(o, ctx),
  finance: (o, _a, ctx) => financeOrderOf(o, ctx),
  /** Header and lines, each line through the orders flow's line mapping. */
  sync: (o, _a, ctx) =>
    syncLink(ctx, {
      entity: 'order',
      key: o.orderNumber,
      flow: orders.flow,
      ...rows(o, ctx),
      lines: {
        view: orderLines as RecordView<object, object>,
        source: async () => {
          const sales = await salesOrderOf(o, ctx);
          return sales ? ctx.loaders.salesOrderLinesByOrderId.load(sales.salesorderid) : [];
        },
        target: () => ctx.loaders.financeOrderLinesByNumber.load(o.orderNumber),
      },
    }),
};

/** A line's rows as the order's `lines` paired them: nothing is loaded. */
const lineRows = (line: OrderLineModel, context: HubContext) =>
  rowsOf(
    context,
    async () => line.sales ?? null,
    async () => line.finance ?? null,
  );

/** A unified field of the order-line mapping, from the Sales line, else from the Finance line. */
const lineValue =
  (field: string) =>
  (line: OrderLineModel, _args: unknown, context: HubContext): Promise<string | null> =>
    orderLines.value<string>(field, lineRows(line, context));

/**
 * The Finance line's discount rounding charge. The charges come with the order's Finance lines (one
 * `$batch`, see the loaders), so this reads nothing more for a line listed by its order.
 */
async function roundingChargeOf(line: OrderLineModel, context: HubContext): Promise<string | null> {
  if (!line.finance) return null;
  const charges = await context.loaders.financeOrderLineChargesByNumber.load(line.orderNumber);
  const charge = charges.find(
    (c) => c.LineCreationSequenceNumber === line.lineNumber && c.SalesChargeCode === ROUNDING_CHARGE.code,
  );
  return charge?.FixedChargeAmount ?? null;
}

export const OrderLine: OrderLineResolvers = {
  lineNumber: (line) => line.lineNumber,
  productNumber: async (line, _a, ctx) =>
    (await lineProduct(orderLines, 'productNumber', lineRows(line, ctx), ctx))?.productNumber ?? null,
  description: async (line, _a, ctx) => {
    const reading = await orderLines.read('description', lineRows(line, ctx));
    // A write-in line (never synced) carries its typed product text in a column no mapping reads.
    if (reading?.side === 'source')
      return (reading.value as string | null | undefined) ?? reading.row.productdescription;
    return (reading?.value as string | null | undefined) ?? null;
  },
  quantity: lineValue('quantity'),
  unitPrice: lineValue('unitPrice'),
  /** Sales' line total; a Finance line's per-unit discount is recomposed into one (`perUnit` undone). */
  discount: async (line, _a, ctx) => {
    const reading = await orderLines.read('discount', lineRows(line, ctx));
    if (!reading || reading.value === null || reading.value === undefined) return null;
    if (reading.side === 'source') return reading.value as string;
    const quantity = reading.row.OrderedSalesQuantity;
    if (quantity === null) return reading.value as string;
    return recomposeLineDiscount(reading.value as string, quantity, await roundingChargeOf(line, ctx));
  },
  roundingCharge: (line, _a, ctx) => roundingChargeOf(line, ctx),
  /** Not mapped: Finance computes its line amount. */
  amount: (line) => (line.sales ? line.sales.extendedamount : (line.finance?.LineAmount ?? null)),
  unit: lineValue('unit'),
  /** The column of the orders flow's write-in rule (a write-in line skips its order). */
  isWriteIn: (line) => line.sales?.isproductoverridden === true,
  status: (line) => line.finance?.SalesOrderLineStatus ?? null,
  product: (line, _a, ctx) => lineProduct(orderLines, 'productNumber', lineRows(line, ctx), ctx),
  sales: (line) => line.sales ?? null,
  finance: async (line, _a, ctx) => {
    if (line.finance !== undefined) return line.finance;
    const lines = await ctx.loaders.financeOrderLinesByNumber.load(line.orderNumber);
    return lines.find((l) => orderLines.keyOf('target', l) === line.lineNumber) ?? null;
  },
};
