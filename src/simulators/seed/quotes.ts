/**
 * Sales quotes and their lines. Zero to three quotes per numbered account (and a few on accounts without a
 * number), in a realistic mix of Draft, Active, Won and Closed with consistent state and status codes.
 * Amounts are computed in integer cents, so extendedamount and totalamount are exact.
 */
import type { Row } from '../core/model.js';
import { quotedetails as lineSet, quotes as quoteSet } from '../sales/entities.js';
import { salesAddressColumns } from './addresses.js';
import type { SeedContext } from './context.js';
import { formatCents, formatQuantity, lineAmountCents } from './money.js';
import type { SeedProduct } from './products.js';
import type { SeededRandom } from './random.js';
import { ratios, type QuoteStage } from './ratios.js';
import { autoNumber, rowBuilder, Sequence } from './rows.js';
import type { SeedAccount } from './sales-accounts.js';
import { DAY_MS, instantBetween, isoDateTime, startOfDay } from './time.js';

/** A quote line: the row plus the product it is for. */
export interface SeedQuoteLine {
  row: Row;
  /** Null on a write-in line. */
  product: SeedProduct | null;
  /** extendedamount in cents. */
  amountCents: number;
}

/** A quote: the row, its account, its stage and its lines. */
export interface SeedQuote {
  row: Row;
  account: SeedAccount;
  stage: QuoteStage;
  lines: SeedQuoteLine[];
}

/** statecode per stage and the status reasons Dataverse allows with it. */
const stageCodes: Readonly<Record<QuoteStage, { state: number; statuses: readonly number[] }>> = {
  draft: { state: 0, statuses: [1] }, // In Progress
  active: { state: 1, statuses: [2, 3] }, // In Progress, Open
  won: { state: 2, statuses: [4] }, // Won
  closed: { state: 3, statuses: [5, 6, 7] }, // Lost, Canceled, Revised
};

/** Open quotes are recent; won and closed ones go back two years. */
const stageWindowDays: Readonly<Record<QuoteStage, number>> = {
  draft: 120,
  active: 120,
  won: 720,
  closed: 720,
};

const topics = [
  'Speaker refresh',
  'Annual service renewal',
  'Showroom fit-out',
  'Replacement parts',
  'Cable order',
  'Installation project',
  'Conference room AV',
  'Pilot order',
  'Expansion order',
  'Spare parts restock',
];
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const lineNotes = [
  'Per site',
  'Includes delivery',
  'As discussed on the call',
  'Phase 1',
  'Replaces earlier line',
];
const writeIns = ['Custom mounting hardware', 'Freight surcharge', 'Rush handling', 'Third-party license'];

interface QuoteGenerator {
  context: SeedContext;
  random: SeededRandom;
  numbers: Sequence;
  /** Externally maintained products (most lines) and Sales-only ones. */
  synced: readonly SeedProduct[];
  salesOnly: readonly SeedProduct[];
}

const quoteRow = rowBuilder(quoteSet);
const lineRow = rowBuilder(lineSet);

/** Zero to three quotes per numbered account, sometimes one on an account without a number. */
export function generateQuotes(
  context: SeedContext,
  accounts: readonly SeedAccount[],
  products: readonly SeedProduct[],
): SeedQuote[] {
  const generator: QuoteGenerator = {
    context,
    random: context.random('quotes'),
    numbers: new Sequence(1000),
    synced: products.filter((p) => p.externallyMaintained),
    salesOnly: products.filter((p) => !p.externallyMaintained),
  };
  const { random } = generator;
  const [min, max] = ratios.quotesPerNumberedAccount;
  const result: SeedQuote[] = [];
  for (const account of accounts) {
    const count = account.number
      ? random.int(min, max)
      : Number(random.chance(ratios.unnumberedAccountWithQuote));
    for (let i = 0; i < count; i++) result.push(generateQuote(generator, account));
  }
  return result;
}

function generateQuote(generator: QuoteGenerator, account: SeedAccount): SeedQuote {
  const { context, random } = generator;
  const stage = random.weighted(ratios.quoteStages);
  const codes = stageCodes[stage];
  const earliest = Math.max(account.createdMs, context.referenceMs - stageWindowDays[stage] * DAY_MS);
  const createdMs = instantBetween(random, earliest, context.referenceMs);
  const fromMs = startOfDay(createdMs);
  const id = random.guid();
  const stamps = { createdon: isoDateTime(createdMs), modifiedon: isoDateTime(createdMs) };
  const lines = generateLines(generator, id, stamps);
  const total = lines.reduce((sum, line) => sum + line.amountCents, 0);
  const row = quoteRow(
    {
      quoteid: id,
      quotenumber: autoNumber('QUO', generator.numbers.take(), random),
      name: quoteName(random, createdMs),
      _customerid_value: account.id,
      effectivefrom: isoDateTime(fromMs),
      effectiveto: isoDateTime(fromMs + random.pick([30, 60, 90]) * DAY_MS),
      requestdeliveryby: random.chance(ratios.quoteWithoutDeliveryDate)
        ? null
        : isoDateTime(fromMs + random.int(14, 90) * DAY_MS),
      totalamount: formatCents(total),
      _transactioncurrencyid_value: context.reference.currencyId[account.currency],
      statecode: codes.state,
      statuscode: random.pick(codes.statuses),
    },
    stamps,
    shipTo(random, account),
  );
  return { row, account, stage, lines };
}

/** "Cable order - Mar 2025": short enough for Finance's 60-character quotation name. */
function quoteName(random: SeededRandom, createdMs: number): string {
  const created = new Date(createdMs);
  return `${random.pick(topics)} - ${months[created.getUTCMonth()]} ${created.getUTCFullYear()}`;
}

function shipTo(random: SeededRandom, account: SeedAccount): Row {
  return salesAddressColumns('shipto', random.chance(ratios.quoteWithShipTo) ? account.address : null);
}

function generateLines(generator: QuoteGenerator, quoteId: string, stamps: Row): SeedQuoteLine[] {
  const { random } = generator;
  const count = random.int(...ratios.linesPerQuote);
  const writeInAt = random.chance(ratios.quoteWithWriteIn) ? random.int(1, count) : 0;
  return Array.from({ length: count }, (_, i) => {
    const base = { quotedetailid: random.guid(), _quoteid_value: quoteId, sequencenumber: i + 1 };
    return i + 1 === writeInAt ? writeInLine(random, base, stamps) : productLine(generator, base, stamps);
  });
}

function productLine(generator: QuoteGenerator, base: Row, stamps: Row): SeedQuoteLine {
  const { context, random } = generator;
  const useSalesOnly = generator.synced.length === 0 || random.chance(ratios.lineOnSalesOnlyProduct);
  const product = random.pick(useSalesOnly ? generator.salesOnly : generator.synced);
  const quantity = quantityHundredths(random, product.precision);
  const gross = lineAmountCents(quantity, product.priceCents, 0);
  const discount = random.chance(ratios.lineWithDiscount) ? Math.round((gross * random.int(5, 15)) / 100) : 0;
  const amountCents = lineAmountCents(quantity, product.priceCents, discount);
  const row = lineRow(base, stamps, {
    _productid_value: product.id,
    isproductoverridden: false,
    quantity: formatQuantity(quantity, product.precision),
    priceperunit: formatCents(product.priceCents),
    manualdiscountamount: formatCents(discount),
    extendedamount: formatCents(amountCents),
    _uomid_value: context.reference.uomId[product.unit],
    description: random.chance(ratios.lineWithDescription) ? random.pick(lineNotes) : null,
  });
  return { row, product, amountCents };
}

/** Mostly small whole quantities; hours and kilograms in quarters (0.25 to 40.00). */
function quantityHundredths(random: SeededRandom, precision: number): number {
  if (precision !== 0) return random.int(1, 160) * 25;
  return (random.chance(0.8) ? random.int(1, 10) : random.int(11, 50)) * 100;
}

/** A write-in line: no product, a typed description and a manual price. */
function writeInLine(random: SeededRandom, base: Row, stamps: Row): SeedQuoteLine {
  const quantity = random.int(1, 5) * 100;
  const price = random.int(20, 2000) * 100;
  const amountCents = lineAmountCents(quantity, price, 0);
  const row = lineRow(base, stamps, {
    isproductoverridden: true,
    productdescription: random.pick(writeIns),
    quantity: formatQuantity(quantity, 0),
    priceperunit: formatCents(price),
    manualdiscountamount: formatCents(0),
    extendedamount: formatCents(amountCents),
  });
  return { row, product: null, amountCents };
}
