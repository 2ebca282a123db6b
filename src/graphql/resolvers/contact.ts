/**
 * Contact: a Sales contact (system of record) and its Finance counterpart — a contact person of the
 * account's customer, or, for a contact flagged active customer, a person customer of its own. Which one,
 * and which column each unified field is, the contacts flow's routes and mappings say (see the read model).
 */
import type { FinanceContactPerson, FinanceCustomer } from '../../connectors/finance/types.js';
import type { SalesContact } from '../../connectors/sales/types.js';
import type { ContactResolvers } from '../../generated/resolvers-types.js';
import { flows } from '../../sync/flows/index.js';
import { counterpartOf, recordViews } from '../../sync/read-model/index.js';
import type { HubContext } from '../context.js';
import type { AccountModel, ContactModel } from '../models.js';
import { accountOfFinance, accountOfSales } from './account.js';
import { rowsOf, unifiedAddress } from './shared.js';
import { syncLink } from './sync.js';

const contacts = recordViews.contact;

export async function salesContactOf(
  contact: ContactModel,
  context: HubContext,
): Promise<SalesContact | null> {
  if (contact.sales !== undefined) return contact.sales;
  return contact.contactNumber ? context.loaders.salesContactByNumber.load(contact.contactNumber) : null;
}

/** The Finance row the contacts flow writes this contact to, by the flow's own routes. */
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
  // Without a Sales contact, a contact person is preferred to a person customer of the same number.
  return counterpartOf(flows.contacts, sales, [person, customer], { settings: context.flowSettings });
}

const rows = (contact: ContactModel, context: HubContext) =>
  rowsOf(
    context,
    () => salesContactOf(contact, context),
    () => financeContactOf(contact, context),
  );

/** A unified text field of the contacts flow (`firstName`, `email`…). */
const text =
  (field: string): NonNullable<ContactResolvers['firstName']> =>
  (contact, _args, context) =>
    contacts.value<string>(field, rows(contact, context));

export const Contact: ContactResolvers = {
  contactNumber: (contact) => contact.contactNumber,
  firstName: text('firstName'),
  lastName: text('lastName'),
  fullName: async (contact, _args, context) => {
    const reading = await contacts.read('fullName', rows(contact, context));
    // The contact-person mapping writes first and last name only: Finance composes the full name.
    if (reading?.side === 'target' && reading.column === null && 'ContactPersonName' in reading.row)
      return reading.row.ContactPersonName;
    return (reading?.value as string | null | undefined) ?? null;
  },
  email: text('email'),
  phone: text('phone'),
  jobTitle: text('jobTitle'),
  address: (contact, _args, context) => unifiedAddress(contacts, 'address', rows(contact, context)),
  isActiveCustomer: async (contact, _args, context) => {
    const record = await contacts.record(rows(contact, context));
    if (!record) return null;
    // Sales holds the flag the routes test, null when unset; a contact only in Finance is an active
    // customer when Finance holds it as a person customer.
    return record.side === 'source'
      ? record.row.msdynce_isactivecustomer
      : record.mapping.name === 'personCustomer';
  },
  sales: (contact, _args, context) => salesContactOf(contact, context),
  finance: (contact, _args, context) => financeContactOf(contact, context),
  account: async (contact, _args, context): Promise<AccountModel | null> => {
    const reading = await contacts.read('account', rows(contact, context));
    const id = reading?.value;
    if (!reading || typeof id !== 'string' || !id) return null;
    // Sales holds the parent's id: a parent that is not an account (another contact), or an account
    // without a number, has no unified Account. Finance holds the party number of the customer a contact
    // person is attached to; a person customer is attached to none.
    return reading.side === 'source'
      ? accountOfSales(await context.loaders.salesAccountById.load(id))
      : accountOfFinance(await context.loaders.financeCustomerByParty.load(id));
  },
  sync: (contact, _args, context) =>
    syncLink(context, {
      entity: 'contact',
      key: contact.contactNumber ?? '',
      flow: contacts.flow,
      ...rows(contact, context),
    }),
};
