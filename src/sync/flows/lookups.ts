/**
 * Per-page lookups of records other flows own, read in batched requests before a page is mapped (mapping
 * itself is synchronous): a contact's parent account → its account number, currency and Finance customer
 * party number. An id that resolves to nothing stays unknown, and the mapping reports it as a missing
 * dependency rather than guessing.
 */
import { matchKey } from '../../vocabulary.js';
import type { Connectors } from '../../connectors/index.js';
import type { ReferenceData } from '../reference.js';
import { readField } from '../transforms.js';

/** The distinct non-blank text values of `field` on `rows`. */
export function valuesOf(rows: readonly object[], field: string): string[] {
  const values = rows
    .map((row) => readField(row, field))
    .filter((v): v is string => typeof v === 'string' && v !== '');
  return [...new Set(values)];
}

/** `reference` with lookups added (replacing any of the same name). */
export function withLookups(reference: ReferenceData, lookups: ReferenceData['lookups']): ReferenceData {
  return { ...reference, lookups: { ...reference.lookups, ...lookups } };
}

/**
 * Lookups over the Sales accounts `accountIds` (one batched Sales read) and their Finance customers (one
 * batched Finance read): account number, currency ISO code and the customer's party number.
 */
export async function accountLookups(
  connectors: Connectors,
  accountIds: readonly string[],
  reference: ReferenceData,
): Promise<ReferenceData> {
  const accounts = await connectors.sales.getByValues('account', 'accountid', accountIds, {
    select: ['accountid', 'accountnumber', '_transactioncurrencyid_value'],
  });
  const numberById = new Map<string, string>();
  const currencyById = new Map<string, string>();
  for (const [id, [account]] of accounts) {
    if (account?.accountnumber) numberById.set(matchKey(id), account.accountnumber);
    const currency = account?._transactioncurrencyid_value;
    const iso = currency ? reference.currencyIsoById(currency) : undefined;
    if (iso) currencyById.set(matchKey(id), iso);
  }
  const customers = await connectors.finance.getByValues(
    'customer',
    'CustomerAccount',
    [...numberById.values()],
    {
      select: ['CustomerAccount', 'PartyNumber'],
    },
  );
  const partyByNumber = new Map<string, string>();
  for (const [number, [customer]] of customers) {
    if (customer?.PartyNumber) partyByNumber.set(number, customer.PartyNumber);
  }
  const numberOf = (id: string) => numberById.get(matchKey(id));
  return withLookups(reference, {
    accountNumberByAccountId: numberOf,
    currencyIsoByAccountId: (id) => currencyById.get(matchKey(id)),
    customerPartyByAccountId: (id) => {
      const number = numberOf(id);
      return number === undefined ? undefined : partyByNumber.get(matchKey(number));
    },
  });
}

/**
 * Adds `externalProductNumberById` over the Sales products `productIds` (one batched read): only products
 * maintained in Finance resolve, since quote lines may only carry those.
 */
export async function productLookups(
  connectors: Connectors,
  productIds: readonly string[],
  reference: ReferenceData,
): Promise<ReferenceData> {
  const products = await connectors.sales.getByValues('product', 'productid', productIds, {
    select: ['productid', 'productnumber', 'msdynce_ismaintainedexternally'],
  });
  const numberById = new Map<string, string>();
  for (const [id, [product]] of products) {
    if (product?.productnumber && product.msdynce_ismaintainedexternally === true) {
      numberById.set(matchKey(id), product.productnumber);
    }
  }
  return withLookups(reference, { externalProductNumberById: (id) => numberById.get(matchKey(id)) });
}
