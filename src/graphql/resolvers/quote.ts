/**
 * Quote: a Sales quote (system of record) with its lines, and the Finance quotation with the same number.
 */
import type { SalesQuote } from '../../connectors/sales/types.js';
import type { QuoteLineResolvers, QuoteResolvers } from '../../generated/resolvers-types.js';
import type { HubContext } from '../context.js';
import type { AccountModel, ProductModel, QuoteLineModel, QuoteModel } from '../models.js';
import { address, currencyIso, unitName } from './shared.js';
import { syncLink } from './sync.js';

const statuses = ['DRAFT', 'ACTIVE', 'WON', 'CLOSED'] as const;

export async function salesQuoteOf(quote: QuoteModel, context: HubContext): Promise<SalesQuote | null> {
  return quote.sales !== undefined ? quote.sales : context.loaders.salesQuoteByNumber.load(quote.quoteNumber);
}

async function financeQuoteOf(quote: QuoteModel, context: HubContext) {
  return quote.finance !== undefined
    ? quote.finance
    : context.loaders.financeQuoteByNumber.load(quote.quoteNumber);
}

async function fromSales<T>(
  quote: QuoteModel,
  context: HubContext,
  pick: (sales: SalesQuote) => T,
): Promise<T | null> {
  const sales = await salesQuoteOf(quote, context);
  return sales ? pick(sales) : null;
}

export const Quote: QuoteResolvers = {
  quoteNumber: (quote) => quote.quoteNumber,
  name: async (q, _a, ctx) =>
    (await fromSales(q, ctx, (s) => s.name)) ?? (await financeQuoteOf(q, ctx))?.SalesQuotationName ?? null,
  status: (q, _a, ctx) =>
    fromSales(q, ctx, (s) => (s.statecode === null ? null : (statuses[s.statecode] ?? null))),
  effectiveFrom: (q, _a, ctx) => fromSales(q, ctx, (s) => s.effectivefrom),
  effectiveTo: (q, _a, ctx) => fromSales(q, ctx, (s) => s.effectiveto),
  requestedDeliveryBy: (q, _a, ctx) => fromSales(q, ctx, (s) => s.requestdeliveryby),
  currency: async (q, _a, ctx) => {
    const sales = await salesQuoteOf(q, ctx);
    if (sales) return currencyIso(ctx, sales._transactioncurrencyid_value);
    return (await financeQuoteOf(q, ctx))?.CurrencyCode ?? null;
  },
  totalAmount: (q, _a, ctx) => fromSales(q, ctx, (s) => s.totalamount),
  shipTo: (q, _a, ctx) =>
    fromSales(q, ctx, (s) =>
      address({
        line1: s.shipto_line1,
        city: s.shipto_city,
        stateOrProvince: s.shipto_stateorprovince,
        postalCode: s.shipto_postalcode,
        country: s.shipto_country,
      }),
    ),
  account: async (q, _a, ctx): Promise<AccountModel | null> => {
    const customer = (await salesQuoteOf(q, ctx))?._customerid_value;
    const account = customer ? await ctx.loaders.salesAccountById.load(customer) : null;
    return account?.accountnumber
      ? { accountNumber: account.accountnumber, sales: account, finance: undefined }
      : null;
  },
  lines: async (q, _a, ctx): Promise<QuoteLineModel[]> => {
    const sales = await salesQuoteOf(q, ctx);
    if (!sales) return [];
    const lines = await ctx.loaders.salesQuoteLinesByQuoteId.load(sales.quoteid);
    return [...lines]
      .sort((a, b) => (a.sequencenumber ?? 0) - (b.sequencenumber ?? 0))
      .map((line) => ({
        quoteNumber: q.quoteNumber,
        lineNumber: line.sequencenumber,
        sales: line,
        finance: undefined,
      }));
  },
  sales: (q, _a, ctx) => salesQuoteOf(q, ctx),
  finance: (q, _a, ctx) => financeQuoteOf(q, ctx),
  sync: async (q, _a, ctx) => {
    const [sales, finance] = await Promise.all([salesQuoteOf(q, ctx), financeQuoteOf(q, ctx)]);
    return syncLink(ctx, {
      entity: 'quote',
      key: q.quoteNumber,
      flow: 'quotes',
      source: sales,
      target: finance,
    });
  },
};

async function salesProductOf(line: QuoteLineModel, context: HubContext) {
  const id = line.sales?._productid_value;
  return id ? context.loaders.salesProductById.load(id) : null;
}

export const QuoteLine: QuoteLineResolvers = {
  lineNumber: (line) => line.lineNumber,
  productNumber: async (line, _a, ctx) => (await salesProductOf(line, ctx))?.productnumber ?? null,
  description: (line) => line.sales?.description ?? line.sales?.productdescription ?? null,
  quantity: (line) => line.sales?.quantity ?? null,
  unitPrice: (line) => line.sales?.priceperunit ?? null,
  discount: (line) => line.sales?.manualdiscountamount ?? null,
  amount: (line) => line.sales?.extendedamount ?? null,
  unit: (line, _a, ctx) => unitName(ctx, line.sales?._uomid_value),
  isWriteIn: (line) => line.sales?.isproductoverridden === true,
  product: async (line, _a, ctx): Promise<ProductModel | null> => {
    const product = await salesProductOf(line, ctx);
    return product?.productnumber
      ? { productNumber: product.productnumber, sales: product, finance: undefined }
      : null;
  },
  sales: (line) => line.sales ?? null,
  finance: async (line, _a, ctx) => {
    if (line.finance !== undefined) return line.finance;
    const lines = await ctx.loaders.financeQuoteLinesByNumber.load(line.quoteNumber);
    return lines.find((l) => l.LineCreationSequenceNumber === line.lineNumber) ?? null;
  },
};
