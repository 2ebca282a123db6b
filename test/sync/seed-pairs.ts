/**
 * The seeded data set the sync tests compare against, with the reference data and lookups the hub's caller
 * would build from it, and the records of both systems indexed by business key.
 */
import type { Row } from '../../src/simulators/core/model.js';
import { generateSeed } from '../../src/simulators/seed/index.js';
import { createReferenceData, type ReferenceData } from '../../src/sync/reference.js';

export const seed = generateSeed({ seed: 1, accounts: 300 });

const text = (row: Row, name: string): string => {
  const value = row[name];
  if (typeof value !== 'string') throw new Error(`${name} is ${String(value)}, expected text`);
  return value;
};

/** Rows indexed by the text of one column, rows without it left out. */
export function indexBy(rows: readonly Row[], name: string): Map<string, Row> {
  return new Map(rows.flatMap((row) => (typeof row[name] === 'string' ? [[row[name], row] as const] : [])));
}

const usmf = (rows: readonly Row[]): Row[] => rows.filter((row) => row['dataAreaId'] === 'usmf');

export const accountsById = indexBy(seed.sales.accounts, 'accountid');
export const customersByAccount = indexBy(usmf(seed.finance.CustomersV3), 'CustomerAccount');
export const contactPersonsById = indexBy(usmf(seed.finance.ContactPersons), 'ContactPersonId');
export const financeProductsByNumber = indexBy(usmf(seed.finance.SellableReleasedProducts), 'ProductNumber');
export const quotationsByNumber = indexBy(usmf(seed.finance.SalesQuotationHeadersV2), 'SalesQuotationNumber');
const productsById = indexBy(seed.sales.products, 'productid');
const currencies = seed.sales.transactioncurrencies.map((row) => ({
  transactioncurrencyid: text(row, 'transactioncurrencyid'),
  isocurrencycode: text(row, 'isocurrencycode'),
}));
const units = seed.sales.uoms.map((row) => ({ uomid: text(row, 'uomid'), name: text(row, 'name') }));

const accountNumber = (id: string): string | undefined => {
  const number = accountsById.get(id)?.['accountnumber'];
  return typeof number === 'string' ? number : undefined;
};

/** Currencies and units only: what a GraphQL read of accounts or products builds. */
export const basicReference: ReferenceData = createReferenceData({ currencies, units });

/** Currencies, units and every lookup, as the engine provides them. */
export const reference: ReferenceData = createReferenceData({
  currencies,
  units,
  lookups: {
    accountNumberByAccountId: accountNumber,
    customerPartyByAccountId: (id) => {
      const number = accountNumber(id);
      const party = number === undefined ? undefined : customersByAccount.get(number)?.['PartyNumber'];
      return typeof party === 'string' ? party : undefined;
    },
    currencyIsoByAccountId: (id) => {
      const currencyId = accountsById.get(id)?.['_transactioncurrencyid_value'];
      return typeof currencyId === 'string' ? basicReference.currencyIsoById(currencyId) : undefined;
    },
    externalProductNumberById: (id) => {
      const product = productsById.get(id);
      const number = product?.['productnumber'];
      return product?.['msdynce_ismaintainedexternally'] === true && typeof number === 'string'
        ? number
        : undefined;
    },
  },
});

/** A pair of records, one per system, and the business key that joined them. */
export interface Pair {
  key: string;
  source: Row;
  target: Row;
}

/** The Sales rows that have a counterpart in `targets`, joined by `sourceKey` ↔ the targets' key. */
export function pairs(sources: readonly Row[], sourceKey: string, targets: ReadonlyMap<string, Row>): Pair[] {
  return sources.flatMap((source) => {
    const key = source[sourceKey];
    const target = typeof key === 'string' ? targets.get(key) : undefined;
    return target && typeof key === 'string' ? [{ key, source, target }] : [];
  });
}

/** The first pair that satisfies `test`; fails the test run when the seed has none. */
export function firstPair(list: readonly Pair[], what: string, test: (pair: Pair) => boolean): Pair {
  const found = list.find(test);
  if (!found) throw new Error(`The seed has no pair with ${what}`);
  return found;
}
