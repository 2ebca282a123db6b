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

/**
 * ISO 3166-1 alpha-3 code → Sales country name: Finance's invoice and delivery address country → the Sales
 * bill-to and ship-to country. Also 'US', the code the quotes and orders flows give a blank Sales country
 * (the template's documented default), so an order holding it reads back as the United States.
 */
const countryIsoToName: ValueMap = {
  ...Object.fromEntries(Object.entries(countryNameToIso).map(([name, iso]) => [iso, name])),
  US: 'United States',
};

/**
 * Finance's sales order processing status → the Prospect-to-cash solution's `msdynce_processingstatus`
 * in Sales (Finance has no "Draft"; a Finance order not yet confirmed is Active in Sales).
 */
const financeOrderStatusToSales: ValueMap = {
  None: 647390000,
  Confirmed: 647390001,
  PartiallyPicked: 647390005,
  Picked: 647390004,
  PartiallyPacked: 647390006,
  Packed: 647390002,
  PartiallyDelivered: 647390008,
  Delivered: 647390007,
  PartiallyInvoiced: 647390009,
  Invoiced: 647390003,
  Cancelled: 647390010,
};

/** Finance's sales order line status → dual-write's `msdyn_linestatus` in Sales. */
const financeLineStatusToSales: ValueMap = {
  Backorder: 192350000,
  Delivered: 192350001,
  Invoiced: 192350002,
  Cancelled: 192350003,
};

/** The default value maps, by name. */
export const defaultValueMaps = {
  countryNameToIso,
  countryIsoToName,
  financeOrderStatusToSales,
  financeLineStatusToSales,
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
