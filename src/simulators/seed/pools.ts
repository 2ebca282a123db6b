/**
 * Word pools drawn from faker once per data set. Rows are then assembled from the pools with the fast
 * seeded stream: calling faker for every value of a million rows would take minutes, while a few thousand
 * faker calls up front take milliseconds and still give varied, locale-appropriate text.
 */
// Each locale's own entry point, not the package's, which loads all of faker's ~70 locales: about 0.2 s
// and 10 MB of heap more for `npm start`. Each locale's instance holds its locale merged over en and
// base, the chain the pools draw from; the pools use new, seeded instances of the same class.
import type { Faker } from '@faker-js/faker';
import { faker as fakerDE } from '@faker-js/faker/locale/de';
import { faker as fakerEN_CA } from '@faker-js/faker/locale/en_CA';
import { faker as fakerEN_GB } from '@faker-js/faker/locale/en_GB';
import { faker as fakerEN_US } from '@faker-js/faker/locale/en_US';
import type { CountryKey } from './countries.js';
import { deriveSeed } from './random.js';

/** A city with the state and postal code that go with it. */
export interface Locality {
  city: string;
  state: string | null;
  postalcode: string;
}

/** Words drawn from the country's faker locale. */
export interface CountryPools {
  /** Surnames for company names ("Kessler Logistics LLC"). */
  surnames: readonly string[];
  streets: readonly string[];
  localities: readonly Locality[];
  firstNames: readonly string[];
  lastNames: readonly string[];
}

/** Every pool of one data set. */
export interface SeedPools {
  countries: Readonly<Record<CountryKey, CountryPools>>;
  jobTitles: readonly string[];
  /** Account descriptions (→ Finance `SalesMemo`). */
  slogans: readonly string[];
  productAdjectives: readonly string[];
  productMaterials: readonly string[];
}

/** Faker's instance for each country's locale (its locale over en and base), for its definitions. */
const locales: Readonly<Record<CountryKey, Faker>> = {
  US: fakerEN_US,
  DE: fakerDE,
  GB: fakerEN_GB,
  CA: fakerEN_CA,
};

/** The Faker class, reached through an instance: importing it by name would load every locale. */
const FakerClass = fakerEN_US.constructor as typeof Faker;

// Finance allows 25 characters for person names, 60 for cities and job titles, 10 for states.
const FIRST_LAST_MAX = 25;
const CITY_MAX = 60;
const TITLE_MAX = 60;

/** `size` distinct values of `make`, fewer if faker runs out of distinct ones; in first-seen order. */
function distinct(size: number, make: () => string, maxLength = Number.POSITIVE_INFINITY): string[] {
  const seen = new Set<string>();
  for (let attempt = 0; attempt < size * 4 && seen.size < size; attempt++) {
    const value = make();
    if (value.length <= maxLength) seen.add(value);
  }
  return [...seen];
}

function countryPools(faker: Faker, country: CountryKey): CountryPools {
  // UK counties are longer than F&O's 10-character state field, and UK addresses rarely carry one.
  const withState = country !== 'GB';
  return {
    surnames: distinct(600, () => faker.person.lastName(), 30),
    streets: distinct(500, () => faker.location.street(), 80),
    localities: Array.from({ length: 300 }, () => ({
      city: faker.location.city().slice(0, CITY_MAX),
      state: withState ? faker.location.state({ abbreviated: true }) : null,
      postalcode: faker.location.zipCode(),
    })),
    firstNames: distinct(500, () => faker.person.firstName(), FIRST_LAST_MAX),
    lastNames: distinct(700, () => faker.person.lastName(), FIRST_LAST_MAX),
  };
}

/** The pools of data set `seed`; each locale gets its own faker instance and seed. */
export function createPools(seed: number): SeedPools {
  const fakerFor = (stream: string, locale: Faker): Faker =>
    new FakerClass({ locale: locale.rawDefinitions, seed: deriveSeed(seed, `faker:${stream}`) });
  const countriesPools = Object.fromEntries(
    (Object.keys(locales) as CountryKey[]).map((key) => [
      key,
      countryPools(fakerFor(key, locales[key]), key),
    ]),
  ) as Record<CountryKey, CountryPools>;
  const faker = fakerFor('shared', fakerEN_US);
  return {
    countries: countriesPools,
    jobTitles: distinct(300, () => faker.person.jobTitle(), TITLE_MAX),
    slogans: distinct(400, () => faker.company.catchPhrase()),
    productAdjectives: distinct(60, () => faker.commerce.productAdjective()),
    productMaterials: distinct(40, () => faker.commerce.productMaterial()),
  };
}
