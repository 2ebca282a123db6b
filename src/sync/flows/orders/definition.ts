/**
 * orders (Sales → Finance): activated Sales orders become Finance sales orders, header and lines together
 * in one change set, keyed by order number; lines by (order, sequence number). An order with one
 * ineligible line is skipped as a whole, because Finance must never hold half an order. Once Finance has
 * confirmed an order it is Finance's: the order status flow brings its progress back, and this flow
 * leaves it alone (target.ts).
 *
 * A Sales line discount is a line total; Finance's is per unit. The template's rounding rule splits it:
 * the per-unit discount rounded to cents (`perUnit`), and a line charge for what rounding lost
 * (target.ts; $10.00 on quantity 3 → 3.33 per unit and −0.01).
 */
import type { FinanceOrderHeader, FinanceOrderLine } from '../../../connectors/finance/types.js';
import { salesOrderStatus, type SalesOrder, type SalesOrderLine } from '../../../connectors/sales/types.js';
import { addressFields } from '../addresses.js';
import { financeEntity, salesEntity } from '../entities.js';
import { salesLineFields, salesLineRules } from '../sales-lines.js';
import { QUOTE_BLANK_COUNTRY } from '../quotes/definition.js';
import { defineChildren, defineMapping, defineRules, type FlowDefinition } from '../types.js';

/** Sales `statecode` of a cancelled order (0 Active, 1 Submitted, 2 Canceled, 3 Fulfilled, 4 Invoiced). */
export const ORDER_CANCELLED_STATE = 2;

/** The Finance charge code of the discount rounding charge, and its description. */
export const ROUNDING_CHARGE = { code: 'DISC-RND', description: 'Discount rounding' } as const;

const orderHeader = defineMapping<SalesOrder, FinanceOrderHeader>({
  name: 'orderHeader',
  description: 'Activated Sales order → Finance sales order header',
  source: salesEntity('order'),
  target: financeEntity('orderHeader'),
  key: { source: 'ordernumber', target: 'SalesOrderNumber' },
  fields: [
    {
      field: 'orderNumber',
      source: 'ordernumber',
      target: 'SalesOrderNumber',
      transform: { kind: 'copy' },
      description: "Finance's sales order number sequence must allow manual numbers",
    },
    { field: 'name', source: 'name', target: 'SalesOrderName', transform: { kind: 'truncate', length: 60 } },
    {
      field: 'account',
      source: '_customerid_value',
      target: 'OrderingCustomerAccountNumber',
      transform: { kind: 'lookup', lookup: 'accountNumberByAccountId' },
      description: "Customer account → its account number (the Finance customer's key)",
    },
    {
      field: 'invoiceAccount',
      source: '_customerid_value',
      target: 'InvoiceCustomerAccountNumber',
      transform: { kind: 'lookup', lookup: 'accountNumberByAccountId' },
      description: 'The ordering customer is also invoiced',
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
      field: 'requestedDeliveryBy',
      source: 'requestdeliveryby',
      target: 'RequestedShippingDate',
      transform: { kind: 'date' },
      defaultFrom: 'createdon',
      description: 'Required in Finance: blank → the day the order was taken (createdon)',
    },
  ],
  constants: [{ field: 'language', target: 'LanguageId', value: 'en-us', apply: 'onCreate' }],
});

// LineAmount, tax and totals are not mapped: Finance computes them (price, discount, charges and tax are
// mastered there).
const orderLine = defineMapping<SalesOrderLine, FinanceOrderLine>({
  name: 'orderLine',
  description: 'Sales order line → Finance sales order line',
  source: salesEntity('orderLine'),
  target: financeEntity('orderLine'),
  key: { source: 'sequencenumber', target: 'LineCreationSequenceNumber' },
  fields: [
    salesLineFields.lineNumber,
    salesLineFields.productNumber,
    {
      field: 'quantity',
      source: 'quantity',
      target: 'OrderedSalesQuantity',
      transform: { kind: 'decimal' },
    },
    salesLineFields.unitPrice,
    {
      field: 'discount',
      source: 'manualdiscountamount',
      target: 'LineDiscountAmount',
      transform: { kind: 'perUnit', quantity: 'quantity' },
      default: '0',
      description:
        "Sales' line total discount ÷ quantity, rounded to cents (Finance's discount is per unit); what rounding loses goes in a DISC-RND line charge",
    },
    salesLineFields.description,
    salesLineFields.unit,
  ],
  constants: [],
});

/** The orders flow. */
export const ordersFlow: FlowDefinition = {
  name: 'orders',
  description: 'Activated Sales orders and their lines → Finance sales orders, by order number',
  direction: 'salesToFinance',
  dependsOn: ['accounts', 'contacts', 'products'],
  source: orderHeader.source,
  // As with quotes, a customer not yet in Finance fails the order (MISSING_DEPENDENCY) rather than
  // skipping it: a failure is retried once the account is synced, a skip would be lost to the change feed.
  eligibility: defineRules<SalesOrder>([
    { require: { test: 'notBlank', field: 'ordernumber' }, reason: 'no order number' },
    {
      require: { test: 'notEquals', field: 'msdynce_processingstatus', value: salesOrderStatus.draft },
      reason: 'order not activated (Draft)',
    },
    {
      require: { test: 'notEquals', field: 'statecode', value: ORDER_CANCELLED_STATE },
      reason: 'order cancelled in Sales',
    },
    {
      require: { test: 'equals', field: 'msdynce_hasexternallymaintainedproductsonly', value: true },
      reason: 'order has products not maintained in Finance',
    },
    { require: { test: 'notBlank', field: '_customerid_value' }, reason: 'no customer' },
  ]),
  routes: [{ when: { test: 'always' }, mapping: 'orderHeader', description: 'every eligible order' }],
  unrouted: null,
  mappings: [orderHeader, orderLine],
  children: defineChildren<SalesOrderLine, FinanceOrderLine>({
    label: 'line',
    mapping: 'orderLine',
    parent: { source: '_salesorderid_value', target: 'SalesOrderNumber' },
    eligibility: salesLineRules,
  }),
};
