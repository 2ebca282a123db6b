/**
 * quotes (Sales → Finance): activated Sales quotes become sales quotations, header and lines together in
 * one change set, keyed by quote number; lines by (quote, sequence number). A quote with one ineligible
 * line is skipped as a whole, because Finance must never hold half a quote.
 */
import type { FinanceQuoteHeader, FinanceQuoteLine } from '../../../connectors/finance/types.js';
import type { SalesQuote, SalesQuoteLine } from '../../../connectors/sales/types.js';
import { addressFields } from '../addresses.js';
import { financeEntity, salesEntity } from '../entities.js';
import { salesLineFields, salesLineRules } from '../sales-lines.js';
import { defineChildren, defineMapping, defineRules, type FlowDefinition } from '../types.js';

/**
 * Blank ship-to country → 'US'. The P2C template's ship-to value map documents 'US' for blank, while the
 * country names themselves map to alpha-3 codes ('United States' → 'USA'); kept as documented.
 */
export const QUOTE_BLANK_COUNTRY = 'US';

/** Sales `statecode` of an activated quote (0 Draft, 1 Active, 2 Won, 3 Closed). */
export const QUOTE_ACTIVE = 1;

const quotationHeader = defineMapping<SalesQuote, FinanceQuoteHeader>({
  name: 'quotationHeader',
  description: 'Activated Sales quote → Finance sales quotation header',
  source: salesEntity('quote'),
  target: financeEntity('quoteHeader'),
  key: { source: 'quotenumber', target: 'SalesQuotationNumber' },
  fields: [
    {
      field: 'quoteNumber',
      source: 'quotenumber',
      target: 'SalesQuotationNumber',
      transform: { kind: 'copy' },
      description: "Finance's quotation number sequence must allow manual numbers",
    },
    {
      field: 'name',
      source: 'name',
      target: 'SalesQuotationName',
      transform: { kind: 'truncate', length: 60 },
    },
    {
      field: 'account',
      source: '_customerid_value',
      target: 'RequestingCustomerAccountNumber',
      transform: { kind: 'lookup', lookup: 'accountNumberByAccountId' },
      description: "Customer account → its account number (the Finance customer's key)",
    },
    {
      field: 'invoiceAccount',
      source: '_customerid_value',
      target: 'InvoiceCustomerAccountNumber',
      transform: { kind: 'lookup', lookup: 'accountNumberByAccountId' },
      description: 'The requesting customer is also invoiced',
    },
    {
      field: 'currency',
      source: '_transactioncurrencyid_value',
      target: 'CurrencyCode',
      transform: { kind: 'currencyIso' },
      description: 'Transaction currency → its ISO code',
    },
    ...addressFields({
      unified: 'shipTo',
      from: 'shipto',
      to: 'DeliveryAddress',
      state: 'StateId',
      countryDefault: QUOTE_BLANK_COUNTRY,
    }),
    {
      field: 'effectiveTo',
      source: 'effectiveto',
      target: 'SalesQuotationExpiryDate',
      transform: { kind: 'date' },
    },
    {
      field: 'requestedDeliveryBy',
      source: 'requestdeliveryby',
      target: 'RequestedShippingDate',
      transform: { kind: 'date' },
      defaultFrom: 'effectiveto',
      description: 'Required in Finance: blank → the expiry date (effectiveto)',
    },
  ],
  constants: [
    {
      field: 'status',
      target: 'SalesQuotationStatus',
      value: 'Sent',
      apply: 'onCreate',
      description: 'Activation in Sales corresponds to Sent; Finance moves it on from there',
    },
    { field: 'language', target: 'LanguageId', value: 'en-us', apply: 'onCreate' },
  ],
});

// LineAmount is not mapped: Finance computes it (price, discount, charges and tax are mastered there).
const quotationLine = defineMapping<SalesQuoteLine, FinanceQuoteLine>({
  name: 'quotationLine',
  description: 'Sales quote line → Finance sales quotation line',
  source: salesEntity('quoteLine'),
  target: financeEntity('quoteLine'),
  key: { source: 'sequencenumber', target: 'LineCreationSequenceNumber' },
  fields: [
    salesLineFields.lineNumber,
    salesLineFields.productNumber,
    {
      field: 'quantity',
      source: 'quantity',
      target: 'RequestedSalesQuantity',
      transform: { kind: 'decimal' },
    },
    salesLineFields.unitPrice,
    {
      field: 'discount',
      source: 'manualdiscountamount',
      target: 'LineDiscountAmount',
      transform: { kind: 'decimal' },
      default: '0',
      description: 'Required in Finance: blank → 0',
    },
    salesLineFields.description,
    salesLineFields.unit,
  ],
  constants: [],
});

/** The quotes flow. */
export const quotesFlow: FlowDefinition = {
  name: 'quotes',
  description: 'Activated Sales quotes and their lines → Finance sales quotations, by quote number',
  direction: 'salesToFinance',
  dependsOn: ['accounts', 'contacts', 'products'],
  source: quotationHeader.source,
  // The customer not being in Finance is a failed dependency (the record fails with that reason), not a
  // skip: the quote is eligible, its account just has not been synchronised.
  eligibility: defineRules<SalesQuote>([
    { require: { test: 'notBlank', field: 'quotenumber' }, reason: 'no quote number' },
    { require: { test: 'equals', field: 'statecode', value: QUOTE_ACTIVE }, reason: 'quote not activated' },
    { require: { test: 'notBlank', field: '_customerid_value' }, reason: 'no customer' },
  ]),
  routes: [{ when: { test: 'always' }, mapping: 'quotationHeader', description: 'every eligible quote' }],
  unrouted: null,
  mappings: [quotationHeader, quotationLine],
  children: defineChildren<SalesQuoteLine, FinanceQuoteLine>({
    label: 'line',
    mapping: 'quotationLine',
    parent: { source: '_quoteid_value', target: 'SalesQuotationNumber' },
    eligibility: salesLineRules,
  }),
};
