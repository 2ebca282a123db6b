/**
 * Sales contacts already in Finance, routed as the contacts flow does: active-customer contacts as person
 * customers (`CustomersV3`, PartyType Person), other contacts of a synchronised account as contact persons
 * of that customer (`ContactPersons`, attached by party number). Some are not in Finance yet.
 */
import type { Row } from '../core/model.js';
import { ContactPersons } from '../finance/entities.js';
import { financeAddressColumns } from './addresses.js';
import type { SeedContext } from './context.js';
import type { SeedContact } from './contacts.js';
import { customerRow, partyNumber } from './finance-customers.js';
import { ratios } from './ratios.js';
import { field, text, rowBuilder, type Sequence } from './rows.js';
import { accountBlankCountryIso } from './value-maps.js';

/** The Finance rows created from Sales contacts. */
export interface FinanceContacts {
  personCustomers: Row[];
  contactPersons: Row[];
}

const contactPersonRow = rowBuilder(ContactPersons);

/** The contacts the contacts flow has already synchronised, routed to person customers or contact persons. */
export function generateFinanceContacts(
  context: SeedContext,
  contacts: readonly SeedContact[],
  partyByAccountNumber: ReadonlyMap<string, string>,
  parties: Sequence,
): FinanceContacts {
  const random = context.random('finance-contacts');
  const result: FinanceContacts = { personCustomers: [], contactPersons: [] };
  for (const contact of contacts) {
    if (!contact.number) continue; // no key: the flow cannot synchronise it
    const customerParty = contact.account?.number
      ? partyByAccountNumber.get(contact.account.number)
      : undefined;
    const routable = contact.activeCustomer || customerParty !== undefined;
    if (!routable || !random.chance(ratios.contactInFinance)) continue;
    if (contact.activeCustomer) result.personCustomers.push(personCustomer(contact, parties));
    else if (customerParty) result.contactPersons.push(contactPerson(contact, customerParty, parties));
  }
  return result;
}

/** The contacts field map: firstname → FirstName, …, address1 → PrimaryAddress*. */
function contactPerson(contact: SeedContact, customerParty: string, parties: Sequence): Row {
  const { row } = contact;
  return contactPersonRow(
    {
      dataAreaId: 'usmf',
      ContactPersonId: contact.number,
      FirstName: field(row, 'firstname'),
      LastName: field(row, 'lastname'),
      ContactPersonName: field(row, 'fullname'),
      ContactPersonPartyNumber: partyNumber(parties),
      AssociatedPartyNumber: customerParty,
      PrimaryEmailAddress: field(row, 'emailaddress1'),
      PrimaryPhoneNumber: field(row, 'telephone1'),
      EmploymentJobTitle: field(row, 'jobtitle'),
      IsContactPersonExternallyMaintained: 'Yes',
      IsInactive: 'No',
      LastEditDateTime: text(row, 'modifiedon'),
    },
    financeAddressColumns(row, 'address1', 'PrimaryAddress', 'StateId', accountBlankCountryIso),
  );
}

/** An active-customer contact as a person customer; the customer account is the contact number. */
function personCustomer(contact: SeedContact, parties: Sequence): Row {
  const { row } = contact;
  return customerRow(
    {
      dataAreaId: 'usmf',
      CustomerAccount: contact.number,
      OrganizationName: field(row, 'fullname'),
      PartyType: 'Person',
      PartyNumber: partyNumber(parties),
      PersonFirstName: field(row, 'firstname'),
      PersonLastName: field(row, 'lastname'),
      CustomerGroupId: '10',
      SalesCurrencyCode: contact.account?.currency ?? 'USD',
      CreditLimit: '0.00',
      LanguageId: 'en-us',
      PrimaryContactEmail: field(row, 'emailaddress1'),
      PrimaryContactPhone: field(row, 'telephone1'),
      IsExternallyMaintained: 'Yes',
    },
    financeAddressColumns(row, 'address1', 'DeliveryAddress', 'State', accountBlankCountryIso),
  );
}
