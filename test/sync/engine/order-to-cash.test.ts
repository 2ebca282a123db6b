/**
 * The order-to-cash flows end to end against both simulators: an order taken in Sales goes to Finance
 * (orders), Finance's progress comes back to the Sales order (order status), and Finance's invoice
 * appears on the customer in Sales (invoices). Orders are made here through the Sales API, so each rule
 * is pinned on a record the test controls; the seed's own orders are counted but not relied on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { salesOrderLineStatus, salesOrderStatus } from '../../../src/connectors/sales/types.js';
import type { Row } from '../../../src/simulators/core/model.js';
import { recomposeLineDiscount } from '../../../src/sync/money.js';
import { outcomesSum, startEngineHarness, type EngineHarness } from './harness.js';

let h: EngineHarness;
let account: Row;
let products: Row[];
let orderCount = 0;

const usmf = 'usmf';
const financeOrder = (number: string) =>
  h.sim.finance.store.get('SalesOrderHeadersV2', { dataAreaId: usmf, SalesOrderNumber: number });
const financeLines = (number: string) =>
  h.sim.finance.store.findBy('SalesOrderLines', 'SalesOrderNumber', number);
const financeCharges = (number: string) =>
  h.sim.finance.store.findBy('SalesOrderLineCharges', 'SalesOrderNumber', number);
const salesOrder = (number: string) => h.sim.sales.store.findBy('salesorders', 'ordernumber', number)[0];
const salesLines = (number: string) =>
  h.sim.sales.store.findBy(
    'salesorderdetails',
    '_salesorderid_value',
    salesOrder(number)?.['salesorderid'] ?? null,
  );
const salesInvoice = (number: string) => h.sim.sales.store.findBy('invoices', 'invoicenumber', number)[0];

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
async function takeOrder(lines: LineSpec[], { customer = account, activate = true } = {}): Promise<string> {
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

let financeOrderCount = 0;

/**
 * A new sales order entered in Finance (not in Sales) for `account` with `lines` of item numbers, written
 * through Finance's OData API as a Finance user's client would; Finance opens it (status None). Returns
 * its number, from Finance's own sequence.
 */
async function enterFinanceOrder(
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
async function addFinanceLine(number: string, line: Record<string, unknown>): Promise<void> {
  const [results] = await h.connectors.finance.writeChangeSets([
    [{ method: 'POST', kind: 'orderLine', body: { dataAreaId: usmf, SalesOrderNumber: number, ...line } }],
  ]);
  expect(
    results!.every((result) => result.outcome !== 'failed'),
    JSON.stringify(results),
  ).toBe(true);
}

/** The price list a document in the currency with Sales id `currencyId` takes: the first active one by name. */
const priceListOf = (currencyId: unknown) =>
  h.sim.sales.store
    .scan('pricelevels')
    .filter((row) => row['_transactioncurrencyid_value'] === currencyId && row['statecode'] === 0)
    .sort((a, b) => String(a['name']).localeCompare(String(b['name'])))[0]!['pricelevelid'];

/** Runs each flow in order; every one completes. */
async function runFlows(...flows: ('orders' | 'orderStatus' | 'invoices')[]): Promise<void> {
  for (const flow of flows) {
    const { result } = await h.run(flow);
    expect(result).toMatchObject({ status: 'completed' });
  }
}

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

describe('orders flow (Sales → Finance)', () => {
  it('sends an activated order with its lines, splitting a $10 discount on quantity 3 into 3.33 per unit and a −0.01 charge', async () => {
    const number = await takeOrder([
      { product: products[0]!, quantity: '3', price: '20.00', discount: '10.00' },
      { product: products[1]!, quantity: '2', price: '5.00', discount: '1.00' },
    ]);
    const { result, counters, runId } = await h.run('orders');
    expect(result).toMatchObject({ status: 'completed' });
    expect(outcomesSum(counters)).toBe(counters.read);

    expect(financeOrder(number)).toMatchObject({
      SalesOrderName: 'Test order 1',
      OrderingCustomerAccountNumber: account['accountnumber'],
      InvoiceCustomerAccountNumber: account['accountnumber'],
      SalesOrderProcessingStatus: 'None',
    });
    const lines = financeLines(number).sort(
      (a, b) => Number(a['LineCreationSequenceNumber']) - Number(b['LineCreationSequenceNumber']),
    );
    expect(
      lines.map((line) => [line['ItemNumber'], line['OrderedSalesQuantity'], line['LineDiscountAmount']]),
    ).toEqual([
      [products[0]!['productnumber'], '3', '3.33'],
      [products[1]!['productnumber'], '2', '0.50'],
    ]);
    // Only the line whose discount does not divide evenly carries a rounding charge.
    expect(financeCharges(number)).toEqual([
      expect.objectContaining({
        LineCreationSequenceNumber: 1,
        SalesChargeCode: 'DISC-RND',
        FixedChargeAmount: '-0.01',
      }),
    ]);
    // Finance's line comes out at Sales' amount: 3 × (20.00 − 3.33) − 0.01 = 50.00 = 3 × 20.00 − 10.00.
    expect(lines[0]!['LineAmount']).toBe('50.01');
    expect(recomposeLineDiscount('3.33', '3', '-0.01')).toBe('10.00');
    const { skips } = (await h.runs.getRun(runId))!.flows[0]!;
    expect(skips.reduce((sum, skip) => sum + skip.count, 0)).toBe(counters.skipped);
  });

  it('leaves an order it already sent unchanged, and a Finance-confirmed order to Finance', async () => {
    const number = await takeOrder([{ product: products[0]!, quantity: '1', price: '7.00' }]);
    await runFlows('orders');
    const before = financeLines(number)[0]!;

    const again = await h.run('orders', { mode: 'FULL' });
    expect(again.counters.failed).toBe(0);
    expect(financeLines(number)[0]).toEqual(before);

    h.sim.finance.postOrder(usmf, number, 'confirm');
    // A Sales line edited after Finance confirmed (as an import might) does not reach Finance.
    const [line] = salesLines(number);
    h.sim.sales.store.update(
      'salesorderdetails',
      { salesorderdetailid: line!['salesorderdetailid'] ?? null },
      {
        quantity: '9',
      },
    );
    await runFlows('orders');
    const full = await h.run('orders', { mode: 'FULL' });
    expect(full.counters.failed).toBe(0);
    expect(financeLines(number)[0]!['OrderedSalesQuantity']).toBe('1');
  });

  it('skips orders that do not qualify, each with its reason', async () => {
    await takeOrder([{ product: products[0]!, quantity: '1', price: '1.00' }], { activate: false });
    // An order activated before its write-in line was added (data from an older system).
    const writeIn = await takeOrder([{ writeIn: 'Installation', quantity: '1', price: '100.00' }], {
      activate: false,
    });
    h.sim.sales.store.update(
      'salesorders',
      { salesorderid: salesOrder(writeIn)!['salesorderid'] ?? null },
      {
        msdynce_processingstatus: salesOrderStatus.active,
      },
    );
    const { counters, runId } = await h.run('orders', { mode: 'FULL' });
    const { skips } = (await h.runs.getRun(runId))!.flows[0]!;
    const draft = h.sim.sales.store
      .scan('salesorders')
      .filter(
        (row) => row['ordernumber'] && row['msdynce_processingstatus'] === salesOrderStatus.draft,
      ).length;
    expect(skips).toContainEqual({ reason: 'order not activated (Draft)', count: draft });
    expect(skips.map((skip) => skip.reason)).toContain('order has products not maintained in Finance');
    expect(financeOrder(writeIn)).toBeUndefined();
    expect(counters.skipped).toBe(skips.reduce((sum, skip) => sum + skip.count, 0));
  });

  it('never leaves half an order in Finance: a line Finance refuses fails the whole order', async () => {
    // A product maintained in Finance by its flag whose item Finance does not have (released elsewhere).
    const stray = { ...products[2]!, productid: crypto.randomUUID(), productnumber: 'NOT-IN-FINANCE' };
    h.sim.sales.store.insert('products', stray);
    const number = await takeOrder([
      { product: products[0]!, quantity: '1', price: '2.00' },
      { product: stray, quantity: '1', price: '2.00' },
    ]);
    const { counters, runId } = await h.run('orders');
    expect(counters.failed).toBeGreaterThanOrEqual(1);
    const failures = await h.runs.failures(runId, { first: 50 });
    expect(failures.items.find((failure) => failure.recordKey === number)?.message).toMatch(/NOT-IN-FINANCE/);
    expect(financeOrder(number)).toBeUndefined();
    expect(financeLines(number)).toEqual([]);
  });

  it('decides every outcome in a dry run and writes nothing', async () => {
    const number = await takeOrder([{ product: products[1]!, quantity: '4', price: '3.00' }]);
    const { counters } = await h.run('orders', { dryRun: true });
    expect(counters.created).toBeGreaterThanOrEqual(1);
    expect(financeOrder(number)).toBeUndefined();
  });
});

describe('order status flow (Finance → Sales)', () => {
  it("brings Finance's status, totals and line statuses to the Sales order, forward only", async () => {
    const number = await takeOrder([
      { product: products[0]!, quantity: '3', price: '20.00', discount: '10.00' },
    ]);
    await runFlows('orders');
    // Not confirmed in Finance yet: the Sales order stays as it is.
    await runFlows('orderStatus');
    expect(salesOrder(number)!['msdynce_processingstatus']).toBe(salesOrderStatus.active);

    h.sim.finance.postOrder(usmf, number, 'confirm');
    await runFlows('orderStatus');
    const finance = financeOrder(number)!;
    expect(salesOrder(number)).toMatchObject({
      msdynce_processingstatus: salesOrderStatus.confirmed,
      totalamount: finance['OrderTotalAmount'],
      totaltax: finance['OrderTotalTaxAmount'],
      freightamount: finance['OrderTotalChargesAmount'],
      msdynce_ismaintainedexternally: true,
    });
    expect(salesLines(number)[0]).toMatchObject({
      msdyn_linestatus: salesOrderLineStatus.backorder,
      tax: financeLines(number)[0]!['LineTotalTaxAmount'],
    });

    h.sim.finance.postOrder(usmf, number, 'deliver');
    await runFlows('orderStatus');
    expect(salesOrder(number)!['msdynce_processingstatus']).toBe(salesOrderStatus.shipped);
    expect(salesLines(number)[0]!['msdyn_linestatus']).toBe(salesOrderLineStatus.delivered);

    // Sales already shows Invoiced (from the invoices flow); Finance's header still says Delivered.
    h.sim.sales.store.update(
      'salesorders',
      { salesorderid: salesOrder(number)!['salesorderid'] ?? null },
      {
        msdynce_processingstatus: salesOrderStatus.invoiced,
      },
    );
    const full = await h.run('orderStatus', { mode: 'FULL' });
    expect(full.counters.failed).toBe(0);
    expect(salesOrder(number)!['msdynce_processingstatus']).toBe(salesOrderStatus.invoiced);
  });

  it('shows an order cancelled in Finance as cancelled', async () => {
    const number = await takeOrder([{ product: products[1]!, quantity: '1', price: '9.00' }]);
    await runFlows('orders');
    h.sim.finance.postOrder(usmf, number, 'confirm');
    await runFlows('orderStatus');
    h.sim.finance.postOrder(usmf, number, 'cancel');
    await runFlows('orderStatus');
    expect(salesOrder(number)!['msdynce_processingstatus']).toBe(salesOrderStatus.cancelled);
    expect(salesLines(number)[0]!['msdyn_linestatus']).toBe(salesOrderLineStatus.cancelled);
  });

  it('skips open orders, with the reason', async () => {
    const { runId } = await h.run('orderStatus', { mode: 'FULL' });
    const reasons = (await h.runs.getRun(runId))!.flows[0]!.skips.map((skip) => skip.reason);
    expect(reasons).toContain('order not confirmed in Finance');
  });

  it('creates an order entered in Finance in Sales, whole, once Finance confirms it', async () => {
    const [first, second] = products.map((product) => String(product['productnumber']));
    const number = await enterFinanceOrder([
      { item: first!, quantity: '3', price: '20.00', discountPerUnit: '1.25' },
      { item: second!, quantity: '2', price: '15.50' },
    ]);
    // Open in Finance: not in Sales yet.
    await runFlows('orderStatus');
    expect(salesOrder(number)).toBeUndefined();

    h.sim.finance.postOrder(usmf, number, 'confirm');
    const { counters } = await h.run('orderStatus');
    expect(counters).toMatchObject({ created: 1, failed: 0 });
    const finance = financeOrder(number)!;
    expect(salesOrder(number)).toMatchObject({
      name: `Phone order ${financeOrderCount}`,
      _customerid_value: account['accountid'],
      _transactioncurrencyid_value: account['_transactioncurrencyid_value'],
      _pricelevelid_value: priceListOf(account['_transactioncurrencyid_value']),
      requestdeliveryby: '2026-12-24T12:00:00Z',
      shipto_line1: '1 Harbour Road',
      shipto_city: 'Seattle',
      shipto_stateorprovince: 'WA',
      shipto_postalcode: '98101',
      shipto_country: 'United States',
      msdynce_processingstatus: salesOrderStatus.confirmed,
      msdynce_ismaintainedexternally: true,
      totalamount: finance['OrderTotalAmount'],
      totaltax: finance['OrderTotalTaxAmount'],
    });
    const lines = salesLines(number).sort(
      (a, b) => Number(a['sequencenumber']) - Number(b['sequencenumber']),
    );
    const financeRows = financeLines(number);
    expect(
      lines.map((line) => [
        line['sequencenumber'],
        line['_productid_value'],
        line['quantity'],
        line['priceperunit'],
        line['manualdiscountamount'],
        line['isproductoverridden'],
        line['msdyn_linestatus'],
      ]),
    ).toEqual([
      [1, products[0]!['productid'], '3', '20.00', '3.75', false, salesOrderLineStatus.backorder],
      [2, products[1]!['productid'], '2', '15.50', '0.00', false, salesOrderLineStatus.backorder],
    ]);
    for (const line of lines) {
      const row = financeRows.find((r) => r['LineCreationSequenceNumber'] === line['sequencenumber'])!;
      expect(line['tax']).toBe(row['LineTotalTaxAmount']);
      expect(line['_uomid_value']).toBeTruthy();
    }

    // Created once: the next run finds it unchanged, and a full run leaves it as it is.
    const again = await h.run('orderStatus', { mode: 'FULL' });
    expect(again.counters).toMatchObject({ created: 0, failed: 0 });
    expect(h.sim.sales.store.findBy('salesorders', 'ordernumber', number)).toHaveLength(1);
    expect(salesLines(number)).toHaveLength(2);

    // Its progress comes back as for any order, and so does its invoice.
    h.sim.finance.postOrder(usmf, number, 'deliver');
    const { InvoiceNumber: invoiceNumber } = h.sim.finance.postOrder(usmf, number, 'invoice');
    await runFlows('orderStatus', 'invoices');
    expect(salesLines(number).map((line) => line['msdyn_linestatus'])).not.toContain(
      salesOrderLineStatus.backorder,
    );
    expect(salesInvoice(String(invoiceNumber))).toMatchObject({
      _salesorderid_value: salesOrder(number)!['salesorderid'],
      _customerid_value: account['accountid'],
      _pricelevelid_value: priceListOf(account['_transactioncurrencyid_value']),
    });
    expect(salesOrder(number)!['msdynce_processingstatus']).toBe(salesOrderStatus.invoiced);
  });

  it("brings the seed's order entered in Finance to Sales", async () => {
    await runFlows('orderStatus');
    expect(salesOrder('SO-000001')).toMatchObject({ msdynce_ismaintainedexternally: true });
    expect(salesLines('SO-000001').length).toBeGreaterThan(0);
  });

  it('skips an order entered in Finance with an item Sales does not have, naming the line', async () => {
    // An item released in Finance after the products flow last ran.
    const template = h.sim.finance.store.get('SellableReleasedProducts', {
      dataAreaId: usmf,
      ProductNumber: String(products[0]!['productnumber']),
    })!;
    h.sim.finance.store.insert('SellableReleasedProducts', { ...template, ProductNumber: 'FIN-ONLY-1' });
    const number = await enterFinanceOrder([
      { item: String(products[0]!['productnumber']), quantity: '1', price: '5.00' },
      { item: 'FIN-ONLY-1', quantity: '1', price: '5.00' },
    ]);
    h.sim.finance.postOrder(usmf, number, 'confirm');
    const { runId } = await h.run('orderStatus');
    const reasons = (await h.runs.getRun(runId))!.flows[0]!.skips.map((skip) => skip.reason);
    expect(reasons).toContain('product not in Sales');
    expect(salesOrder(number)).toBeUndefined();
  });

  it('fails to create an order whose ship-to country Sales does not know, but still updates one Sales has', async () => {
    const entered = await enterFinanceOrder([
      { item: String(products[1]!['productnumber']), quantity: '1', price: '3.00' },
    ]);
    const taken = await takeOrder([{ product: products[1]!, quantity: '1', price: '3.00' }]);
    await runFlows('orders');
    for (const number of [entered, taken]) {
      h.sim.finance.postOrder(usmf, number, 'confirm');
      h.sim.finance.store.update(
        'SalesOrderHeadersV2',
        { dataAreaId: usmf, SalesOrderNumber: number },
        { DeliveryAddressCountryRegionISOCode: 'ATA' },
      );
    }
    const { runId } = await h.run('orderStatus');
    const failures = (await h.runs.failures(runId, { first: 50 })).items;
    // The country is written only when the order is created: the order Sales has goes on without it.
    expect(failures.map((failure) => failure.recordKey)).toEqual([entered]);
    expect(failures[0]!.message).toMatch(/shipto_country: 'ATA' is not in value map countryIsoToName/);
    expect(salesOrder(entered)).toBeUndefined();
    expect(salesOrder(taken)!['msdynce_processingstatus']).toBe(salesOrderStatus.confirmed);
  });

  it('asks Sales once per page for its orders, customers and products, and once per run for price lists', async () => {
    for (let i = 0; i < 16; i++)
      await enterFinanceOrder([
        { item: String(products[0]!['productnumber']), quantity: '1', price: '1.00' },
      ]);
    await runFlows('orderStatus'); // whatever is to write, written: the next run only reads
    h.sim.sales.log.clear();
    const { counters } = await h.run('orderStatus', { mode: 'FULL' });
    expect(counters.read).toBeGreaterThan(15); // the harness reads pages of 15
    expect(h.sim.sales.log.httpRequests({ method: 'GET', entitySet: 'pricelevels' })).toBe(1);
    const pages = Math.ceil(counters.read / 15);
    expect(h.sim.sales.log.httpRequests({ method: 'POST', entitySet: '$batch' })).toBe(pages);
    for (const entitySet of ['accounts', 'products'])
      expect(h.sim.sales.log.httpRequests({ entitySet }), entitySet).toBe(0);
  });

  it('takes the first price list by name when PRODUCTS_PRICE_LIST names none that is active', async () => {
    const number = await enterFinanceOrder([
      { item: String(products[0]!['productnumber']), quantity: '1', price: '2.00' },
    ]);
    h.sim.finance.postOrder(usmf, number, 'confirm');
    await h.run('orderStatus', { products: { priceList: 'No such price list' } });
    expect(salesOrder(number)!['_pricelevelid_value']).toBe(
      priceListOf(account['_transactioncurrencyid_value']),
    );
  });

  it('creates an order in a currency no Sales price list has without a price list', async () => {
    const number = await enterFinanceOrder(
      [{ item: String(products[0]!['productnumber']), quantity: '1', price: '3.00' }],
      { currency: 'GBP' },
    );
    h.sim.finance.postOrder(usmf, number, 'confirm');
    const { runId } = await h.run('orderStatus');
    const failures = (await h.runs.failures(runId, { first: 50 })).items;
    expect(failures.map((failure) => failure.recordKey)).not.toContain(number);
    const gbp = h.sim.sales.store.scan('transactioncurrencies').find((c) => c['isocurrencycode'] === 'GBP')!;
    expect(salesOrder(number)).toMatchObject({
      _transactioncurrencyid_value: gbp['transactioncurrencyid'],
      _pricelevelid_value: null,
    });
  });

  it("reports a line Finance added that Sales cannot take, and still brings the order's progress", async () => {
    const number = await takeOrder([{ product: products[0]!, quantity: '1', price: '6.00' }]);
    await runFlows('orders');
    await addFinanceLine(number, {
      LineCreationSequenceNumber: 2,
      ItemNumber: products[1]!['productnumber'],
      OrderedSalesQuantity: '2',
    });
    // A unit Sales does not know (an F&O unit the value map leaves out).
    const added = financeLines(number).find((row) => row['LineCreationSequenceNumber'] === 2)!;
    h.sim.finance.store.update(
      'SalesOrderLines',
      { dataAreaId: usmf, InventoryLotId: added['InventoryLotId'] ?? null },
      { SalesUnitSymbol: 'box' },
    );
    h.sim.finance.postOrder(usmf, number, 'confirm');
    for (let run = 0; run < 2; run++) {
      // Reported on every run until it can be created, not stored as done.
      const { runId } = await h.run('orderStatus');
      const failure = (await h.runs.failures(runId, { first: 50 })).items.find(
        (item) => item.recordKey === number,
      );
      expect(failure?.message).toMatch(/_uomid_value: 'box' is not in value map financeUnitToSalesUnit/);
    }
    expect(salesOrder(number)!['msdynce_processingstatus']).toBe(salesOrderStatus.confirmed);
    expect(salesLines(number).map((row) => row['sequencenumber'])).toEqual([1]);
  });

  it('creates in Sales a line Finance adds to an order taken in Sales', async () => {
    const number = await takeOrder([{ product: products[0]!, quantity: '1', price: '6.00' }]);
    await runFlows('orders');
    await addFinanceLine(number, {
      LineCreationSequenceNumber: 2,
      ItemNumber: products[2]!['productnumber'],
      OrderedSalesQuantity: '4',
      SalesPrice: '2.50',
    });
    h.sim.finance.postOrder(usmf, number, 'confirm');
    await runFlows('orderStatus');
    const lines = salesLines(number).sort(
      (a, b) => Number(a['sequencenumber']) - Number(b['sequencenumber']),
    );
    expect(lines.map((line) => [line['sequencenumber'], line['_productid_value'], line['quantity']])).toEqual(
      [
        [1, products[0]!['productid'], '1'],
        [2, products[2]!['productid'], '4'],
      ],
    );
    expect(salesOrder(number)!['totalamount']).toBe(financeOrder(number)!['OrderTotalAmount']);
  });
});

describe('invoices flow (Finance → Sales)', () => {
  it('creates the invoice with its lines read-only in Sales, the discount back at $10.00, and the order Invoiced', async () => {
    const number = await takeOrder([
      { product: products[0]!, quantity: '3', price: '20.00', discount: '10.00' },
      { product: products[2]!, quantity: '1', price: '15.00' },
    ]);
    await runFlows('orders');
    h.sim.finance.store.insert('SalesOrderHeaderCharges', {
      dataAreaId: usmf,
      SalesOrderNumber: number,
      SalesChargeCode: 'FREIGHT',
      FixedChargeAmount: '25.00',
      ChargeDescription: 'Freight',
    });
    h.sim.finance.postOrder(usmf, number, 'confirm');
    const { InvoiceNumber: invoiceNumber } = h.sim.finance.postOrder(usmf, number, 'invoice');
    await runFlows('orderStatus', 'invoices');

    const invoice = salesInvoice(String(invoiceNumber))!;
    const finance = h.sim.finance.store.get('SalesInvoiceHeadersV2', {
      dataAreaId: usmf,
      InvoiceNumber: invoiceNumber ?? null,
    })!;
    expect(invoice).toMatchObject({
      _salesorderid_value: salesOrder(number)!['salesorderid'],
      _customerid_value: account['accountid'],
      msdynce_ismaintainedexternally: true,
      totalamount: finance['TotalInvoiceAmount'],
      totaltax: finance['TotalTaxAmount'],
    });
    const lines = h.sim.sales.store
      .findBy('invoicedetails', '_invoiceid_value', invoice['invoiceid'] ?? null)
      .sort((a, b) => Number(a['sequencenumber']) - Number(b['sequencenumber']));
    expect(
      lines.map((line) => [line['sequencenumber'], line['quantity'], line['manualdiscountamount']]),
    ).toEqual([
      [1, '3', '10.00'],
      [2, '1', '0.00'],
      [3, '1', '0'],
    ]);
    // The header charge as the template carries it: a write-in line.
    expect(lines[2]).toMatchObject({
      isproductoverridden: true,
      productdescription: 'Charges: Freight',
      priceperunit: '25.00',
    });
    expect(lines[0]).toMatchObject({
      msdynce_invoicenumber: invoiceNumber,
      _productid_value: products[0]!['productid'],
    });
    expect(salesOrder(number)!['msdynce_processingstatus']).toBe(salesOrderStatus.invoiced);

    // Posted invoices do not change: the next run leaves it alone.
    const again = await h.run('invoices', { mode: 'FULL' });
    expect(again.counters.created).toBe(0);
    expect(again.counters.failed).toBe(0);
  });

  it('shows an order invoiced in part as Partially invoiced, and Invoiced once its last line is', async () => {
    const number = await takeOrder([
      { product: products[0]!, quantity: '1', price: '8.00' },
      { product: products[1]!, quantity: '2', price: '4.00' },
    ]);
    await runFlows('orders');
    h.sim.finance.postOrder(usmf, number, 'confirm');
    const first = h.sim.finance.postOrder(usmf, number, 'invoice', { lines: [2] });
    await runFlows('invoices');
    expect(salesOrder(number)!['msdynce_processingstatus']).toBe(salesOrderStatus.partiallyInvoiced);
    const partial = salesInvoice(String(first.InvoiceNumber))!;
    expect(
      h.sim.sales.store
        .findBy('invoicedetails', '_invoiceid_value', partial['invoiceid'] ?? null)
        .map((line) => line['sequencenumber']),
    ).toEqual([2]);
    // The order status flow agrees, and the line invoiced shows as such.
    await runFlows('orderStatus');
    expect(salesOrder(number)!['msdynce_processingstatus']).toBe(salesOrderStatus.partiallyInvoiced);

    const rest = h.sim.finance.postOrder(usmf, number, 'invoice');
    await runFlows('invoices');
    expect(salesInvoice(String(rest.InvoiceNumber))).toBeDefined();
    expect(salesOrder(number)!['msdynce_processingstatus']).toBe(salesOrderStatus.invoiced);
  });

  it('leaves free-text invoices out by default and brings them when invoiceTypes includes freeText', async () => {
    const { header } = h.sim.finance.createFreeTextInvoice(usmf, {
      customerAccount: String(account['accountnumber']),
      lines: [{ description: 'Consulting, November', quantity: '2', price: '150.00' }],
    });
    const invoiceNumber = String(header['InvoiceNumber']);
    const { runId } = await h.run('invoices');
    const skips = (await h.runs.getRun(runId))!.flows[0]!.skips;
    expect(skips.map((skip) => skip.reason)).toContain('free-text invoice (not in invoiceTypes)');
    expect(salesInvoice(invoiceNumber)).toBeUndefined();

    const included = await h.run('invoices', {
      mode: 'FULL',
      flowSettings: { invoiceTypes: ['salesOrder', 'freeText'] },
    });
    expect(included.counters.failed).toBe(0);
    const invoice = salesInvoice(invoiceNumber)!;
    expect(invoice['_salesorderid_value']).toBeNull();
    expect(
      h.sim.sales.store.findBy('invoicedetails', '_invoiceid_value', invoice['invoiceid'] ?? null),
    ).toEqual([
      expect.objectContaining({
        isproductoverridden: true,
        productdescription: 'Consulting, November',
        quantity: '2',
      }),
    ]);
  });

  it('decides an invoice in a dry run and writes nothing', async () => {
    const number = await takeOrder([{ product: products[1]!, quantity: '1', price: '4.00' }]);
    await runFlows('orders');
    h.sim.finance.postOrder(usmf, number, 'confirm');
    const { InvoiceNumber: invoiceNumber } = h.sim.finance.postOrder(usmf, number, 'invoice');
    const { counters } = await h.run('invoices', { dryRun: true });
    expect(counters.created).toBeGreaterThanOrEqual(1);
    expect(salesInvoice(String(invoiceNumber))).toBeUndefined();
  });
});
