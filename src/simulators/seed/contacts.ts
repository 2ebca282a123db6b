/**
 * Sales contacts: one to four per account, most at the account's address, with P2C contact numbers.
 * About one in ten is flagged as an active customer (routed to Finance as a person customer), and a few
 * have no parent account at all.
 */
import type { Row } from '../core/model.js';
import { contacts as contactSet } from '../sales/entities.js';
import { randomAddress, salesAddressColumns } from './addresses.js';
import type { SeedContext } from './context.js';
import { countries, type CountryKey } from './countries.js';
import { personalEmail } from './names.js';
import type { SeededRandom } from './random.js';
import { ratios, scaledCount } from './ratios.js';
import { autoNumber, rowBuilder, Sequence } from './rows.js';
import type { SeedAccount } from './sales-accounts.js';
import { DAY_MS, instantBetween, isoDateTime } from './time.js';

/** A contact as the Finance mirror needs it: the row plus its parent account. */
export interface SeedContact {
  row: Row;
  id: string;
  number: string | null;
  /** The parent account; null for the few contacts without one. */
  account: SeedAccount | null;
  activeCustomer: boolean;
}

const FIRST_NUMBER = 1000;
const freeMailDomains = ['gmail.com', 'outlook.com', 'yahoo.com', 'icloud.com'];

interface ContactGenerator {
  context: SeedContext;
  random: SeededRandom;
  numbers: Sequence;
  build: (...parts: Row[]) => Row;
}

/** One to four contacts per account, then a few without a parent account. */
export function generateContacts(context: SeedContext, accounts: readonly SeedAccount[]): SeedContact[] {
  const generator: ContactGenerator = {
    context,
    random: context.random('contacts'),
    numbers: new Sequence(FIRST_NUMBER),
    build: rowBuilder(contactSet),
  };
  const [min, max] = ratios.contactsPerAccount;
  const result: SeedContact[] = [];
  for (const account of accounts) {
    const count = generator.random.int(min, max);
    for (let i = 0; i < count; i++) result.push(generateContact(generator, account));
  }
  const orphans = scaledCount(accounts.length, ratios.orphanContactsPerAccount, 2);
  for (let i = 0; i < orphans; i++) result.push(generateContact(generator, null));
  return result;
}

function generateContact(
  { context, random, numbers, build }: ContactGenerator,
  account: SeedAccount | null,
): SeedContact {
  const country: CountryKey = account?.country ?? 'US';
  const pools = context.pools.countries[country];
  const first = random.pick(pools.firstNames);
  const last = random.pick(pools.lastNames);
  const address =
    account && random.chance(ratios.contactAtAccountAddress)
      ? account.address
      : randomAddress(random, context.pools, country);
  const number = random.chance(ratios.contactWithoutNumber)
    ? null
    : autoNumber('CON', numbers.take(), random);
  const activeCustomer = random.chance(ratios.contactActiveCustomer);
  const createdMs = instantBetween(
    random,
    account?.createdMs ?? context.referenceMs - 365 * DAY_MS,
    context.referenceMs,
  );
  const inactive = random.chance(ratios.contactInactive);
  const id = random.guid();
  const row = build(
    {
      contactid: id,
      firstname: first,
      lastname: last,
      fullname: `${first} ${last}`,
      emailaddress1: personalEmail(first, last, account?.domain ?? random.pick(freeMailDomains)),
      telephone1: random.chance(ratios.contactWithPhone) ? countries[country].phone(random) : null,
      jobtitle:
        account && random.chance(ratios.contactWithJobTitle) ? random.pick(context.pools.jobTitles) : null,
      _parentcustomerid_value: account?.id ?? null,
      msdynce_contactnumber: number,
      msdynce_isactivecustomer: activeCustomer,
      statecode: inactive ? 1 : 0,
      statuscode: inactive ? 2 : 1,
      createdon: isoDateTime(createdMs),
      modifiedon: isoDateTime(instantBetween(random, createdMs, context.referenceMs)),
    },
    salesAddressColumns('address1', address),
  );
  return { row, id, number, account, activeCustomer };
}
