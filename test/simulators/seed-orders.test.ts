/**
 * The seed's sales orders and invoices, in both systems: every stage the order flows meet, the documented
 * discount-rounding and freight cases, invoices in Finance (some already in Sales), free-text invoices,
 * an order only Finance has, amounts that agree with both systems' arithmetic, and the sets that existed
 * before orders left exactly as they were.
 */
import { describe, expect, it } from 'vitest';
import { salesOrderStatus } from '../../src/connectors/sales/types.js';
import {
  addDecimals,
  compareDecimals,
  multiplyDecimals,
  subtractDecimals,
} from '../../src/simulators/core/decimal.js';
import type { Row } from '../../src/simulators/core/model.js';
import { createStore } from '../../src/simulators/core/store.js';
import { orderLineAmounts, orderTotals, round2 } from '../../src/simulators/finance/orders.js';
import { salesEntitySets } from '../../src/simulators/sales/entities.js';
import { applyHeaderTotals } from '../../src/simulators/sales/rules.js';
import { generateSeed, seedSummary } from '../../src/simulators/seed/index.js';

const data = generateSeed({ accounts: 300 });
const { sales, finance } = data;

const str = (row: Row, name: string): string => {
  const value = row[name];
  if (typeof value !== 'string') throw new Error(`${name} is ${String(value)}, expected text`);
  return value;
};
const same = (a: string, b: string): boolean => compareDecimals(a, b) === 0;
const byKey = (rows: readonly Row[], name: string): Map<string, Row> =>
  new Map(rows.map((row) => [String(row[name]), row]));
const groupBy = (rows: readonly Row[], name: string): Map<string, Row[]> => {
  const groups = new Map<string, Row[]>();
  for (const row of rows) groups.set(String(row[name]), [...(groups.get(String(row[name])) ?? []), row]);
  return groups;
};

const salesOrders = byKey(sales.salesorders, 'ordernumber');
const salesOrdersById = byKey(sales.salesorders, 'salesorderid');
const orderLinesByOrder = groupBy(sales.salesorderdetails, '_salesorderid_value');
const financeLinesByOrder = groupBy(finance.SalesOrderLines, 'SalesOrderNumber');
const lineChargesByOrder = groupBy(finance.SalesOrderLineCharges, 'SalesOrderNumber');
const headerChargesByOrder = groupBy(finance.SalesOrderHeaderCharges, 'SalesOrderNumber');
const invoicesByOrder = groupBy(finance.SalesInvoiceHeadersV2, 'SalesOrderNumber');
const invoiceLinesByNumber = groupBy(finance.SalesInvoiceLinesV2, 'InvoiceNumber');
const synced = new Set(
  finance.CustomersV3.filter((c) => c['dataAreaId'] === 'usmf' && c['IsExternallyMaintained'] === 'Yes').map(
    (c) => str(c, 'CustomerAccount'),
  ),
);

describe('existing sets', () => {
  it('keep the row counts they had before orders and invoices were added', () => {
    // Taken from generateSeed({ accounts: 300 }) before this change; orders use their own random streams.
    expect(seedSummary(data)).toMatchObject({
      accounts: 300,
      contacts: 770,
      quotes: 422,
      quotedetails: 1458,
      products: 64,
      transactioncurrencies: 3,
      uoms: 5,
      pricelevels: 3,
      productpricelevels: 64,
      LegalEntities: 2,
      CustomerGroups: 6,
      CustomersV3: 350,
      ContactPersons: 496,
      SalesQuotationHeadersV2: 63,
      SalesQuotationLines: 208,
      SellableReleasedProducts: 122,
    });
  });

  it('is deterministic: two generations give equal orders and invoices', () => {
    const again = generateSeed({ accounts: 300 });
    expect(again).toStrictEqual(data);
  });

  it('stays modest: about 0.4 orders per numbered account with one to four lines each', () => {
    const numbered = sales.accounts.filter((a) => a['accountnumber'] !== null).length;
    expect(sales.salesorders.length / numbered).toBeGreaterThan(0.25);
    expect(sales.salesorders.length / numbered).toBeLessThan(0.55);
    for (const order of sales.salesorders) {
      const lines = orderLinesByOrder.get(str(order, 'salesorderid')) ?? [];
      expect(lines.length).toBeGreaterThanOrEqual(1);
      expect(lines.length).toBeLessThanOrEqual(6); // quotes converted keep their (up to 6) lines
    }
  });
});

describe('sales orders', () => {
  it('numbers orders ORD-01000-… uniquely', () => {
    const numbers = sales.salesorders.map((o) => str(o, 'ordernumber'));
    for (const number of numbers) expect(number).toMatch(/^ORD-\d{5}-[A-Z]{6}$/);
    expect(numbers).toContainEqual(expect.stringMatching(/^ORD-01000-/));
    expect(new Set(numbers).size).toBe(numbers.length);
  });

  it('has Draft, Active and every Finance status, and marks exactly the orders in Finance as maintained there', () => {
    const statuses = new Set(sales.salesorders.map((o) => o['msdynce_processingstatus']));
    for (const status of [
      'draft',
      'active',
      'confirmed',
      'picked',
      'packingSlip',
      'shipped',
      'invoiced',
      'cancelled',
    ] as const) {
      expect(statuses, status).toContain(salesOrderStatus[status]);
    }
    const financeStatuses = new Set(finance.SalesOrderHeadersV2.map((h) => h['SalesOrderProcessingStatus']));
    expect([...financeStatuses].sort()).toEqual([
      'Cancelled',
      'Confirmed',
      'Delivered',
      'Invoiced',
      'Packed',
      'Picked',
    ]);
    const inFinance = new Set(finance.SalesOrderHeadersV2.map((h) => str(h, 'SalesOrderNumber')));
    for (const order of sales.salesorders) {
      expect(order['msdynce_ismaintainedexternally']).toBe(inFinance.has(str(order, 'ordernumber')));
    }
    // Active orders waiting for the orders flow.
    expect(
      sales.salesorders.some(
        (o) =>
          o['msdynce_processingstatus'] === salesOrderStatus.active &&
          o['msdynce_ismaintainedexternally'] === false,
      ),
    ).toBe(true);
  });

  it('leaves some orders in Finance behind in Sales (Active or Confirmed), for the order status flow', () => {
    const behind = finance.SalesOrderHeadersV2.filter((h) => {
      const order = salesOrders.get(str(h, 'SalesOrderNumber'));
      const shown = order?.['msdynce_processingstatus'];
      return (
        order !== undefined &&
        h['SalesOrderProcessingStatus'] !== 'Confirmed' &&
        (shown === salesOrderStatus.active || shown === salesOrderStatus.confirmed)
      );
    });
    expect(behind.length).toBeGreaterThan(0);
  });

  it('converts some Active or Won quotes, copying their lines', () => {
    const quotes = byKey(sales.quotes, 'quoteid');
    const quoteLines = groupBy(sales.quotedetails, '_quoteid_value');
    const converted = sales.salesorders.filter((o) => o['_quoteid_value'] !== null);
    expect(converted.length).toBeGreaterThan(0);
    for (const order of converted) {
      const quote = quotes.get(str(order, '_quoteid_value'))!;
      expect([1, 2]).toContain(quote['statecode']);
      expect(order['_customerid_value']).toBe(quote['_customerid_value']);
      const pick = (row: Row) =>
        ['_productid_value', 'quantity', 'priceperunit', 'manualdiscountamount', 'sequencenumber'].map(
          (c) => row[c],
        );
      expect((orderLinesByOrder.get(str(order, 'salesorderid')) ?? []).map(pick)).toEqual(
        (quoteLines.get(str(order, '_quoteid_value')) ?? []).map(pick),
      );
    }
  });

  it('keeps orders with a write-in line Draft, since they cannot be activated', () => {
    const writeIns = sales.salesorderdetails.filter((l) => l['isproductoverridden'] === true);
    expect(writeIns.length).toBeGreaterThan(0);
    for (const line of writeIns) {
      expect(line['productdescription']).toEqual(expect.any(String));
      expect(line['_productid_value']).toBeNull();
      const order = salesOrdersById.get(str(line, '_salesorderid_value'))!;
      expect(order['msdynce_processingstatus']).toBe(salesOrderStatus.draft);
      expect(order['msdynce_hasexternallymaintainedproductsonly']).toBe(false);
    }
  });

  it("agrees with the Sales simulator's own arithmetic: line amounts, the products flag, unsynchronised totals", () => {
    const store = createStore(salesEntitySets, { versionColumn: 'versionnumber' });
    for (const set of salesEntitySets)
      for (const row of sales[set.name as keyof typeof sales]) store.insert(set.name, row);
    for (const line of sales.salesorderdetails) {
      const net = subtractDecimals(
        multiplyDecimals(str(line, 'quantity'), str(line, 'priceperunit')),
        str(line, 'manualdiscountamount'),
      );
      expect(same(str(line, 'extendedamount'), addDecimals(net, str(line, 'tax')))).toBe(true);
    }
    for (const order of sales.salesorders) {
      const computed = { ...order };
      applyHeaderTotals('salesorders', computed, [], store);
      expect(computed['msdynce_hasexternallymaintainedproductsonly']).toBe(
        order['msdynce_hasexternallymaintainedproductsonly'],
      );
      expect(same(str(computed, 'totallineitemamount'), str(order, 'totallineitemamount'))).toBe(true);
      if (order['msdynce_ismaintainedexternally'] === false) {
        expect(same(str(computed, 'totalamount'), str(order, 'totalamount'))).toBe(true);
      }
    }
  });
});

describe('orders in Finance', () => {
  it('prices lines with a per-unit discount and makes up the rounding with a DISC-RND line charge', () => {
    for (const line of finance.SalesOrderLines) {
      const order = salesOrders.get(str(line, 'SalesOrderNumber'));
      const amounts = orderLineAmounts({
        quantity: str(line, 'OrderedSalesQuantity'),
        price: str(line, 'SalesPrice'),
        discountPerUnit: str(line, 'LineDiscountAmount'),
      });
      expect([line['LineAmount'], line['LineTotalTaxAmount']]).toEqual([
        amounts.LineAmount,
        amounts.LineTotalTaxAmount,
      ]);
      if (!order) continue; // the order created in Finance
      const source = (orderLinesByOrder.get(str(order, 'salesorderid')) ?? []).find(
        (l) => l['sequencenumber'] === line['LineCreationSequenceNumber'],
      )!;
      const quantity = str(source, 'quantity');
      const discount = str(source, 'manualdiscountamount');
      // Whole quantities: the per-unit discount is the line discount divided and rounded to cents.
      if (/^\d+$/.test(quantity)) {
        const perUnit = round2(String(Number(discount) / Number(quantity)));
        expect(same(str(line, 'LineDiscountAmount'), perUnit)).toBe(true);
      }
      const charges = (lineChargesByOrder.get(str(line, 'SalesOrderNumber')) ?? []).filter(
        (c) => c['LineCreationSequenceNumber'] === line['LineCreationSequenceNumber'],
      );
      for (const charge of charges) {
        expect([charge['SalesChargeCode'], charge['ChargeDescription']]).toEqual([
          'DISC-RND',
          'Discount rounding',
        ]);
      }
      const chargeTotal = charges.reduce((sum, c) => addDecimals(sum, str(c, 'FixedChargeAmount')), '0');
      const salesNet = subtractDecimals(multiplyDecimals(quantity, str(source, 'priceperunit')), discount);
      expect(same(addDecimals(str(line, 'LineAmount'), chargeTotal), salesNet)).toBe(true);
    }
  });

  it('has the documented case: 10.00 off quantity 3 is 3.33 a unit plus a −0.01 charge', () => {
    const examples = sales.salesorderdetails.filter(
      (l) => same(str(l, 'quantity'), '3') && same(str(l, 'manualdiscountamount'), '10.00'),
    );
    const inFinance = examples.flatMap((line) => {
      const number = str(salesOrdersById.get(str(line, '_salesorderid_value'))!, 'ordernumber');
      const financeLine = (financeLinesByOrder.get(number) ?? []).find(
        (l) => l['LineCreationSequenceNumber'] === line['sequencenumber'],
      );
      return financeLine ? [{ number, financeLine }] : [];
    });
    expect(inFinance.length).toBeGreaterThan(0);
    const { number, financeLine } = inFinance[0]!;
    expect(financeLine['LineDiscountAmount']).toBe('3.33');
    expect(lineChargesByOrder.get(number)).toContainEqual(
      expect.objectContaining({
        LineCreationSequenceNumber: financeLine['LineCreationSequenceNumber'],
        SalesChargeCode: 'DISC-RND',
        FixedChargeAmount: '-0.01',
        ChargeDescription: 'Discount rounding',
      }),
    );
  });

  it('has exactly one header charge, 25.00 freight, on an invoiced order', () => {
    expect(finance.SalesOrderHeaderCharges).toHaveLength(1);
    const charge = finance.SalesOrderHeaderCharges[0]!;
    expect(charge).toMatchObject({
      SalesChargeCode: 'FREIGHT',
      FixedChargeAmount: '25.00',
      ChargeDescription: 'Freight',
    });
    const number = str(charge, 'SalesOrderNumber');
    const header = finance.SalesOrderHeadersV2.find((h) => h['SalesOrderNumber'] === number)!;
    expect(header['SalesOrderProcessingStatus']).toBe('Invoiced');
    expect(invoicesByOrder.get(number)).toEqual([expect.objectContaining({ TotalChargeAmount: '25.00' })]);
  });

  it("totals every order by Finance's arithmetic, and Sales shows those totals once Finance's status shows", () => {
    for (const header of finance.SalesOrderHeadersV2) {
      const number = str(header, 'SalesOrderNumber');
      const totals = orderTotals(
        financeLinesByOrder.get(number) ?? [],
        headerChargesByOrder.get(number) ?? [],
        lineChargesByOrder.get(number) ?? [],
      );
      expect(header).toMatchObject(totals);
      const order = salesOrders.get(number);
      if (!order) continue;
      const shown = order['msdynce_processingstatus'];
      if (shown !== salesOrderStatus.active) {
        expect(same(str(order, 'totalamount'), totals.OrderTotalAmount)).toBe(true);
        expect(same(str(order, 'totaltax'), totals.OrderTotalTaxAmount)).toBe(true);
        expect(same(str(order, 'freightamount'), totals.OrderTotalChargesAmount)).toBe(true);
      }
    }
  });

  it('has one order created in Finance, Confirmed, for a synchronised customer, that Sales has not seen', () => {
    const own = finance.SalesOrderHeadersV2.filter((h) => !salesOrders.has(str(h, 'SalesOrderNumber')));
    expect(own).toHaveLength(1);
    expect(own[0]).toMatchObject({
      SalesOrderProcessingStatus: 'Confirmed',
      OrderingCustomerIsExternallyMaintained: 'Yes',
    });
    expect(synced).toContain(str(own[0]!, 'OrderingCustomerAccountNumber'));
    expect((financeLinesByOrder.get(str(own[0]!, 'SalesOrderNumber')) ?? []).length).toBeGreaterThan(0);
  });

  it('keeps lot ids unique across quotation and order lines', () => {
    const lots = [...finance.SalesQuotationLines, ...finance.SalesOrderLines].map((l) =>
      str(l, 'InventoryLotId'),
    );
    expect(new Set(lots).size).toBe(lots.length);
  });
});

describe('invoices', () => {
  it('invoices every Invoiced order once, numbered CIV-000001 onwards', () => {
    const invoiced = finance.SalesOrderHeadersV2.filter(
      (h) => h['SalesOrderProcessingStatus'] === 'Invoiced',
    );
    expect(invoiced.length).toBeGreaterThan(0);
    for (const header of invoiced)
      expect(invoicesByOrder.get(str(header, 'SalesOrderNumber'))).toHaveLength(1);
    const numbers = finance.SalesInvoiceHeadersV2.map((i) => str(i, 'InvoiceNumber'));
    expect(numbers).toEqual(numbers.map((_, i) => `CIV-${String(i + 1).padStart(6, '0')}`));
    for (const header of finance.SalesInvoiceHeadersV2) {
      expect((invoiceLinesByNumber.get(str(header, 'InvoiceNumber')) ?? []).length).toBeGreaterThan(0);
    }
  });

  it('has three to five free-text invoices for synchronised customers, lines without a product', () => {
    const freeText = finance.SalesInvoiceHeadersV2.filter((i) => i['SalesOrderNumber'] === null);
    expect(freeText.length).toBeGreaterThanOrEqual(3);
    expect(freeText.length).toBeLessThanOrEqual(5);
    for (const invoice of freeText) {
      expect(synced).toContain(str(invoice, 'InvoiceCustomerAccountNumber'));
      for (const line of invoiceLinesByNumber.get(str(invoice, 'InvoiceNumber')) ?? []) {
        expect(line['ProductNumber']).toBeNull();
        expect(line['LineDescription']).toEqual(expect.any(String));
      }
    }
  });

  it('has about half the order invoices already in Sales, read-only, referencing existing orders', () => {
    const orderInvoices = finance.SalesInvoiceHeadersV2.filter((i) => i['SalesOrderNumber'] !== null);
    expect(sales.invoices.length).toBeGreaterThan(orderInvoices.length * 0.2);
    expect(sales.invoices.length).toBeLessThan(orderInvoices.length * 0.8);
    const financeInvoices = byKey(finance.SalesInvoiceHeadersV2, 'InvoiceNumber');
    const salesLines = groupBy(sales.invoicedetails, '_invoiceid_value');
    for (const invoice of sales.invoices) {
      const source = financeInvoices.get(str(invoice, 'invoicenumber'))!;
      expect(source['SalesOrderNumber']).not.toBeNull();
      const order = salesOrdersById.get(str(invoice, '_salesorderid_value'))!;
      expect(order['ordernumber']).toBe(source['SalesOrderNumber']);
      expect(order['msdynce_processingstatus']).toBe(salesOrderStatus.invoiced);
      expect(invoice).toMatchObject({
        msdynce_ismaintainedexternally: true,
        msdynce_invoicedate: source['InvoiceDate'],
        totalamount: source['TotalInvoiceAmount'],
        totaltax: source['TotalTaxAmount'],
        _customerid_value: order['_customerid_value'],
      });
      const lines = salesLines.get(str(invoice, 'invoiceid')) ?? [];
      const financeLines = invoiceLinesByNumber.get(str(invoice, 'invoicenumber')) ?? [];
      expect(
        lines.map((l) => [
          l['sequencenumber'],
          l['quantity'],
          l['priceperunit'],
          l['manualdiscountamount'],
          l['tax'],
          l['msdynce_invoicenumber'],
        ]),
      ).toEqual(
        financeLines.map((l) => [
          l['LineCreationSequenceNumber'],
          l['InvoicedQuantity'],
          l['SalesPrice'],
          l['LineTotalDiscountAmount'],
          l['LineTotalTaxAmount'],
          l['InvoiceNumber'],
        ]),
      );
      for (const line of lines) expect(line['_productid_value']).toEqual(expect.any(String));
    }
  });

  it('recomposes the 10.00 discount on the invoice of the rounding example, which Sales already has', () => {
    const recomposed = sales.invoicedetails.filter(
      (l) => same(str(l, 'quantity'), '3') && l['manualdiscountamount'] === '10.00',
    );
    expect(recomposed.length).toBeGreaterThan(0);
  });
});
