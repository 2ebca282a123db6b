/**
 * The Finance simulator answers like F&O OData at /data on the wire: company scoping, composite keys,
 * `$skip` paging, 201 creates with Finance-assigned values, and business validation as 500 + infolog.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFinanceSimulator, type FinanceSimulator } from '../../src/simulators/finance/index.js';
import { financeData } from '../support/fixtures.js';
import { call, tokenFor } from '../support/wire.js';

let sim: FinanceSimulator;
let token: string;

beforeAll(async () => {
  sim = createFinanceSimulator({ data: financeData(7), pageSize: 3 });
  await sim.listen();
  token = await tokenFor(sim);
});
afterAll(() => sim.close());

describe('reading', () => {
  it('reads only the default company unless cross-company=true', async () => {
    const own = (await call(sim, token, 'GET', 'CustomersV3?$select=CustomerAccount&$top=100')).json();
    expect(
      own.value.every((r: { dataAreaId?: string; CustomerAccount: string }) =>
        r.CustomerAccount.startsWith('ACC'),
      ),
    ).toBe(true);
    const filter = encodeURIComponent("dataAreaId eq 'demf'");
    const other = (await call(sim, token, 'GET', `CustomersV3?cross-company=true&$filter=${filter}`)).json();
    expect(other.value).toEqual([
      expect.objectContaining({ CustomerAccount: 'DE-001', OrganizationName: 'Müller GmbH' }),
    ]);
  });

  it('pages with $skip next links, in key order', async () => {
    const accounts: string[] = [];
    let url: string | undefined = 'CustomersV3?cross-company=true&$select=CustomerAccount';
    while (url) {
      const body = (await call(sim, token, 'GET', url)).json();
      accounts.push(...body.value.map((r: { CustomerAccount: string }) => r.CustomerAccount));
      url = body['@odata.nextLink'];
      if (url) expect(url).toMatch(/cross-company=true.*\$skip=\d+$/);
    }
    // Key order: dataAreaId first (demf before usmf), then the customer account.
    expect(accounts).toEqual(['DE-001', ...Array.from({ length: 7 }, (_, i) => `ACC-0000${i + 1}`)]);
  });

  it('supports $skip and $count, and carries a client $top into the next link', async () => {
    const body = (
      await call(sim, token, 'GET', 'CustomersV3?$select=CustomerAccount&$skip=5&$count=true')
    ).json();
    expect(body['@odata.count']).toBe(7);
    expect(body.value.map((r: { CustomerAccount: string }) => r.CustomerAccount)).toEqual([
      'ACC-00006',
      'ACC-00007',
    ]);
    const topped = (await call(sim, token, 'GET', 'CustomersV3?$select=CustomerAccount&$top=5')).json();
    expect(topped['@odata.nextLink']).toMatch(/\$skip=3&\$top=2$/);
    expect((await call(sim, token, 'GET', topped['@odata.nextLink'])).json().value).toHaveLength(2);
  });

  it("matches wildcards in eq ('*text*') and rejects the in operator", async () => {
    const filter = encodeURIComponent("OrganizationName eq '*Brien*'");
    const body = (await call(sim, token, 'GET', `CustomersV3?$filter=${filter}`)).json();
    expect(body.value.map((r: { CustomerAccount: string }) => r.CustomerAccount)).toEqual(['ACC-00003']);
    const inFilter = encodeURIComponent("CustomerAccount in ('ACC-00001')");
    expect((await call(sim, token, 'GET', `CustomersV3?$filter=${inFilter}`)).status).toBe(400);
  });

  it('filters enums with their qualified literal', async () => {
    const filter = encodeURIComponent("IsExternallyMaintained eq Microsoft.Dynamics.DataEntities.NoYes'No'");
    const body = (await call(sim, token, 'GET', `CustomersV3?cross-company=true&$filter=${filter}`)).json();
    expect(body.value.map((r: { CustomerAccount: string }) => r.CustomerAccount)).toEqual(['DE-001']);
  });

  it('requires every key part in a key URL', async () => {
    const ok = await call(sim, token, 'GET', "CustomersV3(dataAreaId='usmf',CustomerAccount='ACC-00003')");
    expect(ok.json()).toMatchObject({ OrganizationName: "O'Brien & Sons #1", CreditLimit: 3000.5 });
    expect(ok.text).toContain('"CreditLimit":3000.50');
    expect(ok.json()['@odata.etag']).toMatch(/^W\/"[A-Za-z0-9+/=]+"$/);
    expect((await call(sim, token, 'GET', "CustomersV3(CustomerAccount='ACC-00003')")).status).toBe(400);
  });
});

describe('writing', () => {
  it('creates with 201 and returns the row with PartyNumber assigned', async () => {
    const created = await call(sim, token, 'POST', 'CustomersV3', {
      body: {
        dataAreaId: 'usmf',
        CustomerAccount: 'ACC-80001',
        OrganizationName: 'Fresh',
        CustomerGroupId: '10',
        CreditLimit: 12.1,
      },
    });
    expect(created.status).toBe(201);
    expect(created.json()).toMatchObject({ CustomerAccount: 'ACC-80001', PartyNumber: '000005001' });
    expect(created.text).toContain('"CreditLimit":12.1');
    expect(created.headers.get('location')).toContain(
      "CustomersV3(dataAreaId='usmf',CustomerAccount='ACC-80001')",
    );
  });

  it('reports business validation as 500 with the infolog in innererror', async () => {
    const unknownGroup = await call(sim, token, 'POST', 'CustomersV3', {
      body: { CustomerAccount: 'ACC-80002', CustomerGroupId: '99' },
    });
    expect(unknownGroup.status).toBe(500);
    expect(unknownGroup.json().error).toMatchObject({
      message: 'An error has occurred.',
      innererror: {
        message: expect.stringContaining(
          "The value '99' in field 'Customer group' is not found in the related table 'Customer groups'.",
        ),
      },
    });
    const duplicate = await call(sim, token, 'POST', 'CustomersV3', {
      body: { CustomerAccount: 'ACC-00001', CustomerGroupId: '10' },
    });
    expect(duplicate.status).toBe(500);
    expect(duplicate.json().error.innererror.message).toMatch(/The record already exists/);
  });

  it('assigns the quotation line id and computes the line amount exactly', async () => {
    await call(sim, token, 'POST', 'SalesQuotationHeadersV2', {
      body: {
        SalesQuotationNumber: 'QUO-1',
        RequestingCustomerAccountNumber: 'ACC-00001',
        SalesQuotationExpiryDate: '2026-12-31T00:00:00Z',
        RequestedShippingDate: '2026-12-01T00:00:00Z',
      },
    });
    const line = await call(sim, token, 'POST', 'SalesQuotationLines', {
      body: {
        SalesQuotationNumber: 'QUO-1',
        LineCreationSequenceNumber: 1,
        ItemNumber: 'D0001',
        RequestedSalesQuantity: 3,
        SalesPrice: 0.1,
        LineDiscountAmount: 0,
      },
    });
    expect(line.status).toBe(201);
    expect(line.json().InventoryLotId).toMatch(/^\d{9}$/);
    expect(line.text).toContain('"LineAmount":0.3');
    const badItem = await call(sim, token, 'POST', 'SalesQuotationLines', {
      body: {
        SalesQuotationNumber: 'QUO-1',
        LineCreationSequenceNumber: 2,
        ItemNumber: 'NOPE',
        RequestedSalesQuantity: 1,
        SalesPrice: 1,
      },
    });
    expect(badItem.json().error.innererror.message).toMatch(/'NOPE' in field 'Item number'/);
  });

  it('updates with PATCH (204, new ETag), never upserts, and 412s on a stale If-Match', async () => {
    const url = "CustomersV3(dataAreaId='usmf',CustomerAccount='ACC-00004')";
    const etag = (await call(sim, token, 'GET', url)).json()['@odata.etag'];
    expect(
      (
        await call(sim, token, 'PATCH', url, {
          body: { PrimaryContactPhone: '1' },
          headers: { 'If-Match': etag },
        })
      ).status,
    ).toBe(204);
    expect(
      (
        await call(sim, token, 'PATCH', url, {
          body: { PrimaryContactPhone: '2' },
          headers: { 'If-Match': etag },
        })
      ).status,
    ).toBe(412);
    expect(
      (
        await call(sim, token, 'PATCH', "CustomersV3(dataAreaId='usmf',CustomerAccount='NEW-1')", {
          body: { CustomerGroupId: '10' },
        })
      ).status,
    ).toBe(404);
  });
});
