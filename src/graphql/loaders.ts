/**
 * Per-request DataLoaders: every lookup a query makes is collected for one tick and sent as one request
 * per system and entity (Dataverse `Microsoft.Dynamics.CRM.In`, F&O `or` chains; a key list too long for
 * one URL goes as the reads of one `$batch`), and loaders at the same depth of a query run concurrently. Keys are compared
 * case-insensitively, as both systems do. A back-end failure rejects the whole batch with an
 * UPSTREAM_UNAVAILABLE error naming the system, which GraphQL reports on each affected field.
 */
import DataLoader from 'dataloader';
import type { FinanceConnector } from '../connectors/finance/connector.js';
import type { FinanceKind, FinanceRecords } from '../connectors/finance/types.js';
import type { Connectors } from '../connectors/index.js';
import type { SalesConnector } from '../connectors/sales/connector.js';
import type { SalesKind, SalesRecords } from '../connectors/sales/types.js';
import type { LinkStore } from '../db/links.js';
import type { LinkRow } from '../db/schema.js';
import { matchKey } from '../vocabulary.js';
import { fromUpstream } from './errors.js';
import type { PageRequest } from './listing.js';

/** A loader whose batch function maps keys to grouped results; `one` keeps the first of each group. */
function groupLoader<T>(
  fetch: (keys: readonly string[]) => Promise<Map<string, T[]>>,
): DataLoader<string, T[]> {
  return new DataLoader<string, T[], string>(
    async (keys) => {
      try {
        const groups = await fetch(keys);
        return keys.map((key) => groups.get(matchKey(key)) ?? []);
      } catch (error) {
        throw fromUpstream(error);
      }
    },
    { cacheKeyFn: matchKey },
  );
}

function oneLoader<T>(
  fetch: (keys: readonly string[]) => Promise<Map<string, T[]>>,
): DataLoader<string, T | null> {
  const groups = groupLoader(fetch);
  return new DataLoader<string, T | null, string>(
    async (keys) =>
      (await groups.loadMany(keys)).map((group) => (group instanceof Error ? group : (group[0] ?? null))),
    { cacheKeyFn: matchKey },
  );
}

const sales =
  <K extends SalesKind>(connector: SalesConnector, kind: K, property: string) =>
  (keys: readonly string[]): Promise<Map<string, SalesRecords[K][]>> =>
    connector.getByValues(kind, property, keys);

const finance =
  <K extends FinanceKind>(connector: FinanceConnector, kind: K, property: string) =>
  (keys: readonly string[]): Promise<Map<string, FinanceRecords[K][]>> =>
    connector.getByValues(kind, property, keys);

import type { LinkEntity } from '../db/schema.js';
export type { LinkEntity };

/**
 * `signal`: once aborted (the operation ran out of time and has been answered), every load fails with its
 * reason without asking a back end; calls already sent end under the connectors' own timeouts.
 */
export function createLoaders({
  connectors,
  links,
  signal,
}: {
  connectors: Connectors;
  links: LinkStore;
  signal?: AbortSignal;
}) {
  const s = signal ? stopWhenAborted(connectors.sales, signal) : connectors.sales;
  const f = signal ? stopWhenAborted(connectors.finance, signal) : connectors.finance;
  const salesProductById = oneLoader(sales(s, 'product', 'productid'));
  /** Each line comes with its product (`$expand`), which primes the product loader (see quote lines). */
  const withProducts = {
    navigation: 'productid',
    kind: 'product',
    receive: (products: SalesRecords['product'][]) => {
      for (const product of products) salesProductById.prime(product.productid, product);
    },
  } as const;
  const financeOrderLineChargesByNumber = groupLoader(finance(f, 'orderLineCharge', 'SalesOrderNumber'));
  return {
    salesAccountByNumber: oneLoader(sales(s, 'account', 'accountnumber')),
    salesAccountById: oneLoader(sales(s, 'account', 'accountid')),
    salesContactByNumber: oneLoader(sales(s, 'contact', 'msdynce_contactnumber')),
    salesContactsByAccountId: groupLoader(sales(s, 'contact', '_parentcustomerid_value')),
    salesQuoteByNumber: oneLoader(sales(s, 'quote', 'quotenumber')),
    salesQuotesByAccountId: groupLoader(sales(s, 'quote', '_customerid_value')),
    /**
     * Each line comes with its product (`$expand`), which the product loader is primed with: a line's
     * product costs no round trip of its own, and the Finance product is read one level sooner.
     */
    salesQuoteLinesByQuoteId: groupLoader((keys) =>
      s.getByValues('quoteLine', '_quoteid_value', keys, { related: withProducts }),
    ),
    salesQuoteById: oneLoader(sales(s, 'quote', 'quoteid')),
    salesOrderByNumber: oneLoader(sales(s, 'order', 'ordernumber')),
    salesOrderById: oneLoader(sales(s, 'order', 'salesorderid')),
    salesOrdersByAccountId: groupLoader(sales(s, 'order', '_customerid_value')),
    salesOrdersByQuoteId: groupLoader(sales(s, 'order', '_quoteid_value')),
    salesOrderLinesByOrderId: groupLoader((keys) =>
      s.getByValues('orderLine', '_salesorderid_value', keys, { related: withProducts }),
    ),
    salesInvoiceByNumber: oneLoader(sales(s, 'invoice', 'invoicenumber')),
    salesInvoicesByOrderId: groupLoader(sales(s, 'invoice', '_salesorderid_value')),
    salesInvoicesByAccountId: groupLoader(sales(s, 'invoice', '_customerid_value')),
    /**
     * By invoice number, the column the invoices flow writes on each line (its child key), so the lines
     * are read alongside Finance's rather than after the Sales invoice.
     */
    salesInvoiceLinesByNumber: groupLoader((keys) =>
      s.getByValues('invoiceLine', 'msdynce_invoicenumber', keys, { related: withProducts }),
    ),
    salesProductById,
    salesProductByNumber: oneLoader(sales(s, 'product', 'productnumber')),
    financeCustomerByAccount: oneLoader(finance(f, 'customer', 'CustomerAccount')),
    financeContactPersonById: oneLoader(finance(f, 'contactPerson', 'ContactPersonId')),
    financeCustomerByParty: oneLoader(finance(f, 'customer', 'PartyNumber')),
    financeQuoteByNumber: oneLoader(finance(f, 'quoteHeader', 'SalesQuotationNumber')),
    financeQuoteLinesByNumber: groupLoader(finance(f, 'quoteLine', 'SalesQuotationNumber')),
    financeOrderByNumber: oneLoader(finance(f, 'orderHeader', 'SalesOrderNumber')),
    /**
     * An order's lines, read in the same `$batch` as their line charges (the discount rounding charge),
     * which the charge loader is primed with: a line's `roundingCharge` costs no round trip of its own.
     */
    financeOrderLinesByNumber: groupLoader(async (keys) => {
      const [lines, charges] = await f.getByValuesTogether([
        { kind: 'orderLine', property: 'SalesOrderNumber', values: keys },
        { kind: 'orderLineCharge', property: 'SalesOrderNumber', values: keys },
      ] as const);
      for (const key of keys) financeOrderLineChargesByNumber.prime(key, charges.get(matchKey(key)) ?? []);
      return lines;
    }),
    financeOrderLineChargesByNumber,
    financeInvoiceByNumber: oneLoader(finance(f, 'invoiceHeader', 'InvoiceNumber')),
    financeInvoicesByOrderNumber: groupLoader(finance(f, 'invoiceHeader', 'SalesOrderNumber')),
    financeInvoicesByAccount: groupLoader(finance(f, 'invoiceHeader', 'InvoiceCustomerAccountNumber')),
    financeInvoiceLinesByNumber: groupLoader(finance(f, 'invoiceLine', 'InvoiceNumber')),
    financeProductByNumber: oneLoader(finance(f, 'product', 'ProductNumber')),
    /** Sync links by `entity:businessKey`: one query per entity for all keys of a tick. */
    link: new DataLoader<string, LinkRow | null, string>(
      async (keys) => {
        const byEntity = new Map<LinkEntity, string[]>();
        for (const key of keys) {
          const [entity, ...rest] = key.split(':');
          byEntity.set(entity as LinkEntity, [...(byEntity.get(entity as LinkEntity) ?? []), rest.join(':')]);
        }
        const found = new Map<string, LinkRow>();
        await Promise.all(
          [...byEntity].map(async ([entity, businessKeys]) => {
            for (const [key, row] of await links.findMany(entity, businessKeys))
              found.set(`${entity}:${key}`, row);
          }),
        );
        return keys.map((key) => found.get(matchKey(key)) ?? null);
      },
      { cacheKeyFn: matchKey },
    ),
    /** One page of a listing (keyset paging, see listing.ts): not batched, there is one per field. */
    salesList: <K extends SalesKind>(kind: K, page: PageRequest) =>
      s.list(kind, { top: page.top, orderby: page.orderby, ...(page.filter ? { filter: page.filter } : {}) }),
    financeList: <K extends FinanceKind>(kind: K, page: PageRequest) =>
      f.list(kind, { top: page.top, orderby: page.orderby, ...(page.filter ? { filter: page.filter } : {}) }),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;

/** The connector, with every method refusing (with the signal's reason) once `signal` is aborted. */
function stopWhenAborted<T extends object>(connector: T, signal: AbortSignal): T {
  return new Proxy(connector, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        signal.throwIfAborted();
        return (value as (...args: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}
