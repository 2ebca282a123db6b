/**
 * The value maps between the two systems that the seed applies and the hub's flows reuse, so the seeded
 * overlap and the flows agree on what "equal" means.
 */
import type { Value } from '../core/model.js';

/**
 * Sales country names → ISO 3166-1 alpha-3 codes, the form F&O keeps in `CountryRegionISOCode` ('USA').
 * The seed uses the first four; the rest cover neighbours a user is likely to type.
 */
export const countryNameToIso: Readonly<Record<string, string>> = {
  'United States': 'USA',
  Germany: 'DEU',
  'United Kingdom': 'GBR',
  Canada: 'CAN',
  France: 'FRA',
  Netherlands: 'NLD',
  Belgium: 'BEL',
  Austria: 'AUT',
  Switzerland: 'CHE',
  Ireland: 'IRL',
  Mexico: 'MEX',
  Denmark: 'DNK',
};

/** Accounts: a blank `address1_country` becomes this (the P2C template's default). */
export const accountBlankCountryIso = 'USA';

/** Quotes: the P2C template's ship-to value map sends a blank country as 'US' (documented, not 'USA'). */
export const quoteBlankCountryIso = 'US';

const isBlank = (value: Value): boolean =>
  value === null || (typeof value === 'string' && value.trim() === '');

/**
 * The ISO code for a Sales country name: `blankDefault` for a blank name, undefined for a name the map
 * does not know (the flow reports that record; the seed never produces one).
 */
export function countryIsoOf(
  name: Value,
  blankDefault: string | null = accountBlankCountryIso,
): string | null | undefined {
  if (isBlank(name)) return blankDefault;
  return typeof name === 'string' ? countryNameToIso[name] : undefined;
}

/** F&O unit symbols the seed uses. */
export type FinanceUnit = 'ea' | 'hr' | 'kg' | 'pcs';

/** Sales unit (uom) names: 'Primary Unit' is the default unit of Dataverse's default unit group. */
export type SalesUnitName = 'Primary Unit' | FinanceUnit;

/** The Sales units the seed creates, in creation order. */
export const salesUnitNames: readonly SalesUnitName[] = ['Primary Unit', 'ea', 'hr', 'kg', 'pcs'];

/** Sales uom name → F&O unit symbol (quote lines → `SalesUnitSymbol`). */
export const salesUnitToFinanceUnit: Readonly<Record<SalesUnitName, FinanceUnit>> = {
  'Primary Unit': 'ea',
  ea: 'ea',
  hr: 'hr',
  kg: 'kg',
  pcs: 'pcs',
};

/** F&O unit symbol → Sales uom name (products → `defaultuomid`). */
export const financeUnitToSalesUnit: Readonly<Record<FinanceUnit, SalesUnitName>> = {
  ea: 'ea',
  hr: 'hr',
  kg: 'kg',
  pcs: 'pcs',
};

/** F&O `ProductType` → Sales `producttypecode` (1 Sales Inventory, 3 Services). */
export const productTypeToSalesCode = { Item: 1, Service: 3 } as const;

/** F&O product types. */
export type ProductType = keyof typeof productTypeToSalesCode;

/** The currencies both systems hold in the seed. */
export type CurrencyCode = 'USD' | 'EUR' | 'GBP';
