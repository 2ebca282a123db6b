/**
 * What the order-to-cash flow tests share (orders-flow, order-status-flow and invoices-flow .test.ts): an
 * engine harness over both simulators with accounts, products and contacts synced, a customer mastered in
 * Sales and three products from Finance, and ways to take an order in Sales (through the Sales API) or
 * enter one in Finance (through Finance's), so each rule is pinned on a record the test controls; the
 * seed's own orders are counted but not relied on. `useOrderToCash()` in a test file starts and stops it.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { salesOrderStatus } from '../../../src/connectors/sales/types.js';
import type { Row } from '../../../src/simulators/core/model.js';
import { startEngineHarness, type EngineHarness } from './harness.js';

export let h: EngineHarness;
/** A customer mastered in Sales and synced to Finance. */
export let account: Row;
/** Three products that came from Finance, active in Sales. */
export let products: Row[];
let orderCount = 0;

export const usmf = 'usmf';
export const financeOrder = (number: string) =>
  h.sim.finance.store.get('SalesOrderHeadersV2', { dataAreaId: usmf, SalesOrderNumber: number });
export const financeLines = (number: string) =>
  h.sim.finance.store.findBy('SalesOrderLines', 'SalesOrderNumber', number);
export const financeCharges = (number: string) =>
  h.sim.finance.store.findBy('SalesOrderLineCharges', 'SalesOrderNumber', number);
export const salesOrder = (number: string) =>
  h.sim.sales.store.findBy('salesorders', 'ordernumber', number)[0];
export const salesLines = (number: string) =>
  h.sim.sales.store.findBy(
    'salesorderdetails',
    '_salesorderid_value',
    salesOrder(number)?.['salesorderid'] ?? null,
  );
export const salesInvoice = (number: string) =>
  h.sim.sales.store.findBy('invoices', 'invoicenumber', number)[0];

interface LineSpec {
  product?: Row;
  writeIn?: string;
  quantity: string;
  price: string;
  discount?: string;
}

/**
 * A new Sales order of `customer` with `lines`, written as one change set through the Sales API, then
 * activated unless `activate` is false. Returns its order number.
 */
export async function takeOrder(
  lines: LineSpec[],
  { customer = account, activate = true } = {},
): Promise<string> {
  orderCount += 1;
  const number = `ORD-T${String(orderCount).padStart(4, '0')}`;
  const { sales } = h.connectors;
  const [results] = await sales.writeChangeSets([
    [
      {
        method: 'PATCH',
        kind: 'order',
        key: number,
        only: 'create',
        body: {
          name: `Test order ${orderCount}`,
          'customerid_account@odata.bind': sales.bind('account', { id: String(customer['accountid']) }),
          'transactioncurrencyid@odata.bind': sales.bind('currency', {
            id: String(customer['_transactioncurrencyid_value']),
          }),
        },
      },
      ...lines.map((line, index) => ({
        method: 'POST' as const,
        kind: 'orderLine' as const,
        body: {
          'salesorderid@odata.bind': sales.bind('order', number),
          sequencenumber: index + 1,
          quantity: line.quantity,
          priceperunit: line.price,
          manualdiscountamount: line.discount ?? '0',
          ...(line.product
            ? {
                isproductoverridden: false,
                'productid@odata.bind': sales.bind('product', { id: String(line.product['productid']) }),
                'uomid@odata.bind': sales.bind('unit', { id: String(line.product['_defaultuomid_value']) }),
              }
            : { isproductoverridden: true, productdescription: line.writeIn ?? 'Write-in' }),
        },
      })),
    ],
  ]);
  expect(
    results!.every((result) => result.outcome !== 'failed'),
    JSON.stringify(results),
  ).toBe(true);
  if (activate) {
    const [activated] = await sales.writeMultiple([
      {
        method: 'PATCH',
        kind: 'order',
        key: number,
        only: 'update',
        body: { msdynce_processingstatus: salesOrderStatus.active },
      },
    ]);
    expect(activated?.outcome, JSON.stringify(activated?.error?.message)).not.toBe('failed');
  }
  return number;
}

/** How many orders `enterFinanceOrder` has entered; the last one is named `Phone order <count>`. */
export let financeOrderCount = 0;

/**
 * A new sales order entered in Finance (not in Sales) for `account` with `lines` of item numbers, written
 * through Finance's OData API as a Finance user's client would; Finance opens it (status None). Returns
 * its number, from Finance's own sequence.
 */
export async function enterFinanceOrder(
  lines: { item: string; quantity: string; price: string; discountPerUnit?: string }[],
  { currency }: { currency?: string } = {},
): Promise<string> {
  financeOrderCount += 1;
  const number = `SO-T${String(financeOrderCount).padStart(4, '0')}`;
  const [results] = await h.connectors.finance.writeChangeSets([
    [
      {
        method: 'POST',
        kind: 'orderHeader',
        body: {
          dataAreaId: usmf,
          SalesOrderNumber: number,
          SalesOrderName: `Phone order ${financeOrderCount}`,
          OrderingCustomerAccountNumber: account['accountnumber'],
          RequestedShippingDate: '2026-12-24T12:00:00Z',
          DeliveryAddressStreet: '1 Harbour Road',
          DeliveryAddressCity: 'Seattle',
          DeliveryAddressStateId: 'WA',
          DeliveryAddressZipCode: '98101',
          DeliveryAddressCountryRegionISOCode: 'US',
          LanguageId: 'en-us',
          ...(currency ? { CurrencyCode: currency } : {}),
        },
      },
      ...lines.map((line, index) => ({
        method: 'POST' as const,
        kind: 'orderLine' as const,
        body: {
          dataAreaId: usmf,
          SalesOrderNumber: number,
          LineCreationSequenceNumber: index + 1,
          ItemNumber: line.item,
          OrderedSalesQuantity: line.quantity,
          SalesPrice: line.price,
          LineDiscountAmount: line.discountPerUnit ?? '0',
        },
      })),
    ],
  ]);
  expect(
    results!.every((result) => result.outcome !== 'failed'),
    JSON.stringify(results),
  ).toBe(true);
  return number;
}

/** A line a Finance user adds to the order `number` (through Finance's OData API). */
export async function addFinanceLine(number: string, line: Record<string, unknown>): Promise<void> {
  const [results] = await h.connectors.finance.writeChangeSets([
    [{ method: 'POST', kind: 'orderLine', body: { dataAreaId: usmf, SalesOrderNumber: number, ...line } }],
  ]);
  expect(
    results!.every((result) => result.outcome !== 'failed'),
    JSON.stringify(results),
  ).toBe(true);
}

/** The price list a document in the currency with Sales id `currencyId` takes: the first active one by name. */
export const priceListOf = (currencyId: unknown) =>
  h.sim.sales.store
    .scan('pricelevels')
    .filter((row) => row['_transactioncurrencyid_value'] === currencyId && row['statecode'] === 0)
    .sort((a, b) => String(a['name']).localeCompare(String(b['name'])))[0]!['pricelevelid'];

/** Runs each flow in order; every one completes. */
export async function runFlows(...flows: ('orders' | 'orderStatus' | 'invoices')[]): Promise<void> {
  for (const flow of flows) {
    const { result } = await h.run(flow);
    expect(result).toMatchObject({ status: 'completed' });
  }
}

/** Starts the harness before the file's tests (accounts, products and contacts synced) and stops it after. */
export function useOrderToCash(): void {
  beforeAll(async () => {
    h = await startEngineHarness({ accounts: 20 });
    for (const flow of ['accounts', 'products', 'contacts'] as const) {
      const { result } = await h.run(flow);
      expect(result.status).toBe('completed');
    }
    // A customer mastered in Sales and synced to Finance, and products that came from Finance.
    account = h.sim.sales.store.scan('accounts').find((row) => {
      const number = row['accountnumber'];
      return (
        typeof number === 'string' &&
        row['statecode'] === 0 &&
        h.sim.finance.store.get('CustomersV3', { dataAreaId: usmf, CustomerAccount: number })?.[
          'IsExternallyMaintained'
        ] === 'Yes'
      );
    })!;
    products = h.sim.sales.store
      .scan('products')
      .filter(
        (row) =>
          row['msdynce_ismaintainedexternally'] === true &&
          row['statecode'] === 0 &&
          h.sim.finance.store.get('SellableReleasedProducts', {
            dataAreaId: usmf,
            ProductNumber: row['productnumber'] ?? null,
          }) !== undefined,
      )
      .slice(0, 3);
    expect(account).toBeDefined();
    expect(products).toHaveLength(3);
  }, 120_000);

  afterAll(async () => {
    await h?.close();
  });
}
