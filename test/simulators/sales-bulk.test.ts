/**
 * The Sales simulator's bulk operation messages answer like Dataverse's CreateMultiple, UpdateMultiple and
 * UpsertMultiple bound actions: one HTTP request for many records, all or nothing on a standard table, and
 * records in the store exactly as the same single writes would leave them.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSalesSimulator, type SalesSimulator } from '../../src/simulators/sales/index.js';
import { guid, salesAccounts, salesContacts } from '../support/fixtures.js';
import { call, tokenFor } from '../support/wire.js';

const account = 'Microsoft.Dynamics.CRM.account';
const clock = { now: new Date('2026-03-01T10:00:00Z') };

let sim: SalesSimulator;
let token: string;

beforeAll(async () => {
  sim = createSalesSimulator({
    data: { accounts: salesAccounts(12), contacts: salesContacts() },
    now: () => clock.now,
  });
  await sim.listen();
  token = await tokenFor(sim);
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.faults.reset();
  sim.log.clear();
});

const post = (set: string, message: string, targets: unknown[]) =>
  call(sim, token, 'POST', `${set}/Microsoft.Dynamics.CRM.${message}`, { body: { Targets: targets } });

const byNumber = (accountnumber: string) => sim.store.findByAlternateKey('accounts', { accountnumber });

describe('UpsertMultiple', () => {
  it('creates and updates 500 accounts by alternate key in one request, answering 204', async () => {
    clock.now = new Date('2026-03-01T10:05:00Z');
    const targets = Array.from({ length: 500 }, (_, i) => {
      const accountnumber = `ACC-${String(i + 1).padStart(5, '0')}`; // ACC-00001…00012 exist already
      return {
        '@odata.type': account,
        '@odata.id': `accounts(accountnumber='${accountnumber}')`,
        name: `Bulk ${i + 1}`,
        creditlimit: 12.1,
      };
    });
    const before = sim.store.count('accounts');

    const response = await post('accounts', 'UpsertMultiple', targets);

    expect(response.status).toBe(204);
    expect(response.text).toBe('');
    expect(sim.store.count('accounts')).toBe(before + 488);
    expect(byNumber('ACC-00001')).toMatchObject({
      accountid: guid(1),
      name: 'Bulk 1',
      creditlimit: '12.1',
      telephone1: '555-0100', // untouched columns stay
      modifiedon: '2026-03-01T10:05:00Z',
    });
    expect(byNumber('ACC-00500')).toMatchObject({
      name: 'Bulk 500',
      accountnumber: 'ACC-00500',
      createdon: '2026-03-01T10:05:00Z',
      statecode: 0,
    });
    expect(sim.log.httpRequests()).toBe(1);
    expect(sim.log.httpRequests({ method: 'POST', entitySet: 'accounts' })).toBe(1);
  });

  it('takes the alternate key from the target columns when there is no @odata.id', async () => {
    const response = await post('accounts', 'UpsertMultiple', [
      { '@odata.type': account, accountnumber: 'ACC-00002', name: 'By column' },
      { '@odata.type': account, accountnumber: 'UPS-COL-1', name: 'New by column' },
    ]);
    expect(response.status).toBe(204);
    expect(byNumber('ACC-00002')).toMatchObject({ accountid: guid(2), name: 'By column' });
    expect(byNumber('UPS-COL-1')).toMatchObject({ name: 'New by column' });
  });

  it('binds lookups with @odata.bind, as a single write does', async () => {
    const response = await post('contacts', 'UpsertMultiple', [
      {
        '@odata.type': 'Microsoft.Dynamics.CRM.contact',
        '@odata.id': "contacts(msdynce_contactnumber='CON-90001')",
        lastname: 'Bulk',
        'parentcustomerid_account@odata.bind': "/accounts(accountnumber='ACC-00003')",
      },
    ]);
    expect(response.status).toBe(204);
    expect(sim.store.findByAlternateKey('contacts', { msdynce_contactnumber: 'CON-90001' })).toMatchObject({
      lastname: 'Bulk',
      fullname: 'Bulk',
      _parentcustomerid_value: guid(3),
    });
  });

  it('leaves the change feed as the same single writes would: every record, each with its own version', async () => {
    const tracked = await call(sim, token, 'GET', 'accounts?$select=name', {
      headers: { Prefer: 'odata.track-changes, odata.maxpagesize=5000' },
    });
    const deltaLink: string = tracked.json()['@odata.deltaLink'];
    const response = await post('accounts', 'UpsertMultiple', [
      { '@odata.type': account, '@odata.id': `accounts(${guid(4)})`, name: 'Tracked update' },
      { '@odata.type': account, '@odata.id': "accounts(accountnumber='TRK-1')", name: 'Tracked create' },
    ]);
    expect(response.status).toBe(204);

    const changes = (await call(sim, token, 'GET', deltaLink)).json().value as Record<string, unknown>[];
    expect(changes.map((row) => row['name'])).toEqual(['Tracked update', 'Tracked create']);
    const versions = changes.map((row) => Number(String(row['@odata.etag']).replace(/\D/g, '')));
    expect(versions[1]).toBeGreaterThan(versions[0]!);
  });

  it('writes nothing when one target fails, and answers the error that target alone would get', async () => {
    const before = { count: sim.store.count('accounts'), first: { ...byNumber('ACC-00005') } };
    const response = await post('accounts', 'UpsertMultiple', [
      { '@odata.type': account, '@odata.id': "accounts(accountnumber='ACC-00005')", name: 'Changed' },
      { '@odata.type': account, '@odata.id': "accounts(accountnumber='NEW-OK-1')", name: 'New' },
      { '@odata.type': account, '@odata.id': "accounts(accountnumber='NEW-BAD-1')", fax: 'F'.repeat(51) },
    ]);
    const single = await call(sim, token, 'PATCH', "accounts(accountnumber='NEW-BAD-1')", {
      body: { fax: 'F'.repeat(51) },
    });

    expect(response.status).toBe(400);
    expect(response.json()).toEqual(single.json());
    expect(response.json().error.message).toMatch(/maximum allowed length of '50'/);
    expect(sim.store.count('accounts')).toBe(before.count);
    expect(byNumber('ACC-00005')).toEqual(before.first);
    expect(byNumber('NEW-OK-1')).toBeUndefined();
  });

  it('requires @odata.type on every target, naming the bound table', async () => {
    const response = await post('accounts', 'UpsertMultiple', [
      { '@odata.type': account, accountnumber: 'TYPE-1', name: 'typed' },
      { accountnumber: 'TYPE-2', name: 'untyped' },
    ]);
    expect(response.status).toBe(400);
    expect(response.json().error.message).toMatch(
      /Targets\[1\].*"@odata\.type": "Microsoft\.Dynamics\.CRM\.account"/,
    );
    expect(byNumber('TYPE-1')).toBeUndefined();
  });
});

describe('CreateMultiple and UpdateMultiple', () => {
  it('CreateMultiple answers 200 with the Ids of the records created, in order', async () => {
    const response = await post('accounts', 'CreateMultiple', [
      { '@odata.type': account, name: 'Created 1', accountnumber: 'CRM-1' },
      { '@odata.type': account, name: 'Created 2', accountnumber: 'CRM-2' },
    ]);
    expect(response.status).toBe(200);
    const body = response.json();
    expect(body['@odata.context']).toBe(
      `${sim.serviceRoot}$metadata#Microsoft.Dynamics.CRM.CreateMultipleResponse`,
    );
    expect(body.Ids).toEqual([byNumber('CRM-1')!['accountid'], byNumber('CRM-2')!['accountid']]);
  });

  it('CreateMultiple refuses a duplicate alternate key and creates none of the batch', async () => {
    const response = await post('accounts', 'CreateMultiple', [
      { '@odata.type': account, name: 'Fine', accountnumber: 'CRM-DUP-OK' },
      { '@odata.type': account, name: 'Duplicate', accountnumber: 'ACC-00001' },
    ]);
    expect(response.status).toBe(412);
    expect(response.json().error.code).toBe('0x80040237');
    expect(byNumber('CRM-DUP-OK')).toBeUndefined();
  });

  it('UpdateMultiple updates by primary key with 204, and 404s with nothing written when one is missing', async () => {
    const updated = await post('accounts', 'UpdateMultiple', [
      { '@odata.type': account, accountid: guid(6), name: 'Updated 6' },
      { '@odata.type': account, accountid: guid(7), name: 'Updated 7' },
    ]);
    expect(updated.status).toBe(204);
    expect(sim.store.get('accounts', { accountid: guid(7) })).toMatchObject({ name: 'Updated 7' });

    const eighth = { ...sim.store.get('accounts', { accountid: guid(8) }) };
    const missing = await post('accounts', 'UpdateMultiple', [
      { '@odata.type': account, accountid: guid(8), name: 'Not kept' },
      { '@odata.type': account, accountid: guid(999), name: 'Nobody' },
    ]);
    expect(missing.status).toBe(404);
    expect(missing.json().error.code).toBe('0x80040217');
    expect(sim.store.get('accounts', { accountid: guid(8) })).toEqual(eighth);
  });
});

describe('where bulk messages are refused', () => {
  it('refuses them on a table that does not support them, writing nothing', async () => {
    const before = sim.store.count('transactioncurrencies');
    const response = await post('transactioncurrencies', 'CreateMultiple', [
      { '@odata.type': 'Microsoft.Dynamics.CRM.transactioncurrency', isocurrencycode: 'CHF' },
    ]);
    expect(response.status).toBe(400);
    expect(response.json().error.message).toMatch(
      /'CreateMultiple' message is not supported for the entity 'transactioncurrency'/,
    );
    expect(sim.store.count('transactioncurrencies')).toBe(before);
  });

  it.each([
    ['an unknown action', 'POST', 'accounts/Microsoft.Dynamics.CRM.ExplodeMultiple', 404],
    ['a GET of an action', 'GET', 'accounts/Microsoft.Dynamics.CRM.UpsertMultiple', 405],
  ])('answers %s with an error status', async (_case, method, path, status) => {
    const response = await call(sim, token, method, path);
    expect(response.status).toBe(status);
    expect(response.json().error).toBeDefined();
  });
});
