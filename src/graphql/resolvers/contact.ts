/**
 * Contact: a Sales contact (system of record) and its Finance counterpart — a contact person of the
 * account's customer, or, for a contact flagged active customer, a person customer of its own.
 */
import type { FinanceContactPerson, FinanceCustomer } from '../../connectors/finance/types.js';
import type { SalesContact } from '../../connectors/sales/types.js';
import type { ContactResolvers } from '../../generated/resolvers-types.js';
import type { HubContext } from '../context.js';
import type { AccountModel, ContactModel } from '../models.js';
import { address, preferring } from './shared.js';
import { syncLink } from './sync.js';

export async function salesContactOf(
  contact: ContactModel,
  context: HubContext,
): Promise<SalesContact | null> {
  if (contact.sales !== undefined) return contact.sales;
  return contact.contactNumber ? context.loaders.salesContactByNumber.load(contact.contactNumber) : null;
}

/** The Finance row the contacts flow writes this contact to, following the same routing rule. */
export async function financeContactOf(
  contact: ContactModel,
  context: HubContext,
): Promise<FinanceContactPerson | FinanceCustomer | null> {
  if (contact.finance !== undefined) return contact.finance;
  if (!contact.contactNumber) return null;
  // Both candidates are asked for every contact, so the requests a query makes never depend on the data.
  const [sales, person, customer] = await Promise.all([
    salesContactOf(contact, context),
    context.loaders.financeContactPersonById.load(contact.contactNumber),
    context.loaders.financeCustomerByAccount.load(contact.contactNumber),
  ]);
  if (sales?.msdynce_isactivecustomer) return customer;
  if (person || sales) return person;
  return customer?.PartyType === 'Person' ? customer : null;
}

const isCustomer = (row: FinanceContactPerson | FinanceCustomer): row is FinanceCustomer =>
  'CustomerAccount' in row;

const unified = <T>(
  contact: ContactModel,
  context: HubContext,
  fromSales: (sales: SalesContact) => T | null,
  fromFinance: (finance: FinanceContactPerson | FinanceCustomer) => T | null,
): Promise<T | null> =>
  preferring(
    () => salesContactOf(contact, context),
    () => financeContactOf(contact, context),
    fromSales,
    fromFinance,
  );

export const Contact: ContactResolvers = {
  contactNumber: (contact) => contact.contactNumber,
  firstName: (c, _a, ctx) =>
    unified(
      c,
      ctx,
      (s) => s.firstname,
      (f) => (isCustomer(f) ? f.PersonFirstName : f.FirstName),
    ),
  lastName: (c, _a, ctx) =>
    unified(
      c,
      ctx,
      (s) => s.lastname,
      (f) => (isCustomer(f) ? f.PersonLastName : f.LastName),
    ),
  fullName: (c, _a, ctx) =>
    unified(
      c,
      ctx,
      (s) => s.fullname,
      (f) => (isCustomer(f) ? f.OrganizationName : f.ContactPersonName),
    ),
  email: (c, _a, ctx) =>
    unified(
      c,
      ctx,
      (s) => s.emailaddress1,
      (f) => (isCustomer(f) ? f.PrimaryContactEmail : f.PrimaryEmailAddress),
    ),
  phone: (c, _a, ctx) =>
    unified(
      c,
      ctx,
      (s) => s.telephone1,
      (f) => (isCustomer(f) ? f.PrimaryContactPhone : f.PrimaryPhoneNumber),
    ),
  jobTitle: (c, _a, ctx) =>
    unified(
      c,
      ctx,
      (s) => s.jobtitle,
      (f) => (isCustomer(f) ? null : f.EmploymentJobTitle),
    ),
  address: (c, _a, ctx) =>
    unified(
      c,
      ctx,
      (s) =>
        address({
          line1: s.address1_line1,
          city: s.address1_city,
          stateOrProvince: s.address1_stateorprovince,
          postalCode: s.address1_postalcode,
          country: s.address1_country,
        }),
      (f) =>
        isCustomer(f)
          ? address({
              line1: f.DeliveryAddressStreet,
              city: f.DeliveryAddressCity,
              stateOrProvince: f.DeliveryAddressState,
              postalCode: f.DeliveryAddressZipCode,
              country: f.DeliveryAddressCountryRegionISOCode,
            })
          : address({
              line1: f.PrimaryAddressStreet,
              city: f.PrimaryAddressCity,
              stateOrProvince: f.PrimaryAddressStateId,
              postalCode: f.PrimaryAddressZipCode,
              country: f.PrimaryAddressCountryRegionISOCode,
            }),
    ),
  isActiveCustomer: (c, _a, ctx) =>
    unified(
      c,
      ctx,
      (s) => s.msdynce_isactivecustomer,
      (f) => isCustomer(f),
    ),
  sales: (c, _a, ctx) => salesContactOf(c, ctx),
  finance: (c, _a, ctx) => financeContactOf(c, ctx),
  account: async (c, _a, ctx): Promise<AccountModel | null> => {
    const sales = await salesContactOf(c, ctx);
    if (!sales) {
      // Only in Finance: a contact person belongs to the customer whose party it is attached to.
      const finance = await financeContactOf(c, ctx);
      const party = finance && !isCustomer(finance) ? finance.AssociatedPartyNumber : null;
      const customer = party ? await ctx.loaders.financeCustomerByParty.load(party) : null;
      return customer
        ? { accountNumber: customer.CustomerAccount, sales: undefined, finance: customer }
        : null;
    }
    const parent = sales._parentcustomerid_value;
    const account = parent ? await ctx.loaders.salesAccountById.load(parent) : null;
    // A parent that is not an account (another contact), or an account without a number, has no unified Account.
    return account?.accountnumber
      ? { accountNumber: account.accountnumber, sales: account, finance: undefined }
      : null;
  },
  sync: (c, _a, ctx) =>
    syncLink(ctx, {
      entity: 'contact',
      key: c.contactNumber ?? '',
      flow: 'contacts',
      source: () => salesContactOf(c, ctx),
      target: () => financeContactOf(c, ctx),
    }),
};
