/**
 * Quote: a Sales quote (system of record) with its lines, and the Finance quotation with the same number.
 * Unified fields are the quotes flow's mapped fields, header and lines (see the read model).
 */
import type { FinanceQuoteHeader } from '../../connectors/finance/types.js';
import type { SalesQuote } from '../../connectors/sales/types.js';
import type { QuoteLineResolvers, QuoteResolvers } from '../../generated/resolvers-types.js';
import { recordViews } from '../../sync/read-model/index.js';
import type { HubContext } from '../context.js';
import type { AccountModel, OrderModel, ProductModel, QuoteLineModel, QuoteModel } from '../models.js';
import { accountOfSales } from './account.js';
import { ordersOfSales } from './order.js';
import { rowsOf, unifiedAddress } from './shared.js';
import { syncLink } from './sync.js';

const quotes = recordViews.quote;
const quoteLines = recordViews.quoteLine;

const statuses = ['DRAFT', 'ACTIVE', 'WON', 'CLOSED'] as const;

export async function salesQuoteOf(quote: QuoteModel, context: HubContext): Promise<SalesQuote | null> {
  return quote.sales !== undefined ? quote.sales : context.loaders.salesQuoteByNumber.load(quote.quoteNumber);
}

async function financeQuoteOf(quote: QuoteModel, context: HubContext): Promise<FinanceQuoteHeader | null> {
  return quote.finance !== undefined
    ? quote.finance
    : context.loaders.financeQuoteByNumber.load(quote.quoteNumber);
}

/** A column of the Sales quote that no flow maps (its state, `effectivefrom`, its total): Sales only. */
async function fromSales<T>(
  quote: QuoteModel,
  context: HubContext,
  pick: (sales: SalesQuote) => T,
): Promise<T | null> {
  const sales = await salesQuoteOf(quote, context);
  return sales ? pick(sales) : null;
}

const rows = (quote: QuoteModel, context: HubContext) =>
  rowsOf(
    context,
    () => salesQuoteOf(quote, context),
    () => financeQuoteOf(quote, context),
  );

export const Quote: QuoteResolvers = {
  quoteNumber: (quote) => quote.quoteNumber,
  // A quote saved in Sales without a name shows its Finance quotation's.
  name: (q, _a, ctx) => quotes.value<string>('name', rows(q, ctx), { fallBack: 'whenNull' }),
  status: (q, _a, ctx) =>
    fromSales(q, ctx, (s) => (s.statecode === null ? null : (statuses[s.statecode] ?? null))),
  effectiveFrom: (q, _a, ctx) => fromSales(q, ctx, (s) => s.effectivefrom),
  effectiveTo: (q, _a, ctx) => quotes.value<string>('effectiveTo', rows(q, ctx)),
  requestedDeliveryBy: (q, _a, ctx) => quotes.value<string>('requestedDeliveryBy', rows(q, ctx)),
  currency: (q, _a, ctx) => quotes.value<string>('currency', rows(q, ctx)),
  totalAmount: (q, _a, ctx) => fromSales(q, ctx, (s) => s.totalamount),
  shipTo: (q, _a, ctx) => unifiedAddress(quotes, 'shipTo', rows(q, ctx)),
  account: async (q, _a, ctx): Promise<AccountModel | null> => {
    const reading = await quotes.read('account', rows(q, ctx));
    const value = reading?.value;
    if (!reading || typeof value !== 'string' || !value) return null;
    // Sales holds the customer's id, Finance the customer's account number.
    return reading.side === 'source'
      ? accountOfSales(await ctx.loaders.salesAccountById.load(value))
      : { accountNumber: value, sales: undefined, finance: undefined };
  },
  /** Lines of both systems paired by line number; a line in only one system comes with the other side null. */
  lines: async (q, _a, ctx): Promise<QuoteLineModel[]> => {
    const sales = await salesQuoteOf(q, ctx);
    const [salesLines, financeLines] = await Promise.all([
      sales ? ctx.loaders.salesQuoteLinesByQuoteId.load(sales.quoteid) : [],
      ctx.loaders.financeQuoteLinesByNumber.load(q.quoteNumber),
    ]);
    const byNumber = new Map<number | null, QuoteLineModel>();
    for (const line of salesLines) {
      const number = quoteLines.keyOf('source', line) as number | null;
      byNumber.set(number, { quoteNumber: q.quoteNumber, lineNumber: number, sales: line, finance: null });
    }
    for (const line of financeLines) {
      const number = quoteLines.keyOf('target', line) as number | null;
      const paired = byNumber.get(number);
      if (paired) paired.finance = line;
      else
        byNumber.set(number, { quoteNumber: q.quoteNumber, lineNumber: number, sales: null, finance: line });
    }
    return [...byNumber.values()].sort((a, b) => (a.lineNumber ?? 0) - (b.lineNumber ?? 0));
  },
  /** Sales orders made from the quote (`quoteid`): a handful at most, so not paged. */
  orders: async (q, _a, ctx): Promise<OrderModel[]> => {
    const sales = await salesQuoteOf(q, ctx);
    if (!sales) return [];
    return ordersOfSales(await ctx.loaders.salesOrdersByQuoteId.load(sales.quoteid), Infinity);
  },
  sales: (q, _a, ctx) => salesQuoteOf(q, ctx),
  finance: (q, _a, ctx) => financeQuoteOf(q, ctx),
  sync: (q, _a, ctx) =>
    syncLink(ctx, { entity: 'quote', key: q.quoteNumber, flow: quotes.flow, ...rows(q, ctx) }),
};

/** A line's rows as the quote's `lines` paired them: nothing is loaded. */
const lineRows = (line: QuoteLineModel, context: HubContext) =>
  rowsOf(
    context,
    async () => line.sales ?? null,
    async () => line.finance ?? null,
  );

/** A unified field of the quotation-line mapping, from the Sales line, else from the Finance line. */
const lineValue =
  (field: string) =>
  (line: QuoteLineModel, _args: unknown, context: HubContext): Promise<string | null> =>
    quoteLines.value<string>(field, lineRows(line, context));

/** The line's product: Sales holds the product's id, Finance its number. */
async function productOf(line: QuoteLineModel, context: HubContext): Promise<ProductModel | null> {
  const reading = await quoteLines.read('productNumber', lineRows(line, context));
  const value = reading?.value;
  if (!reading || typeof value !== 'string' || !value) return null;
  if (reading.side === 'target') return { productNumber: value, sales: undefined, finance: undefined };
  const product = await context.loaders.salesProductById.load(value);
  const number = product ? recordViews.product.keyOf('target', product) : null;
  return product && typeof number === 'string' && number
    ? { productNumber: number, sales: product, finance: undefined }
    : null;
}

export const QuoteLine: QuoteLineResolvers = {
  lineNumber: (line) => line.lineNumber,
  productNumber: async (line, _a, ctx) => {
    const reading = await quoteLines.read('productNumber', lineRows(line, ctx));
    if (reading?.side !== 'source') return (reading?.value as string | null | undefined) ?? null;
    const product = reading.value ? await ctx.loaders.salesProductById.load(String(reading.value)) : null;
    return product ? ((recordViews.product.keyOf('target', product) as string | null) ?? null) : null;
  },
  description: async (line, _a, ctx) => {
    const reading = await quoteLines.read('description', lineRows(line, ctx));
    // A write-in line (never synced) carries its typed product text in a column no mapping reads.
    if (reading?.side === 'source')
      return (reading.value as string | null | undefined) ?? reading.row.productdescription;
    return (reading?.value as string | null | undefined) ?? null;
  },
  quantity: lineValue('quantity'),
  unitPrice: lineValue('unitPrice'),
  discount: lineValue('discount'),
  /** Not mapped: Finance computes its line amount. */
  amount: (line) => (line.sales ? line.sales.extendedamount : (line.finance?.LineAmount ?? null)),
  unit: lineValue('unit'),
  /** The column of the quotes flow's write-in rule (a write-in line skips its quote). */
  isWriteIn: (line) => line.sales?.isproductoverridden === true,
  product: (line, _a, ctx) => productOf(line, ctx),
  sales: (line) => line.sales ?? null,
  finance: async (line, _a, ctx) => {
    if (line.finance !== undefined) return line.finance;
    const lines = await ctx.loaders.financeQuoteLinesByNumber.load(line.quoteNumber);
    return lines.find((l) => quoteLines.keyOf('target', l) === line.lineNumber) ?? null;
  },
};
