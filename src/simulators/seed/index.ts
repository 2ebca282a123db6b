/**
 * Deterministic seed data for both simulators: a Sales organisation and a Finance company that have been
 * synchronised for a while, overlapping the way the Prospect-to-cash flows leave them (most records equal
 * by the field maps, some drifted, some only on one side). The same seed and size always give identical
 * data: every random choice comes from seeded streams and every date is relative to `referenceDate`.
 *
 * The proportions are in `ratios.ts`; the value maps the seed applies (and the flows reuse) in
 * `value-maps.ts`.
 */
import type { Row } from '../core/model.js';
import { createContext } from './context.js';
import { generateContacts } from './contacts.js';
import { generateFinanceContacts } from './finance-contacts.js';
import { generateFinanceCustomers } from './finance-customers.js';
import { generateFinanceOrders } from './finance-orders.js';
import { generateFinanceQuotations } from './finance-quotations.js';
import { createPools } from './pools.js';
import { generateProducts } from './products.js';
import { generateOrders } from './orders.js';
import { generateQuotes } from './quotes.js';
import { createReferenceData } from './reference-data.js';
import { Sequence } from './rows.js';
import { generateAccounts } from './sales-accounts.js';
import { defaultReferenceDate } from './time.js';

/** The Sales entity sets the seed fills. */
export type SalesSeedSet =
  | 'accounts'
  | 'contacts'
  | 'quotes'
  | 'quotedetails'
  | 'salesorders'
  | 'salesorderdetails'
  | 'invoices'
  | 'invoicedetails'
  | 'products'
  | 'transactioncurrencies'
  | 'uoms'
  | 'pricelevels'
  | 'productpricelevels';

/** The Finance entity sets the seed fills. */
export type FinanceSeedSet =
  | 'LegalEntities'
  | 'CustomerGroups'
  | 'CustomersV3'
  | 'ContactPersons'
  | 'SalesQuotationHeadersV2'
  | 'SalesQuotationLines'
  | 'SellableReleasedProducts'
  | 'SalesOrderHeadersV2'
  | 'SalesOrderLines'
  | 'SalesOrderHeaderCharges'
  | 'SalesOrderLineCharges'
  | 'SalesInvoiceHeadersV2'
  | 'SalesInvoiceLinesV2';

/** Rows per entity set for each simulator; every row has every property of its set except `versionnumber`. */
export interface SeedData {
  sales: Record<SalesSeedSet, Row[]>;
  finance: Record<FinanceSeedSet, Row[]>;
}

/** Options of `generateSeed`; every one has a default. */
export interface SeedOptions {
  /** Seed of every random choice. Default 1. */
  seed?: number;
  /** Number of Sales accounts; everything else scales with it. Default 300. */
  accounts?: number;
  /** "Today" of the data set (ISO 8601); all timestamps lie before it. Default 2026-01-01T00:00:00Z. */
  referenceDate?: string;
}

/** Finance party numbers start here (9 digits, like F&O's global address book sequence). */
const FIRST_PARTY_NUMBER = 1001;

/** Generates the seed data of both systems for `seed` and `accounts`. */
export function generateSeed({
  seed = 1,
  accounts = 300,
  referenceDate = defaultReferenceDate,
}: SeedOptions = {}): SeedData {
  if (!Number.isSafeInteger(accounts) || accounts < 0) {
    throw new RangeError(`accounts must be a whole number ≥ 0, got ${accounts}`);
  }
  const referenceMs = Date.parse(referenceDate);
  if (Number.isNaN(referenceMs)) throw new RangeError(`referenceDate is not a date: '${referenceDate}'`);
  const reference = createReferenceData(seed, referenceMs);
  const context = createContext(seed, referenceMs, createPools(seed), reference);

  const salesAccounts = generateAccounts(context, accounts);
  const contacts = generateContacts(context, salesAccounts);
  const catalog = generateProducts(context, accounts);
  const quotes = generateQuotes(context, salesAccounts, catalog.quotable);

  const parties = new Sequence(FIRST_PARTY_NUMBER);
  const customers = generateFinanceCustomers(context, salesAccounts, parties);
  const financeContacts = generateFinanceContacts(context, contacts, customers.partyByAccountNumber, parties);
  const quotations = generateFinanceQuotations(context, quotes, customers.partyByAccountNumber);
  // Orders and invoices come last, from their own random streams, so every set above stays as it was.
  const orders = generateOrders(
    context,
    salesAccounts,
    quotes,
    catalog.quotable,
    customers.partyByAccountNumber,
  );
  const financeOrders = generateFinanceOrders(
    context,
    orders,
    customers.rows,
    catalog.quotable,
    quotations.lines.length + 1,
  );

  return {
    sales: {
      accounts: salesAccounts.map((a) => a.row),
      contacts: contacts.map((c) => c.row),
      quotes: quotes.map((q) => q.row),
      quotedetails: quotes.flatMap((q) => q.lines.map((l) => l.row)),
      salesorders: orders.map((o) => o.row),
      salesorderdetails: orders.flatMap((o) => o.lines.map((l) => l.row)),
      invoices: financeOrders.invoices,
      invoicedetails: financeOrders.invoicedetails,
      products: catalog.salesProducts,
      transactioncurrencies: reference.transactioncurrencies,
      uoms: reference.uoms,
      pricelevels: reference.pricelevels,
      productpricelevels: catalog.priceListItems,
    },
    finance: {
      LegalEntities: reference.LegalEntities,
      CustomerGroups: reference.CustomerGroups,
      CustomersV3: [...customers.rows, ...financeContacts.personCustomers],
      ContactPersons: financeContacts.contactPersons,
      SalesQuotationHeadersV2: quotations.headers,
      SalesQuotationLines: quotations.lines,
      SellableReleasedProducts: catalog.financeProducts,
      SalesOrderHeadersV2: financeOrders.SalesOrderHeadersV2,
      SalesOrderLines: financeOrders.SalesOrderLines,
      SalesOrderHeaderCharges: financeOrders.SalesOrderHeaderCharges,
      SalesOrderLineCharges: financeOrders.SalesOrderLineCharges,
      SalesInvoiceHeadersV2: financeOrders.SalesInvoiceHeadersV2,
      SalesInvoiceLinesV2: financeOrders.SalesInvoiceLinesV2,
    },
  };
}

/** Row counts per entity set, Sales sets first (what `npm run simulators` prints after loading). */
export function seedSummary(data: SeedData): Record<SalesSeedSet | FinanceSeedSet, number> {
  const count = <K extends string>(sets: Record<K, Row[]>): [K, number][] =>
    (Object.entries(sets) as [K, Row[]][]).map(([name, rows]) => [name, rows.length]);
  return Object.fromEntries([...count(data.sales), ...count(data.finance)]) as Record<
    SalesSeedSet | FinanceSeedSet,
    number
  >;
}

/** The value maps, for the hub's flows and tests (see `value-maps.ts`). */
export {
  accountBlankCountryIso,
  countryIsoOf,
  countryNameToIso,
  financeUnitToSalesUnit,
  productTypeToSalesCode,
  quoteBlankCountryIso,
  salesUnitNames,
  salesUnitToFinanceUnit,
  type CurrencyCode,
  type FinanceUnit,
  type ProductType,
  type SalesUnitName,
} from './value-maps.js';
/** The proportions the seed aims for, the names that exercise escaping, and the default reference date. */
export { ratios } from './ratios.js';
export { trickyAccountNames } from './sales-accounts.js';
export { defaultReferenceDate } from './time.js';
