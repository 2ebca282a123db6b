/**
 * Every wrong input gets a clear error with a code naming what to fix; a back-end that is down costs only
 * the fields that need it; anything unexpected is masked.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resetSystems, startTestHub, type TestHub } from '../support/hub.js';

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub({ accounts: 30, timeoutMs: 300 });
});
afterAll(() => hub.close());
beforeEach(() => resetSystems(hub));

const someAccount = () =>
  String(hub.simulators.data.sales.accounts.find((a) => a['accountnumber'])!['accountnumber']);

describe('bad input', () => {
  it.each([
    ['a malformed cursor', `{ accounts(after: "not-a-cursor") { nodes { accountNumber } } }`, 'after'],
    [
      'a cursor of another listing',
      `{ accounts(after: "${Buffer.from(JSON.stringify(['products', 'x', 'x'])).toString('base64url')}") { nodes { accountNumber } } }`,
      'after',
    ],
    ['first out of range', `{ accounts(first: 0) { nodes { accountNumber } } }`, 'first'],
    ['first too large', `{ accounts(first: 100000) { nodes { accountNumber } } }`, 'first'],
    [
      'an over-long filter',
      `{ accounts(filter: { nameContains: "${'x'.repeat(201)}" }) { nodes { accountNumber } } }`,
      'filter.nameContains',
    ],
    [
      'a wildcard Finance cannot search',
      `{ products(filter: { nameContains: "a*b" }) { nodes { productNumber } } }`,
      'filter.nameContains',
    ],
  ])('answers %s with BAD_USER_INPUT naming the argument', async (_case, query, argument) => {
    const { errors } = await hub.graphql(query);
    expect(errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', argument } });
    expect(errors?.[0]?.message).toContain(argument);
  });

  it('rejects a wrong variable type and an invalid DateTime before any back-end call', async () => {
    const wrongType = await hub.graphql(`query($n: String!) { account(accountNumber: $n) { name } }`, {
      n: 42,
    });
    expect(wrongType.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    const badDate = await hub.graphql(
      `{ accounts(filter: { modifiedSince: "yesterday" }) { nodes { accountNumber } } }`,
    );
    expect(badDate.errors?.[0]?.message).toMatch(/DateTime must be ISO 8601/);
    expect(hub.simulators.sales.log.httpRequests()).toBe(0);
  });

  it('answers unknown keys with null, not an error', async () => {
    const { data, errors } = await hub.graphql(
      `{ account(accountNumber: "NOPE") { name } contact(contactNumber: "NOPE") { fullName } quote(quoteNumber: "NOPE") { name } product(productNumber: "NOPE") { name } }`,
    );
    expect(errors).toBeUndefined();
    expect(data).toEqual({ account: null, contact: null, quote: null, product: null });
  });
});

describe('a back-end that is down', () => {
  it('returns the Sales data with finance: null and an UPSTREAM_UNAVAILABLE error on that path', async () => {
    hub.simulators.finance.faults.set({ unavailableRate: 1 });
    const number = someAccount();
    const { data, errors } = await hub.graphql(
      `query($n: String!) { account(accountNumber: $n) { accountNumber name finance { CustomerAccount } } }`,
      { n: number },
    );
    expect(data.account).toMatchObject({ accountNumber: number, finance: null });
    expect(data.account.name).toBeTruthy();
    expect(errors).toEqual([
      expect.objectContaining({
        path: ['account', 'finance'],
        message: expect.stringMatching(/^Finance is unavailable/),
        extensions: expect.objectContaining({ code: 'UPSTREAM_UNAVAILABLE', system: 'finance' }),
      }),
    ]);
  });

  it('names the system when one times out', async () => {
    hub.simulators.sales.faults.set({ hangRate: 1 });
    const { errors } = await hub.graphql(`{ accounts(first: 2) { nodes { accountNumber } } }`);
    expect(errors?.[0]).toMatchObject({
      message: expect.stringMatching(/^Sales is unavailable: it did not answer in time/),
      extensions: { code: 'UPSTREAM_UNAVAILABLE', system: 'sales' },
    });
    expect(JSON.stringify(errors)).not.toMatch(/Bearer|token|stack|at \//i);
  });
});

describe('unexpected errors', () => {
  it('are masked as INTERNAL_SERVER_ERROR without internals', async () => {
    const broken = await startTestHub({ accounts: 5 });
    await broken.database.close(); // the link table can no longer be read
    const number = String(
      broken.simulators.data.sales.accounts.find((a) => a['accountnumber'])!['accountnumber'],
    );
    const { data, errors } = await broken.graphql(
      `query($n: String!) { account(accountNumber: $n) { name sync { state } } }`,
      { n: number },
    );
    await broken.server.close();
    await broken.simulators.close();
    expect(data?.account ?? null).toBeNull();
    expect(errors?.[0]).toMatchObject({
      message: 'Unexpected error.',
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    expect(JSON.stringify(errors)).not.toMatch(/pglite|closed|stack/i);
  });
});
