/**
 * The read roots: one record by business key, or a Relay connection over the system of record with
 * filters translated to each system's `$filter` dialect. Unknown keys give null; bad arguments give
 * BAD_USER_INPUT naming the argument.
 */
import { and, eq, formatLiteral, ne, or, type ODataLiteral } from '../../connectors/odata/index.js';
import type { QueryResolvers } from '../../generated/resolvers-types.js';
import { checkedText, maxKeyLength } from '../arguments.js';
import type { HubContext } from '../context.js';
import { badInput, fromUpstream } from '../errors.js';
import { pageRequest, toConnection, type KeysetOrder } from '../listing.js';
import { byKey } from './by-key.js';
import { orderStatusValue } from './order.js';

const guid = (value: string): ODataLiteral => ({ guid: value });
const orders = {
  accounts: { list: 'accounts', sort: 'name', key: 'accountid', keyLiteral: guid },
  contacts: { list: 'contacts', sort: 'fullname', key: 'contactid', keyLiteral: guid },
  quotes: { list: 'quotes', sort: 'quotenumber', key: 'quoteid', keyLiteral: guid },
  orders: { list: 'orders', sort: 'ordernumber', key: 'salesorderid', keyLiteral: guid },
  products: { list: 'products', sort: 'ProductNumber', key: 'ProductNumber', keyLiteral: (v: string) => v },
  invoices: { list: 'invoices', sort: 'InvoiceNumber', key: 'InvoiceNumber', keyLiteral: (v: string) => v },
} satisfies Record<string, KeysetOrder>;

const quoteStates = { DRAFT: 0, ACTIVE: 1, WON: 2, CLOSED: 3 } as const;

/** A search text: bounded, so a filter can never grow a URL past the back-end's limit. */
function text(argument: string, value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (value.length === 0 || value.length > 200) throw badInput(argument, 'must be 1 to 200 characters long.');
  return checkedText(argument, value);
}

/** A business key looked up in either system (see `maxKeyLength`). */
const key = (argument: string, value: string): string => checkedText(argument, value, maxKeyLength);

/**
 * A key compared with `eq` on Finance, where `*` in a string literal is a wildcard that cannot be escaped:
 * `ProductNumber eq '*'` would match every product.
 */
function financeKey(argument: string, value: string): string {
  if (value.includes('*')) throw badInput(argument, "Finance cannot match a literal '*'; leave it out.");
  return key(argument, value);
}

/** Dataverse string functions: `startswith(name,'O''Brien')`. */
const call = (
  fn: 'startswith' | 'contains',
  property: string,
  value: string | undefined,
): string | undefined => (value === undefined ? undefined : `${fn}(${property},${formatLiteral(value)})`);

/** F&O has no string functions: `ProductName eq '*text*'` is its documented contains. `*` cannot be escaped. */
function wildcard(
  argument: string,
  property: string,
  value: string | undefined,
  pattern: (v: string) => string,
) {
  if (value === undefined) return undefined;
  if (value.includes('*')) throw badInput(argument, "Finance cannot search for a literal '*'; leave it out.");
  return eq(property, pattern(value));
}

const since = (property: string, value: string | null | undefined): string | undefined =>
  value ? `${property} ge ${new Date(value).toISOString()}` : undefined;

const until = (property: string, value: string | null | undefined): string | undefined =>
  value ? `${property} le ${new Date(value).toISOString()}` : undefined;

const all = (...clauses: (string | undefined)[]): string | undefined => {
  const kept = clauses.filter((c): c is string => !!c);
  return kept.length > 0 ? kept.map((c) => `(${c})`).join(' and ') : undefined;
};

/** Reads one page through a connector call, turning upstream failures into UPSTREAM_UNAVAILABLE. */
async function firstPage<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  try {
    for await (const page of pages) return page;
    return [];
  } catch (error) {
    throw fromUpstream(error);
  }
}

/** The Sales id of an account number filter; null when no such account (the listing is then empty). */
async function accountIdOf(
  context: HubContext,
  accountNumber: string | undefined,
): Promise<string | null | undefined> {
  if (accountNumber === undefined) return undefined;
  const number = key('filter.accountNumber', accountNumber);
  return (await context.loaders.salesAccountByNumber.load(number))?.accountid ?? null;
}

export const Query: QueryResolvers = {
  account: (_root, args, context) => byKey.account(context, key('accountNumber', args.accountNumber)),
  accounts: async (_root, { first, after, filter }, context) => {
    const request = pageRequest(
      orders.accounts,
      first,
      after,
      all(
        ne('accountnumber', null),
        call('startswith', 'name', text('filter.nameStartsWith', filter?.nameStartsWith)),
        call('contains', 'name', text('filter.nameContains', filter?.nameContains)),
        filter?.accountNumber
          ? eq('accountnumber', key('filter.accountNumber', filter.accountNumber))
          : undefined,
        filter?.state ? eq('statecode', filter.state === 'ACTIVE' ? 0 : 1) : undefined,
        since('modifiedon', filter?.modifiedSince),
      ),
    );
    const rows = await firstPage(context.loaders.salesList('account', request));
    return toConnection(orders.accounts, request, rows, (row) => ({
      accountNumber: row.accountnumber!,
      sales: row,
      finance: undefined,
    }));
  },
  contact: (_root, args, context) => byKey.contact(context, key('contactNumber', args.contactNumber)),
  contacts: async (_root, { first, after, filter }, context) => {
    const accountId = await accountIdOf(context, filter?.accountNumber ?? undefined);
    const request = pageRequest(
      orders.contacts,
      first,
      after,
      all(
        call('startswith', 'fullname', text('filter.nameStartsWith', filter?.nameStartsWith)),
        call('contains', 'fullname', text('filter.nameContains', filter?.nameContains)),
        accountId !== undefined
          ? eq('_parentcustomerid_value', accountId ? guid(accountId) : null)
          : undefined,
        filter?.state ? eq('statecode', filter.state === 'ACTIVE' ? 0 : 1) : undefined,
        since('modifiedon', filter?.modifiedSince),
      ),
    );
    const rows = accountId === null ? [] : await firstPage(context.loaders.salesList('contact', request));
    return toConnection(orders.contacts, request, rows, (row) => ({
      contactNumber: row.msdynce_contactnumber,
      sales: row,
      finance: undefined,
    }));
  },
  quote: (_root, args, context) => byKey.quote(context, key('quoteNumber', args.quoteNumber)),
  quotes: async (_root, { first, after, filter }, context) => {
    const accountId = await accountIdOf(context, filter?.accountNumber ?? undefined);
    const request = pageRequest(
      orders.quotes,
      first,
      after,
      all(
        ne('quotenumber', null),
        call('startswith', 'name', text('filter.nameStartsWith', filter?.nameStartsWith)),
        call('contains', 'name', text('filter.nameContains', filter?.nameContains)),
        accountId !== undefined ? eq('_customerid_value', accountId ? guid(accountId) : null) : undefined,
        filter?.status ? eq('statecode', quoteStates[filter.status]) : undefined,
        since('modifiedon', filter?.modifiedSince),
      ),
    );
    const rows = accountId === null ? [] : await firstPage(context.loaders.salesList('quote', request));
    return toConnection(orders.quotes, request, rows, (row) => ({
      quoteNumber: row.quotenumber!,
      sales: row,
      finance: undefined,
    }));
  },
  order: (_root, args, context) => byKey.order(context, key('orderNumber', args.orderNumber)),
  orders: async (_root, { first, after, filter }, context) => {
    const accountId = await accountIdOf(context, filter?.accountNumber ?? undefined);
    const request = pageRequest(
      orders.orders,
      first,
      after,
      all(
        ne('ordernumber', null),
        call('startswith', 'name', text('filter.nameStartsWith', filter?.nameStartsWith)),
        call('contains', 'name', text('filter.nameContains', filter?.nameContains)),
        accountId !== undefined ? eq('_customerid_value', accountId ? guid(accountId) : null) : undefined,
        filter?.status ? eq('msdynce_processingstatus', orderStatusValue(filter.status)) : undefined,
        since('modifiedon', filter?.modifiedSince),
      ),
    );
    const rows = accountId === null ? [] : await firstPage(context.loaders.salesList('order', request));
    return toConnection(orders.orders, request, rows, (row) => ({
      orderNumber: row.ordernumber!,
      sales: row,
      finance: undefined,
    }));
  },
  invoice: (_root, args, context) => byKey.invoice(context, key('invoiceNumber', args.invoiceNumber)),
  invoices: async (_root, { first, after, filter }, context) => {
    const request = pageRequest(
      orders.invoices,
      first,
      after,
      all(
        filter?.accountNumber
          ? eq('InvoiceCustomerAccountNumber', financeKey('filter.accountNumber', filter.accountNumber))
          : undefined,
        filter?.orderNumber
          ? eq('SalesOrderNumber', financeKey('filter.orderNumber', filter.orderNumber))
          : undefined,
        // F&O keeps a blank string column as '', an OData client may see null: either is no order.
        filter?.isFreeText === true
          ? or(eq('SalesOrderNumber', ''), eq('SalesOrderNumber', null))
          : undefined,
        filter?.isFreeText === false
          ? and(ne('SalesOrderNumber', ''), ne('SalesOrderNumber', null))
          : undefined,
        since('InvoiceDate', filter?.invoicedSince),
        until('InvoiceDate', filter?.invoicedUntil),
      ),
    );
    const rows = await firstPage(context.loaders.financeList('invoiceHeader', request));
    return toConnection(orders.invoices, request, rows, (row) => ({
      invoiceNumber: row.InvoiceNumber,
      finance: row,
      sales: undefined,
    }));
  },
  product: (_root, args, context) => byKey.product(context, key('productNumber', args.productNumber)),
  products: async (_root, { first, after, filter }, context) => {
    const request = pageRequest(
      orders.products,
      first,
      after,
      all(
        wildcard(
          'filter.nameStartsWith',
          'ProductName',
          text('filter.nameStartsWith', filter?.nameStartsWith),
          (v) => `${v}*`,
        ),
        wildcard(
          'filter.nameContains',
          'ProductName',
          text('filter.nameContains', filter?.nameContains),
          (v) => `*${v}*`,
        ),
        filter?.productNumber
          ? eq('ProductNumber', financeKey('filter.productNumber', filter.productNumber))
          : undefined,
      ),
    );
    const rows = await firstPage(context.loaders.financeList('product', request));
    return toConnection(orders.products, request, rows, (row) => ({
      productNumber: row.ProductNumber,
      finance: row,
      sales: undefined,
    }));
  },
};
