/**
 * Sales orders and their lines, as Sales holds them. About 0.4 orders per numbered account (and a few on
 * accounts without a number), some converted from an Active or Won quote (lines copied), a few with a
 * write-in line so they cannot be activated. An order is Draft, Active (activated, waiting for the orders
 * flow) or already in Finance at one of Finance's statuses; Sales shows Finance's status, totals, line tax
 * and line status for most of those, and an earlier status for some (the order status flow's work).
 *
 * Generated after everything else, from its own random stream ('orders'), so no other set moved.
 */
import { salesOrderLineStatus, salesOrderStatus } from '../../connectors/sales/types.js';
import type { Row } from '../core/model.js';
import { orderLineAmounts, orderTotals } from '../finance/orders.js';
import { salesorderdetails as lineSet, salesorders as orderSet } from '../sales/entities.js';
import { salesAddressColumns } from './addresses.js';
import type { SeedContext } from './context.js';
import { formatCents, formatQuantity, lineAmountCents, parseCents } from './money.js';
import type { SeedProduct } from './products.js';
import type { SeedQuote } from './quotes.js';
import type { SeededRandom } from './random.js';
import { ratios, type OrderStage } from './ratios.js';
import { autoNumber, field, rowBuilder, Sequence, text } from './rows.js';
import type { SeedAccount } from './sales-accounts.js';
import { DAY_MS, instantBetween, isoDateTime, startOfDay } from './time.js';

/** The stages at which an order is in Finance. */
export type FinanceStage = Exclude<OrderStage, 'draft' | 'active'>;

/** How Finance holds a product line: the discount per unit, its rounding charge, the amount and tax. */
export interface FinanceLinePricing {
  /** `LineDiscountAmount`: the line's discount per unit, rounded to cents. */
  discountPerUnit: string;
  /** The line charge making up for that rounding (−1 for 10.00 on quantity 3); 0 when it divides evenly. */
  roundingCents: number;
  LineAmount: string;
  LineTotalTaxAmount: string;
}

/** An order line: the row plus its product and amounts in integer units. */
export interface SeedOrderLine {
  row: Row;
  /** Null on a write-in line. */
  product: SeedProduct | null;
  /** How Finance prices the line; null on a write-in line. */
  finance: FinanceLinePricing | null;
}

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

/** Finance's processing status at each stage in Finance. */
export const financeStatusOf = {
  confirmed: 'Confirmed',
  picked: 'Picked',
  packed: 'Packed',
  delivered: 'Delivered',
  invoiced: 'Invoiced',
  cancelled: 'Cancelled',
} as const satisfies Record<FinanceStage, string>;

/** Finance's line status at each stage in Finance (posting moves whole orders). */
export const financeLineStatusOf = {
  confirmed: 'Backorder',
  picked: 'Backorder',
  packed: 'Backorder',
  delivered: 'Delivered',
  invoiced: 'Invoiced',
  cancelled: 'Cancelled',
} as const satisfies Record<FinanceStage, string>;

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

const lineStatusOf: Readonly<Record<string, number>> = {
  Backorder: salesOrderLineStatus.backorder,
  Delivered: salesOrderLineStatus.delivered,
  Invoiced: salesOrderLineStatus.invoiced,
  Cancelled: salesOrderLineStatus.cancelled,
};

export const isFinanceStage = (stage: OrderStage): stage is FinanceStage =>
  stage !== 'draft' && stage !== 'active';

const topics = ['Store opening', 'Quarterly restock', 'Replacement order', 'Project delivery', 'Rush order'];
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const writeIns = ['Custom mounting hardware', 'Site survey', 'Rush handling'];

interface OrderGenerator {
  context: SeedContext;
  random: SeededRandom;
  numbers: Sequence;
  /** Externally maintained products; the discount example needs a whole-unit one priced 10.00 or more. */
  synced: readonly SeedProduct[];
  /** Active and Won quotes per account id, each converted at most once. */
  openQuotes: Map<string, SeedQuote[]>;
  /** Usmf customers synchronised from Sales accounts: account number → party. */
  customers: ReadonlyMap<string, string>;
  discountExampleDone: boolean;
  freightDone: boolean;
}

const orderRow = rowBuilder(orderSet);
const lineRow = rowBuilder(lineSet);

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

/** A line before it becomes a row: product (null for a write-in), quantity, price and discount. */
interface LinePlan {
  product: SeedProduct | null;
  writeIn: string | null;
  quantityHundredths: number;
  priceCents: number;
  discountCents: number;
  description: string | null;
}

/** The quote's lines, as Sales copies them when a quote is converted into an order. */
function copiedLines(quote: SeedQuote): LinePlan[] {
  return quote.lines.map(({ row, product }) => ({
    product,
    writeIn: product ? null : text(row, 'productdescription'),
    quantityHundredths: Math.round(Number(text(row, 'quantity')) * 100),
    priceCents: parseCents(text(row, 'priceperunit')),
    discountCents: parseCents(text(row, 'manualdiscountamount')),
    description: row['description'] === null ? null : text(row, 'description'),
  }));
}

function newLines(generator: OrderGenerator, writeIn: boolean, discountExample: boolean): LinePlan[] {
  const { random } = generator;
  const count = random.int(...ratios.linesPerOrder);
  const writeInAt = writeIn ? random.int(1, count) : 0;
  return Array.from({ length: count }, (_, i): LinePlan => {
    if (i + 1 === writeInAt) {
      const quantityHundredths = random.int(1, 3) * 100;
      const priceCents = random.int(20, 500) * 100;
      return {
        product: null,
        writeIn: random.pick(writeIns),
        quantityHundredths,
        priceCents,
        discountCents: 0,
        description: null,
      };
    }
    if (i === 0 && discountExample) {
      // The documented rounding case: a 10.00 line discount on quantity 3 is 3.33 a unit in Finance.
      const whole = generator.synced.filter((p) => p.precision === 0 && p.priceCents >= 1000);
      const product = random.pick(whole.length > 0 ? whole : generator.synced);
      return {
        product,
        writeIn: null,
        quantityHundredths: 300,
        priceCents: product.priceCents,
        discountCents: 1000,
        description: null,
      };
    }
    const product = random.pick(generator.synced);
    const quantityHundredths = product.precision === 0 ? random.int(1, 12) * 100 : random.int(1, 80) * 25;
    const gross = lineAmountCents(quantityHundredths, product.priceCents, 0);
    // Discounts only on whole quantities, where a per-unit discount is exact to the cent once rounded.
    const discountCents =
      product.precision === 0 && random.chance(ratios.orderLineWithDiscount)
        ? Math.round((gross * random.int(3, 12)) / 100)
        : 0;
    return {
      product,
      writeIn: null,
      quantityHundredths,
      priceCents: product.priceCents,
      discountCents,
      description: null,
    };
  });
}

/**
 * How Finance holds a line sent by the orders flow: the discount split per unit (rounded to cents), a
 * line charge for what the rounding lost, and Finance's amount and 8 % tax.
 */
export function financeLinePricing(
  quantityHundredths: number,
  priceCents: number,
  discountCents: number,
): FinanceLinePricing {
  const perUnitCents = Math.round((discountCents * 100) / quantityHundredths);
  const discountPerUnit = formatCents(perUnitCents);
  const amounts = orderLineAmounts({
    quantity: formatQuantity(quantityHundredths, quantityHundredths % 100 === 0 ? 0 : 2),
    price: formatCents(priceCents),
    discountPerUnit,
  });
  const roundingCents =
    lineAmountCents(quantityHundredths, priceCents, discountCents) - parseCents(amounts.LineAmount);
  return { discountPerUnit, roundingCents, ...amounts };
}

/** The line row; `synced` is the Finance stage Sales shows (tax and line status from Finance), if any. */
function orderLine(
  generator: OrderGenerator,
  plan: LinePlan,
  at: { id: string; sequence: number; synced: FinanceStage | null; stamps: Row },
): SeedOrderLine {
  const { context, random } = generator;
  const { product } = plan;
  const finance = product
    ? financeLinePricing(plan.quantityHundredths, plan.priceCents, plan.discountCents)
    : null;
  const taxCents = finance && at.synced ? parseCents(finance.LineTotalTaxAmount) : 0;
  const net = lineAmountCents(plan.quantityHundredths, plan.priceCents, plan.discountCents);
  const row = lineRow(
    {
      salesorderdetailid: random.guid(),
      _salesorderid_value: at.id,
      _productid_value: product?.id ?? null,
      isproductoverridden: product === null,
      productdescription: plan.writeIn,
      quantity: formatQuantity(plan.quantityHundredths, product?.precision ?? 0),
      priceperunit: formatCents(plan.priceCents),
      manualdiscountamount: formatCents(plan.discountCents),
      extendedamount: formatCents(net + taxCents),
      tax: formatCents(taxCents),
      sequencenumber: at.sequence,
      _uomid_value: product ? context.reference.uomId[product.unit] : null,
      description: plan.description,
      msdyn_linestatus: at.synced ? lineStatusOf[financeLineStatusOf[at.synced]]! : null,
    },
    at.stamps,
  );
  return { row, product, finance };
}

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
