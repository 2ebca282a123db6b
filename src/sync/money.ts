/**
 * Exact money arithmetic for the order flows, on decimal text in cents: scaled BigInt, so no float ever
 * rounds a cent. Rounding is half away from zero, as F&O rounds amounts to the currency's precision.
 */

interface Scaled {
  units: bigint;
  scale: number;
}

function parse(text: string): Scaled {
  const match = /^([-+]?)(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (!match || (match[2] === '' && (match[3] ?? '') === '')) throw new TypeError(`Not a decimal: "${text}"`);
  const fraction = match[3] ?? '';
  const sign = match[1] === '-' ? '-' : '';
  return { units: BigInt(`${sign}${match[2] || '0'}${fraction}`), scale: fraction.length };
}

/** `numerator / denominator` rounded half away from zero. */
function divideRounded(numerator: bigint, denominator: bigint): bigint {
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  const quotient = (n * 2n + d) / (d * 2n);
  return negative ? -quotient : quotient;
}

/** An amount in whole cents. */
export function toCents(text: string): bigint {
  const { units, scale } = parse(text);
  return scale <= 2 ? units * 10n ** BigInt(2 - scale) : divideRounded(units, 10n ** BigInt(scale - 2));
}

/** Whole cents as decimal text with two places: `-1` → `-0.01`. */
export function fromCents(cents: bigint): string {
  const negative = cents < 0n;
  const digits = (negative ? -cents : cents).toString().padStart(3, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

/** `total ÷ quantity` rounded to cents (quantity may have decimals): 10.00 ÷ 3 → 3.33. */
export function divideToCents(total: string, quantity: string): string {
  const amount = parse(total);
  const count = parse(quantity);
  if (count.units === 0n) throw new RangeError('Cannot divide by a zero quantity');
  // total × 100 ÷ quantity, both brought to whole units first.
  const numerator = amount.units * 100n * 10n ** BigInt(count.scale);
  const denominator = count.units * 10n ** BigInt(amount.scale);
  return fromCents(divideRounded(numerator, denominator));
}

/** `perUnit × quantity` rounded to cents. */
export function timesQuantity(perUnit: string, quantity: string): bigint {
  const price = parse(perUnit);
  const count = parse(quantity);
  const scale = price.scale + count.scale;
  const units = price.units * count.units;
  return scale <= 2 ? units * 10n ** BigInt(2 - scale) : divideRounded(units, 10n ** BigInt(scale - 2));
}

/**
 * The Prospect-to-cash template's split of a Sales line discount over a Finance line, whose discount is
 * per unit: the per-unit discount rounded to cents, and the charge that makes the line come out at the
 * Sales total (a $10.00 discount on quantity 3 → 3.33 per unit and a charge of −0.01). The charge is null
 * when the discount divides evenly.
 */
export function splitLineDiscount(
  total: string,
  quantity: string,
): { perUnit: string; rounding: string | null } {
  const perUnit = divideToCents(total, quantity);
  const rounding = timesQuantity(perUnit, quantity) - toCents(total);
  return { perUnit, rounding: rounding === 0n ? null : fromCents(rounding) };
}

/**
 * The Sales line discount a Finance line stands for, the split undone: per-unit discount × quantity
 * less the rounding charge (3.33 × 3 − (−0.01) → 10.00).
 */
export function recomposeLineDiscount(perUnit: string, quantity: string, rounding: string | null): string {
  return fromCents(timesQuantity(perUnit, quantity) - (rounding === null ? 0n : toCents(rounding)));
}
