/**
 * Sales orders and invoices in the Sales simulator, over raw HTTP: auto-numbering, the totals and the
 * Finance-products flag Sales computes from the lines, activation, the read-only rules once Finance masters
 * a record, invoices arriving with their lines in one change set, and the change feed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeBatchResponse,
  encodeBatchRequest,
  type BatchRequest,
} from '../../src/connectors/odata/multipart.js';
import { createSalesSimulator, type SalesSimulator } from '../../src/simulators/sales/index.js';
import { products as productSet, uoms as uomSet } from '../../src/simulators/sales/entities.js';
import { guid, rowOf, salesAccounts } from '../support/fixtures.js';
import { call, tokenFor } from '../support/wire.js';

const draft = 647390011;
const active = 647390000;
const confirmed = 647390001;
const delivered = 192350001;

const unit = guid(900);
const financeProduct = guid(901);
const otherFinanceProduct = guid(902);
const salesOnlyProduct = guid(903);

let sim: SalesSimulator;
let token: string;

beforeAll(async () => {
  const product = (id: string, productnumber: string, external: boolean) =>
    rowOf(productSet, {
      productid: id,
      productnumber,
      name: productnumber,
      statecode: 0,
      statuscode: 1,
      msdynce_ismaintainedexternally: external,
    });
  sim = createSalesSimulator({
    data: {
      accounts: salesAccounts(3),
      uoms: [rowOf(uomSet, { uomid: unit, name: 'ea' })],
      products: [
        product(financeProduct, 'D0001', true),
        product(otherFinanceProduct, 'D0002', true),
        product(salesOnlyProduct, 'LOCAL-1', false),
      ],
    },
  });
  await sim.listen();
  token = await tokenFor(sim);
});
afterAll(() => sim.close());

type Body = Record<string, unknown>;

async function create(set: string, body: Body): Promise<Record<string, any>> {
  const response = await call(sim, token, 'POST', set, {
    body,
    headers: { Prefer: 'return=representation' },
  });
  expect(response.status, response.text).toBe(201);
  return response.json();
}

const get = async (url: string): Promise<Record<string, any>> => (await call(sim, token, 'GET', url)).json();

async function newOrder(body: Body = {}): Promise<string> {
  const order = await create('salesorders', {
    name: 'Order',
    'customerid_account@odata.bind': `/accounts(${guid(1)})`,
    ...body,
  });
  return String(order.salesorderid);
}

/** A line on `orderId`: a product line, or a write-in line when `product` is null. */
async function addLine(orderId: string, product: string | null, body: Body = {}): Promise<string> {
  const line = await create('salesorderdetails', {
    'salesorderid@odata.bind': `/salesorders(${orderId})`,
    ...(product
      ? { 'productid@odata.bind': `/products(${product})`, 'uomid@odata.bind': `/uoms(${unit})` }
      : { isproductoverridden: true, productdescription: 'Custom mounting hardware' }),
    quantity: 2,
    priceperunit: 10,
    ...body,
  });
  return String(line.salesorderdetailid);
}

const flagOf = async (orderId: string): Promise<boolean> =>
  (await get(`salesorders(${orderId})?$select=msdynce_hasexternallymaintainedproductsonly`))
    .msdynce_hasexternallymaintainedproductsonly;

async function batch(parts: BatchRequest[]) {
  const boundary = 'batch_orders';
  const response = await fetch(`${sim.serviceRoot}$batch`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': `multipart/mixed; boundary=${boundary}`,
    },
    body: encodeBatchRequest([{ kind: 'changeset', parts }], boundary),
  });
  const text = await response.text();
  return {
    status: response.status,
    items: decodeBatchResponse(text, response.headers.get('content-type') ?? ''),
  };
}

const post = (set: string, body: Body, contentId: string): BatchRequest => ({
  method: 'POST',
  url: `${sim.serviceRoot}${set}`,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
  contentId,
});

describe('creating orders and invoices', () => {
  it('numbers an order ORD-… and an invoice INV-… when the number is blank, and keeps a given one', async () => {
    const first = await create('salesorders', { name: 'First' });
    const second = await create('salesorders', { name: 'Second' });
    expect(first.ordernumber).toMatch(/^ORD-\d{5}-[A-Z]{6}$/);
    const sequence = (n: string) => Number(n.split('-')[1]);
    expect(sequence(second.ordernumber)).toBe(sequence(first.ordernumber) + 1);
    expect((await create('salesorders', { ordernumber: 'ORD-GIVEN' })).ordernumber).toBe('ORD-GIVEN');
    expect((await create('invoices', { name: 'Invoice' })).invoicenumber).toMatch(/^INV-\d{5}-[A-Z]{6}$/);
  });

  it('starts a new order Active (statecode 0) in processing status Draft', async () => {
    const order = await create('salesorders', { name: 'Fresh' });
    expect(order).toMatchObject({
      statecode: 0,
      msdynce_processingstatus: draft,
      msdynce_hasexternallymaintainedproductsonly: false,
    });
  });
});

describe('computed columns', () => {
  it('computes msdynce_hasexternallymaintainedproductsonly from the lines whenever a line changes', async () => {
    const orderId = await newOrder();
    expect(await flagOf(orderId)).toBe(false); // no lines yet
    await addLine(orderId, financeProduct);
    expect(await flagOf(orderId)).toBe(true);
    const local = await addLine(orderId, salesOnlyProduct);
    expect(await flagOf(orderId)).toBe(false);
    const patch = await call(sim, token, 'PATCH', `salesorderdetails(${local})`, {
      body: { 'productid@odata.bind': `/products(${otherFinanceProduct})` },
    });
    expect(patch.status).toBe(204);
    expect(await flagOf(orderId)).toBe(true);
    const writeIn = await addLine(orderId, null);
    expect(await flagOf(orderId)).toBe(false);
    expect((await call(sim, token, 'DELETE', `salesorderdetails(${writeIn})`)).status).toBe(204);
    expect(await flagOf(orderId)).toBe(true);
  });

  it('ignores msdynce_hasexternallymaintainedproductsonly in a request body (read-only)', async () => {
    const order = await create('salesorders', { msdynce_hasexternallymaintainedproductsonly: true });
    expect(order.msdynce_hasexternallymaintainedproductsonly).toBe(false);
  });

  it('computes line amounts and order totals, including tax, header discount and freight', async () => {
    const orderId = await newOrder({ discountamount: 2, freightamount: 5 });
    const lineId = await addLine(orderId, financeProduct, {
      quantity: 3,
      priceperunit: 10,
      manualdiscountamount: 10,
      tax: 1.6,
    });
    await addLine(orderId, otherFinanceProduct, { quantity: 1, priceperunit: 4.5 });
    expect(await get(`salesorderdetails(${lineId})?$select=extendedamount`)).toMatchObject({
      extendedamount: 21.6,
    });
    // 20.00 + 4.50 line items − 2.00 discount + 5.00 freight + 1.60 tax.
    expect(
      await get(
        `salesorders(${orderId})?$select=totallineitemamount,totaldiscountamount,totaltax,totalamount`,
      ),
    ).toMatchObject({
      totallineitemamount: 24.5,
      totaldiscountamount: 12,
      totaltax: 1.6,
      totalamount: 29.1,
    });
  });

  it("keeps totals a header write sets explicitly (Finance's totals) through later line writes", async () => {
    const orderId = await newOrder();
    const lineId = await addLine(orderId, financeProduct);
    const finance = { totalamount: 19.99, totaltax: 1.6, msdynce_ismaintainedexternally: true };
    const patched = await call(sim, token, 'PATCH', `salesorders(${orderId})`, { body: finance });
    expect(patched.status).toBe(204);
    await call(sim, token, 'PATCH', `salesorderdetails(${lineId})`, {
      body: { msdyn_linestatus: delivered, tax: 3 },
    });
    expect(
      await get(`salesorders(${orderId})?$select=totallineitemamount,totaltax,totalamount`),
    ).toMatchObject({ totallineitemamount: 20, totaltax: 1.6, totalamount: 19.99 });
  });
  it('recomputes the totals of an order Sales masters at the next line write, even after an explicit total', async () => {
    const orderId = await newOrder({ totalamount: 99 });
    expect((await get(`salesorders(${orderId})?$select=totalamount`)).totalamount).toBe(99);
    await addLine(orderId, financeProduct);
    expect((await get(`salesorders(${orderId})?$select=totalamount`)).totalamount).toBe(20);
  });
});

describe('activation', () => {
  const activate = (orderId: string) =>
    call(sim, token, 'PATCH', `salesorders(${orderId})`, {
      body: { msdynce_processingstatus: active },
    });

  it('refuses to activate an order with a write-in line or no lines, with a Dataverse error', async () => {
    const empty = await newOrder();
    const emptyAnswer = await activate(empty);
    expect(emptyAnswer.status).toBe(400);
    const orderId = await newOrder();
    await addLine(orderId, financeProduct);
    await addLine(orderId, null);
    const response = await activate(orderId);
    expect(response.status).toBe(400);
    expect(response.json().error).toMatchObject({
      code: '0x80040203',
      message: expect.stringMatching(
        /cannot be activated: .*write-in products or products not maintained in Finance/,
      ),
    });
    expect(
      (await get(`salesorders(${orderId})?$select=msdynce_processingstatus`)).msdynce_processingstatus,
    ).toBe(draft);
  });

  it('activates an order whose every line is a product Finance maintains', async () => {
    const orderId = await newOrder();
    await addLine(orderId, financeProduct);
    expect((await activate(orderId)).status).toBe(204);
    expect(
      (await get(`salesorders(${orderId})?$select=msdynce_processingstatus`)).msdynce_processingstatus,
    ).toBe(active);
  });

  it('makes the lines read-only once activated, except msdyn_linestatus and tax', async () => {
    const orderId = await newOrder();
    const lineId = await addLine(orderId, financeProduct);
    expect((await activate(orderId)).status).toBe(204);
    const url = `salesorderdetails(${lineId})`;

    const quantity = await call(sim, token, 'PATCH', url, { body: { quantity: 5 } });
    expect(quantity.status).toBe(400);
    expect(quantity.json().error.message).toMatch(
      /has been activated and is read-only in Sales: only msdyn_linestatus and tax of its lines can change, not quantity/,
    );
    const added = await call(sim, token, 'POST', 'salesorderdetails', {
      body: { 'salesorderid@odata.bind': `/salesorders(${orderId})`, quantity: 1 },
    });
    expect(added.status).toBe(400);
    expect((await call(sim, token, 'DELETE', url)).status).toBe(400);

    const status = await call(sim, token, 'PATCH', url, { body: { msdyn_linestatus: delivered, tax: 0.8 } });
    expect(status.status).toBe(204);
    // Re-sending a column at its current value is not a change.
    expect((await call(sim, token, 'PATCH', url, { body: { quantity: '2.00' } })).status).toBe(204);
    expect(await get(`${url}?$select=quantity,msdyn_linestatus,tax,extendedamount`)).toMatchObject({
      quantity: 2,
      msdyn_linestatus: delivered,
      tax: 0.8,
      extendedamount: 20.8,
    });
  });

  it('lets lines arrive on an order Finance masters, but not change', async () => {
    const orderId = await newOrder({
      msdynce_ismaintainedexternally: true,
      msdynce_processingstatus: confirmed,
    });
    const lineId = await addLine(orderId, financeProduct);
    const price = await call(sim, token, 'PATCH', `salesorderdetails(${lineId})`, {
      body: { priceperunit: 9 },
    });
    expect(price.status).toBe(400);
    expect(price.json().error.message).toMatch(/is maintained in Finance and is read-only in Sales/);
  });
});

describe('invoices from Finance', () => {
  const invoice = (number: string): Body => ({
    invoicenumber: number,
    name: `Invoice ${number}`,
    'customerid_account@odata.bind': `/accounts(${guid(1)})`,
    msdynce_ismaintainedexternally: true,
    msdynce_invoicedate: '2025-12-01T00:00:00Z',
    totalamount: 32.4,
    totaltax: 2.4,
    freightamount: 0,
    totaldiscountamount: 0,
  });
  const line = (number: string, sequencenumber: number): Body => ({
    'invoiceid@odata.bind': `/invoices(invoicenumber='${number}')`,
    'productid@odata.bind': `/products(productnumber='D0001')`,
    quantity: 3,
    priceperunit: 10,
    tax: 2.4,
    sequencenumber,
    msdynce_invoicenumber: number,
  });

  it('creates an invoice with its lines in one change set, binding the lines by invoicenumber', async () => {
    const result = await batch([
      post('invoices', invoice('CIV-000001'), '1'),
      post('invoicedetails', line('CIV-000001', 1), '2'),
    ]);
    expect(result.status).toBe(200);
    const set = result.items[0]!;
    expect(set.kind === 'changeset' && set.parts.map((p) => p.status)).toEqual([204, 204]);
    const stored = await get(
      "invoices(invoicenumber='CIV-000001')?$select=totalamount,totaltax,totallineitemamount,msdynce_hasexternallymaintainedproductsonly&$expand=invoice_details($select=sequencenumber,extendedamount)",
    );
    expect(stored).toMatchObject({
      totalamount: 32.4, // as Finance sent it
      totaltax: 2.4,
      totallineitemamount: 30,
      msdynce_hasexternallymaintainedproductsonly: true,
      invoice_details: [{ sequencenumber: 1, extendedamount: 32.4 }],
    });
  });

  it('keeps an invoice Finance masters read-only except its state', async () => {
    await batch([
      post('invoices', invoice('CIV-000002'), '1'),
      post('invoicedetails', line('CIV-000002', 1), '2'),
    ]);
    const url = "invoices(invoicenumber='CIV-000002')";
    const renamed = await call(sim, token, 'PATCH', url, { body: { name: 'Renamed' } });
    expect(renamed.status).toBe(400);
    expect(renamed.json().error.message).toMatch(
      /invoice CIV-000002 is maintained in Finance and is read-only in Sales: cannot change name/,
    );
    expect((await call(sim, token, 'PATCH', url, { body: { statecode: 2, statuscode: 7 } })).status).toBe(
      204,
    );
    const { invoice_details: lines } = await get(`${url}?$expand=invoice_details($select=quantity)`);
    const lineUrl = `invoicedetails(${String(lines[0].invoicedetailid)})`;
    expect((await call(sim, token, 'PATCH', lineUrl, { body: { quantity: 1 } })).status).toBe(400);
    expect((await call(sim, token, 'DELETE', lineUrl)).status).toBe(400);
    // Another line may still arrive from Finance.
    expect((await call(sim, token, 'POST', 'invoicedetails', { body: line('CIV-000002', 2) })).status).toBe(
      204,
    );
  });
});

describe('change feed', () => {
  it('tracks sales orders: created and changed orders, then deletions', async () => {
    const first = await call(sim, token, 'GET', 'salesorders?$select=ordernumber', {
      headers: { Prefer: 'odata.track-changes' },
    });
    expect(first.status).toBe(200);
    const deltaLink: string = first.json()['@odata.deltaLink'];
    expect(deltaLink).toMatch(/\$deltatoken=/);

    const kept = await newOrder({ ordernumber: 'ORD-FEED-1' });
    const gone = await newOrder({ ordernumber: 'ORD-FEED-2' });
    await addLine(kept, financeProduct); // refreshes the header's totals: a change of the order
    expect((await call(sim, token, 'DELETE', `salesorders(${gone})`)).status).toBe(204);

    const delta = (
      await call(sim, token, 'GET', deltaLink, { headers: { Prefer: 'odata.track-changes' } })
    ).json();
    const numbers = delta.value
      .filter((r: Body) => 'ordernumber' in r)
      .map((r: { ordernumber: string }) => r.ordernumber);
    expect(numbers).toEqual(['ORD-FEED-1']);
    expect(delta.value.at(-1)).toMatchObject({ id: gone, reason: 'deleted' });
  });
});
