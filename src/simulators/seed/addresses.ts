/**
 * Postal addresses: drawn from the country pools, written as Sales columns (`address1_*`, `shipto_*`) and
 * mapped to Finance columns (`DeliveryAddress*`, `PrimaryAddress*`) by the P2C field map.
 */
import type { Row } from '../core/model.js';
import { countries, type CountryKey } from './countries.js';
import type { SeedPools } from './pools.js';
import type { SeededRandom } from './random.js';
import { field } from './rows.js';
import { accountBlankCountryIso, countryIsoOf } from './value-maps.js';

/** A postal address as Sales holds it (the `address1_*`, `address2_*` and `shipto_*` columns). */
export interface Address {
  line1: string;
  city: string;
  state: string | null;
  postalcode: string;
  /** Sales country name; null when the user left it blank. */
  country: string | null;
}

/** A random address in `country`; `blankCountry` leaves the country name empty, as users sometimes do. */
export function randomAddress(
  random: SeededRandom,
  pools: SeedPools,
  country: CountryKey,
  blankCountry = false,
): Address {
  const profile = countries[country];
  const local = pools.countries[country];
  const street = random.pick(local.streets);
  const number = random.int(1, profile.houseNumberFirst ? 9999 : 180);
  const locality = random.pick(local.localities);
  return {
    line1: profile.houseNumberFirst ? `${number} ${street}` : `${street} ${number}`,
    city: locality.city,
    state: locality.state,
    postalcode: locality.postalcode,
    country: blankCountry ? null : profile.name,
  };
}

/** Column names per prefix, built once: keys made afresh for every row cost V8 a string-table lookup each. */
function columnNames<T extends string>(parts: readonly T[]): (prefix: string) => Record<T, string> {
  const cache = new Map<string, Record<T, string>>();
  return (prefix) => {
    let names = cache.get(prefix);
    if (!names) {
      names = Object.fromEntries(parts.map((part) => [part, `${prefix}${part}`])) as Record<T, string>;
      cache.set(prefix, names);
    }
    return names;
  };
}

const salesColumns = columnNames(['_line1', '_city', '_stateorprovince', '_postalcode', '_country']);
const financeColumns = columnNames(['Street', 'City', 'State', 'StateId', 'ZipCode', 'CountryRegionISOCode']);

/** Sales address columns with `prefix` (`address1`, `address2`, `shipto`); all null without an address. */
export function salesAddressColumns(prefix: string, address: Address | null): Row {
  const names = salesColumns(prefix);
  const columns: Row = {};
  columns[names._line1] = address?.line1 ?? null;
  columns[names._city] = address?.city ?? null;
  columns[names._stateorprovince] = address?.state ?? null;
  columns[names._postalcode] = address?.postalcode ?? null;
  columns[names._country] = address?.country ?? null;
  return columns;
}

/**
 * The P2C field map from the Sales address columns `from` of `row` to the Finance columns `to`:
 * line1 → Street, city → City, stateorprovince → State (or StateId), postalcode → ZipCode, and the
 * country name → CountryRegionISOCode through the country map (`blankCountryIso` when blank).
 */
export function financeAddressColumns(
  row: Row,
  from: string,
  to: string,
  stateSuffix: 'State' | 'StateId',
  blankCountryIso: string | null,
): Row {
  const source = salesColumns(from);
  const target = financeColumns(to);
  const iso = countryIsoOf(field(row, source._country), blankCountryIso);
  if (iso === undefined) throw new Error(`No ISO code for country ${String(row[source._country])}`);
  const columns: Row = {};
  columns[target.Street] = field(row, source._line1);
  columns[target.City] = field(row, source._city);
  columns[target[stateSuffix]] = field(row, source._stateorprovince);
  columns[target.ZipCode] = field(row, source._postalcode);
  columns[target.CountryRegionISOCode] = iso;
  return columns;
}

/** An address Finance holds directly (customers Finance keeps on its own), under the Finance prefix `to`. */
export function financeAddressOf(address: Address, to: string, stateSuffix: 'State' | 'StateId'): Row {
  return financeAddressColumns(
    salesAddressColumns('a', address),
    'a',
    to,
    stateSuffix,
    accountBlankCountryIso,
  );
}
