/**
 * The order status flow end to end against both simulators: Finance's progress comes back to the Sales
 * order, and an order entered in Finance is created in Sales (shared set-up: order-to-cash.ts).
 */
import { describe, expect, it } from 'vitest';
import { salesOrderLineStatus, salesOrderStatus } from '../../../src/connectors/sales/types.js';
import {
  account,
  addFinanceLine,
  enterFinanceOrder,
  financeOrderCount,
  financeLines,
  financeOrder,
  h,
  priceListOf,
  products,
  runFlows,
  salesInvoice,
  salesLines,
  salesOrder,
  takeOrder,
  useOrderToCash,
  usmf,
} from './order-to-cash.js';

useOrderToCash();

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

  it('never writes create-only fields to an order Sales has: one differing only there is unchanged', async () => {
    const number = await takeOrder([{ product: products[1]!, quantity: '2', price: '4.00' }]);
    await runFlows('orders');
    h.sim.finance.postOrder(usmf, number, 'confirm');
    await runFlows('orderStatus');
    // Renamed and shipped elsewhere in Sales after Finance took it: Finance's values are for a create.
    h.sim.sales.store.update(
      'salesorders',
      { salesorderid: salesOrder(number)!['salesorderid'] ?? null },
      { name: 'Renamed in Sales', shipto_city: 'Tacoma' },
    );
    const [line] = salesLines(number);
    h.sim.sales.store.update(
      'salesorderdetails',
      { salesorderdetailid: line!['salesorderdetailid'] ?? null },
      { description: 'Gift wrap' },
    );
    const { counters } = await h.run('orderStatus', { mode: 'FULL', onlyKeys: [number] });
    expect(counters).toMatchObject({ read: 1, unchanged: 1, updated: 0 });
    expect(salesOrder(number)).toMatchObject({ name: 'Renamed in Sales', shipto_city: 'Tacoma' });
    expect(salesLines(number)[0]!['description']).toBe('Gift wrap');
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
    // An order Finance has taken and not confirmed.
    await takeOrder([{ product: products[2]!, quantity: '1', price: '5.00' }]);
    await runFlows('orders');
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
