/**
 * Finance customers (`CustomersV3`) for the organisations: most numbered Sales accounts mirrored into usmf
 * by the P2C accounts field map (a few drifted since), plus customers Finance keeps on its own in usmf and
 * demf. Party numbers come from one sequence shared with everything else in Finance's address book.
 */
import type { Row } from '../core/model.js';
import { CustomersV3 } from '../finance/entities.js';
import { financeAddressColumns, financeAddressOf, randomAddress } from './addresses.js';
import type { SeedContext } from './context.js';
import { countries, type CountryKey } from './countries.js';
import { formatCents, parseCents } from './money.js';
import { companyName, domainOf } from './names.js';
import type { SeededRandom } from './random.js';
import { ratios, scaledCount } from './ratios.js';
import { field, padded, rowBuilder, text, type Sequence } from './rows.js';
import { creditLimitCents, type SeedAccount } from './sales-accounts.js';
import { accountBlankCountryIso } from './value-maps.js';

/** F&O party numbers: 9 digits, zero-padded. */
export const partyNumber = (parties: Sequence): string => padded(parties.take(), 9);

/** Builds full `CustomersV3` rows. */
export const customerRow = rowBuilder(CustomersV3);

/** The P2C defaults for customers created from Sales accounts. */
export const accountDefaults = {
  CustomerGroupId: '10',
  LanguageId: 'en-us',
  PartyType: 'Organization',
  IsExternallyMaintained: 'Yes',
} as const;

/** The organisation customers of both companies, and the party of each synchronised account. */
export interface FinanceCustomers {
  rows: Row[];
  /** usmf customers created from Sales accounts: account number → PartyNumber. */
  partyByAccountNumber: Map<string, string>;
}

/**
 * The usmf customer for a Sales account row, by the P2C field map (name → OrganizationName, telephone1
 * → PrimaryContactPhone, …, address1 → DeliveryAddress*, address2 → InvoiceAddress*).
 */
export function customerFromAccount(context: SeedContext, account: Row, party: string): Row {
  const currencyId = field(account, '_transactioncurrencyid_value');
  return customerRow(
    {
      dataAreaId: 'usmf',
      CustomerAccount: text(account, 'accountnumber'),
      OrganizationName: field(account, 'name'),
      PartyNumber: party,
      SalesCurrencyCode:
        typeof currencyId === 'string' ? (context.reference.currencyCodeById.get(currencyId) ?? null) : null,
      CreditLimit: field(account, 'creditlimit'),
      PrimaryContactEmail: field(account, 'emailaddress1'),
      PrimaryContactPhone: field(account, 'telephone1'),
      PrimaryContactURL: field(account, 'websiteurl'),
      PrimaryContactFax: field(account, 'fax'),
      SalesMemo: field(account, 'description'),
    },
    financeAddressColumns(account, 'address1', 'DeliveryAddress', 'State', accountBlankCountryIso),
    financeAddressColumns(account, 'address2', 'InvoiceAddress', 'State', null),
    accountDefaults,
  );
}

/**
 * usmf customers for about 90% of the numbered accounts (party numbers in account order), then the
 * Finance-only customers of usmf and demf.
 */
export function generateFinanceCustomers(
  context: SeedContext,
  accounts: readonly SeedAccount[],
  parties: Sequence,
): FinanceCustomers {
  const random = context.random('finance-customers');
  const rows: Row[] = [];
  const partyByAccountNumber = new Map<string, string>();
  for (const account of accounts) {
    if (!account.number || !random.chance(ratios.accountInFinance)) continue;
    const party = partyNumber(parties);
    const customer = customerFromAccount(context, account.row, party);
    if (random.chance(ratios.customerDrifted)) drift(random, customer, account.country);
    rows.push(customer);
    partyByAccountNumber.set(account.number, party);
  }
  const ownUs = scaledCount(accounts.length, ratios.financeOnlyCustomersPerAccount, 3);
  const ownDe = scaledCount(accounts.length, ratios.demfCustomersPerAccount, 3);
  for (let i = 1; i <= ownUs; i++) rows.push(financeOnlyCustomer(context, random, 'US', i, parties));
  for (let i = 1; i <= ownDe; i++) rows.push(financeOnlyCustomer(context, random, 'DE', i, parties));
  return { rows, partyByAccountNumber };
}

/** An edit made directly in Finance since the last synchronisation: phone, credit limit or name. */
function drift(random: SeededRandom, customer: Row, country: CountryKey): void {
  switch (random.int(0, 2)) {
    case 0:
      customer['PrimaryContactPhone'] = countries[country].phone(random);
      return;
    case 1:
      customer['CreditLimit'] = formatCents(
        parseCents(text(customer, 'CreditLimit')) + random.int(1, 20) * 100_000,
      );
      return;
    default: {
      // Someone retyped the name in capitals, a typical ERP-side edit; keep it different even then.
      const name = text(customer, 'OrganizationName');
      customer['OrganizationName'] = name.toUpperCase() === name ? `${name} (2)` : name.toUpperCase();
    }
  }
}

/** A customer entered directly in Finance (usmf `US-001…` or demf `DE-001…`), not mastered in Sales. */
function financeOnlyCustomer(
  context: SeedContext,
  random: SeededRandom,
  country: 'US' | 'DE',
  sequence: number,
  parties: Sequence,
): Row {
  const profile = countries[country];
  const name = companyName(random, context.pools, country);
  const domain = domainOf(name, country);
  return customerRow(
    {
      dataAreaId: country === 'US' ? 'usmf' : 'demf',
      CustomerAccount: `${country}-${padded(sequence, 3)}`,
      OrganizationName: name,
      PartyType: 'Organization',
      PartyNumber: partyNumber(parties),
      CustomerGroupId: random.pick(country === 'US' ? ['10', '20', '30', '40'] : ['10', '20']),
      SalesCurrencyCode: profile.currency,
      CreditLimit: formatCents(creditLimitCents(random)),
      LanguageId: country === 'US' ? 'en-us' : 'de',
      PrimaryContactEmail: `${random.pick(profile.mailboxes)}@${domain}`,
      PrimaryContactPhone: profile.phone(random),
      PrimaryContactURL: `https://www.${domain}`,
      SiteId: '1',
      WarehouseId: country === 'US' ? '13' : '11',
      IsExternallyMaintained: 'No',
    },
    financeAddressOf(randomAddress(random, context.pools, country), 'DeliveryAddress', 'State'),
  );
}
