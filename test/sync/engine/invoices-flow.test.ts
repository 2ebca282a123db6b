/**
 * The invoices flow end to end against both simulators: Finance's invoice appears on the customer in
 * Sales, read-only, and the order shows Invoiced or Partially invoiced (shared set-up: order-to-cash.ts).
 */
import { describe, expect, it } from 'vitest';
import { salesOrderStatus } from '../../../src/connectors/sales/types.js';
import {
  account,
  h,
  products,
  runFlows,
  salesInvoice,
  salesOrder,
  takeOrder,
  useOrderToCash,
  usmf,
} from './order-to-cash.js';

useOrderToCash();

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
