/**
 * contacts → contact persons or person customers (Sales → Finance), keyed by contact number. The routing
 * rule is part of the definition: an active customer becomes a person customer in `CustomersV3`; any other
 * contact with a parent account becomes a contact person of that account's customer in `ContactPersons`;
 * a contact with neither is skipped.
 */
import type { FinanceContactPerson, FinanceCustomer } from '../../../connectors/finance/types.js';
import type { SalesContact } from '../../../connectors/sales/types.js';
import { addressFields } from '../addresses.js';
import { financeEntity, salesEntity } from '../entities.js';
import { defineMapping, defineRoutes, defineRules, type FlowDefinition } from '../types.js';

/** Blank Sales country on a contact → this ISO code, as for accounts. */
export const CONTACT_BLANK_COUNTRY = 'USA';

/** F&O keeps 25 characters of a person's first and last name. */
const PERSON_NAME_LENGTH = 25;

const contactPerson = defineMapping<SalesContact, FinanceContactPerson>({
  name: 'contactPerson',
  description: "Sales contact with a parent account → contact person of that account's customer",
  source: salesEntity('contact'),
  target: financeEntity('contactPerson'),
  key: { source: 'msdynce_contactnumber', target: 'ContactPersonId' },
  fields: [
    {
      field: 'contactNumber',
      source: 'msdynce_contactnumber',
      target: 'ContactPersonId',
      transform: { kind: 'copy' },
    },
    {
      field: 'firstName',
      source: 'firstname',
      target: 'FirstName',
      transform: { kind: 'truncate', length: PERSON_NAME_LENGTH },
    },
    {
      field: 'lastName',
      source: 'lastname',
      target: 'LastName',
      transform: { kind: 'truncate', length: PERSON_NAME_LENGTH },
    },
    { field: 'email', source: 'emailaddress1', target: 'PrimaryEmailAddress', transform: { kind: 'copy' } },
    { field: 'phone', source: 'telephone1', target: 'PrimaryPhoneNumber', transform: { kind: 'copy' } },
    {
      field: 'jobTitle',
      source: 'jobtitle',
      target: 'EmploymentJobTitle',
      transform: { kind: 'truncate', length: 60 },
    },
    ...addressFields({
      unified: 'address',
      from: 'address1',
      to: 'PrimaryAddress',
      state: 'StateId',
      countryDefault: CONTACT_BLANK_COUNTRY,
    }),
    {
      field: 'account',
      source: '_parentcustomerid_value',
      target: 'AssociatedPartyNumber',
      transform: { kind: 'lookup', lookup: 'customerPartyByAccountId' },
      description: "Parent account → its Finance customer's party number (Finance assigns it on create)",
    },
  ],
  constants: [
    {
      field: 'externallyMaintained',
      target: 'IsContactPersonExternallyMaintained',
      value: 'Yes',
      apply: 'always',
      description: 'Marks the contact person as mastered in Sales',
    },
  ],
});

const personCustomer = defineMapping<SalesContact, FinanceCustomer>({
  name: 'personCustomer',
  description: 'Sales contact flagged active customer → Finance person customer',
  source: salesEntity('contact'),
  target: financeEntity('customer'),
  key: { source: 'msdynce_contactnumber', target: 'CustomerAccount' },
  fields: [
    {
      field: 'contactNumber',
      source: 'msdynce_contactnumber',
      target: 'CustomerAccount',
      transform: { kind: 'copy' },
    },
    {
      field: 'fullName',
      source: 'fullname',
      target: 'OrganizationName',
      transform: { kind: 'truncate', length: 100 },
    },
    {
      field: 'firstName',
      source: 'firstname',
      target: 'PersonFirstName',
      transform: { kind: 'truncate', length: PERSON_NAME_LENGTH },
    },
    {
      field: 'lastName',
      source: 'lastname',
      target: 'PersonLastName',
      transform: { kind: 'truncate', length: PERSON_NAME_LENGTH },
    },
    { field: 'email', source: 'emailaddress1', target: 'PrimaryContactEmail', transform: { kind: 'copy' } },
    { field: 'phone', source: 'telephone1', target: 'PrimaryContactPhone', transform: { kind: 'copy' } },
    ...addressFields({
      unified: 'address',
      from: 'address1',
      to: 'DeliveryAddress',
      state: 'State',
      countryDefault: CONTACT_BLANK_COUNTRY,
    }),
    {
      // Microsoft documents no currency for person customers, but Finance requires one: the parent
      // account's currency is the natural choice, USD when there is no parent.
      field: 'currency',
      source: '_parentcustomerid_value',
      target: 'SalesCurrencyCode',
      transform: { kind: 'lookup', lookup: 'currencyIsoByAccountId' },
      default: 'USD',
      description: "Parent account's currency; 'USD' without a parent",
    },
  ],
  constants: [
    { field: 'partyType', target: 'PartyType', value: 'Person', apply: 'always' },
    { field: 'customerGroup', target: 'CustomerGroupId', value: '10', apply: 'onCreate' },
    { field: 'language', target: 'LanguageId', value: 'en-us', apply: 'onCreate' },
    // Finance requires a credit limit; a new person customer starts without credit.
    { field: 'creditLimit', target: 'CreditLimit', value: '0', apply: 'onCreate' },
    {
      field: 'externallyMaintained',
      target: 'IsExternallyMaintained',
      value: 'Yes',
      apply: 'always',
      description: 'Marks the customer as mastered in Sales',
    },
  ],
});

/** The contacts flow. */
export const contactsFlow: FlowDefinition = {
  name: 'contacts',
  description:
    'Sales contacts → Finance person customers (CustomersV3) or contact persons (ContactPersons), by contact number',
  direction: 'salesToFinance',
  dependsOn: ['accounts'],
  source: salesEntity('contact'),
  eligibility: defineRules<SalesContact>([
    { require: { test: 'notBlank', field: 'msdynce_contactnumber' }, reason: 'no contact number' },
  ]),
  // The parent must be an account whose customer is in Finance: the contact-person mapping resolves it,
  // and a parent that does not resolve is a failed dependency, not a skip.
  routes: defineRoutes<SalesContact>([
    {
      when: { test: 'equals', field: 'msdynce_isactivecustomer', value: true },
      mapping: 'personCustomer',
      description: 'active customer → person customer',
    },
    {
      when: { test: 'notBlank', field: '_parentcustomerid_value' },
      mapping: 'contactPerson',
      description: 'parented by an account → contact person of its customer',
    },
  ]),
  unrouted: 'neither an active customer nor parented by an account',
  mappings: [personCustomer, contactPerson],
};
