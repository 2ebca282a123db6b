/**
 * Quote: a Sales quote (system of record) with its lines, and the Finance quotation with the same number.
 */
import type { FinanceQuoteHeader, FinanceQuoteLine } from '../../connectors/finance/types.js';
import type { SalesQuote, SalesQuoteLine } from '../../connectors/sales/types.js';
import type { QuoteLineResolvers, QuoteResolvers } from '../../generated/resolvers-types.js';
import type { HubContext } from '../context.js';
import type { AccountModel, ProductModel, QuoteLineModel, QuoteModel } from '../models.js';
import { address, currencyIso, unitName, preferring } from './shared.js';
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

/** From Sales when the quote is there, else from the Finance quotation. */
const unified = <T>(
  quote: QuoteModel,
  context: HubContext,
  fromSalesRow: (sales: SalesQuote) => T | null,
  fromFinance: (finance: FinanceQuoteHeader) => T | null,
): Promise<T | null> =>
  preferring(
    () => salesQuoteOf(quote, context),
    () => financeQuoteOf(quote, context),
    fromSalesRow,
    fromFinance,
  );

export const Quote: QuoteResolvers = {
  quoteNumber: (quote) => quote.quoteNumber,
  name: async (q, _a, ctx) =>
    (await fromSales(q, ctx, (s) => s.name)) ?? (await financeQuoteOf(q, ctx))?.SalesQuotationName ?? null,
  status: (q, _a, ctx) =>
    fromSales(q, ctx, (s) => (s.statecode === null ? null : (statuses[s.statecode] ?? null))),
  effectiveFrom: (q, _a, ctx) => fromSales(q, ctx, (s) => s.effectivefrom),
  effectiveTo: (q, _a, ctx) =>
    unified(
      q,
      ctx,
      (s) => s.effectiveto,
      (f) => f.SalesQuotationExpiryDate,
    ),
  requestedDeliveryBy: (q, _a, ctx) =>
    unified(
      q,
      ctx,
      (s) => s.requestdeliveryby,
      (f) => f.RequestedShippingDate,
    ),
  currency: async (q, _a, ctx) => {
    const sales = await salesQuoteOf(q, ctx);
    if (sales) return currencyIso(ctx, sales._transactioncurrencyid_value);
    return (await financeQuoteOf(q, ctx))?.CurrencyCode ?? null;
  },
  totalAmount: (q, _a, ctx) => fromSales(q, ctx, (s) => s.totalamount),
  shipTo: (q, _a, ctx) =>
    unified(
      q,
      ctx,
      (s) =>
        address({
          line1: s.shipto_line1,
          city: s.shipto_city,
          stateOrProvince: s.shipto_stateorprovince,
          postalCode: s.shipto_postalcode,
          country: s.shipto_country,
        }),
      (f) =>
        address({
          line1: f.DeliveryAddressStreet,
          city: f.DeliveryAddressCity,
          stateOrProvince: f.DeliveryAddressStateId,
          postalCode: f.DeliveryAddressZipCode,
          country: f.DeliveryAddressCountryRegionISOCode,
        }),
    ),
  account: async (q, _a, ctx): Promise<AccountModel | null> => {
    const sales = await salesQuoteOf(q, ctx);
    if (!sales) {
      const number = (await financeQuoteOf(q, ctx))?.RequestingCustomerAccountNumber;
      return number ? { accountNumber: number, sales: undefined, finance: undefined } : null;
    }
    const account = sales._customerid_value
      ? await ctx.loaders.salesAccountById.load(sales._customerid_value)
      : null;
    return account?.accountnumber
      ? { accountNumber: account.accountnumber, sales: account, finance: undefined }
      : null;
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
      byNumber.set(line.sequencenumber, {
        quoteNumber: q.quoteNumber,
        lineNumber: line.sequencenumber,
        sales: line,
        finance: null,
      });
    }
    for (const line of financeLines) {
      const number = line.LineCreationSequenceNumber;
      const paired = byNumber.get(number);
      if (paired) paired.finance = line;
      else
        byNumber.set(number, { quoteNumber: q.quoteNumber, lineNumber: number, sales: null, finance: line });
    }
    return [...byNumber.values()].sort((a, b) => (a.lineNumber ?? 0) - (b.lineNumber ?? 0));
  },
  sales: (q, _a, ctx) => salesQuoteOf(q, ctx),
  finance: (q, _a, ctx) => financeQuoteOf(q, ctx),
  sync: (q, _a, ctx) =>
    syncLink(ctx, {
      entity: 'quote',
      key: q.quoteNumber,
      flow: 'quotes',
      source: () => salesQuoteOf(q, ctx),
      target: () => financeQuoteOf(q, ctx),
    }),
};

async function salesProductOf(line: QuoteLineModel, context: HubContext) {
  const id = line.sales?._productid_value;
  return id ? context.loaders.salesProductById.load(id) : null;
}

/** A line field from Sales when the line is there, else from the Finance quotation line. */
const lineField =
  <T>(fromSales: (sales: SalesQuoteLine) => T | null, fromFinance: (finance: FinanceQuoteLine) => T | null) =>
  (line: QuoteLineModel): T | null =>
    line.sales ? fromSales(line.sales) : line.finance ? fromFinance(line.finance) : null;

async function productNumberOf(line: QuoteLineModel, context: HubContext): Promise<string | null> {
  if (line.sales) return (await salesProductOf(line, context))?.productnumber ?? null;
  return line.finance?.ItemNumber ?? null;
}

export const QuoteLine: QuoteLineResolvers = {
  lineNumber: (line) => line.lineNumber,
  productNumber: (line, _a, ctx) => productNumberOf(line, ctx),
  description: lineField(
    (s) => s.description ?? s.productdescription,
    (f) => f.LineDescription,
  ),
  quantity: lineField(
    (s) => s.quantity,
    (f) => f.RequestedSalesQuantity,
  ),
  unitPrice: lineField(
    (s) => s.priceperunit,
    (f) => f.SalesPrice,
  ),
  discount: lineField(
    (s) => s.manualdiscountamount,
    (f) => f.LineDiscountAmount,
  ),
  amount: lineField(
    (s) => s.extendedamount,
    (f) => f.LineAmount,
  ),
  unit: (line, _a, ctx) =>
    line.sales ? unitName(ctx, line.sales._uomid_value) : (line.finance?.SalesUnitSymbol ?? null),
  isWriteIn: (line) => line.sales?.isproductoverridden === true,
  product: async (line, _a, ctx): Promise<ProductModel | null> => {
    if (line.sales) {
      const product = await salesProductOf(line, ctx);
      return product?.productnumber
        ? { productNumber: product.productnumber, sales: product, finance: undefined }
        : null;
    }
    const number = line.finance?.ItemNumber;
    return number ? { productNumber: number, sales: undefined, finance: undefined } : null;
  },
  sales: (line) => line.sales ?? null,
  finance: async (line, _a, ctx) => {
    if (line.finance !== undefined) return line.finance;
    const lines = await ctx.loaders.financeQuoteLinesByNumber.load(line.quoteNumber);
    return lines.find((l) => l.LineCreationSequenceNumber === line.lineNumber) ?? null;
  },
};
