/**
 * Fixed-point amounts for the seed data. Prices and amounts are held as integer cents and quantities as
 * integer hundredths, so every computed amount is exact: no float ever rounds a cent.
 */

/** Integer hundredths as text with two decimals (negative amounts too). */
const twoPlaces = (units: number): string => {
  const sign = units < 0 ? '-' : '';
  const abs = Math.abs(units);
  const fraction = abs % 100;
  return `${sign}${(abs - fraction) / 100}.${fraction < 10 ? '0' : ''}${fraction}`;
};

/** `Edm.Decimal` text of an amount in cents: 250000 → "2500.00". */
export function formatCents(cents: number): string {
  if (!Number.isSafeInteger(cents)) throw new RangeError(`Not a whole number of cents: ${cents}`);
  return twoPlaces(cents);
}

/** Quantity text with the unit's decimal precision (0 or 2): (300, 0) → "3", (250, 2) → "2.50". */
export function formatQuantity(hundredths: number, precision: number): string {
  if (precision === 0) {
    if (hundredths % 100 !== 0) throw new RangeError(`Quantity ${hundredths / 100} needs decimals`);
    return String(hundredths / 100);
  }
  return twoPlaces(hundredths);
}

/**
 * quantity × price − discount, in cents. The generator only pairs fractional quantities with prices in
 * whole currency units, so the product is always whole cents; anything else is a generator bug.
 */
export function lineAmountCents(
  quantityHundredths: number,
  priceCents: number,
  discountCents: number,
): number {
  const gross = quantityHundredths * priceCents;
  if (gross % 100 !== 0) {
    throw new RangeError(`Line amount ${quantityHundredths}/100 × ${priceCents} cents is not whole cents`);
  }
  return gross / 100 - discountCents;
}

/** Cents of decimal text this module formatted ("2500.00" → 250000); throws on any other shape. */
export function parseCents(text: string): number {
  if (!/^-?\d+\.\d{2}$/.test(text)) throw new RangeError(`Not an amount with two decimals: "${text}"`);
  return Number(text.replace('.', ''));
}
