/**
 * The lines of the seed's Sales orders: copied from the converted quote, or new (synchronised products,
 * sometimes a discount, a write-in on a few orders, the 10.00-on-quantity-3 rounding case on one), each
 * with Finance's tax and line status once Sales shows the order's status from Finance.
 *
 * Random draws come from the orders' stream ('orders'), in the order `orders.ts` asks for lines.
 */
import { salesOrderLineStatus } from '../../connectors/sales/types.js';
import type { Row } from '../core/model.js';
import { salesorderdetails as lineSet } from '../sales/order-entities.js';
import type { SeedContext } from './context.js';
import { formatCents, formatQuantity, lineAmountCents, parseCents } from './money.js';
import {
  financeLinePricing,
  financeLineStatusOf,
  type FinanceLinePricing,
  type FinanceStage,
} from './order-finance.js';
import type { SeedProduct } from './products.js';
import type { SeedQuote } from './quotes.js';
import type { SeededRandom } from './random.js';
import { ratios } from './ratios.js';
import { rowBuilder, type Sequence, text } from './rows.js';

/** An order line: the row plus its product and amounts in integer units. */
export interface SeedOrderLine {
  row: Row;
  /** Null on a write-in line. */
  product: SeedProduct | null;
  /** How Finance prices the line; null on a write-in line. */
  finance: FinanceLinePricing | null;
}

const lineStatusOf: Readonly<Record<string, number>> = {
  Backorder: salesOrderLineStatus.backorder,
  Delivered: salesOrderLineStatus.delivered,
  Invoiced: salesOrderLineStatus.invoiced,
  Cancelled: salesOrderLineStatus.cancelled,
};

const writeIns = ['Custom mounting hardware', 'Site survey', 'Rush handling'];

/** The state of one run of the orders generator, shared by the orders (`orders.ts`) and their lines. */
export interface OrderGenerator {
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

const lineRow = rowBuilder(lineSet);

/** A line before it becomes a row: product (null for a write-in), quantity, price and discount. */
export interface LinePlan {
  product: SeedProduct | null;
  writeIn: string | null;
  quantityHundredths: number;
  priceCents: number;
  discountCents: number;
  description: string | null;
}

/** The quote's lines, as Sales copies them when a quote is converted into an order. */
export function copiedLines(quote: SeedQuote): LinePlan[] {
  return quote.lines.map(({ row, product }) => ({
    product,
    writeIn: product ? null : text(row, 'productdescription'),
    quantityHundredths: Math.round(Number(text(row, 'quantity')) * 100),
    priceCents: parseCents(text(row, 'priceperunit')),
    discountCents: parseCents(text(row, 'manualdiscountamount')),
    description: row['description'] === null ? null : text(row, 'description'),
  }));
}

/**
 * New lines for an order not converted from a quote: synchronised products, one write-in line when
 * `writeIn`, and the rounding case as the first line when `discountExample`.
 */
export function newLines(generator: OrderGenerator, writeIn: boolean, discountExample: boolean): LinePlan[] {
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

/** The line row; `synced` is the Finance stage Sales shows (tax and line status from Finance), if any. */
export function orderLine(
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
