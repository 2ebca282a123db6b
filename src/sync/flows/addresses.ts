/**
 * The P2C address field map, used five times (account delivery and invoice address, contact person,
 * person customer, quote ship-to): line1 → Street, city → City, stateorprovince → State or StateId,
 * postalcode → ZipCode, country name → CountryRegionISOCode through the country value map. And the way
 * back, for a Finance → Sales flow (an order's delivery address → its Sales ship-to): `salesAddressFields`.
 */
import type { FieldMapping } from './types.js';

type SalesPart = 'line1' | 'city' | 'stateorprovince' | 'postalcode' | 'country';
type FinancePart<State extends string> = 'Street' | 'City' | State | 'ZipCode' | 'CountryRegionISOCode';

/** Where an address comes from and goes to. */
export interface AddressFieldsOptions<From extends string, To extends string, State extends string> {
  /** Unified name prefix (`address` → `address.city`). */
  unified: string;
  /** Sales column prefix: `address1`, `address2`, `shipto`. */
  from: From;
  /** Finance column prefix: `DeliveryAddress`, `InvoiceAddress`, `PrimaryAddress`. */
  to: To;
  /** Customers call the state column `State`, quotations and contact persons `StateId`. */
  state: State;
  /** The ISO code for a blank country; none leaves the Finance country blank too. */
  countryDefault?: string;
}

// F&O address columns are shorter than Dataverse's (city 60 vs 80, state 10 vs 50, zip 10 vs 20);
// streets are 250 on both sides.
const CITY_LENGTH = 60;
const STATE_LENGTH = 10;
const ZIP_LENGTH = 10;

/** The five field mappings of one address. */
export function addressFields<From extends string, To extends string, State extends string>({
  unified,
  from,
  to,
  state,
  countryDefault,
}: AddressFieldsOptions<From, To, State>): FieldMapping<
  `${From}_${SalesPart}`,
  `${To}${FinancePart<State>}`
>[] {
  const country: FieldMapping<`${From}_${SalesPart}`, `${To}${FinancePart<State>}`> = {
    field: `${unified}.country`,
    source: `${from}_country`,
    target: `${to}CountryRegionISOCode`,
    transform: { kind: 'valueMap', map: 'countryNameToIso' },
  };
  if (countryDefault !== undefined) {
    country.default = countryDefault;
    country.description = `Country name → ISO code; blank → '${countryDefault}'`;
  }
  return [
    {
      field: `${unified}.line1`,
      source: `${from}_line1`,
      target: `${to}Street`,
      transform: { kind: 'copy' },
    },
    {
      field: `${unified}.city`,
      source: `${from}_city`,
      target: `${to}City`,
      transform: { kind: 'truncate', length: CITY_LENGTH },
    },
    {
      field: `${unified}.stateOrProvince`,
      source: `${from}_stateorprovince`,
      target: `${to}${state}`,
      transform: { kind: 'truncate', length: STATE_LENGTH },
    },
    {
      field: `${unified}.postalCode`,
      source: `${from}_postalcode`,
      target: `${to}ZipCode`,
      transform: { kind: 'truncate', length: ZIP_LENGTH },
    },
    country,
  ];
}

type FinanceBackPart = 'Street' | 'City' | 'StateId' | 'ZipCode' | 'CountryRegionISOCode';

/**
 * The five field mappings of a Finance address (`DeliveryAddress…`, with `StateId`) to a Sales address
 * block (`shipto_…`), ISO code → country name through the country value map; Sales' columns are at least
 * as long as Finance's, so nothing is cut. `apply` as on each field (an order: on create only).
 */
export function salesAddressFields<From extends string, To extends string>({
  unified,
  from,
  to,
  apply,
}: {
  /** Unified name prefix (`shipTo` → `shipTo.city`). */
  unified: string;
  from: From;
  to: To;
  apply?: 'onCreate';
}): FieldMapping<`${From}${FinanceBackPart}`, `${To}_${SalesPart}`>[] {
  const when = apply ? { apply } : {};
  const copy = { kind: 'copy' } as const;
  return [
    { field: `${unified}.line1`, source: `${from}Street`, target: `${to}_line1`, transform: copy, ...when },
    { field: `${unified}.city`, source: `${from}City`, target: `${to}_city`, transform: copy, ...when },
    {
      field: `${unified}.stateOrProvince`,
      source: `${from}StateId`,
      target: `${to}_stateorprovince`,
      transform: copy,
      ...when,
    },
    {
      field: `${unified}.postalCode`,
      source: `${from}ZipCode`,
      target: `${to}_postalcode`,
      transform: copy,
      ...when,
    },
    {
      field: `${unified}.country`,
      source: `${from}CountryRegionISOCode`,
      target: `${to}_country`,
      transform: { kind: 'valueMap', map: 'countryIsoToName' },
      ...when,
      description: 'ISO code → Sales country name',
    },
  ];
}
