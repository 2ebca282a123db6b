/**
 * The Sales simulator answers like the Dataverse Web API v9.2 on the wire: these tests speak raw HTTP to
 * it and pin the documented behaviour the connectors rely on.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSalesSimulator, type SalesSimulator } from '../../src/simulators/sales/index.js';
import { guid, salesAccounts, salesContacts } from '../support/fixtures.js';
import { call, tokenFor } from '../support/wire.js';

let sim: SalesSimulator;
let token: string;

beforeAll(async () => {
  sim = createSalesSimulator({
    data: { accounts: salesAccounts(12), contacts: salesContacts() },
    pageSize: 5,
  });
  await sim.listen();
  token = await tokenFor(sim);
});
afterAll(() => sim.close());
beforeEach(() => sim.faults.reset());

describe('reading', () => {
  it('pages with an opaque nextLink at the configured page size and ends without one', async () => {
    const names: string[] = [];
    let url: string | undefined = 'accounts?$select=name';
    let pages = 0;
    while (url) {
      const page = await call(sim, token, 'GET', url);
      expect(page.status).toBe(200);
      const body = page.json();
      names.push(...body.value.map((r: { name: string }) => r.name));
      url = body['@odata.nextLink'];
      if (url) expect(url).toMatch(/\$skiptoken=/);
      pages += 1;
    }
    expect(pages).toBe(3);
    expect(new Set(names).size).toBe(12);
  });

  it('honours Prefer: odata.maxpagesize and says so in Preference-Applied', async () => {
    const page = await call(sim, token, 'GET', 'accounts?$select=name', {
      headers: { Prefer: 'odata.maxpagesize=2' },
    });
    expect(page.json().value).toHaveLength(2);
    expect(page.headers.get('preference-applied')).toBe('odata.maxpagesize=2');
  });

  it('rejects $skip, which Dataverse does not support', async () => {
    const response = await call(sim, token, 'GET', 'accounts?$skip=2');
    expect(response.status).toBe(400);
    expect(response.json().error.message).toMatch(/\$skip is not supported/);
  });

  it('returns the primary key and an ETag on every row even when not selected', async () => {
    const body = (await call(sim, token, 'GET', 'accounts?$select=name&$top=1')).json();
    expect(Object.keys(body.value[0]).sort()).toEqual(['@odata.etag', 'accountid', 'name']);
    expect(body.value[0]['@odata.etag']).toMatch(/^W\/"\d+"$/);
  });

  it('keeps money exact on the wire', async () => {
    const response = await call(sim, token, 'GET', `accounts(${guid(1)})?$select=creditlimit`);
    expect(response.text).toContain('"creditlimit":1000.50');
  });

  it('filters with Microsoft.Dynamics.CRM.In for batched lookups', async () => {
    const filter = encodeURIComponent(
      "Microsoft.Dynamics.CRM.In(PropertyName='accountnumber',PropertyValues=['ACC-00002','ACC-00004'])",
    );
    const body = (await call(sim, token, 'GET', `accounts?$select=accountnumber&$filter=${filter}`)).json();
    expect(body.value.map((r: { accountnumber: string }) => r.accountnumber).sort()).toEqual([
      'ACC-00002',
      'ACC-00004',
    ]);
  });

  it('treats a quote inside a filter literal as data, not syntax', async () => {
    const filter = encodeURIComponent("name eq 'O''Brien & Sons #1'");
    const body = (await call(sim, token, 'GET', `accounts?$select=name&$filter=${filter}`)).json();
    expect(body.value).toEqual([expect.objectContaining({ name: "O'Brien & Sons #1" })]);
    const injection = encodeURIComponent("name eq 'x'' or 1 eq 1'");
    expect((await call(sim, token, 'GET', `accounts?$filter=${injection}`)).json().value).toEqual([]);
  });

  it('reads by alternate key with an escaped literal, and 404s with a Dataverse error body', async () => {
    const found = await call(sim, token, 'GET', "accounts(accountnumber='ACC-00003')?$select=name");
    expect(found.json().name).toBe("O'Brien & Sons #1");
    const missing = await call(sim, token, 'GET', "accounts(accountnumber='NOPE')");
    expect(missing.status).toBe(404);
    expect(missing.json()).toEqual({
      error: { code: '0x80040217', message: expect.stringMatching(/does not exist/i) },
    });
  });

  it('expands one level and annotates lookups when asked', async () => {
    const body = (
      await call(
        sim,
        token,
        'GET',
        `contacts(${guid(101)})?$select=fullname,_parentcustomerid_value&$expand=parentcustomerid_account($select=name)`,
        {
          headers: { Prefer: 'odata.include-annotations="Microsoft.Dynamics.CRM.lookuplogicalname"' },
        },
      )
    ).json();
    expect(body.parentcustomerid_account).toMatchObject({ accountid: guid(1), name: 'Account 001' });
    expect(body['_parentcustomerid_value@Microsoft.Dynamics.CRM.lookuplogicalname']).toBe('account');
  });

  it('caps @odata.count and serves $count', async () => {
    expect((await call(sim, token, 'GET', 'accounts?$count=true&$select=name')).json()['@odata.count']).toBe(
      12,
    );
    expect((await call(sim, token, 'GET', 'accounts/$count')).text).toBe('12');
  });
});

describe('writing', () => {
  it('creates with 204 and OData-EntityId, or 201 with the row when asked for representation', async () => {
    const created = await call(sim, token, 'POST', 'accounts', {
      body: { name: 'New Co', accountnumber: 'ACC-90001' },
    });
    expect(created.status).toBe(204);
    expect(created.headers.get('odata-entityid')).toMatch(/\/accounts\([0-9a-f-]{36}\)$/);
    const represented = await call(sim, token, 'POST', 'accounts?$select=name', {
      body: { name: 'Other Co' },
      headers: { Prefer: 'return=representation' },
    });
    expect(represented.status).toBe(201);
    expect(represented.json()).toMatchObject({ name: 'Other Co' });
  });

  it('upserts by alternate key: PATCH creates when missing, updates when present', async () => {
    const url = "accounts(accountnumber='ACC-90002')";
    expect((await call(sim, token, 'PATCH', url, { body: { name: 'Upserted' } })).status).toBe(204);
    expect((await call(sim, token, 'PATCH', url, { body: { name: 'Upserted again' } })).status).toBe(204);
    expect((await call(sim, token, 'GET', `${url}?$select=name,accountnumber`)).json()).toMatchObject({
      name: 'Upserted again',
      accountnumber: 'ACC-90002',
    });
  });

  it('never creates with If-Match: * and never updates with If-None-Match: *', async () => {
    const missing = await call(sim, token, 'PATCH', "accounts(accountnumber='ACC-99999')", {
      body: { name: 'x' },
      headers: { 'If-Match': '*' },
    });
    expect(missing.status).toBe(404);
    const existing = await call(sim, token, 'PATCH', "accounts(accountnumber='ACC-00001')", {
      body: { name: 'x' },
      headers: { 'If-None-Match': '*' },
    });
    expect(existing.status).toBe(412);
  });

  it('changes the ETag on update and answers 412 to a stale If-Match', async () => {
    const before = (await call(sim, token, 'GET', `accounts(${guid(5)})?$select=name`)).json()['@odata.etag'];
    expect(
      (
        await call(sim, token, 'PATCH', `accounts(${guid(5)})`, {
          body: { telephone1: '1' },
          headers: { 'If-Match': before },
        })
      ).status,
    ).toBe(204);
    const after = (await call(sim, token, 'GET', `accounts(${guid(5)})?$select=name`)).json()['@odata.etag'];
    expect(after).not.toBe(before);
    const stale = await call(sim, token, 'PATCH', `accounts(${guid(5)})`, {
      body: { telephone1: '2' },
      headers: { 'If-Match': before },
    });
    expect(stale.status).toBe(412);
    expect(stale.json().error.code).toBe('0x80060882');
  });

  it('binds lookups with @odata.bind and rejects writing the _value column', async () => {
    const created = await call(sim, token, 'POST', 'contacts?$select=_parentcustomerid_value', {
      body: {
        lastname: 'Bound',
        'parentcustomerid_account@odata.bind': "/accounts(accountnumber='ACC-00002')",
      },
      headers: { Prefer: 'return=representation' },
    });
    expect(created.json()._parentcustomerid_value).toBe(guid(2));
    const direct = await call(sim, token, 'POST', 'contacts', { body: { _parentcustomerid_value: guid(2) } });
    expect(direct.status).toBe(400);
    expect(direct.json().error.message).toMatch(/@odata\.bind/);
  });

  it('rejects a duplicate alternate key and over-long values with clear errors', async () => {
    const duplicate = await call(sim, token, 'POST', 'accounts', { body: { accountnumber: 'ACC-00001' } });
    expect(duplicate.status).toBe(412);
    const tooLong = await call(sim, token, 'POST', 'accounts', { body: { accountnumber: 'X'.repeat(21) } });
    expect(tooLong.status).toBe(400);
    expect(tooLong.json().error.message).toMatch(/maximum allowed length of '20'/);
  });

  it('deletes with 204 and then 404', async () => {
    expect((await call(sim, token, 'DELETE', `accounts(${guid(12)})`)).status).toBe(204);
    expect((await call(sim, token, 'DELETE', `accounts(${guid(12)})`)).status).toBe(404);
  });
});

describe('product catalogue', () => {
  /** Creates a row with return=representation and answers it. */
  async function create(set: string, body: Record<string, unknown>): Promise<Record<string, any>> {
    const response = await call(sim, token, 'POST', set, {
      body,
      headers: { Prefer: 'return=representation' },
    });
    expect(response.status, response.text).toBe(201);
    return response.json();
  }

  let usd: string;
  let unit: string;
  let retail: string;
  beforeAll(async () => {
    usd = (await create('transactioncurrencies', { isocurrencycode: 'USD' })).transactioncurrencyid;
    unit = (await create('uoms', { name: 'ea' })).uomid;
    retail = (
      await create('pricelevels', {
        name: 'Retail USD',
        'transactioncurrencyid@odata.bind': `/transactioncurrencies(${usd})`,
      })
    ).pricelevelid;
  });

  it('starts a product as Draft and keeps its status reason in step with its state', async () => {
    const product = await create('products', { productnumber: 'CAT-1', name: 'Catalogue one' });
    expect([product.statecode, product.statuscode]).toEqual([2, 0]);
    const url = `products(${String(product.productid)})?$select=statecode,statuscode`;
    for (const [statecode, statuscode] of [
      [0, 1],
      [1, 2],
      [2, 0],
    ]) {
      expect((await call(sim, token, 'PATCH', url, { body: { statecode } })).status).toBe(204);
      expect((await call(sim, token, 'GET', url)).json()).toMatchObject({ statecode, statuscode });
    }
  });

  it('takes a default price list by update only, once the product has an item on that list', async () => {
    const bind = { 'pricelevelid@odata.bind': `/pricelevels(${retail})` };
    const onCreate = await call(sim, token, 'POST', 'products', {
      body: { productnumber: 'CAT-2', ...bind },
    });
    expect(onCreate.status).toBe(400);
    expect(onCreate.json().error.message).toMatch(/'pricelevelid' of product is not valid for create/);

    const product = await create('products', { productnumber: 'CAT-2', name: 'Catalogue two' });
    const url = `products(${String(product.productid)})`;
    const early = await call(sim, token, 'PATCH', url, { body: bind });
    expect(early.status).toBe(400);
    expect(early.json().error.message).toMatch(/CAT-2 has no item on the price list/);

    const item = {
      ...bind,
      'productid@odata.bind': "/products(productnumber='CAT-2')",
      'uomid@odata.bind': `/uoms(${unit})`,
      amount: 12.5,
      pricingmethodcode: 1,
    };
    // The item's currency is its price list's.
    expect(await create('productpricelevels', item)).toMatchObject({
      _transactioncurrencyid_value: usd,
      amount: 12.5,
    });
    expect((await call(sim, token, 'PATCH', url, { body: bind })).status).toBe(204);
    expect((await call(sim, token, 'GET', `${url}?$select=_pricelevelid_value`)).json()).toMatchObject({
      _pricelevelid_value: retail,
    });
    const twice = await call(sim, token, 'POST', 'productpricelevels', { body: item });
    expect(twice.status).toBe(400);
    expect(twice.json().error.message).toMatch(/already have a price on this price list/);
  });

  it('refuses a Draft or Retired product on a quote line and takes an active one', async () => {
    const product = await create('products', { productnumber: 'CAT-3', name: 'Catalogue three' });
    const quote = await create('quotes', { name: 'Catalogue quote' });
    const line = {
      'quoteid@odata.bind': `/quotes(${String(quote.quoteid)})`,
      'productid@odata.bind': `/products(${String(product.productid)})`,
      quantity: 1,
    };
    const draft = await call(sim, token, 'POST', 'quotedetails', { body: line });
    expect(draft.status).toBe(400);
    expect(draft.json().error.message).toMatch(/CAT-3 is a draft: only active products/);
    const url = `products(${String(product.productid)})`;
    await call(sim, token, 'PATCH', url, { body: { statecode: 1 } });
    expect((await call(sim, token, 'POST', 'quotedetails', { body: line })).json().error.message).toMatch(
      /CAT-3 is not active/,
    );
    await call(sim, token, 'PATCH', url, { body: { statecode: 0 } });
    expect((await call(sim, token, 'POST', 'quotedetails', { body: line })).status).toBe(204);
  });
});

describe('change tracking', () => {
  it('returns a deltaLink, then only changed rows and deletions, then recovers after expiry with a full read', async () => {
    const first = await call(sim, token, 'GET', 'contacts?$select=lastname', {
      headers: { Prefer: 'odata.track-changes' },
    });
    expect(first.headers.get('preference-applied')).toBe('odata.track-changes');
    const deltaLink: string = first.json()['@odata.deltaLink'];
    expect(deltaLink).toMatch(/\$deltatoken=/);

    await call(sim, token, 'PATCH', `contacts(${guid(101)})`, { body: { lastname: 'Byron' } });
    const created = await call(sim, token, 'POST', 'contacts', { body: { lastname: 'Fresh' } });
    const createdId = /\(([^)]+)\)$/.exec(created.headers.get('odata-entityid')!)![1]!;
    await call(sim, token, 'DELETE', `contacts(${createdId})`);
    const added = await call(sim, token, 'POST', 'contacts', { body: { lastname: 'Stays' } });
    expect(added.status).toBe(204);

    const delta = (
      await call(sim, token, 'GET', deltaLink, { headers: { Prefer: 'odata.track-changes' } })
    ).json();
    const names = delta.value
      .filter((r: Record<string, unknown>) => 'lastname' in r)
      .map((r: { lastname: string }) => r.lastname);
    expect(names).toEqual(['Byron', 'Stays']);
    expect(delta.value.at(-1)).toMatchObject({ id: createdId, reason: 'deleted' });
    expect(delta.value.at(-1)['@odata.context']).toMatch(/\$deletedEntity$/);

    sim.expireChangeTokens();
    const expired = await call(sim, token, 'GET', delta['@odata.deltaLink'], {
      headers: { Prefer: 'odata.track-changes' },
    });
    expect(expired.status).toBe(400);
    expect(expired.json().error.message).toMatch(/expired/);
  });

  it('rejects $filter with change tracking', async () => {
    const response = await call(sim, token, 'GET', "contacts?$filter=lastname eq 'x'", {
      headers: { Prefer: 'odata.track-changes' },
    });
    expect(response.status).toBe(400);
  });
});
