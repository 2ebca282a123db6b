/**
 * Posting on the Finance simulator's sales orders, what F&O does through its UI or batch jobs and never
 * through a plain OData write: the steps that move an order's processing status (confirm, pick, pack,
 * deliver, invoice; cancel) and its open lines' status with it, the invoice an `invoice` step posts, and
 * free-text invoices. A refused step is an X++ error: 500 with Finance's infolog text inside.
 *
 * The rows posted are built by the pure functions of `orders.ts`; everything here writes to the store and
 * is meant to run in one transaction.
 */
import {
  type FinanceOrderLineStatus,
  type FinanceOrderStatus,
  financeOrderStatuses,
} from '../../connectors/finance/types.js';
import { ServiceError } from '../core/errors.js';
import type { Row } from '../core/model.js';
import type { Store } from '../core/store.js';
import {
  type FreeTextLine,
  freeTextInvoice,
  invoiceAddressOf,
  invoiceFromOrder,
  type PostedInvoice,
  rowsOfOrder,
} from './orders.js';
import type { NumberSequences } from './rules.js';

/** What Finance posts on an order, in the order an order goes through them (`cancel` aside). */
export const postingSteps = ['confirm', 'pick', 'pack', 'deliver', 'invoice', 'cancel'] as const;
export type PostingStep = (typeof postingSteps)[number];

const stepStatus: Record<PostingStep, FinanceOrderStatus> = {
  confirm: 'Confirmed',
  pick: 'Picked',
  pack: 'Packed',
  deliver: 'Delivered',
  invoice: 'Invoiced',
  cancel: 'Cancelled',
};
const stepLineStatus: Partial<Record<PostingStep, FinanceOrderLineStatus>> = {
  deliver: 'Delivered',
  invoice: 'Invoiced',
  cancel: 'Cancelled',
};
/** Ranks for "forward": statuses in the order an order moves (the Partially… ones only come from data). */
const statusRank = (status: FinanceOrderStatus): number => financeOrderStatuses.indexOf(status);

/**
 * The status `step` takes an order to, or the infolog text saying why Finance refuses: steps only move
 * forward, everything after confirmation needs a confirmed order, an invoiced or cancelled order is
 * final, and only open or confirmed orders can be cancelled.
 */
export function orderStatusAfter(
  salesOrderNumber: string,
  status: FinanceOrderStatus,
  step: PostingStep,
): { status: FinanceOrderStatus } | { refusal: string } {
  const target = stepStatus[step];
  const order = `Sales order ${salesOrderNumber}`;
  if (status === 'Invoiced' || status === 'Cancelled')
    return { refusal: `Error: ${order} is ${status}; nothing more can be posted on it.` };
  if (step === 'cancel')
    return status === 'None' || status === 'Confirmed'
      ? { status: target }
      : { refusal: `Error: ${order} is ${status}; only open or confirmed orders can be cancelled.` };
  if (step !== 'confirm' && status === 'None')
    return { refusal: `Error: ${order} must be confirmed before it is posted (${step}).` };
  if (statusRank(target) <= statusRank(status))
    return { refusal: `Error: ${order} is already ${status}; it cannot be posted (${step}) again.` };
  return { status: target };
}

/** An X++ error raised while posting, shaped as F&O answers it: 500, the infolog text inside. */
export function postingFailed(infolog: string): ServiceError {
  return new ServiceError(500, '', 'An error has occurred.', {
    inner: infolog,
    innerType: 'Microsoft.Dynamics.Ax.Xpp.ErrorException',
  });
}

/** What posting needs from the simulator: its tables, number sequences, and today's date. */
export interface PostingContext {
  store: Store;
  sequences: NumberSequences;
  /** Today as an F&O date: `2026-12-07T00:00:00Z`. */
  today: string;
}

/** What a step may be told besides the order: which lines an `invoice` step invoices. */
export interface PostingOptions {
  /**
   * `invoice` only: the `LineCreationSequenceNumber`s of the open lines to invoice (a partial invoice, as
   * after a partial delivery); default every open line. The order is then PartiallyInvoiced until its last
   * open line is invoiced.
   */
  lines?: readonly number[];
}

export interface PostingResult {
  SalesOrderNumber: string;
  SalesOrderProcessingStatus: FinanceOrderStatus;
  /** The invoice posted by an `invoice` step; null for every other step. */
  InvoiceNumber: string | null;
}

/** Posts one step on an order (the order, its lines, and for `invoice` a new invoice). Run in a transaction. */
export function postSalesOrder(
  context: PostingContext,
  company: string,
  salesOrderNumber: string,
  step: PostingStep,
  { lines: only }: PostingOptions = {},
): PostingResult {
  const { store } = context;
  const key = { dataAreaId: company, SalesOrderNumber: salesOrderNumber };
  const order = store.get('SalesOrderHeadersV2', key);
  if (!order)
    throw postingFailed(`Error: Sales order ${salesOrderNumber} does not exist in company ${company}.`);
  const status = (order['SalesOrderProcessingStatus'] ?? 'None') as FinanceOrderStatus;
  const next = orderStatusAfter(salesOrderNumber, status, step);
  if ('refusal' in next) throw postingFailed(next.refusal);
  const lines = rowsOfOrder(store, 'SalesOrderLines', company, salesOrderNumber);
  const open = lines.filter(
    (l) => l['SalesOrderLineStatus'] !== 'Invoiced' && l['SalesOrderLineStatus'] !== 'Cancelled',
  );
  const posted = only === undefined ? open : chosenLines(salesOrderNumber, open, step, only);
  const InvoiceNumber = step === 'invoice' ? postOrderInvoice(context, order, posted) : null;
  const after: FinanceOrderStatus =
    posted.length < open.length && next.status === 'Invoiced' ? 'PartiallyInvoiced' : next.status;
  const lineStatus = stepLineStatus[step];
  if (lineStatus) {
    for (const line of posted)
      store.update(
        'SalesOrderLines',
        { dataAreaId: line['dataAreaId'] ?? null, InventoryLotId: line['InventoryLotId'] ?? null },
        { SalesOrderLineStatus: lineStatus },
      );
  }
  store.update('SalesOrderHeadersV2', key, { SalesOrderProcessingStatus: after });
  return {
    SalesOrderNumber: String(order['SalesOrderNumber']),
    SalesOrderProcessingStatus: after,
    InvoiceNumber,
  };
}

/** The open lines `numbers` names, or the infolog text saying why Finance refuses them. */
function chosenLines(
  salesOrderNumber: string,
  open: readonly Row[],
  step: PostingStep,
  numbers: readonly number[],
): Row[] {
  const order = `Sales order ${salesOrderNumber}`;
  if (step !== 'invoice')
    throw postingFailed(`Error: only an invoice of ${order} can take some of its lines.`);
  const chosen = open.filter((line) => numbers.includes(Number(line['LineCreationSequenceNumber'])));
  const missing = numbers.filter(
    (n) => !open.some((line) => Number(line['LineCreationSequenceNumber']) === n),
  );
  if (missing.length > 0 || chosen.length === 0)
    throw postingFailed(
      `Error: ${order} has no open line ${missing.join(', ') || 'among those given'} to invoice.`,
    );
  return chosen;
}

/** Posts the invoice of an order's not yet invoiced lines; header charges go on its first invoice only. */
function postOrderInvoice(context: PostingContext, order: Row, lines: readonly Row[]): string {
  const { store, sequences } = context;
  const company = order['dataAreaId'] ?? null;
  const number = order['SalesOrderNumber'] ?? null;
  if (lines.length === 0)
    throw postingFailed(`Error: Sales order ${String(number)} has no lines to invoice.`);
  const invoiced = store
    .findBy('SalesInvoiceHeadersV2', 'SalesOrderNumber', number)
    .some((i) => String(i['dataAreaId']).toLowerCase() === String(company).toLowerCase());
  const customer = store.get('CustomersV3', {
    dataAreaId: company,
    CustomerAccount: order['InvoiceCustomerAccountNumber'] ?? null,
  });
  const invoice = invoiceFromOrder(
    order,
    lines,
    invoiced ? [] : rowsOfOrder(store, 'SalesOrderHeaderCharges', company, number),
    rowsOfOrder(store, 'SalesOrderLineCharges', company, number),
    {
      invoiceNumber: sequences.nextInvoiceNumber(),
      date: context.today,
      voucher: sequences.nextVoucher(),
      address: invoiceAddressOf(customer ?? {}),
    },
  );
  insertInvoice(store, invoice);
  return String(invoice.header['InvoiceNumber']);
}

function insertInvoice(store: Store, invoice: PostedInvoice): void {
  store.insert('SalesInvoiceHeadersV2', invoice.header);
  for (const line of invoice.lines) store.insert('SalesInvoiceLinesV2', line);
}

export interface FreeTextInvoiceRequest {
  customerAccount: string;
  lines: readonly FreeTextLine[];
  /** `InvoiceDate` (`YYYY-MM-DD` or ISO 8601); default today. */
  date?: string;
}

/** Posts a free-text invoice for a customer of `company`. Run in a transaction. */
export function postFreeTextInvoice(
  context: PostingContext,
  company: string,
  { customerAccount, lines, date }: FreeTextInvoiceRequest,
): PostedInvoice {
  const customer = context.store.get('CustomersV3', {
    dataAreaId: company,
    CustomerAccount: customerAccount,
  });
  if (!customer)
    throw postingFailed(`Error: Customer account '${customerAccount}' does not exist in company ${company}.`);
  if (lines.length === 0) throw postingFailed('Error: A free text invoice needs at least one line.');
  const day = date === undefined ? undefined : new Date(date);
  if (day && Number.isNaN(day.getTime()))
    throw postingFailed(`Error: '${String(date)}' is not a valid invoice date.`);
  const invoice = freeTextInvoice(customer, lines, {
    invoiceNumber: context.sequences.nextInvoiceNumber(),
    date: day ? day.toISOString().replace('.000Z', 'Z') : context.today,
    voucher: context.sequences.nextVoucher(),
  });
  insertInvoice(context.store, invoice);
  return invoice;
}
