/**
 * The Sales connector against the Sales simulator over real HTTP: typed reads, the change feed with its
 * fallback, upserts by alternate key and atomic change sets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeSetRolledBackCode } from '../../src/connectors/odata/index.js';
import { createSalesConnector, expiredTokenCode } from '../../src/connectors/sales/connector.js';
import { guid, salesAccounts, salesContacts } from '../support/fixtures.js';
import { collect, startTestSystems, type TestSystems } from '../support/systems.js';

let systems: TestSystems;

beforeAll(async () => {
  systems = await startTestSystems({ salesData: { accounts: salesAccounts(8), contacts: salesContacts() } });
});
afterAll(() => systems.close());

describe('reads', () => {
  it('returns typed records with exact decimals and the ETag', async () => {
    const account = await systems.connectors.sales.get('account', 'ACC-00002');
    expect(account).toMatchObject({
      accountid: guid(2),
      name: 'Account 002',
      creditlimit: '2000.50',
      customertypecode: 3,
    });
    expect(account?.etag).toMatch(/^W\/"\d+"$/);
  });

  it('finds a record by an alternate key with a quote in it, and answers null for a missing one', async () => {
    await systems.connectors.sales.upsert('account', [{ key: "ACC-O'1", body: { name: 'Quoted key' } }]);
    expect(await systems.connectors.sales.get('account', "ACC-O'1")).toMatchObject({ name: 'Quoted key' });
    expect(await systems.connectors.sales.get('account', 'ACC-NOPE')).toBeNull();
    expect(await systems.connectors.sales.get('account', { id: guid(999) })).toBeNull();
  });

  it('groups a batched lookup by the looked-up value, case-insensitively', async () => {
    const contacts = await systems.connectors.sales.getByValues('contact', '_parentcustomerid_value', [
      guid(1),
      guid(2),
    ]);
    expect(contacts.get(guid(1))?.map((c) => c.fullname)).toEqual(['Ada Lovelace']);
    expect(contacts.has(guid(2))).toBe(false);
  });

  it("reads a key list too long for one URL as the GET parts of one $batch, following each part's pages", async () => {
    // A 580-character URL limit splits eight account numbers into several reads; pages of two rows make
    // the parts answer with next links.
    const client = { ...systems.connectors.sales.client, maxUrlLength: 580 };
    const sales = createSalesConnector({ client, pageSize: 2 });
    const numbers = Array.from({ length: 8 }, (_, i) => `ACC-${String(i + 1).padStart(5, '0')}`);
    systems.sales.log.clear();
    const found = await sales.getByValues('account', 'accountnumber', numbers);
    expect([...found.keys()].sort()).toEqual(numbers.map((n) => n.toLowerCase()));
    const { log } = systems.sales;
    expect(log.httpRequests({ method: 'POST', entitySet: '$batch' })).toBe(1);
    const parts = log.entries.filter((entry) => entry.inBatch);
    expect(parts.length).toBeGreaterThan(1);
    // Every further page is a GET of its part's next link; none is read twice.
    const pagesAfter = log.httpRequests({ method: 'GET' });
    expect(pagesAfter).toBeGreaterThan(0);
    expect(new Set(log.entries.filter((e) => !e.inBatch && e.method === 'GET').map((e) => e.url)).size).toBe(
      pagesAfter,
    );
  });
});

describe('reads of several tables together', () => {
  it('reads by values of several tables in one $batch of GETs, each read grouped on its own', async () => {
    systems.sales.log.clear();
    const [accounts, contacts] = await systems.connectors.sales.getByValuesTogether([
      {
        kind: 'account',
        property: 'accountnumber',
        values: ['ACC-00001', 'acc-00004', 'ACC-99999'],
        select: ['accountid'],
      },
      { kind: 'contact', property: 'contactid', values: [salesContacts()[0]!['contactid'] as string] },
    ]);
    expect([...accounts.keys()].sort()).toEqual(['acc-00001', 'acc-00004']);
    expect(accounts.get('acc-00004')?.[0]).toMatchObject({ accountnumber: 'ACC-00004' });
    expect([...contacts.values()].flat()).toHaveLength(1);
    expect(systems.sales.log.counts()).toEqual({
      'POST $batch': 1,
      'GET accounts': 1,
      'GET contacts': 1,
    });
  });

  it('sends reads that fit one URL as one plain GET, and none for no values', async () => {
    systems.sales.log.clear();
    const [accounts, none] = await systems.connectors.sales.getByValuesTogether([
      { kind: 'account', property: 'accountnumber', values: ['ACC-00002'] },
      { kind: 'product', property: 'productnumber', values: [] },
    ]);
    expect(accounts.get('acc-00002')).toHaveLength(1);
    expect(none.size).toBe(0);
    expect(systems.sales.log.counts()).toEqual({ 'GET accounts': 1 });
  });
});

describe('change feed', () => {
  it('reads everything first, then only changes and deletions, and falls back to a full read after the token expires', async () => {
    const sales = systems.connectors.sales;
    const first = await collect(mapPages(sales.changes('account', { pageSize: 3 })));
    expect(first.flatMap((p) => p.rows)).toHaveLength(9);
    expect(first.every((p) => p.fullRead)).toBe(true);
    const deltaLink = first.at(-1)!.deltaLink!;
    expect(deltaLink).toBeTruthy();
    expect(first.slice(0, -1).every((p) => p.deltaLink === undefined)).toBe(true);

    await sales.upsert('account', [
      { key: 'ACC-00004', body: { telephone1: '555-9999' } },
      { key: 'ACC-77777', body: { name: 'New since' } },
    ]);
    await systems.sales.store.transaction(() =>
      systems.sales.store.remove('accounts', { accountid: guid(8) }),
    );

    const delta = await collect(mapPages(sales.changes('account', { deltaLink })));
    expect(delta.flatMap((p) => p.rows).map((a) => a.accountnumber)).toEqual(['ACC-00004', 'ACC-77777']);
    expect(delta.flatMap((p) => p.deleted)).toEqual([guid(8)]);
    expect(delta[0]!.fullRead).toBe(false);

    systems.sales.expireChangeTokens();
    const restarted = await collect(
      mapPages(sales.changes('account', { deltaLink: delta.at(-1)!.deltaLink! })),
    );
    expect(restarted[0]!.fullRead).toBe(true);
    expect(restarted[0]!.restartReason).toMatch(/expired/i);
    expect(restarted.flatMap((p) => p.rows)).toHaveLength(9);
    expect(restarted.at(-1)!.deltaLink).toBeTruthy();
  });

  it.each([400, 410, 422])(
    "reads everything again when a delta link is refused with Dataverse's expired-token code, here under a %i",
    async (status) => {
      const sales = systems.connectors.sales;
      const first = await collect(mapPages(sales.changes('account')));
      systems.sales.faults.failNext(1, {
        status,
        code: expiredTokenCode,
        message: 'Version stamp associated with the client has expired. Please perform a full sync.',
        match: { method: 'GET', entitySet: 'accounts' },
      });
      const restarted = await collect(
        mapPages(sales.changes('account', { deltaLink: first.at(-1)!.deltaLink! })),
      );
      expect(restarted[0]!.fullRead).toBe(true);
      expect(restarted[0]!.restartReason).toMatch(/Version stamp associated with the client has expired/);
    },
  );

  it.each([
    [400, '0x80060888', 'The query parameter $deltatoken is not valid.'],
    [403, '0x80040220', 'Principal user is missing prvReadAccount privilege.'],
    [404, '0x80060888', "Resource not found for the segment 'accounts'."],
  ])(
    'fails the read on any other refusal of a delta link (%i %s), rather than reading everything again',
    async (status, code, message) => {
      const sales = systems.connectors.sales;
      const first = await collect(mapPages(sales.changes('account')));
      systems.sales.faults.failNext(1, {
        status,
        code,
        message,
        match: { method: 'GET', entitySet: 'accounts' },
      });
      await expect(
        collect(mapPages(sales.changes('account', { deltaLink: first.at(-1)!.deltaLink! }))),
      ).rejects.toMatchObject({ name: 'ODataError', system: 'sales', status, code });
    },
  );
});

describe('upserts', () => {
  it('creates and updates by alternate key in one $batch, telling which is which', async () => {
    systems.sales.log.clear();
    const results = await systems.connectors.sales.upsert('contact', [
      { key: 'CON-00001', body: { jobtitle: 'Countess' } },
      {
        key: 'CON-50000',
        body: {
          lastname: 'Babbage',
          'parentcustomerid_account@odata.bind': systems.connectors.sales.bind('account', 'ACC-00001'),
        },
      },
    ]);
    expect(results.map((r) => r.outcome)).toEqual(['updated', 'created']);
    expect(results[0]!.id).toBe(guid(101));
    expect(systems.sales.log.httpRequests()).toBe(1);
    const babbage = await systems.connectors.sales.get('contact', 'CON-50000');
    expect(babbage).toMatchObject({
      lastname: 'Babbage',
      fullname: 'Babbage',
      _parentcustomerid_value: guid(1),
    });
  });

  it('writes decimals exactly', async () => {
    await systems.connectors.sales.upsert('account', [
      { key: 'ACC-00003', body: { creditlimit: '12345678901234.5678' } },
    ]);
    expect((await systems.connectors.sales.get('account', 'ACC-00003'))?.creditlimit).toBe(
      '12345678901234.5678',
    );
  });
});

describe('change sets', () => {
  const account = (number: string, only?: 'create' | 'update') =>
    ({
      method: 'PATCH',
      kind: 'account',
      key: number,
      body: { name: `Account ${number}` },
      ...(only ? { only } : {}),
    }) as const;

  it('writes each group atomically; later parts bind to what earlier parts created, by alternate key', async () => {
    systems.sales.log.clear();
    const [written] = await systems.connectors.sales.writeChangeSets([
      [
        account('ACC-70001', 'create'),
        {
          method: 'POST',
          kind: 'contact',
          body: {
            lastname: 'Lovelace',
            'parentcustomerid_account@odata.bind': systems.connectors.sales.bind('account', 'ACC-70001'),
          },
        },
      ],
    ]);
    expect(written?.map((result) => result.outcome)).toEqual(['created', 'created']);
    expect(systems.sales.log.httpRequests()).toBe(1);
    const parent = await systems.connectors.sales.get('account', 'ACC-70001');
    expect(systems.sales.store.findBy('contacts', '_parentcustomerid_value', parent!.accountid)).toHaveLength(
      1,
    );
  });

  it('rolls a change set back when one part fails, naming the part, and never creates on update-only', async () => {
    const [rolledBack, missing] = await systems.connectors.sales.writeChangeSets([
      // ACC-00001 exists, so its create-only part fails and takes the new account with it.
      [account('ACC-70002', 'create'), account('ACC-00001', 'create')],
      [account('ACC-70003', 'update')],
    ]);
    expect(rolledBack?.map((result) => result.outcome)).toEqual(['failed', 'failed']);
    expect(rolledBack?.[0]?.error?.code).toBe(changeSetRolledBackCode);
    expect(rolledBack?.[1]?.error?.status).toBe(412);
    expect(missing?.[0]).toMatchObject({
      outcome: 'failed',
      error: expect.objectContaining({ status: 404 }),
    });
    expect(await systems.connectors.sales.get('account', 'ACC-70002')).toBeNull();
    expect(await systems.connectors.sales.get('account', 'ACC-70003')).toBeNull();
  });

  it('fills $batch requests up to the batch size without splitting a change set', async () => {
    const small = createSalesConnector({ client: systems.connectors.sales.client, batchSize: 3 });
    systems.sales.log.clear();
    const results = await small.writeChangeSets([
      [account('ACC-00002'), account('ACC-00003')],
      [account('ACC-00004'), account('ACC-00005')],
      [account('ACC-00006')],
    ]);
    expect(results.map((group) => group.map((result) => result.outcome))).toEqual([
      ['updated', 'updated'],
      ['updated', 'updated'],
      ['updated'],
    ]);
    expect(systems.sales.log.httpRequests({ method: 'POST', entitySet: '$batch' })).toBe(2);
  });
});

async function* mapPages<T>(pages: AsyncIterable<T>): AsyncGenerator<T[]> {
  for await (const page of pages) yield [page];
}
