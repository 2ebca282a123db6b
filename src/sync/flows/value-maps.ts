/**
 * The hub's default value maps: plain data keyed by name, so an organisation can replace any of them
 * (from a file, later) without touching a flow. They agree with the maps the demo data was made with;
 * a test holds them to that.
 */

/** One value map: source value → target value. A blank key (`''`) is the default for a blank source. */
export type ValueMap = Readonly<Record<string, string | number>>;

/**
 * Sales country name → ISO 3166-1 alpha-3 code, the form F&O keeps in `CountryRegionISOCode` ('USA').
 * Used by accounts, contacts and quotes; the blank default differs per flow and sits on the field mapping.
 */
const countryNameToIso: ValueMap = {
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

/** Sales unit (uom) name → F&O unit symbol; 'Primary Unit' is Dataverse's default unit. */
const salesUnitToFinanceUnit: ValueMap = {
  'Primary Unit': 'ea',
  ea: 'ea',
  hr: 'hr',
  kg: 'kg',
  pcs: 'pcs',
};

/** F&O unit symbol → Sales unit (uom) name. */
const financeUnitToSalesUnit: ValueMap = {
  ea: 'ea',
  hr: 'hr',
  kg: 'kg',
  pcs: 'pcs',
};

/** F&O `ProductType` → Sales `producttypecode` (1 Sales Inventory, 3 Services). */
const productTypeToSalesCode: ValueMap = { Item: 1, Service: 3 };

/** The default value maps, by name. */
export const defaultValueMaps = {
  countryNameToIso,
  salesUnitToFinanceUnit,
  financeUnitToSalesUnit,
  productTypeToSalesCode,
} as const satisfies Record<string, ValueMap>;

/** The names flows refer to value maps by. */
export type ValueMapName = keyof typeof defaultValueMaps;

/** A full set of value maps. */
export type ValueMaps = Readonly<Record<ValueMapName, ValueMap>>;

/** The value map names, for validation and listing. */
export const valueMapNames = Object.keys(defaultValueMaps) as ValueMapName[];

/** The defaults with whole maps replaced by `overrides` (an override replaces a map, it does not merge). */
export function withValueMaps(overrides: Partial<ValueMaps> = {}): ValueMaps {
  return { ...defaultValueMaps, ...overrides };
}
