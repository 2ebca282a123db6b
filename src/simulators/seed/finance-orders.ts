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
 * Finance would compute. Random choices come from the 'finance-orders' and 'invoices' streams. The rows
 * are built in `finance-order-rows.ts` (orders) and `finance-invoices.ts` (invoices); this file runs them.
 */
import type { Row } from '../core/model.js';
import type { SeedContext } from './context.js';
import { freeText, postInvoice, salesInvoice } from './finance-invoices.js';
import {
  financeOnlyOrder,
  orderRows,
  type FinanceSeedBuilder,
  type FinanceOrders,
} from './finance-order-rows.js';
import { isFinanceStage } from './order-finance.js';
import type { SeedOrder } from './orders.js';
import type { SeedProduct } from './products.js';
import { ratios } from './ratios.js';
import { Sequence, text } from './rows.js';
import { DAY_MS, startOfDay } from './time.js';

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
  const builder: FinanceSeedBuilder = {
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
