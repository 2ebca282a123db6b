/**
 * The header fields a Finance document maps to its Sales counterpart the same way, whether an invoice or
 * an order entered in Finance: the customer (the Sales account with the customer's account number), the
 * currency, and the Sales price list in that currency.
 */
import type { FieldMapping } from './types.js';

type Target = '_customerid_value' | '_transactioncurrencyid_value' | '_pricelevelid_value';

/** The customer, currency and price list fields; `apply` as on each field (an order: on create only). */
export function documentFields<Account extends string>({
  account,
  customer,
  apply,
}: {
  /** The source column of the customer's account number (`InvoiceCustomerAccountNumber`). */
  account: Account;
  /** Which customer it is, for the description: 'Invoice customer'. */
  customer: string;
  apply?: 'onCreate';
}): FieldMapping<Account | 'CurrencyCode', Target>[] {
  const when = apply ? { apply } : {};
  return [
    {
      field: 'account',
      source: account,
      target: '_customerid_value',
      transform: { kind: 'lookup', lookup: 'accountIdByNumber' },
      ...when,
      description: `${customer} → the Sales account with that account number`,
    },
    {
      field: 'currency',
      source: 'CurrencyCode',
      target: '_transactioncurrencyid_value',
      transform: { kind: 'currencyId' },
      ...when,
    },
    {
      field: 'priceList',
      source: 'CurrencyCode',
      target: '_pricelevelid_value',
      transform: { kind: 'lookup', lookup: 'priceListIdByCurrency' },
      ...when,
      description:
        'The Sales price list in the currency: PRODUCTS_PRICE_LIST when it has it, else the first active one by name; none when no price list has it',
    },
  ];
}
