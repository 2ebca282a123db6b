/**
 * order status (Finance → Sales): Finance's progress on the orders it took from Sales — processing status,
 * totals, and each line's status — written to the Sales order and its lines. Only orders whose ordering
 * and invoice customers are both mastered in Sales, and that Finance has confirmed (or cancelled), as the
 * template documents. The status only moves forward in Sales (target.ts): a Sales order never falls back
 * from a status Finance set, except to Cancelled, which always shows.
 */
import type { FinanceOrderHeader, FinanceOrderLine } from '../../../connectors/finance/types.js';
import type { SalesOrder, SalesOrderLine } from '../../../connectors/sales/types.js';
import { financeEntity, salesEntity } from '../entities.js';
import { defineChildren, defineMapping, defineRules, type FlowDefinition } from '../types.js';

const orderStatus = defineMapping<FinanceOrderHeader, SalesOrder>({
  name: 'orderStatus',
  description: "Finance sales order → the Sales order's processing status and totals",
  source: financeEntity('orderHeader'),
  target: salesEntity('order'),
  key: { source: 'SalesOrderNumber', target: 'ordernumber' },
  fields: [
    { field: 'orderNumber', source: 'SalesOrderNumber', target: 'ordernumber', transform: { kind: 'copy' } },
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
  description: "Finance sales order line → the Sales order line's status and tax",
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
  ],
  constants: [],
});

/** The order status flow. */
export const orderStatusFlow: FlowDefinition = {
  name: 'orderStatus',
  description:
    "Finance's progress on sales orders → the Sales orders' processing status, totals and line statuses",
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
    {
      require: { test: 'resolves', field: 'SalesOrderNumber', lookup: 'salesOrderIdByNumber' },
      reason: 'order not taken in Sales (created in Finance)',
    },
  ]),
  routes: [{ when: { test: 'always' }, mapping: 'orderStatus', description: 'every eligible order' }],
  unrouted: null,
  mappings: [orderStatus, orderLineStatus],
  children: defineChildren<FinanceOrderLine, SalesOrderLine>({
    label: 'line',
    mapping: 'orderLineStatus',
    parent: { source: 'SalesOrderNumber' },
    eligibility: [],
  }),
};
