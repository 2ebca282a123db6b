/**
 * The proportions the seed aims for, in one place so tests and documentation can quote them. They imitate
 * a company some years into running both systems: most customers already synchronised, a few edited
 * directly in Finance since (drift), a backlog not yet synchronised, and data Finance keeps on its own.
 * Probabilities are per record, so actual counts vary a little around them.
 */
import type { Weighted } from './random.js';

/** A quote's stage: Draft, Active, Won or Closed (statecode 0–3). */
export type QuoteStage = 'draft' | 'active' | 'won' | 'closed';

/**
 * A sales order's stage: Draft (not activated), Active (activated, not yet in Finance), or in Finance at
 * one of Finance's processing statuses.
 */
export type OrderStage =
  'draft' | 'active' | 'confirmed' | 'picked' | 'packed' | 'delivered' | 'invoiced' | 'cancelled';

/** Probabilities per record, counts per account and weights (relative) of the seed. */
export const ratios = {
  /** Address countries of accounts; `blank` is a US address whose country the user left empty. */
  accountCountries: [
    ['US', 80],
    ['DE', 8],
    ['GB', 5],
    ['CA', 4],
    ['blank', 3],
  ] as const satisfies readonly Weighted<'US' | 'DE' | 'GB' | 'CA' | 'blank'>[],
  /** Accounts imported before auto-numbering existed: no account number, so never synchronised. */
  accountWithoutNumber: 0.05,
  accountWithInvoiceAddress: 0.25,
  accountWithFax: 0.25,
  accountWithWebsite: 0.85,
  accountWithDescription: 0.6,
  accountInactive: 0.04,
  /** Of numbered accounts: the rest are Sales-only (created since the last synchronisation). */
  accountInFinance: 0.9,
  /** Of accounts in Finance: phone, credit limit or name edited in Finance since. */
  customerDrifted: 0.08,
  /** Customers Finance keeps on its own, per Sales account (at least 3 each). */
  financeOnlyCustomersPerAccount: 0.02,
  demfCustomersPerAccount: 0.03,

  contactsPerAccount: [1, 4] as const,
  contactWithoutNumber: 0.03,
  contactActiveCustomer: 0.1,
  /** Contacts without a parent account, per account. */
  orphanContactsPerAccount: 0.02,
  contactAtAccountAddress: 0.7,
  contactWithPhone: 0.9,
  contactWithJobTitle: 0.85,
  contactInactive: 0.03,
  /** Of numbered contacts whose customer exists in Finance (or who are active customers). */
  contactInFinance: 0.85,

  /** usmf products per account, with a floor so small data sets still have a catalogue. */
  productsPerAccount: 1 / 3,
  minProducts: 40,
  productKinds: [
    ['D', 35],
    ['P', 25],
    ['T', 20],
    ['SVC', 20],
  ] as const satisfies readonly Weighted<'D' | 'P' | 'T' | 'SVC'>[],
  productSalesStopped: 0.05,
  /** Share of usmf products also released in demf (same product numbers, EUR prices). */
  demfProductShare: 0.2,
  /** Of usmf products: already synchronised to Sales; of those, a few with a price edited in Sales. */
  productInSales: 0.6,
  productDrifted: 0.05,
  /** Sales-only products (not maintained externally) per usmf product, at least 2. */
  salesOnlyProductsPerProduct: 0.01,

  quotesPerNumberedAccount: [0, 3] as const,
  /** Accounts without a number that still have a quote (always ineligible for the quote flow). */
  unnumberedAccountWithQuote: 0.3,
  quoteStages: [
    ['draft', 30],
    ['active', 35],
    ['won', 20],
    ['closed', 15],
  ] as const satisfies readonly Weighted<QuoteStage>[],
  quoteWithShipTo: 0.6,
  quoteWithoutDeliveryDate: 0.25,
  quoteWithWriteIn: 0.05,
  linesPerQuote: [1, 6] as const,
  /** Lines on a Sales-only product make a quote ineligible for the quote flow. */
  lineOnSalesOnlyProduct: 0.03,
  lineWithDiscount: 0.15,
  lineWithDescription: 0.4,
  /** Of eligible Active quotes whose customer is in Finance: already sent to Finance. */
  quoteInFinance: 0.5,

  /** Sales orders per numbered account: none, one or two (0.4 on average, so large sets stay modest). */
  ordersPerNumberedAccount: [
    [0, 65],
    [1, 30],
    [2, 5],
  ] as const satisfies readonly Weighted<number>[],
  /** Accounts without a number that still have a (Draft or Active) order, never eligible for the orders flow. */
  unnumberedAccountWithOrder: 0.1,
  /**
   * Stages of orders whose customer is in Finance; an order whose customer is not (or who has no number)
   * only gets Draft or Active, and an order that cannot be activated (write-in or Sales-only product) stays
   * Draft.
   */
  orderStages: [
    ['draft', 20],
    ['active', 15],
    ['confirmed', 12],
    ['picked', 5],
    ['packed', 5],
    ['delivered', 10],
    ['invoiced', 27],
    ['cancelled', 6],
  ] as const satisfies readonly Weighted<OrderStage>[],
  /** Of accounts with an Active or Won quote not yet ordered: the order is that quote converted. */
  orderFromQuote: 0.35,
  /** Orders with a write-in line, which therefore cannot be activated. */
  orderWithWriteIn: 0.05,
  linesPerOrder: [1, 4] as const,
  /** Of order lines on whole quantities: with a manual discount (amounts that seldom divide evenly). */
  orderLineWithDiscount: 0.2,
  orderWithShipTo: 0.6,
  /**
   * Of orders in Finance: Sales still shows an earlier status (Active, or Confirmed when Finance is past
   * it), so the order status flow has work.
   */
  orderStatusBehind: 0.2,
  /** Of invoices of orders whose status Sales already shows: already in Sales (the rest is the invoices flow's work). */
  invoiceInSales: 0.5,
  /** Free-text invoices in Finance (fixed, not scaled: Sales filters them out). */
  freeTextInvoices: 4,
};

/** `base × ratio` rounded, at least `min` (none when `base` is 0, so an empty data set stays empty). */
export function scaledCount(base: number, ratio: number, min: number): number {
  return base === 0 ? 0 : Math.max(min, Math.round(base * ratio));
}
