/**
 * accounts → customers (Sales → Finance): each numbered Sales account becomes an organisation customer in
 * `CustomersV3`, keyed by account number. Field map and defaults as the P2C template and dual-write define
 * them; `address2_*` goes to the invoice address as dual-write does. The company (`dataAreaId`) is not part
 * of the definition: it comes from configuration.
 */
import type { FinanceCustomer } from '../../../connectors/finance/types.js';
import type { SalesAccount } from '../../../connectors/sales/types.js';
import { addressFields } from '../addresses.js';
import { financeEntity, salesEntity } from '../entities.js';
import { defineMapping, defineRules, type FlowDefinition } from '../types.js';

/** Blank Sales country on an account → this ISO code (Finance requires a country). */
export const ACCOUNT_BLANK_COUNTRY = 'USA';

const customer = defineMapping<SalesAccount, FinanceCustomer>({
  name: 'customer',
  description: 'Sales account → Finance organisation customer',
  source: salesEntity('account'),
  target: financeEntity('customer'),
  key: { source: 'accountnumber', target: 'CustomerAccount' },
  fields: [
    {
      field: 'accountNumber',
      source: 'accountnumber',
      target: 'CustomerAccount',
      transform: { kind: 'copy' },
    },
    {
      field: 'name',
      source: 'name',
      target: 'OrganizationName',
      transform: { kind: 'truncate', length: 100 },
    },
    { field: 'phone', source: 'telephone1', target: 'PrimaryContactPhone', transform: { kind: 'copy' } },
    { field: 'email', source: 'emailaddress1', target: 'PrimaryContactEmail', transform: { kind: 'copy' } },
    { field: 'website', source: 'websiteurl', target: 'PrimaryContactURL', transform: { kind: 'copy' } },
    { field: 'fax', source: 'fax', target: 'PrimaryContactFax', transform: { kind: 'copy' } },
    {
      field: 'description',
      source: 'description',
      target: 'SalesMemo',
      transform: { kind: 'truncate', length: 1000 },
    },
    { field: 'creditLimit', source: 'creditlimit', target: 'CreditLimit', transform: { kind: 'decimal' } },
    {
      field: 'currency',
      source: '_transactioncurrencyid_value',
      target: 'SalesCurrencyCode',
      transform: { kind: 'currencyIso' },
      description: 'Transaction currency → its ISO code',
    },
    ...addressFields({
      unified: 'address',
      from: 'address1',
      to: 'DeliveryAddress',
      state: 'State',
      countryDefault: ACCOUNT_BLANK_COUNTRY,
    }),
    ...addressFields({ unified: 'invoiceAddress', from: 'address2', to: 'InvoiceAddress', state: 'State' }),
  ],
  // SiteId '1' and WarehouseId '13' are the template's optional defaults; an organisation that wants them
  // adds them here. Payment terms, delivery terms and mode of delivery need an organisation's value maps.
  constants: [
    { field: 'customerGroup', target: 'CustomerGroupId', value: '10', apply: 'onCreate' },
    { field: 'language', target: 'LanguageId', value: 'en-us', apply: 'onCreate' },
    { field: 'partyType', target: 'PartyType', value: 'Organization', apply: 'always' },
    {
      field: 'externallyMaintained',
      target: 'IsExternallyMaintained',
      value: 'Yes',
      apply: 'always',
      description: 'Marks the customer as mastered in Sales',
    },
  ],
});

/** The accounts flow. */
export const accountsFlow: FlowDefinition = {
  name: 'accounts',
  description: 'Sales accounts → Finance customers (CustomersV3), by account number',
  direction: 'salesToFinance',
  dependsOn: [],
  source: customer.source,
  // Dual-write only syncs Customer accounts (customertypecode 3); the Data Integrator template has no such
  // filter, and neither does the default here: ACCOUNTS_RELATIONSHIP_TYPES sets one.
  eligibility: defineRules<SalesAccount>([
    { require: { test: 'notBlank', field: 'accountnumber' }, reason: 'no account number' },
    {
      require: { test: 'inSetting', field: 'customertypecode', setting: 'accountRelationshipTypes' },
      reason: 'relationship type not synced (ACCOUNTS_RELATIONSHIP_TYPES)',
    },
  ]),
  routes: [{ when: { test: 'always' }, mapping: 'customer', description: 'every eligible account' }],
  unrouted: null,
  mappings: [customer],
};
