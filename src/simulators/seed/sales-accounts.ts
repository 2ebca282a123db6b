/**
 * Sales accounts: company names, P2C account numbers, contact details, delivery and invoice addresses.
 * A few names carry quotes and special characters so every layer's escaping gets exercised.
 */
import type { Row } from '../core/model.js';
import { accounts as accountSet } from '../sales/entities.js';
import { randomAddress, salesAddressColumns, type Address } from './addresses.js';
import type { SeedContext } from './context.js';
import { countries, type CountryKey } from './countries.js';
import { formatCents } from './money.js';
import { companyName, domainOf } from './names.js';
import type { SeededRandom, Weighted } from './random.js';
import { ratios } from './ratios.js';
import { autoNumber, rowBuilder, Sequence } from './rows.js';
import { DAY_MS, instantBetween, isoDateTime } from './time.js';
import type { CurrencyCode } from './value-maps.js';

/** An account as the rest of the generator needs it: the row plus what contacts and quotes derive from. */
export interface SeedAccount {
  row: Row;
  id: string;
  number: string | null;
  name: string;
  country: CountryKey;
  address: Address;
  /** Mail and web domain, for contact e-mail addresses. */
  domain: string;
  currency: CurrencyCode;
  createdMs: number;
}

/** Names that break naive OData literals, URLs, JSON or CSV: quotes, &, #, %, +, /, \, ;, non-ASCII. */
export const trickyAccountNames: readonly string[] = [
  "O'Brien & Sons #1",
  'Müller GmbH',
  '50% Off, Inc.',
  'Smith "Best" Supplies',
  'Café Zürich AG',
  'A+B Partners (Berlin)',
  'Ace/Acme Tools; Ltd.',
  'Back\\slash Trading',
  'Percent%20Encoded LLC',
  "Question? Mark & D'Arcy",
];

// Sequences start at 1000 as the P2C solution's auto-numbering does.
const FIRST_NUMBER = 1000;

/** Relationship types (customertypecode): mostly Customer (3), some Prospect (8), Reseller (9), Partner (5). */
const relationshipTypes: readonly Weighted<number>[] = [
  [3, 88],
  [8, 6],
  [9, 3],
  [5, 3],
];

/** `count` Sales accounts, about 5% of them without an account number (see `ratios`). */
export function generateAccounts(context: SeedContext, count: number): SeedAccount[] {
  const random = context.random('accounts');
  const numbers = new Sequence(FIRST_NUMBER);
  const build = rowBuilder(accountSet);
  const tricky = trickyPositions(count);
  const result: SeedAccount[] = [];
  for (let i = 0; i < count; i++) {
    const countryChoice = random.weighted(ratios.accountCountries);
    const country = countryChoice === 'blank' ? 'US' : countryChoice;
    const name = tricky.get(i) ?? companyName(random, context.pools, country);
    const number = random.chance(ratios.accountWithoutNumber)
      ? null
      : autoNumber('ACC', numbers.take(), random);
    const address = randomAddress(random, context.pools, country, countryChoice === 'blank');
    const account = { id: random.guid(), number, name, country, address, domain: domainOf(name, country) };
    result.push(accountRow(context, random, build, account));
  }
  return result;
}

type AccountBasics = Pick<SeedAccount, 'id' | 'number' | 'name' | 'country' | 'address' | 'domain'>;

function accountRow(
  context: SeedContext,
  random: SeededRandom,
  build: (...parts: Row[]) => Row,
  account: AccountBasics,
): SeedAccount {
  const profile = countries[account.country];
  const createdMs = instantBetween(
    random,
    context.referenceMs - 1800 * DAY_MS,
    context.referenceMs - 30 * DAY_MS,
  );
  const inactive = random.chance(ratios.accountInactive);
  const invoiceAddress = random.chance(ratios.accountWithInvoiceAddress)
    ? randomAddress(random, context.pools, account.country)
    : null;
  const row = build(
    {
      accountid: account.id,
      name: account.name,
      accountnumber: account.number,
      telephone1: profile.phone(random),
      emailaddress1: `${random.pick(profile.mailboxes)}@${account.domain}`,
      websiteurl: random.chance(ratios.accountWithWebsite) ? `https://www.${account.domain}` : null,
      fax: random.chance(ratios.accountWithFax) ? profile.phone(random) : null,
      creditlimit: formatCents(creditLimitCents(random)),
      customertypecode: random.weighted(relationshipTypes),
      description: random.chance(ratios.accountWithDescription) ? random.pick(context.pools.slogans) : null,
      _transactioncurrencyid_value: context.reference.currencyId[profile.currency],
      statecode: inactive ? 1 : 0,
      statuscode: inactive ? 2 : 1,
      createdon: isoDateTime(createdMs),
      modifiedon: isoDateTime(instantBetween(random, createdMs, context.referenceMs)),
    },
    salesAddressColumns('address1', account.address),
    salesAddressColumns('address2', invoiceAddress),
  );
  return { ...account, row, currency: profile.currency, createdMs };
}

/** Credit-limit bands as [min, max, step] in currency units, with their weights. */
const creditBands: readonly Weighted<readonly [number, number, number]>[] = [
  [[0, 0, 1], 5],
  [[1_000, 10_000, 500], 35],
  [[10_000, 100_000, 1_000], 45],
  [[100_000, 500_000, 5_000], 15],
];

/** Credit limits in round amounts: a few zero, most in the thousands, some large customers. */
export function creditLimitCents(random: SeededRandom): number {
  const [min, max, step] = random.weighted(creditBands);
  return (min + step * random.int(0, (max - min) / step)) * 100;
}

/** Spreads the tricky names evenly over the data set, so small and large sets both contain them. */
function trickyPositions(count: number): Map<number, string> {
  const positions = new Map<number, string>();
  trickyAccountNames.forEach((name, k) => {
    const index = Math.floor(((k + 0.5) * count) / trickyAccountNames.length);
    if (index < count && !positions.has(index)) positions.set(index, name);
  });
  return positions;
}
