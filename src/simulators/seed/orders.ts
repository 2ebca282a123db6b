/**
 * Sales orders and their lines, as Sales holds them. About 0.4 orders per numbered account (and a few on
 * accounts without a number), some converted from an Active or Won quote (lines copied), a few with a
 * write-in line so they cannot be activated. An order is Draft, Active (activated, waiting for the orders
 * flow) or already in Finance at one of Finance's statuses; Sales shows Finance's status, totals, line tax
 * and line status for most of those, and an earlier status for some (the order status flow's work).
 *
 * Generated after everything else, from its own random stream ('orders'), so no other set moved. The lines
 * are built in `order-lines.ts`.
 */
import { salesOrderStatus } from '../../connectors/sales/types.js';
import type { Row } from '../core/model.js';
import { orderTotals } from '../finance/orders.js';
import { salesorders as orderSet } from '../sales/order-entities.js';
import { salesAddressColumns } from './addresses.js';
import type { SeedContext } from './context.js';
import { formatCents, parseCents } from './money.js';
import { isFinanceStage } from './order-finance.js';
import { copiedLines, newLines, orderLine, type OrderGenerator, type SeedOrderLine } from './order-lines.js';
import type { SeedProduct } from './products.js';
import type { SeedQuote } from './quotes.js';
import type { SeededRandom } from './random.js';
import { ratios, type OrderStage } from './ratios.js';
import { autoNumber, field, rowBuilder, Sequence, text } from './rows.js';
import type { SeedAccount } from './sales-accounts.js';
import { DAY_MS, instantBetween, isoDateTime, startOfDay } from './time.js';

/** An order: the row, its account and stage, and what Sales shows of Finance's side. */
export interface SeedOrder {
  row: Row;
  account: SeedAccount;
  stage: OrderStage;
  /** The stage Sales shows: `stage`, or an earlier one when the order status flow has not run since. */
  shownStage: OrderStage;
  lines: SeedOrderLine[];
  /** The header charge (freight) in cents; 0 on every order but one. */
  freightCents: number;
  /** The order carrying the 10.00-on-quantity-3 discount line. */
  discountExample: boolean;
  createdMs: number;
}

/** `msdynce_processingstatus` per stage (the dual-write value map of Finance's statuses). */
const processingStatusOf: Readonly<Record<OrderStage, number>> = {
  draft: salesOrderStatus.draft,
  active: salesOrderStatus.active,
  confirmed: salesOrderStatus.confirmed,
  picked: salesOrderStatus.picked,
  packed: salesOrderStatus.packingSlip,
  delivered: salesOrderStatus.shipped,
  invoiced: salesOrderStatus.invoiced,
  cancelled: salesOrderStatus.cancelled,
};

const topics = ['Store opening', 'Quarterly restock', 'Replacement order', 'Project delivery', 'Rush order'];
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const orderRow = rowBuilder(orderSet);

/**
 * Orders for `accounts`, after quotes and Finance customers exist (`customers`: usmf account numbers →
 * party, which decides whether an order can be in Finance).
 */
export function generateOrders(
  context: SeedContext,
  accounts: readonly SeedAccount[],
  quotes: readonly SeedQuote[],
  products: readonly SeedProduct[],
  customers: ReadonlyMap<string, string>,
): SeedOrder[] {
  const openQuotes = new Map<string, SeedQuote[]>();
  for (const quote of quotes) {
    if (quote.stage !== 'active' && quote.stage !== 'won') continue;
    openQuotes.set(quote.account.id, [...(openQuotes.get(quote.account.id) ?? []), quote]);
  }
  const generator: OrderGenerator = {
    context,
    random: context.random('orders'),
    numbers: new Sequence(1000),
    synced: products.filter((p) => p.externallyMaintained),
    openQuotes,
    customers,
    discountExampleDone: false,
    freightDone: false,
  };
  const { random } = generator;
  const result: SeedOrder[] = [];
  if (generator.synced.length === 0) return result;
  for (const account of accounts) {
    const count = account.number
      ? random.weighted(ratios.ordersPerNumberedAccount)
      : Number(random.chance(ratios.unnumberedAccountWithOrder));
    for (let i = 0; i < count; i++) result.push(generateOrder(generator, account));
  }
  return result;
}

function generateOrder(generator: OrderGenerator, account: SeedAccount): SeedOrder {
  const { context, random } = generator;
  const inFinanceCompany = account.number !== null && generator.customers.has(account.number);
  const candidates = generator.openQuotes.get(account.id) ?? [];
  const quote = candidates.length > 0 && random.chance(ratios.orderFromQuote) ? candidates.shift()! : null;
  let stage = random.weighted(inFinanceCompany ? ratios.orderStages : ratios.orderStages.slice(0, 2));
  const writeIn = quote === null && random.chance(ratios.orderWithWriteIn);
  const discountExample =
    stage === 'invoiced' && quote === null && !writeIn && !generator.discountExampleDone;
  generator.discountExampleDone ||= discountExample;
  const plans = quote ? copiedLines(quote) : newLines(generator, writeIn, discountExample);
  if (!plans.every((plan) => plan.product?.externallyMaintained === true)) stage = 'draft';
  const inStep = discountExample || !isFinanceStage(stage) || !random.chance(ratios.orderStatusBehind);
  const shownStage = inStep ? stage : behind(random, stage);
  const freight = stage === 'invoiced' && inStep && !discountExample && !generator.freightDone;
  generator.freightDone ||= freight;

  const earliest = Math.max(account.createdMs, context.referenceMs - 365 * DAY_MS);
  const createdMs = instantBetween(random, earliest, context.referenceMs - 20 * DAY_MS);
  const modifiedMs = Math.min(createdMs + random.int(0, 15) * DAY_MS, context.referenceMs - 1000);
  const id = random.guid();
  const stamps = { createdon: isoDateTime(createdMs), modifiedon: isoDateTime(modifiedMs) };
  const synced = isFinanceStage(shownStage) ? shownStage : null;
  const lines = plans.map((plan, i) => orderLine(generator, plan, { id, sequence: i + 1, synced, stamps }));
  const freightCents = freight ? 2500 : 0;
  const row = orderRow(
    {
      salesorderid: id,
      ordernumber: autoNumber('ORD', generator.numbers.take(), random),
      name: quote ? field(quote.row, 'name') : orderName(random, createdMs),
      _customerid_value: account.id,
      _quoteid_value: quote ? field(quote.row, 'quoteid') : null,
      _pricelevelid_value: context.reference.retailUsdPriceListId,
      _transactioncurrencyid_value: context.reference.currencyId[account.currency],
      requestdeliveryby: quote
        ? field(quote.row, 'requestdeliveryby')
        : isoDateTime(startOfDay(createdMs) + random.int(14, 60) * DAY_MS),
      msdynce_processingstatus: processingStatusOf[shownStage],
      msdynce_hasexternallymaintainedproductsonly: plans.every(
        (p) => p.product?.externallyMaintained === true,
      ),
      msdynce_ismaintainedexternally: isFinanceStage(stage),
      statecode: 0,
      statuscode: 1,
    },
    totals(lines, freightCents, synced !== null),
    stamps,
    quote
      ? shipToOf(quote.row)
      : salesAddressColumns('shipto', random.chance(ratios.orderWithShipTo) ? account.address : null),
  );
  return { row, account, stage, shownStage, lines, freightCents, discountExample, createdMs };
}

/** What Sales shows of an order Finance has moved on since: Active, or Confirmed once Finance is past it. */
function behind(random: SeededRandom, stage: OrderStage): OrderStage {
  return stage === 'confirmed' || stage === 'cancelled' || random.chance(0.5) ? 'active' : 'confirmed';
}

/** "Rush order - Mar 2025": short enough for Finance's 60-character order name. */
function orderName(random: SeededRandom, createdMs: number): string {
  const created = new Date(createdMs);
  return `${random.pick(topics)} - ${months[created.getUTCMonth()]} ${created.getUTCFullYear()}`;
}

const shipToOf = (quote: Row): Row =>
  Object.fromEntries(
    ['line1', 'city', 'stateorprovince', 'postalcode', 'country'].map((p) => [
      `shipto_${p}`,
      field(quote, `shipto_${p}`),
    ]),
  );

/**
 * Header totals: as Sales computes them from the lines (the simulator's rules.ts), and once Finance's
 * status shows in Sales (`synced`), Finance's totals as the order status flow writes them (total, tax,
 * discount total, charges as freight, including the discount rounding charges).
 */
function totals(lines: readonly SeedOrderLine[], freightCents: number, synced: boolean): Row {
  let lineItems = 0;
  let tax = 0;
  let discounts = 0;
  for (const { row } of lines) {
    tax += parseCents(text(row, 'tax'));
    lineItems += parseCents(text(row, 'extendedamount')) - parseCents(text(row, 'tax'));
    discounts += parseCents(text(row, 'manualdiscountamount'));
  }
  const computed: Row = {
    totallineitemamount: formatCents(lineItems),
    discountamount: formatCents(0),
    totaldiscountamount: formatCents(discounts),
    totaltax: formatCents(tax),
    freightamount: formatCents(0),
    totalamount: formatCents(lineItems + tax),
  };
  if (!synced) return computed;
  const finance = orderTotals(
    lines.map(({ row, finance: pricing }) => ({
      OrderedSalesQuantity: field(row, 'quantity'),
      LineDiscountAmount: pricing?.discountPerUnit ?? '0',
      LineAmount: pricing?.LineAmount ?? '0',
      LineTotalTaxAmount: pricing?.LineTotalTaxAmount ?? '0',
    })),
    freightCents === 0 ? [] : [{ FixedChargeAmount: formatCents(freightCents) }],
    lines.flatMap(({ finance: pricing }) =>
      pricing && pricing.roundingCents !== 0
        ? [{ FixedChargeAmount: formatCents(pricing.roundingCents) }]
        : [],
    ),
  );
  return {
    ...computed,
    totalamount: finance.OrderTotalAmount,
    totaldiscountamount: finance.OrderTotalDiscountAmount,
    totaltax: finance.OrderTotalTaxAmount,
    freightamount: finance.OrderTotalChargesAmount,
  };
}
