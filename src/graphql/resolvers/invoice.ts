/**
 * Invoice: a Finance posted sales invoice (system of record) with its lines, and the read-only Sales
 * invoice with the same number. Unified fields are the invoices flow's mapped fields, header and lines
 * (see the read model), from Finance, or from Sales for an invoice that exists only there.
 */
import type { FinanceInvoiceHeader } from '../../connectors/finance/types.js';
import type { SalesInvoice } from '../../connectors/sales/types.js';
import type { InvoiceLineResolvers, InvoiceResolvers } from '../../generated/resolvers-types.js';
import { recordViews, type RecordView } from '../../sync/read-model/index.js';
import { matchKey } from '../../vocabulary.js';
import type { HubContext } from '../context.js';
import type { AccountModel, InvoiceLineModel, InvoiceModel, OrderModel } from '../models.js';
import { accountOfSales } from './account.js';
import { lineProduct, pairLines } from './lines.js';
import { orderOfSales } from './order.js';
import { address, rowsOf } from './shared.js';
import { syncLink } from './sync.js';

const invoices = recordViews.invoice;
const invoiceLines = recordViews.invoiceLine;

async function financeInvoiceOf(
  invoice: InvoiceModel,
  context: HubContext,
): Promise<FinanceInvoiceHeader | null> {
  return invoice.finance !== undefined
    ? invoice.finance
    : context.loaders.financeInvoiceByNumber.load(invoice.invoiceNumber);
}

async function salesInvoiceOf(invoice: InvoiceModel, context: HubContext): Promise<SalesInvoice | null> {
  return invoice.sales !== undefined
    ? invoice.sales
    : context.loaders.salesInvoiceByNumber.load(invoice.invoiceNumber);
}

/**
 * Invoices found from both systems (an order's, an account's) matched by invoice number, in invoice-number
 * order. The side a search did not find stays unloaded: the invoice may be there without the searched link.
 */
export function invoicesOf(
  finance: readonly FinanceInvoiceHeader[],
  sales: readonly SalesInvoice[],
): InvoiceModel[] {
  const byNumber = new Map<string, InvoiceModel>();
  for (const row of finance) {
    const number = invoices.keyOf('source', row);
    if (typeof number !== 'string' || !number) continue;
    byNumber.set(matchKey(number), { invoiceNumber: number, finance: row, sales: undefined });
  }
  for (const row of sales) {
    const number = invoices.keyOf('target', row);
    if (typeof number !== 'string' || !number) continue;
    const paired = byNumber.get(matchKey(number));
    if (paired) paired.sales = row;
    else byNumber.set(matchKey(number), { invoiceNumber: number, finance: undefined, sales: row });
  }
  return [...byNumber.values()].sort((a, b) => a.invoiceNumber.localeCompare(b.invoiceNumber));
}

const rows = (invoice: InvoiceModel, context: HubContext) =>
  rowsOf(
    context,
    () => financeInvoiceOf(invoice, context),
    () => salesInvoiceOf(invoice, context),
  );

/** A unified field of the invoice-header mapping, from Finance, else from Sales. */
const headerValue =
  (field: string) =>
  (invoice: InvoiceModel, _args: unknown, context: HubContext): Promise<string | null> =>
    invoices.value<string>(field, rows(invoice, context));

const billToParts = ['street', 'city', 'state', 'postalCode', 'country'] as const;

export const Invoice: InvoiceResolvers = {
  invoiceNumber: (invoice) => invoice.invoiceNumber,
  invoiceDate: headerValue('invoiceDate'),
  /** No order: Finance's `SalesOrderNumber` is blank (Sales' `salesorderid` empty). */
  isFreeText: async (i, _a, ctx) => {
    const value = (await invoices.read('order', rows(i, ctx)))?.value;
    return typeof value !== 'string' || value.trim() === '';
  },
  order: async (i, _a, ctx): Promise<OrderModel | null> => {
    const reading = await invoices.read('order', rows(i, ctx));
    const value = reading?.value;
    if (!reading || typeof value !== 'string' || !value.trim()) return null;
    // Finance holds the order's number, Sales the order's id.
    return reading.side === 'source'
      ? { orderNumber: value, sales: undefined, finance: undefined }
      : orderOfSales(await ctx.loaders.salesOrderById.load(value));
  },
  account: async (i, _a, ctx): Promise<AccountModel | null> => {
    const reading = await invoices.read('account', rows(i, ctx));
    const value = reading?.value;
    if (!reading || typeof value !== 'string' || !value) return null;
    // Finance holds the customer's account number, Sales the account's id.
    return reading.side === 'source'
      ? { accountNumber: value, sales: undefined, finance: undefined }
      : accountOfSales(await ctx.loaders.salesAccountById.load(value));
  },
  currency: headerValue('currency'),
  billTo: async (i, _a, ctx) => {
    const values = await invoices.values(
      billToParts.map((part) => `billTo.${part}`),
      rows(i, ctx),
    );
    if (!values) return null;
    const part = (name: (typeof billToParts)[number]) => (values[`billTo.${name}`] as string | null) ?? null;
    return address({
      line1: part('street'),
      city: part('city'),
      stateOrProvince: part('state'),
      postalCode: part('postalCode'),
      country: part('country'),
    });
  },
  totalAmount: headerValue('total'),
  taxTotal: headerValue('taxTotal'),
  discountTotal: headerValue('discountTotal'),
  /** Not mapped: Sales carries the header charges as a write-in line. */
  chargesTotal: async (i, _a, ctx) => (await financeInvoiceOf(i, ctx))?.TotalChargeAmount ?? null,
  /** Lines of both systems paired by line number; a line in only one system comes with the other side null. */
  lines: async (i, _a, ctx): Promise<InvoiceLineModel[]> => {
    const [financeLines, salesLines] = await Promise.all([
      ctx.loaders.financeInvoiceLinesByNumber.load(i.invoiceNumber),
      ctx.loaders.salesInvoiceLinesByNumber.load(i.invoiceNumber),
    ]);
    return pairLines(invoiceLines, financeLines, salesLines).map((line) => ({
      invoiceNumber: i.invoiceNumber,
      lineNumber: line.lineNumber,
      finance: line.source,
      sales: line.target,
    }));
  },
  sales: (i, _a, ctx) => salesInvoiceOf(i, ctx),
  finance: (i, _a, ctx) => financeInvoiceOf(i, ctx),
  /** Header and lines, each line through the invoices flow's line mapping. */
  sync: (i, _a, ctx) =>
    syncLink(ctx, {
      entity: 'invoice',
      key: i.invoiceNumber,
      flow: invoices.flow,
      ...rows(i, ctx),
      lines: {
        view: invoiceLines as RecordView<object, object>,
        source: () => ctx.loaders.financeInvoiceLinesByNumber.load(i.invoiceNumber),
        target: () => ctx.loaders.salesInvoiceLinesByNumber.load(i.invoiceNumber),
      },
    }),
};

/** A line's rows as the invoice's `lines` paired them: nothing is loaded. */
const lineRows = (line: InvoiceLineModel, context: HubContext) =>
  rowsOf(
    context,
    async () => line.finance ?? null,
    async () => line.sales ?? null,
  );

/** A unified field of the invoice-line mapping, from the Finance line, else from the Sales line. */
const lineValue =
  (field: string) =>
  (line: InvoiceLineModel, _args: unknown, context: HubContext): Promise<string | null> =>
    invoiceLines.value<string>(field, lineRows(line, context));

export const InvoiceLine: InvoiceLineResolvers = {
  lineNumber: (line) => line.lineNumber,
  productNumber: async (line, _a, ctx) =>
    (await lineProduct(invoiceLines, 'product', lineRows(line, ctx), ctx))?.productNumber ?? null,
  description: lineValue('description'),
  quantity: lineValue('quantity'),
  unitPrice: lineValue('unitPrice'),
  discount: lineValue('discount'),
  tax: lineValue('tax'),
  /** Not mapped: each system computes its own line amount. */
  amount: (line) => (line.finance ? line.finance.LineAmount : (line.sales?.extendedamount ?? null)),
  unit: lineValue('unit'),
  product: (line, _a, ctx) => lineProduct(invoiceLines, 'product', lineRows(line, ctx), ctx),
  sales: (line) => line.sales ?? null,
  finance: (line) => line.finance ?? null,
};
