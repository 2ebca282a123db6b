/**
 * order status (Finance → Sales), the template "Sales Orders (Fin and Ops to Sales)": Finance's progress on
 * its sales orders — processing status, totals, and each line's status and tax — written to the Sales order
 * and its lines. Only orders whose ordering and invoice customers are both mastered in Sales, and that
 * Finance has confirmed (or cancelled), as the template documents. The status only moves forward in Sales
 * (target.ts): a Sales order never falls back from a status Finance set, except to Cancelled.
 *
 * An order created in Finance (Sales has no order with its number) is created in Sales whole, once: the
 * fields applied `onCreate` (customer, currency, ship-to, dates, and each line's product, quantity, price,
 * discount and unit) are written then and never again; afterwards it is updated like any other order. A
 * line Finance adds to an order is created in Sales the same way.
 */
import type { FinanceOrderHeader, FinanceOrderLine } from '../../../connectors/finance/types.js';
import type { SalesOrder, SalesOrderLine } from '../../../connectors/sales/types.js';
import { salesAddressFields } from '../addresses.js';
import { financeEntity, salesEntity } from '../entities.js';
import { documentFields } from '../finance-documents.js';
import { defineChildren, defineMapping, defineRules, type FlowDefinition } from '../types.js';

const orderStatus = defineMapping<FinanceOrderHeader, SalesOrder>({
  name: 'orderStatus',
  description:
    "Finance sales order → the Sales order's processing status and totals; an order created in Finance is created whole",
  source: financeEntity('orderHeader'),
  target: salesEntity('order'),
  key: { source: 'SalesOrderNumber', target: 'ordernumber' },
  fields: [
    { field: 'orderNumber', source: 'SalesOrderNumber', target: 'ordernumber', transform: { kind: 'copy' } },
    {
      field: 'name',
      source: 'SalesOrderName',
      target: 'name',
      transform: { kind: 'copy' },
      defaultFrom: 'SalesOrderNumber',
      apply: 'onCreate',
      description: 'Sales requires a name: the order number when Finance has none',
    },
    ...documentFields({
      account: 'OrderingCustomerAccountNumber',
      customer: 'Ordering customer',
      apply: 'onCreate',
    }),
    {
      field: 'requestedDeliveryBy',
      source: 'RequestedShippingDate',
      target: 'requestdeliveryby',
      transform: { kind: 'date' },
      apply: 'onCreate',
    },
    ...salesAddressFields({ unified: 'shipTo', from: 'DeliveryAddress', to: 'shipto', apply: 'onCreate' }),
    {
      field: 'status',
      source: 'SalesOrderProcessingStatus',
      target: 'msdynce_processingstatus',
      transform: { kind: 'valueMap', map: 'financeOrderStatusToSales' },
      description: 'Never moves a Sales order back, except to Cancelled',
    },
    { field: 'total', source: 'OrderTotalAmount', target: 'totalamount', transform: { kind: 'decimal' } },
    {
      field: 'discountTotal',
      source: 'OrderTotalDiscountAmount',
      target: 'totaldiscountamount',
      transform: { kind: 'decimal' },
    },
    { field: 'taxTotal', source: 'OrderTotalTaxAmount', target: 'totaltax', transform: { kind: 'decimal' } },
    {
      field: 'chargesTotal',
      source: 'OrderTotalChargesAmount',
      target: 'freightamount',
      transform: { kind: 'decimal' },
      description: "Finance's header and line charges (freight, discount rounding)",
    },
  ],
  constants: [
    {
      field: 'maintainedInFinance',
      target: 'msdynce_ismaintainedexternally',
      value: true,
      apply: 'always',
      description: 'The order is mastered in Finance from now on',
    },
  ],
});

const orderLineStatus = defineMapping<FinanceOrderLine, SalesOrderLine>({
  name: 'orderLineStatus',
  description:
    "Finance sales order line → the Sales order line's status and tax; a line Sales does not have is created",
  source: financeEntity('orderLine'),
  target: salesEntity('orderLine'),
  key: { source: 'LineCreationSequenceNumber', target: 'sequencenumber' },
  fields: [
    {
      field: 'lineNumber',
      source: 'LineCreationSequenceNumber',
      target: 'sequencenumber',
      transform: { kind: 'copy' },
    },
    {
      field: 'status',
      source: 'SalesOrderLineStatus',
      target: 'msdyn_linestatus',
      transform: { kind: 'valueMap', map: 'financeLineStatusToSales' },
    },
    { field: 'tax', source: 'LineTotalTaxAmount', target: 'tax', transform: { kind: 'decimal' } },
    {
      field: 'product',
      source: 'ItemNumber',
      target: '_productid_value',
      transform: { kind: 'lookup', lookup: 'productIdByNumber' },
      apply: 'onCreate',
      description: 'Item number → the Sales product with that product number',
    },
    {
      field: 'quantity',
      source: 'OrderedSalesQuantity',
      target: 'quantity',
      transform: { kind: 'decimal' },
      apply: 'onCreate',
    },
    {
      field: 'unitPrice',
      source: 'SalesPrice',
      target: 'priceperunit',
      transform: { kind: 'decimal' },
      apply: 'onCreate',
    },
    {
      field: 'discount',
      source: 'LineDiscountAmount',
      target: 'manualdiscountamount',
      transform: { kind: 'lineTotal', quantity: 'OrderedSalesQuantity' },
      default: '0',
      apply: 'onCreate',
      description: "Finance's per-unit discount × quantity (Sales' discount is the line's total)",
    },
    {
      field: 'unit',
      source: 'SalesUnitSymbol',
      target: '_uomid_value',
      transform: { kind: 'unitId', map: 'financeUnitToSalesUnit' },
      apply: 'onCreate',
    },
    {
      field: 'description',
      source: 'LineDescription',
      target: 'description',
      transform: { kind: 'truncate', length: 2000 },
      apply: 'onCreate',
    },
  ],
  constants: [
    {
      field: 'writeIn',
      target: 'isproductoverridden',
      value: false,
      apply: 'onCreate',
      description: 'A catalogue product, not a write-in',
    },
  ],
});

/** The order status flow. */
export const orderStatusFlow: FlowDefinition = {
  name: 'orderStatus',
  description:
    "Finance's sales orders → the Sales orders' processing status, totals and line statuses; orders created in Finance are created in Sales",
  direction: 'financeToSales',
  dependsOn: ['orders'],
  source: orderStatus.source,
  eligibility: defineRules<FinanceOrderHeader>([
    { require: { test: 'notBlank', field: 'SalesOrderNumber' }, reason: 'no order number' },
    {
      require: { test: 'equals', field: 'OrderingCustomerIsExternallyMaintained', value: 'Yes' },
      reason: 'ordering customer not maintained in Sales',
    },
    {
      require: { test: 'equals', field: 'InvoiceCustomerIsExternallyMaintained', value: 'Yes' },
      reason: 'invoice customer not maintained in Sales',
    },
    {
      require: { test: 'notEquals', field: 'SalesOrderProcessingStatus', value: 'None' },
      reason: 'order not confirmed in Finance',
    },
  ]),
  routes: [{ when: { test: 'always' }, mapping: 'orderStatus', description: 'every eligible order' }],
  unrouted: null,
  mappings: [orderStatus, orderLineStatus],
  children: defineChildren<FinanceOrderLine, SalesOrderLine>({
    label: 'line',
    mapping: 'orderLineStatus',
    parent: { source: 'SalesOrderNumber' },
    // A line of an item the products flow did not bring to Sales cannot be created there: the order is
    // skipped (and read again on the next run, since Finance's orders are read in full).
    eligibility: [
      {
        require: { test: 'resolves', field: 'ItemNumber', lookup: 'productIdByNumber' },
        reason: 'product not in Sales',
      },
    ],
  }),
};
