/**
 * The orders flow end to end against both simulators: an order taken in Sales goes to Finance, header,
 * lines and discount rounding charges together (shared set-up: order-to-cash.ts).
 */
import { describe, expect, it } from 'vitest';
import { salesOrderStatus } from '../../../src/connectors/sales/types.js';
import { recomposeLineDiscount } from '../../../src/sync/money.js';
import { outcomesSum } from './harness.js';
import {
  account,
  financeCharges,
  financeLines,
  financeOrder,
  h,
  products,
  runFlows,
  salesLines,
  salesOrder,
  takeOrder,
  useOrderToCash,
  usmf,
} from './order-to-cash.js';

useOrderToCash();

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
