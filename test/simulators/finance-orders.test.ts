/**
 * The Finance simulator's sales orders and invoices, on the wire: Finance computes line amounts (per-unit
 * discount), 8 % line tax and the order totals at every change; only posting moves an order's status;
 * invoices are posted, folding line charges into their lines, and are never written over OData.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BatchRequest,
  decodeBatchResponse,
  encodeBatchRequest,
} from '../../src/connectors/odata/multipart.js';
import { financeEntities } from '../../src/connectors/finance/entities.js';
import type { Row } from '../../src/simulators/core/model.js';
import {
  CustomersV3,
  financeEntitySets,
  SalesInvoiceHeadersV2,
  SalesOrderHeadersV2,
  SalesOrderLines,
  SalesQuotationHeadersV2,
  SalesQuotationLines,
  SellableReleasedProducts,
} from '../../src/simulators/finance/entities.js';
import { createFinanceSimulator, type FinanceSimulator } from '../../src/simulators/finance/index.js';
import { orderLineAmounts, orderTotals, round2 } from '../../src/simulators/finance/orders.js';
import { financeData, rowOf } from '../support/fixtures.js';
import { call, tokenFor, type WireResponse } from '../support/wire.js';

const now = new Date('2026-12-07T15:30:00Z');

/** The wire fixtures plus a 20.00 item, a customer mastered in Finance, and numbering already in use. */
function data(): Record<string, Row[]> {
  const base = financeData(3);
  return {
    ...base,
    CustomersV3: [
      ...base['CustomersV3']!,
      rowOf(CustomersV3, {
        dataAreaId: 'usmf',
        CustomerAccount: 'FIN-LOCAL',
        OrganizationName: 'Local Ltd',
        CustomerGroupId: '10',
        CreditLimit: '0',
        SalesCurrencyCode: 'USD',
        DeliveryAddressStreet: '1 Dock Rd',
        DeliveryAddressCity: 'Seattle',
        DeliveryAddressState: 'WA',
        DeliveryAddressZipCode: '98101',
        DeliveryAddressCountryRegionISOCode: 'USA',
        IsExternallyMaintained: 'No',
      }),
    ],
    SellableReleasedProducts: [
      ...base['SellableReleasedProducts']!,
      rowOf(SellableReleasedProducts, {
        dataAreaId: 'usmf',
        ProductNumber: 'P20',
        ProductName: 'Cable',
        SalesPrice: '20.00',
        UnitCost: '5',
        SalesUnitSymbol: 'pcs',
        SalesUnitDecimalPrecision: 2,
      }),
    ],
    SalesQuotationHeadersV2: [
      rowOf(SalesQuotationHeadersV2, { dataAreaId: 'usmf', SalesQuotationNumber: 'QUO-OLD' }),
    ],
    SalesQuotationLines: [
      rowOf(SalesQuotationLines, {
        dataAreaId: 'usmf',
        InventoryLotId: '000000050',
        SalesQuotationNumber: 'QUO-OLD',
        LineCreationSequenceNumber: 1,
      }),
    ],
    SalesOrderHeadersV2: [
      rowOf(SalesOrderHeadersV2, {
        dataAreaId: 'usmf',
        SalesOrderNumber: 'ORD-OLD',
        SalesOrderProcessingStatus: 'Invoiced',
      }),
    ],
    SalesOrderLines: [
      rowOf(SalesOrderLines, {
        dataAreaId: 'usmf',
        InventoryLotId: '000000060',
        SalesOrderNumber: 'ORD-OLD',
        LineCreationSequenceNumber: 1,
      }),
    ],
    SalesInvoiceHeadersV2: [
      rowOf(SalesInvoiceHeadersV2, {
        dataAreaId: 'usmf',
        InvoiceNumber: 'CIV-000007',
        SalesOrderNumber: 'ORD-OLD',
        LedgerVoucher: 'ARI-000007',
      }),
    ],
  };
}

let sim: FinanceSimulator;
let token: string;

beforeAll(async () => {
  sim = createFinanceSimulator({ data: data(), now: () => now });
  await sim.listen();
  token = await tokenFor(sim);
});
afterAll(() => sim.close());

const orderUrl = (n: string): string => `SalesOrderHeadersV2(dataAreaId='usmf',SalesOrderNumber='${n}')`;

interface LineSpec {
  seq: number;
  item?: string;
  qty: number | string;
  price?: number | string;
  discount?: number | string;
}

interface OrderSpec {
  customer?: string;
  lines?: LineSpec[];
  headerCharges?: { code: string; amount: number | string; description?: string }[];
  lineCharges?: { seq: number; code: string; amount: number | string }[];
}

const post = (set: string, body: Record<string, unknown>): BatchRequest => ({
  method: 'POST',
  url: `${sim.serviceRoot}${set}`,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
});

/** Creates an order, its lines and its charges in one change set; the statuses of its parts. */
async function createOrder(number: string, spec: OrderSpec = {}): Promise<number[]> {
  const order = { dataAreaId: 'usmf', SalesOrderNumber: number };
  const parts: BatchRequest[] = [
    post('SalesOrderHeadersV2', {
      ...order,
      OrderingCustomerAccountNumber: spec.customer ?? 'ACC-00001',
      RequestedShippingDate: '2026-12-20T00:00:00Z',
    }),
    ...(spec.lines ?? []).map((l) =>
      post('SalesOrderLines', {
        ...order,
        LineCreationSequenceNumber: l.seq,
        ItemNumber: l.item ?? 'P20',
        OrderedSalesQuantity: l.qty,
        ...(l.price !== undefined ? { SalesPrice: l.price } : {}),
        ...(l.discount !== undefined ? { LineDiscountAmount: l.discount } : {}),
      }),
    ),
    ...(spec.headerCharges ?? []).map((c) =>
      post('SalesOrderHeaderCharges', {
        ...order,
        SalesChargeCode: c.code,
        FixedChargeAmount: c.amount,
        ChargeDescription: c.description ?? null,
      }),
    ),
    ...(spec.lineCharges ?? []).map((c) =>
      post('SalesOrderLineCharges', {
        ...order,
        LineCreationSequenceNumber: c.seq,
        SalesChargeCode: c.code,
        FixedChargeAmount: c.amount,
      }),
    ),
  ];
  const boundary = 'batch_orders';
  const response = await fetch(`${sim.serviceRoot}$batch`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': `multipart/mixed; boundary=${boundary}` },
    body: encodeBatchRequest([{ kind: 'changeset', parts }], boundary),
  });
  const items = decodeBatchResponse(await response.text(), response.headers.get('content-type') ?? '');
  return items.flatMap((i) => (i.kind === 'single' ? [i.part.status] : i.parts.map((p) => p.status)));
}

const get = async (path: string): Promise<any> => (await call(sim, token, 'GET', path)).json();

const action = (number: string, body: unknown): Promise<WireResponse> =>
  call(sim, token, 'POST', `${orderUrl(number)}/Microsoft.Dynamics.DataEntities.PostSalesOrder`, { body });

const infolog = (response: WireResponse): string => response.json().error.innererror.message;

it.each([
  'orderHeader',
  'orderLine',
  'orderHeaderCharge',
  'orderLineCharge',
  'invoiceHeader',
  'invoiceLine',
] as const)('serves the %s entity with exactly the connector’s set name, key and columns', (kind) => {
  const { set, key, columns } = financeEntities[kind];
  const def = financeEntitySets.find((d) => d.name === set);
  expect(def?.key).toEqual(key);
  expect(Object.keys(def?.properties ?? {})).toEqual(columns);
});

describe('order arithmetic', () => {
  it.each([
    // quantity, price, per-unit discount → line amount, tax (8 %)
    ['3', '20.00', '3.33', '50.01', '4.00'],
    ['2.5', '10.10', '0.05', '25.13', '2.01'],
    ['1', '199.99', '0', '199.99', '16.00'],
    ['4', '0.10', '0', '0.40', '0.03'],
  ])('%s × (%s − %s) = %s, tax %s', (quantity, price, discountPerUnit, amount, tax) => {
    expect(orderLineAmounts({ quantity, price, discountPerUnit })).toEqual({
      LineAmount: amount,
      LineTotalTaxAmount: tax,
    });
  });

  it.each([
    ['0.125', '0.13'],
    ['-0.125', '-0.13'],
    ['0.004', '0.00'],
    ['-0.004', '0.00'],
    ['7', '7.00'],
  ])('rounds %s to cents, half away from zero: %s', (value, rounded) => {
    expect(round2(value)).toBe(rounded);
  });

  it('totals discounts per unit × quantity, charges, and tax', () => {
    const line = {
      OrderedSalesQuantity: '3',
      LineDiscountAmount: '3.33',
      LineAmount: '50.01',
      LineTotalTaxAmount: '4.00',
    };
    expect(orderTotals([line], [{ FixedChargeAmount: '5' }], [{ FixedChargeAmount: '-0.01' }])).toEqual({
      OrderTotalAmount: '59.00',
      OrderTotalDiscountAmount: '9.99',
      OrderTotalTaxAmount: '4.00',
      OrderTotalChargesAmount: '4.99',
    });
  });
});

describe('writing orders', () => {
  it('creates an order with lines and charges in one change set, and Finance computes the totals', async () => {
    const statuses = await createOrder('ORD-1', {
      lines: [
        { seq: 1, qty: 2 },
        { seq: 2, item: 'D0001', qty: 1 },
      ],
      headerCharges: [{ code: 'FREIGHT', amount: '15.00', description: 'Freight' }],
      lineCharges: [{ seq: 1, code: 'HANDLING', amount: '2.50' }],
    });
    expect(statuses).toEqual([201, 201, 201, 201, 201]);
    const order = await get(`${orderUrl('ORD-1')}?$expand=SalesOrderLines`);
    expect(order).toMatchObject({
      SalesOrderProcessingStatus: 'None',
      CurrencyCode: 'USD',
      OrderingCustomerIsExternallyMaintained: 'Yes',
      InvoiceCustomerAccountNumber: 'ACC-00001',
      InvoiceCustomerIsExternallyMaintained: 'Yes',
      // 40.00 + 199.99 lines, 17.50 charges, 3.20 + 16.00 tax
      OrderTotalAmount: 276.69,
      OrderTotalDiscountAmount: 0,
      OrderTotalTaxAmount: 19.2,
      OrderTotalChargesAmount: 17.5,
    });
    expect(order.SalesOrderLines).toEqual([
      expect.objectContaining({
        LineCreationSequenceNumber: 1,
        LineAmount: 40,
        SalesUnitSymbol: 'pcs',
        SalesOrderLineStatus: 'Backorder',
      }),
      expect.objectContaining({
        LineCreationSequenceNumber: 2,
        SalesPrice: 199.99,
        LineTotalTaxAmount: 16,
        SalesUnitSymbol: 'ea',
      }),
    ]);
  });

  it('undoes the whole change set when one line is refused', async () => {
    const statuses = await createOrder('ORD-HALF', {
      lines: [
        { seq: 1, qty: 1 },
        { seq: 2, item: 'NOPE', qty: 1 },
      ],
    });
    expect(statuses).toEqual([500]);
    expect((await call(sim, token, 'GET', orderUrl('ORD-HALF'))).status).toBe(404);
  });

  it('recomputes the totals after a line changes or is deleted (and deletes its line charges)', async () => {
    await createOrder('ORD-2', {
      lines: [
        { seq: 1, qty: 1 },
        { seq: 2, qty: 1 },
      ],
      lineCharges: [{ seq: 2, code: 'HANDLING', amount: 1 }],
    });
    const lines = (await get(`${orderUrl('ORD-2')}?$expand=SalesOrderLines`)).SalesOrderLines;
    const lineUrl = (lot: string): string => `SalesOrderLines(dataAreaId='usmf',InventoryLotId='${lot}')`;
    expect(
      (
        await call(sim, token, 'PATCH', lineUrl(lines[0].InventoryLotId), {
          body: { OrderedSalesQuantity: 2 },
        })
      ).status,
    ).toBe(204);
    expect((await get(orderUrl('ORD-2'))).OrderTotalAmount).toBe(65.8); // 60.00 + 1.00 + 4.80
    expect((await call(sim, token, 'DELETE', lineUrl(lines[1].InventoryLotId))).status).toBe(204);
    expect(await get(orderUrl('ORD-2'))).toMatchObject({
      OrderTotalAmount: 43.2,
      OrderTotalChargesAmount: 0,
    });
    expect((await get("SalesOrderLineCharges?$filter=SalesOrderNumber eq 'ORD-2'")).value).toEqual([]);
  });

  it.each([
    [
      'an unknown customer',
      'SalesOrderHeadersV2',
      {
        SalesOrderNumber: 'ORD-X',
        OrderingCustomerAccountNumber: 'NOBODY',
        RequestedShippingDate: '2026-12-20',
      },
      "The value 'NOBODY' in field 'Customer account' is not found in the related table 'Customers'.",
    ],
    [
      'an unknown invoice account',
      'SalesOrderHeadersV2',
      {
        SalesOrderNumber: 'ORD-X',
        OrderingCustomerAccountNumber: 'ACC-00001',
        InvoiceCustomerAccountNumber: 'NOBODY',
        RequestedShippingDate: '2026-12-20',
      },
      "The value 'NOBODY' in field 'Invoice account' is not found",
    ],
    [
      'a missing requested ship date',
      'SalesOrderHeadersV2',
      { SalesOrderNumber: 'ORD-X', OrderingCustomerAccountNumber: 'ACC-00001' },
      "Field 'Requested ship date' must be filled in.",
    ],
    [
      'an unknown item',
      'SalesOrderLines',
      {
        SalesOrderNumber: 'ORD-1',
        LineCreationSequenceNumber: 9,
        ItemNumber: 'NOPE',
        OrderedSalesQuantity: 1,
      },
      "The value 'NOPE' in field 'Item number' is not found in the related table 'Released products'.",
    ],
    [
      'an unknown order',
      'SalesOrderLines',
      {
        SalesOrderNumber: 'ORD-NONE',
        LineCreationSequenceNumber: 1,
        ItemNumber: 'P20',
        OrderedSalesQuantity: 1,
      },
      "The value 'ORD-NONE' in field 'Sales order' is not found",
    ],
    [
      'a line number taken',
      'SalesOrderLines',
      {
        SalesOrderNumber: 'ORD-1',
        LineCreationSequenceNumber: 1,
        ItemNumber: 'P20',
        OrderedSalesQuantity: 1,
      },
      'Line number 1 already exists on sales order ORD-1.',
    ],
    [
      'a charge on an unknown line',
      'SalesOrderLineCharges',
      {
        SalesOrderNumber: 'ORD-1',
        LineCreationSequenceNumber: 9,
        SalesChargeCode: 'X',
        FixedChargeAmount: 1,
      },
      "The value '9' in field 'Line number' is not found",
    ],
    [
      'a charge on an unknown order',
      'SalesOrderHeaderCharges',
      { SalesOrderNumber: 'ORD-NONE', SalesChargeCode: 'X', FixedChargeAmount: 1 },
      "The value 'ORD-NONE' in field 'Sales order' is not found",
    ],
  ])('refuses %s with an infolog message', async (_, set, body, message) => {
    const response = await call(sim, token, 'POST', set, { body });
    expect(response.status).toBe(500);
    expect(infolog(response)).toContain(message);
  });

  it('keeps the status read-only and derives the customers’ flags at every write', async () => {
    const created = await call(sim, token, 'POST', 'SalesOrderHeadersV2', {
      body: {
        SalesOrderNumber: 'ORD-RO',
        SalesOrderProcessingStatus: 'Invoiced',
        OrderTotalAmount: 999,
        OrderingCustomerAccountNumber: 'FIN-LOCAL',
        OrderingCustomerIsExternallyMaintained: 'Yes',
        RequestedShippingDate: '2026-12-20T00:00:00Z',
      },
    });
    expect(created.json()).toMatchObject({
      SalesOrderProcessingStatus: 'None',
      OrderTotalAmount: 0,
      OrderingCustomerIsExternallyMaintained: 'No',
      InvoiceCustomerIsExternallyMaintained: 'No',
    });
    const patched = await call(sim, token, 'PATCH', orderUrl('ORD-RO'), {
      body: { SalesOrderProcessingStatus: 'Delivered', InvoiceCustomerAccountNumber: 'ACC-00002' },
    });
    expect(patched.status).toBe(204);
    expect(await get(orderUrl('ORD-RO'))).toMatchObject({
      SalesOrderProcessingStatus: 'None',
      OrderingCustomerIsExternallyMaintained: 'No',
      InvoiceCustomerIsExternallyMaintained: 'Yes',
    });
  });
});

describe('posting', () => {
  it('moves an order through confirm, pick, pack, deliver and invoice, and no step twice', async () => {
    await createOrder('ORD-P', { lines: [{ seq: 1, qty: 1 }] });
    expect(() => sim.postOrder('usmf', 'ORD-P', 'pick')).toThrow('Sales order ORD-P must be confirmed');
    const statuses = (['confirm', 'pick', 'pack', 'deliver'] as const).map(
      (step) => sim.postOrder('usmf', 'ORD-P', step).SalesOrderProcessingStatus,
    );
    expect(statuses).toEqual(['Confirmed', 'Picked', 'Packed', 'Delivered']);
    expect(
      (await get(`${orderUrl('ORD-P')}?$expand=SalesOrderLines`)).SalesOrderLines[0].SalesOrderLineStatus,
    ).toBe('Delivered');
    expect(() => sim.postOrder('usmf', 'ORD-P', 'pack')).toThrow('already Delivered');
    expect(() => sim.postOrder('usmf', 'ORD-P', 'cancel')).toThrow(
      'Sales order ORD-P is Delivered; only open or confirmed orders can be cancelled.',
    );
    const invoiced = sim.postOrder('usmf', 'ORD-P', 'invoice');
    expect(invoiced).toEqual({
      SalesOrderNumber: 'ORD-P',
      SalesOrderProcessingStatus: 'Invoiced',
      InvoiceNumber: expect.stringMatching(/^CIV-\d{6}$/),
    });
    expect(() => sim.postOrder('usmf', 'ORD-P', 'invoice')).toThrow('Sales order ORD-P is Invoiced');
    expect(
      (await get(`${orderUrl('ORD-P')}?$expand=SalesOrderLines`)).SalesOrderLines[0].SalesOrderLineStatus,
    ).toBe('Invoiced');
  });

  it('cancels an open or confirmed order and its lines, after which the order refuses writes', async () => {
    await createOrder('ORD-C', { lines: [{ seq: 1, qty: 1 }] });
    expect(sim.postOrder('usmf', 'ORD-C', 'confirm').SalesOrderProcessingStatus).toBe('Confirmed');
    expect(sim.postOrder('usmf', 'ORD-C', 'cancel').SalesOrderProcessingStatus).toBe('Cancelled');
    const order = await get(`${orderUrl('ORD-C')}?$expand=SalesOrderLines`);
    expect(order.SalesOrderLines[0].SalesOrderLineStatus).toBe('Cancelled');
    const refusals = [
      await call(sim, token, 'PATCH', orderUrl('ORD-C'), { body: { SalesOrderName: 'x' } }),
      await call(sim, token, 'POST', 'SalesOrderHeaderCharges', {
        body: { SalesOrderNumber: 'ORD-C', SalesChargeCode: 'FRT', FixedChargeAmount: 1 },
      }),
      await call(sim, token, 'DELETE', orderUrl('ORD-C')),
    ];
    for (const refusal of refusals) {
      expect(refusal.status).toBe(500);
      expect(infolog(refusal)).toContain('Sales order ORD-C is Cancelled and can no longer be changed.');
    }
  });

  it('invoices 3 × 20.00 with a 3.33 per-unit discount and a −0.01 charge as a 10.00 discount', async () => {
    await createOrder('ORD-EX', {
      customer: 'FIN-LOCAL',
      lines: [{ seq: 1, qty: 3, price: '20.00', discount: '3.33' }],
      lineCharges: [{ seq: 1, code: 'ROUNDING', amount: '-0.01' }],
    });
    const order = await get(`${orderUrl('ORD-EX')}?$expand=SalesOrderLines`);
    expect(order.SalesOrderLines[0]).toMatchObject({ LineAmount: 50.01, LineTotalTaxAmount: 4 });
    expect(order).toMatchObject({
      OrderTotalAmount: 54,
      OrderTotalDiscountAmount: 9.99,
      OrderTotalChargesAmount: -0.01,
    });

    expect((await action('ORD-EX', { step: 'confirm' })).json().value).toEqual({
      SalesOrderNumber: 'ORD-EX',
      SalesOrderProcessingStatus: 'Confirmed',
      InvoiceNumber: null,
    });
    const { InvoiceNumber } = (await action('ORD-EX', { step: 'invoice' })).json().value;
    const invoice = await get(
      `SalesInvoiceHeadersV2(dataAreaId='usmf',InvoiceNumber='${InvoiceNumber}')?$expand=SalesInvoiceLinesV2`,
    );
    expect(invoice).toMatchObject({
      InvoiceDate: '2026-12-07T00:00:00Z',
      SalesOrderNumber: 'ORD-EX',
      InvoiceCustomerAccountNumber: 'FIN-LOCAL',
      CurrencyCode: 'USD',
      LedgerVoucher: expect.stringMatching(/^ARI-\d{6}$/),
      // The customer has no invoice address: its delivery address, State → StateId.
      InvoiceAddressStreet: '1 Dock Rd',
      InvoiceAddressStateId: 'WA',
      InvoiceAddressCountryRegionISOCode: 'USA',
      TotalInvoiceAmount: 54,
      TotalTaxAmount: 4,
      TotalChargeAmount: 0,
      TotalDiscountAmount: 10,
      ChargeDescription: null,
    });
    expect(invoice.SalesInvoiceLinesV2).toEqual([
      expect.objectContaining({
        LineCreationSequenceNumber: 1,
        ProductNumber: 'P20',
        InvoicedQuantity: 3,
        SalesPrice: 20,
        LineAmount: 50,
        LineTotalDiscountAmount: 10,
        LineTotalTaxAmount: 4,
      }),
    ]);
    const exact = await call(
      sim,
      token,
      'GET',
      `SalesInvoiceLinesV2?$filter=InvoiceNumber eq '${InvoiceNumber}'`,
    );
    expect(exact.text).toContain('"LineTotalDiscountAmount":10.00');
  });

  it('names the header charges on the invoice and keeps them off its lines', async () => {
    await createOrder('ORD-HC', {
      lines: [{ seq: 1, qty: 1 }],
      headerCharges: [
        { code: 'FREIGHT', amount: '10.00', description: 'Freight' },
        { code: 'HANDLING', amount: '2.00', description: 'Handling' },
      ],
    });
    sim.postOrder('usmf', 'ORD-HC', 'confirm');
    const { InvoiceNumber } = sim.postOrder('usmf', 'ORD-HC', 'invoice');
    expect(
      await get(`SalesInvoiceHeadersV2(dataAreaId='usmf',InvoiceNumber='${InvoiceNumber}')`),
    ).toMatchObject({
      ChargeDescription: 'Freight, Handling',
      TotalChargeAmount: 12,
      TotalInvoiceAmount: 33.6, // 20.00 + 12.00 + 1.60
    });
  });

  it("invoices some of an order's lines: PartiallyInvoiced, the charges on the first invoice, the rest later", async () => {
    await createOrder('ORD-PI', {
      lines: [
        { seq: 1, qty: 1 },
        { seq: 2, qty: 2 },
      ],
      headerCharges: [{ code: 'FREIGHT', amount: '10.00', description: 'Freight' }],
    });
    sim.postOrder('usmf', 'ORD-PI', 'confirm');
    expect(() => sim.postOrder('usmf', 'ORD-PI', 'invoice', { lines: [3] })).toThrow(
      'Sales order ORD-PI has no open line 3 to invoice.',
    );
    const first = sim.postOrder('usmf', 'ORD-PI', 'invoice', { lines: [2] });
    expect(first.SalesOrderProcessingStatus).toBe('PartiallyInvoiced');
    const lineStatuses = async () =>
      (await get(`${orderUrl('ORD-PI')}?$expand=SalesOrderLines`)).SalesOrderLines.map(
        (line: { LineCreationSequenceNumber: number; SalesOrderLineStatus: string }) => [
          line.LineCreationSequenceNumber,
          line.SalesOrderLineStatus,
        ],
      );
    expect(await lineStatuses()).toEqual([
      [1, 'Backorder'],
      [2, 'Invoiced'],
    ]);
    const invoiceOf = (number: string | null) =>
      get(`SalesInvoiceHeadersV2(dataAreaId='usmf',InvoiceNumber='${number}')?$expand=SalesInvoiceLinesV2`);
    const partial = await invoiceOf(first.InvoiceNumber);
    expect(
      partial.SalesInvoiceLinesV2.map(
        (l: { LineCreationSequenceNumber: number }) => l.LineCreationSequenceNumber,
      ),
    ).toEqual([2]);
    expect(partial.TotalChargeAmount).toBe(10);

    expect(() => sim.postOrder('usmf', 'ORD-PI', 'invoice', { lines: [2] })).toThrow(
      'Sales order ORD-PI has no open line 2 to invoice.',
    );
    const rest = sim.postOrder('usmf', 'ORD-PI', 'invoice');
    expect(rest.SalesOrderProcessingStatus).toBe('Invoiced');
    const last = await invoiceOf(rest.InvoiceNumber);
    expect(
      last.SalesInvoiceLinesV2.map(
        (l: { LineCreationSequenceNumber: number }) => l.LineCreationSequenceNumber,
      ),
    ).toEqual([1]);
    expect(last.TotalChargeAmount).toBe(0);
    expect(await lineStatuses()).toEqual([
      [1, 'Invoiced'],
      [2, 'Invoiced'],
    ]);
  });

  it('serves the steps as the PostSalesOrder action, with F&O errors', async () => {
    await createOrder('ORD-A', { lines: [{ seq: 1, qty: 1 }] });
    const badStep = await action('ORD-A', { step: 'ship' });
    expect(badStep.status).toBe(400);
    expect(badStep.json().error.message).toContain(
      'must be one of confirm, pick, pack, deliver, invoice, cancel; got "ship"',
    );
    const early = await action('ORD-A', { step: 'invoice' });
    expect(early.status).toBe(500);
    expect(early.json().error.message).toBe('An error has occurred.');
    expect(infolog(early)).toBe('Error: Sales order ORD-A must be confirmed before it is posted (invoice).');
    expect((await action('ORD-NONE', { step: 'confirm' })).status).toBe(404);
    expect(
      (await call(sim, token, 'GET', `${orderUrl('ORD-A')}/Microsoft.Dynamics.DataEntities.PostSalesOrder`))
        .status,
    ).toBe(405);
    // The method is refused before the key is read, as for an order that does not exist.
    expect(
      (
        await call(
          sim,
          token,
          'GET',
          `SalesOrderHeadersV2('ORD-A')/Microsoft.Dynamics.DataEntities.PostSalesOrder`,
        )
      ).status,
    ).toBe(405);
  });
});

describe('invoices', () => {
  it('posts a free-text invoice with no order number and lines without a product', async () => {
    const { header, lines } = sim.createFreeTextInvoice('usmf', {
      customerAccount: 'ACC-00002',
      lines: [{ description: 'Consulting', quantity: '2', price: '150.00' }],
      date: '2026-11-30',
    });
    const invoice = await get(
      `SalesInvoiceHeadersV2(dataAreaId='usmf',InvoiceNumber='${String(header['InvoiceNumber'])}')?$expand=SalesInvoiceLinesV2`,
    );
    expect(invoice).toMatchObject({
      SalesOrderNumber: null,
      InvoiceCustomerAccountNumber: 'ACC-00002',
      InvoiceDate: '2026-11-30T00:00:00Z',
      TotalInvoiceAmount: 324,
      TotalTaxAmount: 24,
    });
    expect(invoice.SalesInvoiceLinesV2).toEqual([
      expect.objectContaining({ ProductNumber: null, LineDescription: 'Consulting', LineAmount: 300 }),
    ]);
    expect(lines).toHaveLength(1);
    expect(() => sim.createFreeTextInvoice('usmf', { customerAccount: 'NOBODY', lines: [] })).toThrow(
      "Customer account 'NOBODY' does not exist",
    );
  });

  it('continues the invoice and voucher numbering found in the data', () => {
    const { header } = sim.createFreeTextInvoice('usmf', {
      customerAccount: 'ACC-00001',
      lines: [{ description: 'Fee', quantity: '1', price: '1' }],
    });
    const number = Number(String(header['InvoiceNumber']).slice(4));
    expect(number).toBeGreaterThan(7);
    expect(header['LedgerVoucher']).toBe(`ARI-${String(number).padStart(6, '0')}`);
    expect(header['InvoiceDate']).toBe('2026-12-07T00:00:00Z');
  });

  it.each([
    ['POST', 'SalesInvoiceHeadersV2', { InvoiceNumber: 'CIV-999999' }],
    ['PATCH', "SalesInvoiceHeadersV2(dataAreaId='usmf',InvoiceNumber='CIV-000007')", { CurrencyCode: 'EUR' }],
    ['DELETE', "SalesInvoiceHeadersV2(dataAreaId='usmf',InvoiceNumber='CIV-000007')", undefined],
    ['POST', 'SalesInvoiceLinesV2', { InvoiceNumber: 'CIV-000007', LineCreationSequenceNumber: 1 }],
  ])('refuses %s on %s: invoices are only posted', async (method, path, body) => {
    const response = await call(sim, token, method, path, body === undefined ? {} : { body });
    expect(response.status).toBe(500);
    expect(infolog(response)).toMatch(/is read-only: Finance creates invoices by posting them/);
  });
});

it('assigns lot ids from one sequence for quotation and order lines', async () => {
  await call(sim, token, 'POST', 'SalesQuotationHeadersV2', {
    body: {
      SalesQuotationNumber: 'QUO-LOT',
      RequestingCustomerAccountNumber: 'ACC-00001',
      SalesQuotationExpiryDate: '2026-12-31T00:00:00Z',
      RequestedShippingDate: '2026-12-01T00:00:00Z',
    },
  });
  await createOrder('ORD-LOT');
  const ids: string[] = [];
  for (let i = 1; i <= 2; i++) {
    const quote = await call(sim, token, 'POST', 'SalesQuotationLines', {
      body: {
        SalesQuotationNumber: 'QUO-LOT',
        LineCreationSequenceNumber: i,
        ItemNumber: 'P20',
        RequestedSalesQuantity: 1,
        SalesPrice: 1,
      },
    });
    const order = await call(sim, token, 'POST', 'SalesOrderLines', {
      body: {
        SalesOrderNumber: 'ORD-LOT',
        LineCreationSequenceNumber: i,
        ItemNumber: 'P20',
        OrderedSalesQuantity: 1,
      },
    });
    ids.push(quote.json().InventoryLotId, order.json().InventoryLotId);
  }
  expect(new Set(ids).size).toBe(4);
  // Past the highest id in the data: 60 (an order line), above 50 (a quotation line).
  expect(ids.every((id) => /^\d{9}$/.test(id) && Number(id) > 60)).toBe(true);
  const all = [
    ...(await get('SalesQuotationLines?$select=InventoryLotId')).value,
    ...(await get('SalesOrderLines?$select=InventoryLotId')).value,
  ].map((r: { InventoryLotId: string }) => r.InventoryLotId);
  expect(new Set(all).size).toBe(all.length);
});
