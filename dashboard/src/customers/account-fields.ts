import type { AccountQuery } from '../generated/graphql';

export type AccountDetail = NonNullable<AccountQuery['account']>;

type Pick = (account: AccountDetail) => string | null | undefined;

/**
 * The account's fields as the page compares them: `field` is the name the accounts flow's mapping (and so
 * a drift report) gives it; `sales` and `finance` read the value from each system's row.
 */
export interface ComparedField {
  field: string;
  label: string;
  sales: Pick;
  finance: Pick;
}

export const accountFields: readonly ComparedField[] = [
  { field: 'name', label: 'Name', sales: (a) => a.sales?.name, finance: (a) => a.finance?.OrganizationName },
  {
    field: 'phone',
    label: 'Phone',
    sales: (a) => a.sales?.telephone1,
    finance: (a) => a.finance?.PrimaryContactPhone,
  },
  {
    field: 'email',
    label: 'Email',
    sales: (a) => a.sales?.emailaddress1,
    finance: (a) => a.finance?.PrimaryContactEmail,
  },
  {
    field: 'website',
    label: 'Website',
    sales: (a) => a.sales?.websiteurl,
    finance: (a) => a.finance?.PrimaryContactURL,
  },
  { field: 'fax', label: 'Fax', sales: (a) => a.sales?.fax, finance: (a) => a.finance?.PrimaryContactFax },
  {
    field: 'address.line1',
    label: 'Street',
    sales: (a) => a.sales?.address1_line1,
    finance: (a) => a.finance?.DeliveryAddressStreet,
  },
  {
    field: 'address.city',
    label: 'City',
    sales: (a) => a.sales?.address1_city,
    finance: (a) => a.finance?.DeliveryAddressCity,
  },
  {
    field: 'address.stateOrProvince',
    label: 'State or province',
    sales: (a) => a.sales?.address1_stateorprovince,
    finance: (a) => a.finance?.DeliveryAddressState,
  },
  {
    field: 'address.postalCode',
    label: 'Postal code',
    sales: (a) => a.sales?.address1_postalcode,
    finance: (a) => a.finance?.DeliveryAddressZipCode,
  },
  {
    field: 'address.country',
    label: 'Country or region',
    sales: (a) => a.sales?.address1_country,
    finance: (a) => a.finance?.DeliveryAddressCountryRegionISOCode,
  },
  {
    field: 'invoiceAddress.line1',
    label: 'Invoice street',
    sales: (a) => a.sales?.address2_line1,
    finance: (a) => a.finance?.InvoiceAddressStreet,
  },
  {
    field: 'invoiceAddress.city',
    label: 'Invoice city',
    sales: (a) => a.sales?.address2_city,
    finance: (a) => a.finance?.InvoiceAddressCity,
  },
  {
    field: 'invoiceAddress.stateOrProvince',
    label: 'Invoice state or province',
    sales: (a) => a.sales?.address2_stateorprovince,
    finance: (a) => a.finance?.InvoiceAddressState,
  },
  {
    field: 'invoiceAddress.postalCode',
    label: 'Invoice postal code',
    sales: (a) => a.sales?.address2_postalcode,
    finance: (a) => a.finance?.InvoiceAddressZipCode,
  },
  {
    field: 'invoiceAddress.country',
    label: 'Invoice country or region',
    sales: (a) => a.sales?.address2_country,
    finance: (a) => a.finance?.InvoiceAddressCountryRegionISOCode,
  },
  {
    // Sales holds a currency id; the unified field is its ISO code, from the Sales row when there is one.
    field: 'currency',
    label: 'Currency',
    sales: (a) => (a.sales ? a.currency : null),
    finance: (a) => a.finance?.SalesCurrencyCode,
  },
  {
    field: 'creditLimit',
    label: 'Credit limit',
    sales: (a) => a.sales?.creditlimit,
    finance: (a) => a.finance?.CreditLimit,
  },
  {
    field: 'customerGroup',
    label: 'Customer group',
    sales: () => null,
    finance: (a) => a.finance?.CustomerGroupId,
  },
  {
    field: 'description',
    label: 'Description',
    sales: (a) => a.sales?.description,
    finance: (a) => a.finance?.SalesMemo,
  },
];
