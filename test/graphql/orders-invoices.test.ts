/**
 * Front-end apps read sales orders and invoices the way they read quotes: one record joining the Sales row
 * and the Finance row with the same number, lines paired by line number, each side's raw row, the
 * relations between them (quote → orders → invoices, account → orders and invoices) and the sync state.
 * Over real HTTP to the hub and from the hub to both simulators; values are checked field by field
 * against the seeded rows.
 */
import * as graphql from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import type * as Finance from '../../src/connectors/finance/types.js';
import { salesOrderStatus } from '../../src/connectors/sales/types.js';
import type * as Sales from '../../src/connectors/sales/types.js';
import type * as Generated from '../../src/generated/resolvers-types.js';
import { operationCost } from '../../src/graphql/cost.js';
import { createSchema } from '../../src/graphql/schema.js';
import type { Row } from '../../src/simulators/core/model.js';
import { recomposeLineDiscount } from '../../src/sync/money.js';
import { resetSystems, startTestHub, type TestHub } from '../support/hub.js';

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub({ accounts: 60 });
});
afterAll(() => hub.close());
beforeEach(() => resetSystems(hub));

const orderQuery = /* GraphQL */ `
  query Order($number: String!) {
    order(orderNumber: $number) {
      orderNumber
      name
      status
      financeStatus
      currency
      requestedDeliveryBy
      totalAmount
      shipTo {
        line1
        city
        stateOrProvince
        postalCode
        country
      }
      account {
        accountNumber
      }
      quote {
        quoteNumber
      }
      lines {
        lineNumber
        productNumber
        description
        quantity
        unitPrice
        discount
        roundingCharge
        amount
        unit
        isWriteIn
        status
        product {
          productNumber
        }
        sales {
          salesorderdetailid
          manualdiscountamount
        }
        finance {
          LineCreationSequenceNumber
          LineDiscountAmount
          SalesOrderLineStatus
        }
      }
      invoices {
        invoiceNumber
        isFreeText
        totalAmount
        order {
          orderNumber
        }
        sales {
          invoiceid
        }
        finance {
          InvoiceNumber
        }
        lines {
          lineNumber
          productNumber
          quantity
          discount
          amount
          sales {
            invoicedetailid
          }
          finance {
            LineTotalDiscountAmount
          }
        }
      }
      sales {
        salesorderid
        ordernumber
        msdynce_processingstatus
        etag
      }
      finance {
        SalesOrderNumber
        SalesOrderProcessingStatus
        OrderTotalAmount
        dataAreaId
      }
      sync {
        state
        drift {
          field
          sales
          finance
        }
      }
    }
  }
`;

const invoiceQuery = /* GraphQL */ `
  query Invoice($number: String!) {
    invoice(invoiceNumber: $number) {
      invoiceNumber
      invoiceDate
      isFreeText
      order {
        orderNumber
      }
      account {
        accountNumber
      }
      currency
      billTo {
        line1
        city
        country
      }
      totalAmount
      taxTotal
      discountTotal
      chargesTotal
      lines {
        lineNumber
        productNumber
        description
        quantity
        unitPrice
        discount
        tax
        amount
        unit
        product {
          productNumber
        }
        sales {
          invoicedetailid
        }
        finance {
          LineCreationSequenceNumber
        }
      }
      sales {
        invoiceid
      }
      finance {
        InvoiceNumber
        dataAreaId
      }
      sync {
        state
        drift {
          field
          sales
          finance
        }
      }
    }
  }
`;

/** Each Sales processing status as the `OrderStatus` enum spells it. */
const statusOf: Record<number, string> = {
  [salesOrderStatus.draft]: 'DRAFT',
  [salesOrderStatus.active]: 'ACTIVE',
  [salesOrderStatus.confirmed]: 'CONFIRMED',
  [salesOrderStatus.packingSlip]: 'PACKING_SLIP',
  [salesOrderStatus.invoiced]: 'INVOICED',
  [salesOrderStatus.picked]: 'PICKED',
  [salesOrderStatus.partiallyPicked]: 'PARTIALLY_PICKED',
  [salesOrderStatus.partiallyPacked]: 'PARTIALLY_PACKED',
  [salesOrderStatus.shipped]: 'SHIPPED',
  [salesOrderStatus.partiallyShipped]: 'PARTIALLY_SHIPPED',
  [salesOrderStatus.partiallyInvoiced]: 'PARTIALLY_INVOICED',
  [salesOrderStatus.cancelled]: 'CANCELLED',
};

function seeded() {
  const { sales, finance } = hub.simulators.data;
  const usmf = (rows: Row[]) => rows.filter((row) => row['dataAreaId'] === 'usmf');
  const byNumber = (rows: Row[], column: string) => new Map(rows.map((row) => [String(row[column]), row]));
  const financeOrders = byNumber(usmf(finance.SalesOrderHeadersV2), 'SalesOrderNumber');
  const financeInvoices = usmf(finance.SalesInvoiceHeadersV2);
  const accountById = new Map(sales.accounts.map((a) => [a['accountid'], a]));
  const productById = new Map(sales.products.map((p) => [p['productid'], p]));
  const currencyById = new Map(
    sales.transactioncurrencies.map((c) => [c['transactioncurrencyid'], c['isocurrencycode']]),
  );
  const numberedOrders = sales.salesorders.filter((o) => o['ordernumber']);
  const orderLinesOf = (id: unknown) =>
    sales.salesorderdetails
      .filter((l) => l['_salesorderid_value'] === id)
      .sort((a, b) => Number(a['sequencenumber']) - Number(b['sequencenumber']));
  const financeOrderLinesOf = (number: string) =>
    usmf(finance.SalesOrderLines).filter((l) => l['SalesOrderNumber'] === number);
  const roundingChargeOf = (number: string, line: unknown) =>
    usmf(finance.SalesOrderLineCharges).find(
      (c) =>
        c['SalesOrderNumber'] === number &&
        c['LineCreationSequenceNumber'] === line &&
        c['SalesChargeCode'] === 'DISC-RND',
    )?.['FixedChargeAmount'] ?? null;
  const salesInvoiceByNumber = byNumber(sales.invoices, 'invoicenumber');
  const financeInvoiceLinesOf = (number: string) =>
    usmf(finance.SalesInvoiceLinesV2).filter((l) => l['InvoiceNumber'] === number);
  const salesInvoiceLinesOf = (id: unknown) =>
    sales.invoicedetails.filter((l) => l['_invoiceid_value'] === id);
  /** The invoice numbers of both systems for which `finance` or `sales` holds, in invoice-number order. */
  const invoiceNumbers = (finance: (row: Row) => boolean, sales: (row: Row) => boolean) =>
    [
      ...new Set([
        ...financeInvoices.filter(finance).map((i) => String(i['InvoiceNumber'])),
        ...hub.simulators.data.sales.invoices.filter(sales).map((i) => String(i['invoicenumber'])),
      ]),
    ].sort();
  return {
    sales,
    finance,
    financeOrders,
    financeInvoices,
    accountById,
    productById,
    currencyById,
    numberedOrders,
    orderLinesOf,
    financeOrderLinesOf,
    roundingChargeOf,
    salesInvoiceByNumber,
    financeInvoiceLinesOf,
    salesInvoiceLinesOf,
    invoiceNumbers,
  };
}

/** The seeded order with the 10.00 discount on quantity 3, which Finance holds as 3.33 a unit and −0.01. */
function discountExample(s: ReturnType<typeof seeded>) {
  const line = s.sales.salesorderdetails.find(
    (l) => l['manualdiscountamount'] === '10.00' && Number(l['quantity']) === 3,
  )!;
  expect(line).toBeDefined();
  const order = s.sales.salesorders.find((o) => o['salesorderid'] === line['_salesorderid_value'])!;
  return { line, order, number: String(order['ordernumber']) };
}

describe('the unified raw rows', () => {
  it('expose exactly the connector row columns (checked by tsc)', () => {
    type Columns<T> = Exclude<keyof T, '__typename'>;
    expectTypeOf<Columns<Generated.SalesOrder>>().toEqualTypeOf<keyof Sales.SalesOrder>();
    expectTypeOf<Columns<Generated.SalesOrderLine>>().toEqualTypeOf<keyof Sales.SalesOrderLine>();
    expectTypeOf<Columns<Generated.SalesInvoice>>().toEqualTypeOf<keyof Sales.SalesInvoice>();
    expectTypeOf<Columns<Generated.SalesInvoiceLine>>().toEqualTypeOf<keyof Sales.SalesInvoiceLine>();
    expectTypeOf<Columns<Generated.FinanceSalesOrder>>().toEqualTypeOf<keyof Finance.FinanceOrderHeader>();
    expectTypeOf<Columns<Generated.FinanceSalesOrderLine>>().toEqualTypeOf<keyof Finance.FinanceOrderLine>();
    expectTypeOf<Columns<Generated.FinanceSalesInvoice>>().toEqualTypeOf<
      keyof Finance.FinanceInvoiceHeader
    >();
    expectTypeOf<Columns<Generated.FinanceSalesInvoiceLine>>().toEqualTypeOf<
      keyof Finance.FinanceInvoiceLine
    >();
  });
});

describe('the cost of orders and invoices', () => {
  it("counts an account's orders and invoices by their `first`, an order's lines and invoices by the data", () => {
    const schema = createSchema();
    const document = graphql.parse(`{
      accounts(first: 10) {
        nodes {
          orders(first: 3) { lines { product { name } } invoices { lines { product { name } } } }
          invoices { order { name } }
        }
      }
    }`);
    expect(graphql.validate(schema, document)).toEqual([]);
    const cost = operationCost(schema, document, graphql.getOperationAST(document)!, {});
    // accounts 1, nodes 10, orders 10 × 3 with their lines, products, invoices, invoice lines and their
    // products (30 each), invoices 10 × the default 50 each with its order (500).
    expect(cost).toBe(1 + 10 + 10 + 30 + 30 + 30 + 30 + 30 + 10 + 500);
  });
});

describe('the unified order', () => {
  it('comes back invoiced, with its lines, Finance order, invoice and invoice lines, all as seeded', async () => {
    const s = seeded();
    const { order, number } = discountExample(s);
    const financeOrder = s.financeOrders.get(number)!;
    const account = s.accountById.get(order['_customerid_value'])!;
    const { data, errors } = await hub.graphql(orderQuery, { number });
    expect(errors).toBeUndefined();
    const got = data.order;
    expect(got).toMatchObject({
      orderNumber: number,
      name: order['name'],
      status: 'INVOICED',
      financeStatus: 'Invoiced',
      currency: s.currencyById.get(order['_transactioncurrencyid_value']),
      requestedDeliveryBy: order['requestdeliveryby'],
      totalAmount: order['totalamount'],
      account: { accountNumber: account['accountnumber'] },
      quote: null,
      sync: { state: 'IN_SYNC', drift: [] },
      sales: {
        salesorderid: order['salesorderid'],
        ordernumber: number,
        msdynce_processingstatus: salesOrderStatus.invoiced,
      },
      finance: {
        SalesOrderNumber: number,
        SalesOrderProcessingStatus: 'Invoiced',
        OrderTotalAmount: financeOrder['OrderTotalAmount'],
        dataAreaId: 'usmf',
      },
    });
    expect(got.shipTo).toMatchObject({ line1: order['shipto_line1'], city: order['shipto_city'] });

    const lines = s.orderLinesOf(order['salesorderid']);
    const financeLines = s.financeOrderLinesOf(number);
    expect(got.lines.map((l: { lineNumber: number }) => l.lineNumber)).toEqual(
      lines.map((l) => l['sequencenumber']),
    );
    got.lines.forEach((line: Record<string, any>, i: number) => {
      const seededLine = lines[i]!;
      const financeLine = financeLines.find(
        (l) => l['LineCreationSequenceNumber'] === seededLine['sequencenumber'],
      )!;
      const product = s.productById.get(seededLine['_productid_value']);
      expect(line).toMatchObject({
        quantity: seededLine['quantity'],
        unitPrice: seededLine['priceperunit'],
        discount: seededLine['manualdiscountamount'],
        amount: seededLine['extendedamount'],
        isWriteIn: false,
        status: financeLine['SalesOrderLineStatus'],
        productNumber: product?.['productnumber'],
        product: { productNumber: product?.['productnumber'] },
        sales: { salesorderdetailid: seededLine['salesorderdetailid'] },
        finance: {
          LineCreationSequenceNumber: seededLine['sequencenumber'],
          LineDiscountAmount: financeLine['LineDiscountAmount'],
        },
        roundingCharge: s.roundingChargeOf(number, seededLine['sequencenumber']),
      });
    });

    const invoiceNumbers = s.invoiceNumbers(
      (i) => i['SalesOrderNumber'] === number,
      (i) => i['_salesorderid_value'] === order['salesorderid'],
    );
    expect(invoiceNumbers.length).toBeGreaterThan(0);
    expect(got.invoices.map((i: { invoiceNumber: string }) => i.invoiceNumber)).toEqual(invoiceNumbers);
    for (const invoice of got.invoices) {
      const financeInvoice = s.financeInvoices.find((i) => i['InvoiceNumber'] === invoice.invoiceNumber)!;
      const salesInvoice = s.salesInvoiceByNumber.get(invoice.invoiceNumber);
      expect(invoice).toMatchObject({
        isFreeText: false,
        totalAmount: financeInvoice['TotalInvoiceAmount'],
        order: { orderNumber: number },
        finance: { InvoiceNumber: invoice.invoiceNumber },
        sales: salesInvoice ? { invoiceid: salesInvoice['invoiceid'] } : null,
      });
      const financeInvoiceLines = s.financeInvoiceLinesOf(invoice.invoiceNumber);
      expect(invoice.lines.map((l: { lineNumber: number }) => l.lineNumber)).toEqual(
        financeInvoiceLines.map((l) => l['LineCreationSequenceNumber']).sort(),
      );
    }
  });

  it('shows the 10.00 discount on quantity 3 as 10.00 in Sales, and as 3.33 a unit and −0.01 in Finance', async () => {
    const s = seeded();
    const { line, number } = discountExample(s);
    const { data, errors } = await hub.graphql(orderQuery, { number });
    expect(errors).toBeUndefined();
    const got = data.order.lines.find((l: { lineNumber: number }) => l.lineNumber === line['sequencenumber']);
    expect(got).toMatchObject({
      quantity: '3',
      discount: '10.00',
      roundingCharge: '-0.01',
      sales: { manualdiscountamount: '10.00' },
      finance: { LineDiscountAmount: '3.33' },
    });
    // The invoice carries the line's whole discount again, in both systems.
    const invoiceLine = data.order.invoices[0].lines.find(
      (l: { lineNumber: number }) => l.lineNumber === line['sequencenumber'],
    );
    expect(invoiceLine).toMatchObject({ discount: '10.00', finance: { LineTotalDiscountAmount: '10.00' } });
    expect(invoiceLine.sales).not.toBeNull();
  });

  it('recomposes the Sales discount of a line only in Finance: 3.33 × 3 − (−0.01) = 10.00', async () => {
    const s = seeded();
    const { line, number } = discountExample(s);
    const store = hub.simulators.sales.store;
    const key: Row = { salesorderdetailid: line['salesorderdetailid']! };
    const removed = await store.transaction(() => store.remove('salesorderdetails', key));
    try {
      const { data, errors } = await hub.graphql(orderQuery, { number });
      expect(errors).toBeUndefined();
      const got = data.order.lines.find(
        (l: { lineNumber: number }) => l.lineNumber === line['sequencenumber'],
      );
      expect(got).toMatchObject({
        sales: null,
        quantity: '3',
        discount: recomposeLineDiscount('3.33', '3', '-0.01'),
        roundingCharge: '-0.01',
        isWriteIn: false,
      });
      expect(got.discount).toBe('10.00');
    } finally {
      await store.transaction(() => store.insert('salesorderdetails', removed));
    }
  });

  it('is read from Finance for an order only in Finance', async () => {
    const s = seeded();
    const [number, financeOrder] = [...s.financeOrders].find(
      ([n]) => !s.sales.salesorders.some((o) => o['ordernumber'] === n),
    )!;
    const { data, errors } = await hub.graphql(orderQuery, { number });
    expect(errors).toBeUndefined();
    expect(data.order).toMatchObject({
      orderNumber: number,
      name: financeOrder['SalesOrderName'],
      status: null,
      financeStatus: financeOrder['SalesOrderProcessingStatus'],
      currency: financeOrder['CurrencyCode'],
      totalAmount: financeOrder['OrderTotalAmount'],
      account: { accountNumber: financeOrder['OrderingCustomerAccountNumber'] },
      shipTo: { city: financeOrder['DeliveryAddressCity'] },
      quote: null,
      sales: null,
      sync: { state: 'FINANCE_ONLY', drift: [] },
    });
    const financeLines = s.financeOrderLinesOf(number);
    expect(data.order.lines).toHaveLength(financeLines.length);
    data.order.lines.forEach((line: Record<string, any>) => {
      const financeLine = financeLines.find((l) => l['LineCreationSequenceNumber'] === line.lineNumber)!;
      const rounding = s.roundingChargeOf(number, line.lineNumber) as string | null;
      expect(line).toMatchObject({
        sales: null,
        productNumber: financeLine['ItemNumber'],
        quantity: financeLine['OrderedSalesQuantity'],
        unitPrice: financeLine['SalesPrice'],
        amount: financeLine['LineAmount'],
        status: financeLine['SalesOrderLineStatus'],
        discount: recomposeLineDiscount(
          String(financeLine['LineDiscountAmount']),
          String(financeLine['OrderedSalesQuantity']),
          rounding,
        ),
      });
    });
  });

  it('shows SALES_ONLY for a draft order, which the orders flow does not sync', async () => {
    const s = seeded();
    const draft = s.numberedOrders.find(
      (o) =>
        o['msdynce_processingstatus'] === salesOrderStatus.draft &&
        !s.financeOrders.has(String(o['ordernumber'])),
    )!;
    const { data, errors } = await hub.graphql(orderQuery, { number: draft['ordernumber'] });
    expect(errors).toBeUndefined();
    expect(data.order).toMatchObject({
      status: 'DRAFT',
      financeStatus: null,
      finance: null,
      invoices: [],
      sync: { state: 'SALES_ONLY', drift: [] },
    });
    expect(
      data.order.lines.every((l: { finance: unknown; status: unknown }) => !l.finance && !l.status),
    ).toBe(true);
  });

  it('names the quote it was converted from, and the quote lists its orders', async () => {
    const s = seeded();
    const converted = s.numberedOrders.find((o) => o['_quoteid_value'])!;
    const quote = s.sales.quotes.find((q) => q['quoteid'] === converted['_quoteid_value'])!;
    const expected = s.numberedOrders
      .filter((o) => o['_quoteid_value'] === quote['quoteid'])
      .map((o) => o['ordernumber'])
      .sort();
    const { data, errors } = await hub.graphql(
      `query($o: String!, $q: String!) {
        order(orderNumber: $o) { quote { quoteNumber orders { orderNumber } } }
        quote(quoteNumber: $q) { orders { orderNumber quote { quoteNumber } } }
      }`,
      { o: converted['ordernumber'], q: quote['quotenumber'] },
    );
    expect(errors).toBeUndefined();
    expect(data.order.quote.quoteNumber).toBe(quote['quotenumber']);
    expect(data.order.quote.orders.map((o: { orderNumber: string }) => o.orderNumber)).toEqual(expected);
    expect(data.quote.orders.map((o: { orderNumber: string }) => o.orderNumber)).toEqual(expected);
    expect(data.quote.orders.every((o: any) => o.quote.quoteNumber === quote['quotenumber'])).toBe(true);
  });

  it("lists the drifted header field with both values when Finance's order name differs", async () => {
    const s = seeded();
    const { order, number } = discountExample(s);
    const store = hub.simulators.finance.store;
    const key = { dataAreaId: 'usmf', SalesOrderNumber: number };
    const name = store.get('SalesOrderHeadersV2', key)!['SalesOrderName'] ?? null;
    await store.transaction(() =>
      store.update('SalesOrderHeadersV2', key, { SalesOrderName: 'Renamed in Finance' }),
    );
    try {
      const { data, errors } = await hub.graphql(orderQuery, { number });
      expect(errors).toBeUndefined();
      expect(data.order.sync).toEqual({
        state: 'DRIFTED',
        drift: [{ field: 'name', sales: order['name'], finance: 'Renamed in Finance' }],
      });
    } finally {
      await store.transaction(() => store.update('SalesOrderHeadersV2', key, { SalesOrderName: name }));
    }
  });

  it("lists a line's drifted field under its line number, and a line missing in Finance", async () => {
    const s = seeded();
    const { line, number } = discountExample(s);
    const store = hub.simulators.finance.store;
    const financeLine = s
      .financeOrderLinesOf(number)
      .find((l) => l['LineCreationSequenceNumber'] === line['sequencenumber'])!;
    const key: Row = { dataAreaId: 'usmf', InventoryLotId: financeLine['InventoryLotId']! };
    // Rows are live: keep the value itself, not the row, to put it back.
    const quantity = financeLine['OrderedSalesQuantity'] ?? null;
    await store.transaction(() => store.update('SalesOrderLines', key, { OrderedSalesQuantity: '4' }));
    try {
      const { data, errors } = await hub.graphql(orderQuery, { number });
      expect(errors).toBeUndefined();
      expect(data.order.sync).toEqual({
        state: 'DRIFTED',
        drift: [{ field: `lines[${String(line['sequencenumber'])}].quantity`, sales: '3', finance: '4' }],
      });
      const removed = await store.transaction(() => store.remove('SalesOrderLines', key));
      try {
        const again = await hub.graphql(orderQuery, { number });
        expect(again.data.order.sync).toEqual({
          state: 'DRIFTED',
          drift: [{ field: `lines[${String(line['sequencenumber'])}]`, sales: '1', finance: null }],
        });
      } finally {
        await store.transaction(() => store.insert('SalesOrderLines', removed));
      }
    } finally {
      await store.transaction(() =>
        store.update('SalesOrderLines', key, {
          OrderedSalesQuantity: quantity,
        }),
      );
    }
  });

  it('is null for an order number nobody has', async () => {
    const { data, errors } = await hub.graphql(orderQuery, { number: 'ORD-NOBODY' });
    expect(errors).toBeUndefined();
    expect(data.order).toBeNull();
  });
});

describe('the unified invoice', () => {
  it("comes back from Finance with the read-only Sales invoice and both systems' lines", async () => {
    const s = seeded();
    const financeInvoice = s.financeInvoices.find(
      (i) => i['SalesOrderNumber'] && s.salesInvoiceByNumber.has(String(i['InvoiceNumber'])),
    )!;
    const number = String(financeInvoice['InvoiceNumber']);
    const salesInvoice = s.salesInvoiceByNumber.get(number)!;
    const { data, errors } = await hub.graphql(invoiceQuery, { number });
    expect(errors).toBeUndefined();
    expect(data.invoice).toMatchObject({
      invoiceNumber: number,
      invoiceDate: financeInvoice['InvoiceDate'],
      isFreeText: false,
      order: { orderNumber: financeInvoice['SalesOrderNumber'] },
      account: { accountNumber: financeInvoice['InvoiceCustomerAccountNumber'] },
      currency: financeInvoice['CurrencyCode'],
      billTo: {
        line1: financeInvoice['InvoiceAddressStreet'],
        city: financeInvoice['InvoiceAddressCity'],
        country: financeInvoice['InvoiceAddressCountryRegionISOCode'],
      },
      totalAmount: financeInvoice['TotalInvoiceAmount'],
      taxTotal: financeInvoice['TotalTaxAmount'],
      discountTotal: financeInvoice['TotalDiscountAmount'],
      chargesTotal: financeInvoice['TotalChargeAmount'],
      sales: { invoiceid: salesInvoice['invoiceid'] },
      finance: { InvoiceNumber: number, dataAreaId: 'usmf' },
      sync: { state: 'IN_SYNC', drift: [] },
    });
    const financeLines = s.financeInvoiceLinesOf(number);
    const salesLines = s.salesInvoiceLinesOf(salesInvoice['invoiceid']);
    const lineNumbers = [
      ...new Set([
        ...financeLines.map((l) => Number(l['LineCreationSequenceNumber'])),
        ...salesLines.map((l) => Number(l['sequencenumber'])),
      ]),
    ].sort((a, b) => a - b);
    expect(data.invoice.lines.map((l: { lineNumber: number }) => l.lineNumber)).toEqual(lineNumbers);
    for (const line of data.invoice.lines) {
      const financeLine = financeLines.find((l) => l['LineCreationSequenceNumber'] === line.lineNumber);
      const salesLine = salesLines.find((l) => l['sequencenumber'] === line.lineNumber);
      expect(line.sales?.invoicedetailid ?? null).toBe(salesLine?.['invoicedetailid'] ?? null);
      if (!financeLine) continue;
      expect(line).toMatchObject({
        productNumber: financeLine['ProductNumber'],
        quantity: financeLine['InvoicedQuantity'],
        unitPrice: financeLine['SalesPrice'],
        discount: financeLine['LineTotalDiscountAmount'],
        tax: financeLine['LineTotalTaxAmount'],
        amount: financeLine['LineAmount'],
        unit: financeLine['SalesUnitSymbol'],
        product: { productNumber: financeLine['ProductNumber'] },
      });
    }
  });

  it('is a free-text invoice without an order, its lines without products', async () => {
    const s = seeded();
    const freeText = s.financeInvoices.find((i) => !i['SalesOrderNumber'])!;
    const number = String(freeText['InvoiceNumber']);
    const { data, errors } = await hub.graphql(invoiceQuery, { number });
    expect(errors).toBeUndefined();
    expect(data.invoice).toMatchObject({
      invoiceNumber: number,
      isFreeText: true,
      order: null,
      account: { accountNumber: freeText['InvoiceCustomerAccountNumber'] },
      totalAmount: freeText['TotalInvoiceAmount'],
    });
    const lines = s.financeInvoiceLinesOf(number);
    expect(data.invoice.lines).toHaveLength(lines.length);
    for (const line of data.invoice.lines) {
      const seededLine = lines.find((l) => l['LineCreationSequenceNumber'] === line.lineNumber)!;
      expect(line).toMatchObject({
        productNumber: null,
        product: null,
        description: seededLine['LineDescription'],
        amount: seededLine['LineAmount'],
      });
    }
    // The invoices flow leaves free-text invoices out unless configured: this one is in Finance only.
    if (!s.salesInvoiceByNumber.has(number))
      expect(data.invoice).toMatchObject({ sales: null, sync: { state: 'FINANCE_ONLY' } });
  });

  it('is null for an invoice number nobody has', async () => {
    const { data, errors } = await hub.graphql(invoiceQuery, { number: 'INV-NOBODY' });
    expect(errors).toBeUndefined();
    expect(data.invoice).toBeNull();
  });
});

describe("an account's orders and invoices", () => {
  it("lists the account's Sales orders and both systems' invoices, by number", async () => {
    const s = seeded();
    const account = s.sales.accounts.find(
      (a) =>
        s.numberedOrders.filter((o) => o['_customerid_value'] === a['accountid']).length > 0 &&
        s.financeInvoices.some((i) => i['InvoiceCustomerAccountNumber'] === a['accountnumber']),
    )!;
    expect(account).toBeDefined();
    const number = String(account['accountnumber']);
    const orders = s.numberedOrders
      .filter((o) => o['_customerid_value'] === account['accountid'])
      .map((o) => o['ordernumber'])
      .sort();
    const invoices = s.invoiceNumbers(
      (i) => i['InvoiceCustomerAccountNumber'] === number,
      (i) => i['_customerid_value'] === account['accountid'],
    );
    const { data, errors } = await hub.graphql(
      `query($n: String!) { account(accountNumber: $n) {
        orders { orderNumber account { accountNumber } }
        invoices { invoiceNumber account { accountNumber } }
        first: orders(first: 1) { orderNumber }
      } }`,
      { n: number },
    );
    expect(errors).toBeUndefined();
    expect(data.account.orders.map((o: { orderNumber: string }) => o.orderNumber)).toEqual(orders);
    expect(data.account.invoices.map((i: { invoiceNumber: string }) => i.invoiceNumber)).toEqual(invoices);
    expect(data.account.first.map((o: { orderNumber: string }) => o.orderNumber)).toEqual(orders.slice(0, 1));
    for (const record of [...data.account.orders, ...data.account.invoices])
      expect(record.account.accountNumber).toBe(number);
  });
});

describe('order and invoice listings', () => {
  async function walk(
    field: 'orders' | 'invoices',
    key: 'orderNumber' | 'invoiceNumber',
    first: number,
    filter?: Record<string, unknown>,
  ): Promise<string[]> {
    const type = field === 'orders' ? 'OrderFilter' : 'InvoiceFilter';
    const query = `query($first: Int, $after: String, $filter: ${type}) {
      ${field}(first: $first, after: $after, filter: $filter) {
        edges { cursor node { ${key} } }
        nodes { ${key} }
        pageInfo { hasNextPage endCursor }
      }
    }`;
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 100; page++) {
      const { data, errors }: { data?: any; errors?: unknown } = await hub.graphql(query, {
        first,
        after,
        filter,
      });
      expect(errors).toBeUndefined();
      const connection: {
        edges: { node: Record<string, string> }[];
        nodes: Record<string, string>[];
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
      } = data[field];
      expect(connection.nodes).toEqual(connection.edges.map((e) => e.node));
      seen.push(...connection.nodes.map((n) => n[key]!));
      if (!connection.pageInfo.hasNextPage) return seen;
      after = connection.pageInfo.endCursor;
    }
    throw new Error('did not reach the last page');
  }

  it('walks every numbered Sales order once, in order-number order, one Sales request per page', async () => {
    const s = seeded();
    const expected = s.numberedOrders.map((o) => String(o['ordernumber'])).sort();
    expect(await walk('orders', 'orderNumber', 4)).toEqual(expected);
    expect(hub.simulators.sales.log.httpRequests({ method: 'GET', entitySet: 'salesorders' })).toBe(
      Math.ceil(expected.length / 4),
    );
  });

  it('walks every Finance invoice of the company once, free-text invoices included', async () => {
    const s = seeded();
    const expected = s.financeInvoices.map((i) => String(i['InvoiceNumber'])).sort();
    expect(await walk('invoices', 'invoiceNumber', 3)).toEqual(expected);
    expect(
      hub.simulators.finance.log.httpRequests({ method: 'GET', entitySet: 'SalesInvoiceHeadersV2' }),
    ).toBe(Math.ceil(expected.length / 3));
  });

  it.each(Object.entries(statusOf))('filters orders by status %s (%s)', async (value, status) => {
    const s = seeded();
    const expected = s.numberedOrders
      .filter((o) => o['msdynce_processingstatus'] === Number(value))
      .map((o) => String(o['ordernumber']))
      .sort();
    expect(await walk('orders', 'orderNumber', 50, { status })).toEqual(expected);
  });

  it('filters orders by account number and by name', async () => {
    const s = seeded();
    const order = s.numberedOrders.find((o) => s.accountById.get(o['_customerid_value'])?.['accountnumber'])!;
    const account = s.accountById.get(order['_customerid_value'])!;
    const expected = s.numberedOrders
      .filter((o) => o['_customerid_value'] === account['accountid'])
      .map((o) => String(o['ordernumber']))
      .sort();
    expect(await walk('orders', 'orderNumber', 50, { accountNumber: account['accountnumber'] })).toEqual(
      expected,
    );
    expect(await walk('orders', 'orderNumber', 50, { accountNumber: 'ACC-NOBODY' })).toEqual([]);
    const word = String(order['name']).split(' ')[0]!;
    const named = await walk('orders', 'orderNumber', 50, { nameStartsWith: word });
    expect(named).toContain(order['ordernumber']);
    expect(named).toEqual(
      s.numberedOrders
        .filter((o) => String(o['name']).toLowerCase().startsWith(word.toLowerCase()))
        .map((o) => String(o['ordernumber']))
        .sort(),
    );
  });

  it('filters invoices by free text, account number and order number', async () => {
    const s = seeded();
    const numbers = (rows: Row[]) => rows.map((i) => String(i['InvoiceNumber'])).sort();
    expect(await walk('invoices', 'invoiceNumber', 50, { isFreeText: true })).toEqual(
      numbers(s.financeInvoices.filter((i) => !i['SalesOrderNumber'])),
    );
    expect(await walk('invoices', 'invoiceNumber', 50, { isFreeText: false })).toEqual(
      numbers(s.financeInvoices.filter((i) => i['SalesOrderNumber'])),
    );
    const invoice = s.financeInvoices.find((i) => i['SalesOrderNumber'])!;
    expect(
      await walk('invoices', 'invoiceNumber', 50, { accountNumber: invoice['InvoiceCustomerAccountNumber'] }),
    ).toEqual(
      numbers(
        s.financeInvoices.filter(
          (i) => i['InvoiceCustomerAccountNumber'] === invoice['InvoiceCustomerAccountNumber'],
        ),
      ),
    );
    expect(await walk('invoices', 'invoiceNumber', 50, { orderNumber: invoice['SalesOrderNumber'] })).toEqual(
      numbers(s.financeInvoices.filter((i) => i['SalesOrderNumber'] === invoice['SalesOrderNumber'])),
    );
  });

  it("refuses another listing's cursor with BAD_USER_INPUT", async () => {
    const first = await hub.graphql(`{ orders(first: 1) { pageInfo { endCursor } } }`);
    const { errors } = await hub.graphql(
      `query($after: String) { invoices(after: $after) { nodes { invoiceNumber } } }`,
      {
        after: first.data.orders.pageInfo.endCursor,
      },
    );
    expect(errors?.[0]).toMatchObject({
      message: expect.stringContaining('not a cursor of the invoices listing'),
      extensions: { code: 'BAD_USER_INPUT', argument: 'after' },
    });
  });
});

describe('an order entered in Finance', () => {
  // Last in the file: the sync it runs brings the seed's order entered in Finance into Sales.
  it('is in both systems once the order status flow has run, read as one order', async () => {
    const s = seeded();
    const [number, financeOrder] = [...s.financeOrders].find(
      ([n]) => !s.sales.salesorders.some((o) => o['ordernumber'] === n),
    )!;
    const started = await hub.graphql(
      `mutation { startSync(input: { flows: [ORDER_STATUS], mode: FULL }) { id } }`,
    );
    expect(started.errors).toBeUndefined();
    let status = 'QUEUED';
    while (status === 'QUEUED' || status === 'RUNNING') {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const run = await hub.graphql(`query($id: ID!) { syncRun(id: $id) { status } }`, {
        id: started.data.startSync.id,
      });
      status = run.data.syncRun.status;
    }
    expect(status).toBe('SUCCEEDED');

    const { data, errors } = await hub.graphql(orderQuery, { number });
    expect(errors).toBeUndefined();
    expect(data.order).toMatchObject({
      orderNumber: number,
      name: financeOrder['SalesOrderName'],
      status: 'CONFIRMED',
      financeStatus: 'Confirmed',
      currency: financeOrder['CurrencyCode'],
      totalAmount: financeOrder['OrderTotalAmount'],
      account: { accountNumber: financeOrder['OrderingCustomerAccountNumber'] },
      shipTo: { city: financeOrder['DeliveryAddressCity'] },
    });
    expect(data.order.sales).not.toBeNull();
    const financeLines = s.financeOrderLinesOf(number);
    expect(data.order.lines).toHaveLength(financeLines.length);
    for (const line of data.order.lines) {
      const financeLine = financeLines.find((l) => l['LineCreationSequenceNumber'] === line.lineNumber)!;
      expect(line.sales).not.toBeNull();
      expect(line).toMatchObject({
        product: { productNumber: financeLine['ItemNumber'] },
        quantity: financeLine['OrderedSalesQuantity'],
        unitPrice: financeLine['SalesPrice'],
        isWriteIn: false,
      });
    }
  });
});
