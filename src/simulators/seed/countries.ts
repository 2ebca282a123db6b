/**
 * What varies by country in the seed: the name Sales stores, the currency, how companies are named and how
 * phone numbers and addresses look. The mix of countries and its weights live in `ratios.ts`.
 */
import type { SeededRandom } from './random.js';
import type { CurrencyCode } from './value-maps.js';

/** The countries seed addresses are in. */
export type CountryKey = 'US' | 'DE' | 'GB' | 'CA';

/** How one country's companies, addresses and phone numbers look. */
export interface CountryProfile {
  /** `address1_country` in Sales (value-mapped to an ISO code for Finance). */
  name: string;
  currency: CurrencyCode;
  topLevelDomain: string;
  companySuffixes: readonly string[];
  industries: readonly string[];
  /** The word in "A, B and C" company names. */
  and: string;
  mailboxes: readonly string[];
  /** German addresses put the house number after the street. */
  houseNumberFirst: boolean;
  phone(random: SeededRandom): string;
}

const englishIndustries = [
  'Systems',
  'Logistics',
  'Manufacturing',
  'Partners',
  'Holdings',
  'Solutions',
  'Supply',
  'Electronics',
  'Audio',
  'Media',
  'Engineering',
  'Retail',
  'Distribution',
  'Technologies',
];

const englishMailboxes = ['info', 'sales', 'contact', 'office', 'purchasing', 'accounts'];

const northAmericanPhone = (areaCodes: readonly string[] | null) => (random: SeededRandom) => {
  const area = areaCodes ? random.pick(areaCodes) : String(random.int(201, 989));
  return `+1 (${area}) ${random.int(200, 999)}-${random.digits(4)}`;
};

/** The profile of each seed country. Canada bills in USD: the seed holds only USD, EUR and GBP. */
export const countries: Readonly<Record<CountryKey, CountryProfile>> = {
  US: {
    name: 'United States',
    currency: 'USD',
    topLevelDomain: 'com',
    companySuffixes: ['Inc.', 'LLC', 'Corp.', 'Group', 'Co.', 'Industries'],
    industries: englishIndustries,
    and: 'and',
    mailboxes: englishMailboxes,
    houseNumberFirst: true,
    phone: northAmericanPhone(null),
  },
  DE: {
    name: 'Germany',
    currency: 'EUR',
    topLevelDomain: 'de',
    companySuffixes: ['GmbH', 'AG', 'KG', 'GmbH & Co. KG', 'UG', 'e.K.'],
    industries: ['Maschinenbau', 'Logistik', 'Elektronik', 'Handel', 'Technik', 'Medien', 'Bau', 'Vertrieb'],
    and: 'und',
    mailboxes: ['info', 'kontakt', 'vertrieb', 'einkauf', 'buchhaltung'],
    houseNumberFirst: false,
    phone: (random) =>
      `+49 ${random.pick(['30', '40', '69', '89', '221', '211', '711'])} ${random.digits(7)}`,
  },
  GB: {
    name: 'United Kingdom',
    currency: 'GBP',
    topLevelDomain: 'co.uk',
    companySuffixes: ['Ltd', 'PLC', 'LLP', 'Group', '& Co'],
    industries: englishIndustries,
    and: 'and',
    mailboxes: englishMailboxes,
    houseNumberFirst: true,
    phone: (random) =>
      `+44 ${random.pick(['20', '161', '121', '131', '113', '117'])} ${random.digits(4)} ${random.digits(4)}`,
  },
  CA: {
    name: 'Canada',
    currency: 'USD',
    topLevelDomain: 'ca',
    companySuffixes: ['Inc.', 'Ltd.', 'Corp.', 'Group'],
    industries: englishIndustries,
    and: 'and',
    mailboxes: englishMailboxes,
    houseNumberFirst: true,
    phone: northAmericanPhone(['416', '604', '514', '403', '613', '905']),
  },
};
