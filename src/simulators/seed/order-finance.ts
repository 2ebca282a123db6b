/**
 * How Finance holds a Sales order once the orders flow has sent it: the stages at which the order is in
 * Finance, Finance's header and line status at each, and a line's pricing with the discount split per
 * unit. Shared by the Sales orders (`orders.ts`, `order-lines.ts`) and Finance's rows (`finance-*.ts`).
 */
import { orderLineAmounts } from '../finance/orders.js';
import { formatCents, formatQuantity, lineAmountCents, parseCents } from './money.js';
import type { OrderStage } from './ratios.js';

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

/** Whether an order at `stage` is in Finance. */
export const isFinanceStage = (stage: OrderStage): stage is FinanceStage =>
  stage !== 'draft' && stage !== 'active';

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
