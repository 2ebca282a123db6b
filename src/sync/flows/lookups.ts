/**
 * Per-page lookups of records other flows own, read in batched requests before a page is mapped (mapping
 * itself is synchronous): a contact's parent account → its account number, currency and Finance customer
 * party number. An id that resolves to nothing stays unknown, and the mapping reports it as a missing
 * dependency rather than guessing.
 *
 * The page's current Finance rows do not depend on the lookups, so a flow may read them ahead in the same
 * `$batch` as its Finance lookup (`ReadAhead`): a page of contacts then asks Finance once before writing,
 * not once for the lookup and once per target entity.
 */
import { matchKey } from '../../vocabulary.js';
import type { FinanceValuesRead } from '../../connectors/finance/connector.js';
import type { FinanceKind } from '../../connectors/finance/types.js';
import type { Connectors } from '../../connectors/index.js';
import type { ReferenceData } from '../reference.js';
import type { SalesPriceList } from '../../connectors/sales/types.js';
import { choosePriceLists, priceListProblems, readPriceLists } from './products/price-lists.js';
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

/** What `accountLookups` reads besides the Sales accounts. */
export interface AccountLookupOptions {
  /**
   * Whether to read the accounts' Finance customers for `customerPartyByAccountId` (contacts need it;
   * quotes name the customer by account number only, so they skip that Finance read). Default true.
   */
  customerParty?: boolean;
  /**
   * Reads the page's current target rows for these keys in the same `$batch` as the customers' read (so
   * only with `customerParty`).
   */
  readAhead?: { ahead: ReadAhead; keys: readonly string[] };
}

/**
 * Lookups over the Sales accounts `accountIds` (one batched Sales read) and, unless `customerParty` is
 * false, their Finance customers (one batched Finance read): account number, currency ISO code and the
 * customer's party number.
 */
export async function accountLookups(
  connectors: Connectors,
  accountIds: readonly string[],
  reference: ReferenceData,
  { customerParty = true, readAhead }: AccountLookupOptions = {},
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
  const numberOf = (id: string) => numberById.get(matchKey(id));
  const lookups: NonNullable<ReferenceData['lookups']> = {
    accountNumberByAccountId: numberOf,
    currencyIsoByAccountId: (id) => currencyById.get(matchKey(id)),
  };
  if (customerParty) {
    const partyByNumber = await customerParties(connectors, [...numberById.values()], readAhead);
    lookups.customerPartyByAccountId = (id) => {
      const number = numberOf(id);
      return number === undefined ? undefined : partyByNumber.get(matchKey(number));
    };
  }
  return withLookups(reference, lookups);
}

/**
 * The party number of each Finance customer of `accountNumbers` that has one, by `matchKey(number)`; the
 * reads of `readAhead` go in the same request and are held for the page's targets.
 */
async function customerParties(
  connectors: Connectors,
  accountNumbers: readonly string[],
  readAhead: AccountLookupOptions['readAhead'],
): Promise<Map<string, string>> {
  const [customers, ...current] = await connectors.finance.getByValuesTogether([
    {
      kind: 'customer',
      property: 'CustomerAccount',
      values: accountNumbers,
      select: ['CustomerAccount', 'PartyNumber'],
    },
    ...(readAhead ? readAhead.ahead.reads(readAhead.keys) : []),
  ]);
  readAhead?.ahead.hold(readAhead.keys, current);
  const partyByNumber = new Map<string, string>();
  for (const [number, [customer]] of customers) {
    if (customer?.PartyNumber) partyByNumber.set(number, customer.PartyNumber);
  }
  return partyByNumber;
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

/** A Finance target whose current rows can be read ahead: its entity and the property holding its key. */
export interface ReadAheadTarget {
  kind: FinanceKind;
  keyField: string;
}

/**
 * The current rows of a flow's Finance targets, read with a page's lookups and held for that page's
 * `readCurrent` (`financeTarget`'s `readAhead`). It holds the last few pages (the engine reads a page
 * ahead while several compare and write) and gives each target's rows once, and only for keys that were
 * all read ahead together; otherwise the target reads for itself, so a page the read-ahead does not cover
 * (another run of the flow at the same time, a key it did not see) still compares with rows read for it.
 */
export interface ReadAhead {
  /** The reads of every target's current rows for a page's `keys`, in the order of the targets. */
  reads(keys: readonly string[]): FinanceValuesRead[];
  /** Holds the answers to `reads(keys)`, in the same order. */
  hold(keys: readonly string[], results: readonly Map<string, object[]>[]): void;
  /** The held rows of target `name` for `keys` by `matchKey`, when all of `keys` were read ahead; once. */
  take(name: string, keys: readonly string[]): Map<string, object> | undefined;
}

/**
 * Pages held at most: the engine's pages in flight and the one read ahead, with room to spare. A page
 * that failed before its targets took their rows is dropped once newer pages push it out.
 */
const pagesHeld = 8;

/** A `ReadAhead` over `targets` by name (the names the flow's `financeTarget`s take rows by). */
export function createReadAhead(targets: Readonly<Record<string, ReadAheadTarget>>): ReadAhead {
  const names = Object.keys(targets);
  const held: { keys: Set<string>; rows: Map<string, Map<string, object[]>> }[] = [];
  return {
    reads: (keys) =>
      names.map((name) => ({ kind: targets[name]!.kind, property: targets[name]!.keyField, values: keys })),
    hold(keys, results) {
      held.push({
        keys: new Set(keys.map(matchKey)),
        rows: new Map(names.map((name, index) => [name, results[index] ?? new Map()])),
      });
      if (held.length > pagesHeld) held.shift();
    },
    take(name, keys) {
      const index = held.findIndex(
        (page) => page.rows.has(name) && keys.every((key) => page.keys.has(matchKey(key))),
      );
      const page = held[index];
      const rows = page?.rows.get(name);
      if (!page || !rows) return undefined;
      page.rows.delete(name);
      if (page.rows.size === 0) held.splice(index, 1);
      return new Map(
        keys.flatMap((key) => {
          const [row] = rows.get(matchKey(key)) ?? [];
          return row ? [[matchKey(key), row] as const] : [];
        }),
      );
    },
  };
}

/** Which fields of a Finance document (an order, an invoice) and its lines name Sales records. */
export interface DocumentLookupFields {
  /** The header's customer account number (`OrderingCustomerAccountNumber`, `InvoiceCustomerAccountNumber`). */
  account: string;
  /** The lines' product number (`ItemNumber`, `ProductNumber`). */
  product: string;
  /** The configured default price list's name (`PRODUCTS_PRICE_LIST`), or null for Microsoft's choice. */
  priceList: string | null;
}

/** The active Sales price lists, read once per flow run: `reference` is the run's, shared by its pages. */
const priceListsOfRun = new WeakMap<ReferenceData, Promise<SalesPriceList[]>>();

/**
 * `priceListIdByCurrency`: an ISO currency code → the Sales price list a document in that currency takes,
 * chosen as a new product's is (the configured one when it has the currency, else the first active price
 * list by name with it), or '' when none has the currency: Sales takes a document without a price list,
 * and a missing one should not keep an invoice from Sales. One small Sales read per flow run.
 */
async function priceListLookup(
  connectors: Connectors,
  reference: ReferenceData,
  configured: string | null,
): Promise<ReferenceData['lookups']> {
  let read = priceListsOfRun.get(reference);
  if (!read) {
    read = readPriceLists(connectors);
    priceListsOfRun.set(reference, read);
    // A failed read is not kept: the page fails, and the next one reads again.
    read.catch(() => priceListsOfRun.delete(reference));
  }
  const active = await read;
  // A configured name that is no active price list is the products flow's error to report (its check
  // before a run); a document takes Microsoft's choice rather than none.
  const lists = choosePriceLists(
    active,
    priceListProblems(active, configured).length === 0 ? configured : null,
  );
  return {
    priceListIdByCurrency: (iso) => {
      const currencyId = reference.currencyIdByIso(iso);
      if (currencyId === undefined) return undefined;
      const decision = lists.forCurrency(currencyId, iso);
      return 'priceList' in decision ? decision.priceList.id : '';
    },
  };
}

/**
 * The lookups a Finance → Sales document flow needs: the Sales order of each header's `SalesOrderNumber`,
 * the Sales account of its customer and the Sales product of each line, read together (one Sales request,
 * the GET parts of one `$batch`), and the price list of each currency (read once per run).
 */
export async function salesDocumentLookups(
  connectors: Connectors,
  reference: ReferenceData,
  rows: readonly object[],
  lines: readonly object[],
  fields: DocumentLookupFields,
): Promise<ReferenceData> {
  const [[orders, accounts, products], priceLists] = await Promise.all([
    connectors.sales.getByValuesTogether([
      {
        kind: 'order',
        property: 'ordernumber',
        values: valuesOf(rows, 'SalesOrderNumber'),
        select: ['salesorderid'],
      },
      {
        kind: 'account',
        property: 'accountnumber',
        values: valuesOf(rows, fields.account),
        select: ['accountid'],
      },
      {
        kind: 'product',
        property: 'productnumber',
        values: valuesOf(lines, fields.product),
        select: ['productid'],
      },
    ] as const),
    priceListLookup(connectors, reference, fields.priceList),
  ]);
  /** A lookup from a business number to the id of the first record with it. */
  const idBy =
    <T>(found: Map<string, T[]>, id: (row: T) => string) =>
    (number: string) => {
      const [row] = found.get(matchKey(number)) ?? [];
      return row ? id(row) : undefined;
    };
  return withLookups(reference, {
    salesOrderIdByNumber: idBy(orders, (row) => row.salesorderid),
    accountIdByNumber: idBy(accounts, (row) => row.accountid),
    productIdByNumber: idBy(products, (row) => row.productid),
    ...priceLists,
  });
}
