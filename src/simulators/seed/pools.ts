/**
 * Word pools drawn from faker once per data set. Rows are then assembled from the pools with the fast
 * seeded stream: calling faker for every value of a million rows would take minutes, while a few thousand
 * faker calls up front take milliseconds and still give varied, locale-appropriate text.
 */
import { Faker, base, de, en, en_CA, en_GB, en_US, type LocaleDefinition } from '@faker-js/faker';
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

const locales: Readonly<Record<CountryKey, LocaleDefinition>> = { US: en_US, DE: de, GB: en_GB, CA: en_CA };

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
  const fakerFor = (stream: string, locale: LocaleDefinition): Faker =>
    new Faker({ locale: [locale, en, base], seed: deriveSeed(seed, `faker:${stream}`) });
  const countriesPools = Object.fromEntries(
    (Object.keys(locales) as CountryKey[]).map((key) => [
      key,
      countryPools(fakerFor(key, locales[key]), key),
    ]),
  ) as Record<CountryKey, CountryPools>;
  const faker = fakerFor('shared', en_US);
  return {
    countries: countriesPools,
    jobTitles: distinct(300, () => faker.person.jobTitle(), TITLE_MAX),
    slogans: distinct(400, () => faker.company.catchPhrase()),
    productAdjectives: distinct(60, () => faker.commerce.productAdjective()),
    productMaterials: distinct(40, () => faker.commerce.productMaterial()),
  };
}
