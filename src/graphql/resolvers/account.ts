/**
 * Account: a Sales account (system of record) and the Finance customer with the same account number.
 * Unified fields come from Sales, or from Finance for an account that exists only there.
 */
import type { AccountResolvers } from '../../generated/resolvers-types.js';
import type { HubContext } from '../context.js';
import type { AccountModel, ContactModel, QuoteModel } from '../models.js';
import { pageSize } from '../cursors.js';
import { address, currencyIso, preferring } from './shared.js';
import { syncLink } from './sync.js';

/** The Sales side of an account, loaded when the model does not carry it yet. */
export async function salesAccountOf(account: AccountModel, context: HubContext) {
  return account.sales !== undefined
    ? account.sales
    : context.loaders.salesAccountByNumber.load(account.accountNumber);
}

export async function financeCustomerOf(account: AccountModel, context: HubContext) {
  return account.finance !== undefined
    ? account.finance
    : context.loaders.financeCustomerByAccount.load(account.accountNumber);
}

/**
 * Unified field from Sales when the account is there; Finance only for a Finance-only account. Sales is
 * read first so a Finance outage never hides Sales data.
 */
const unified = <T>(
  account: AccountModel,
  context: HubContext,
  fromSales: (sales: NonNullable<AccountModel['sales']>) => T | null,
  fromFinance: (finance: NonNullable<AccountModel['finance']>) => T | null,
): Promise<T | null> =>
  preferring(
    () => salesAccountOf(account, context),
    () => financeCustomerOf(account, context),
    fromSales,
    fromFinance,
  );

export const Account: AccountResolvers = {
  accountNumber: (account) => account.accountNumber,
  name: (account, _args, context) =>
    unified(
      account,
      context,
      (s) => s.name,
      (f) => f.OrganizationName,
    ),
  phone: (account, _args, context) =>
    unified(
      account,
      context,
      (s) => s.telephone1,
      (f) => f.PrimaryContactPhone,
    ),
  email: (account, _args, context) =>
    unified(
      account,
      context,
      (s) => s.emailaddress1,
      (f) => f.PrimaryContactEmail,
    ),
  website: (account, _args, context) =>
    unified(
      account,
      context,
      (s) => s.websiteurl,
      (f) => f.PrimaryContactURL,
    ),
  address: (account, _args, context) =>
    unified(
      account,
      context,
      (s) =>
        address({
          line1: s.address1_line1,
          city: s.address1_city,
          stateOrProvince: s.address1_stateorprovince,
          postalCode: s.address1_postalcode,
          country: s.address1_country,
        }),
      (f) =>
        address({
          line1: f.DeliveryAddressStreet,
          city: f.DeliveryAddressCity,
          stateOrProvince: f.DeliveryAddressState,
          postalCode: f.DeliveryAddressZipCode,
          country: f.DeliveryAddressCountryRegionISOCode,
        }),
    ),
  currency: async (account, _args, context) => {
    const sales = await salesAccountOf(account, context);
    if (sales) return currencyIso(context, sales._transactioncurrencyid_value);
    return (await financeCustomerOf(account, context))?.SalesCurrencyCode ?? null;
  },
  creditLimit: (account, _args, context) =>
    unified(
      account,
      context,
      (s) => s.creditlimit,
      (f) => f.CreditLimit,
    ),
  /** Customer groups exist only in Finance. */
  customerGroup: async (account, _args, context) =>
    (await financeCustomerOf(account, context))?.CustomerGroupId ?? null,
  sales: (account, _args, context) => salesAccountOf(account, context),
  finance: (account, _args, context) => financeCustomerOf(account, context),
  contacts: async (account, { first }, context): Promise<ContactModel[]> => {
    const sales = await salesAccountOf(account, context);
    if (!sales) return [];
    const contacts = await context.loaders.salesContactsByAccountId.load(sales.accountid);
    return [...contacts]
      .sort(
        (a, b) =>
          (a.fullname ?? '').localeCompare(b.fullname ?? '') || a.contactid.localeCompare(b.contactid),
      )
      .slice(0, pageSize(first))
      .map((contact) => ({
        contactNumber: contact.msdynce_contactnumber,
        sales: contact,
        finance: undefined,
      }));
  },
  quotes: async (account, { first }, context): Promise<QuoteModel[]> => {
    const sales = await salesAccountOf(account, context);
    if (!sales) return [];
    const quotes = await context.loaders.salesQuotesByAccountId.load(sales.accountid);
    return quotes
      .filter((quote) => quote.quotenumber !== null)
      .sort((a, b) => (a.quotenumber ?? '').localeCompare(b.quotenumber ?? ''))
      .slice(0, pageSize(first))
      .map((quote) => ({ quoteNumber: quote.quotenumber!, sales: quote, finance: undefined }));
  },
  sync: (account, _args, context) =>
    syncLink(context, {
      entity: 'account',
      key: account.accountNumber,
      flow: 'accounts',
      source: () => salesAccountOf(account, context),
      target: () => financeCustomerOf(account, context),
    }),
};
