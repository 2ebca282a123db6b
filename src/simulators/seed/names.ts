/**
 * Names assembled from the word pools: companies, their web domains and people's e-mail addresses.
 * Assembling them per row (rather than a pool of whole names) keeps 100,000 accounts from repeating a
 * handful of names.
 */
import { countries, type CountryKey } from './countries.js';
import type { SeedPools } from './pools.js';
import type { SeededRandom } from './random.js';

/** "Kessler LLC", "Kessler & Wolf", "Kessler Logistics", "Kessler Logistics LLC", "Kessler, Wolf and Lang". */
export function companyName(random: SeededRandom, pools: SeedPools, country: CountryKey): string {
  const profile = countries[country];
  const surname = (): string => random.pick(pools.countries[country].surnames);
  switch (random.int(0, 9)) {
    case 0:
    case 1:
    case 2:
      return `${surname()} ${random.pick(profile.companySuffixes)}`;
    case 3:
    case 4:
      return `${surname()} & ${surname()}`;
    case 5:
    case 6:
      return `${surname()} ${random.pick(profile.industries)}`;
    case 7:
    case 8:
      return `${surname()} ${random.pick(profile.industries)} ${random.pick(profile.companySuffixes)}`;
    default:
      return `${surname()}, ${surname()} ${profile.and} ${surname()}`;
  }
}

/** A plausible domain for a company: ASCII slug of the name plus the country's top-level domain. */
export function domainOf(name: string, country: CountryKey): string {
  return `${slugOf(name, '-') || 'company'}.${countries[country].topLevelDomain}`;
}

/** `first.last@domain`, in ASCII. */
export function personalEmail(first: string, last: string, domain: string): string {
  return `${slugOf(first, '')}.${slugOf(last, '')}@${domain}`;
}

/** Lower-case ASCII letters and digits: accents dropped, any other run of characters → `separator`. */
function slugOf(text: string, separator: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, separator)
    .slice(0, 40)
    .replace(/^-+|-+$/g, '');
}
