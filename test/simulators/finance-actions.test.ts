/**
 * The Finance simulator's `PostSalesOrder` action as a generic OData client meets it: declared in
 * `$metadata` the way F&O declares actions bound to a data entity, and counted against the order
 * header's entity set by the request log and by faults matched by set.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFinanceSimulator, type FinanceSimulator } from '../../src/simulators/finance/index.js';
import { financeData } from '../support/fixtures.js';
import { call, tokenFor, type WireResponse } from '../support/wire.js';

let sim: FinanceSimulator;
let token: string;

beforeAll(async () => {
  sim = createFinanceSimulator({ data: financeData(2), now: () => new Date('2026-12-07T15:30:00Z') });
  await sim.listen();
  token = await tokenFor(sim);
});
afterAll(() => sim.close());

const orderUrl = (n: string): string => `SalesOrderHeadersV2(dataAreaId='usmf',SalesOrderNumber='${n}')`;
const actionUrl = (n: string): string => `${orderUrl(n)}/Microsoft.Dynamics.DataEntities.PostSalesOrder`;

async function createOrder(number: string): Promise<void> {
  const order = { dataAreaId: 'usmf', SalesOrderNumber: number };
  const header = await call(sim, token, 'POST', 'SalesOrderHeadersV2', {
    body: {
      ...order,
      OrderingCustomerAccountNumber: 'ACC-00001',
      RequestedShippingDate: '2026-12-20T00:00:00Z',
    },
  });
  const line = await call(sim, token, 'POST', 'SalesOrderLines', {
    body: { ...order, LineCreationSequenceNumber: 1, ItemNumber: 'D0001', OrderedSalesQuantity: 1 },
  });
  expect([header.status, line.status]).toEqual([201, 201]);
}

const statusOf = async (number: string): Promise<string> =>
  (await call(sim, token, 'GET', `${orderUrl(number)}?$select=SalesOrderProcessingStatus`)).json()
    .SalesOrderProcessingStatus;

/** The one element `<name Name="…">…</name>` of the document. */
function element(xml: string, name: string, nameAttribute: string): string {
  const found =
    xml.match(new RegExp(`<${name} Name="${nameAttribute}"[^>]*>[\\s\\S]*?</${name}>`, 'g')) ?? [];
  expect(found).toHaveLength(1);
  return found[0]!;
}

/** Every tag closes, in order, and no text holds a bare `<` or `&`: the document still parses. */
function expectWellFormed(xml: string): void {
  const body = xml.replace(/^<\?xml[^>]*\?>\s*/, '');
  const open: string[] = [];
  for (const [, closing, name, selfClosing] of body.matchAll(
    /<(\/?)([A-Za-z][\w:.-]*)(?:\s[^<>]*?)?(\/?)>/g,
  )) {
    if (closing) expect(open.pop(), `</${name}>`).toBe(name);
    else if (!selfClosing) open.push(name!);
  }
  expect(open).toEqual([]);
  const text = body.replace(/<[^<>]*>/g, '');
  expect(text).not.toMatch(/<|&(?!(amp|lt|gt|quot|apos);)/);
}

describe('$metadata', () => {
  let xml: string;
  beforeAll(async () => {
    const response = await call(sim, token, 'GET', '$metadata');
    expect(response.status).toBe(200);
    xml = response.text;
  });

  it('declares PostSalesOrder bound to the order header, with a step and the posting result it returns', () => {
    expect(element(xml, 'Action', 'PostSalesOrder')).toMatchInlineSnapshot(`
      "<Action Name="PostSalesOrder" IsBound="true">
      <Parameter Name="_this" Type="Microsoft.Dynamics.DataEntities.SalesOrderHeaderV2"/>
      <Parameter Name="step" Type="Edm.String"/>
      <ReturnType Type="Microsoft.Dynamics.DataEntities.SalesOrderPostingResult" Nullable="false"/>
      </Action>"
    `);
    expect(element(xml, 'ComplexType', 'SalesOrderPostingResult')).toMatchInlineSnapshot(`
      "<ComplexType Name="SalesOrderPostingResult">
      <Property Name="SalesOrderNumber" Type="Edm.String" Nullable="false" MaxLength="20"/>
      <Property Name="SalesOrderProcessingStatus" Type="Microsoft.Dynamics.DataEntities.SalesOrderProcessingStatus" Nullable="false"/>
      <Property Name="InvoiceNumber" Type="Edm.String" MaxLength="20"/>
      </ComplexType>"
    `);
    // `_this` names the type the order header set serves.
    expect(xml).toContain(
      '<EntitySet Name="SalesOrderHeadersV2" EntityType="Microsoft.Dynamics.DataEntities.SalesOrderHeaderV2">',
    );
  });

  it('declares the action in the schema, outside the entity container, and stays well-formed XML', () => {
    expect(xml.indexOf('<Action Name="PostSalesOrder"')).toBeLessThan(xml.indexOf('<EntityContainer'));
    expect(element(xml, 'EntityContainer', 'Resources')).not.toContain('PostSalesOrder');
    expectWellFormed(xml);
  });
});

describe('the request log and faults', () => {
  it('logs a PostSalesOrder call against SalesOrderHeadersV2', async () => {
    await createOrder('ACT-LOG');
    const response: WireResponse = await call(sim, token, 'POST', actionUrl('ACT-LOG'), {
      body: { step: 'confirm' },
    });
    expect(response.status).toBe(200);
    expect(response.json()).toMatchObject({
      '@odata.context': `${sim.serviceRoot}$metadata#Microsoft.Dynamics.DataEntities.SalesOrderPostingResult`,
      value: { SalesOrderNumber: 'ACT-LOG', SalesOrderProcessingStatus: 'Confirmed', InvoiceNumber: null },
    });
    expect(sim.log.entries.at(-1)).toMatchObject({
      method: 'POST',
      url: `/data/${actionUrl('ACT-LOG')}`,
      entitySet: 'SalesOrderHeadersV2',
      inBatch: false,
      status: 200,
    });
  });

  it('applies a fault set on SalesOrderHeadersV2 to PostSalesOrder, which then posts nothing', async () => {
    await createOrder('ACT-FAULT');
    sim.faults.failNext(1, { status: 503, match: { method: 'POST', entitySet: 'SalesOrderHeadersV2' } });
    const refused = await call(sim, token, 'POST', actionUrl('ACT-FAULT'), { body: { step: 'confirm' } });
    expect(refused.status).toBe(503);
    expect(sim.log.entries.at(-1)).toMatchObject({ entitySet: 'SalesOrderHeadersV2', status: 503 });
    expect(await statusOf('ACT-FAULT')).toBe('None');
    const retried = await call(sim, token, 'POST', actionUrl('ACT-FAULT'), { body: { step: 'confirm' } });
    expect(retried.status).toBe(200);
    expect(await statusOf('ACT-FAULT')).toBe('Confirmed');
  });

  it('answers 404 for an action bound to no entity of the set', async () => {
    const response = await call(
      sim,
      token,
      'POST',
      `CustomersV3(dataAreaId='usmf',CustomerAccount='ACC-00001')/Microsoft.Dynamics.DataEntities.PostSalesOrder`,
      { body: { step: 'confirm' } },
    );
    expect(response.status).toBe(404);
    expect(sim.log.entries.at(-1)).toMatchObject({ entitySet: 'CustomersV3', status: 404 });
  });
});
