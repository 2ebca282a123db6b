/**
 * Finance down, seen from GraphQL: an account still answers with its Sales data, and only the Finance
 * field is null with UPSTREAM_UNAVAILABLE on its path. Once Finance has failed often enough its breaker
 * opens, and the same query stops reaching Finance at all until the cool-down has passed. The breaker's
 * clock is the test's.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resetSystems, startTestHub, type TestHub } from '../support/hub.js';

const failureThreshold = 3;
const coolDownMs = 30_000;
let now = Date.parse('2026-01-05T09:00:00.000Z');
let hub: TestHub;

beforeAll(async () => {
  hub = await startTestHub({
    accounts: 20,
    circuitBreaker: { failureThreshold, coolDownMs, now: () => now },
  });
});
afterAll(() => hub.close());
beforeEach(async () => {
  // Every test starts with Finance up and its breaker closed: past any cool-down, one query closes it.
  resetSystems(hub);
  now += 10 * coolDownMs;
  expect((await accountQuery()).errors).toBeUndefined();
  expect(financeHealth()).toMatchObject({ state: 'closed', consecutiveFailures: 0 });
  hub.simulators.finance.log.clear();
});

const accountNumber = () =>
  String(hub.simulators.data.sales.accounts.find((a) => a['accountnumber'])!['accountnumber']);

const accountQuery = () =>
  hub.graphql(
    `query($n: String!) { account(accountNumber: $n) { accountNumber name finance { CustomerAccount } } }`,
    { n: accountNumber() },
  );

const financeHealth = () => hub.connectors.finance.client.health();

/** The answer with Finance unavailable: Sales data, `finance: null`, one error on that path. */
function expectSalesOnly(response: Awaited<ReturnType<typeof accountQuery>>): void {
  expect(response.status).toBe(200);
  expect(response.data.account).toMatchObject({ accountNumber: accountNumber(), finance: null });
  expect(response.data.account.name).toBeTruthy();
  expect(response.errors).toEqual([
    expect.objectContaining({
      path: ['account', 'finance'],
      message: expect.stringMatching(/^Finance is unavailable/),
      extensions: { code: 'UPSTREAM_UNAVAILABLE', system: 'finance' },
    }),
  ]);
}

describe('Finance down', () => {
  it('answers an account query with its Sales data, finance: null and UPSTREAM_UNAVAILABLE on that path', async () => {
    hub.simulators.finance.faults.set({ unavailableRate: 1 });
    expectSalesOnly(await accountQuery());
    expect(hub.simulators.finance.log.httpRequests()).toBe(5); // one read, retried by the policy
  });

  it('stops reaching Finance once its breaker is open, still answering with the Sales data', async () => {
    hub.simulators.finance.faults.set({ unavailableRate: 1 });
    for (let i = 0; i < failureThreshold; i++) expectSalesOnly(await accountQuery());
    expect(financeHealth()).toMatchObject({ state: 'open', consecutiveFailures: failureThreshold });
    const reached = hub.simulators.finance.log.httpRequests();
    const salesReached = hub.simulators.sales.log.httpRequests();

    for (let i = 0; i < 3; i++) expectSalesOnly(await accountQuery());
    expect(hub.simulators.finance.log.httpRequests()).toBe(reached);
    // The error says when the hub will try Finance again.
    const { errors } = await accountQuery();
    expect(errors?.[0]?.message).toMatch(
      /^Finance is unavailable: it failed repeatedly, so the hub tries it again at \d{4}-/,
    );
    expect(hub.simulators.sales.log.httpRequests()).toBeGreaterThan(salesReached);
  });

  it('reaches Finance again after the cool-down, and its answer closes the breaker', async () => {
    hub.simulators.finance.faults.set({ unavailableRate: 1 });
    for (let i = 0; i < failureThreshold; i++) await accountQuery();
    expect(financeHealth().state).toBe('open');
    hub.simulators.finance.faults.reset();
    hub.simulators.finance.log.clear();

    // Back, but the breaker does not know yet.
    expectSalesOnly(await accountQuery());
    expect(hub.simulators.finance.log.httpRequests()).toBe(0);

    now += coolDownMs;
    const { data, errors } = await accountQuery();
    expect(errors).toBeUndefined();
    expect(data.account.finance).toEqual({ CustomerAccount: accountNumber() });
    expect(hub.simulators.finance.log.httpRequests()).toBe(1);
    expect(financeHealth()).toMatchObject({ state: 'closed', consecutiveFailures: 0 });
  });
});

describe('a record whose sync state needs a system that is down', () => {
  const syncQuery = `{
    accounts(first: 3) { nodes { accountNumber name sync { state unavailable drift { field } } } }
    syncRuns(first: 1) { nodes { id } }
  }`;

  it('answers its other fields, with sync.state UNKNOWN naming Finance, and no whole-answer null', async () => {
    hub.simulators.finance.faults.set({ unavailableRate: 1 });
    const { status, data, errors } = await hub.graphql(syncQuery);
    expect(status).toBe(200);
    expect(errors).toBeUndefined();
    expect(data.syncRuns).toEqual({ nodes: [] });
    expect(data.accounts.nodes).toHaveLength(3);
    for (const account of data.accounts.nodes) {
      expect(account.name).toBeTruthy();
      expect(account.sync).toEqual({ state: 'UNKNOWN', unavailable: ['FINANCE'], drift: [] });
    }
  });

  it('keeps the error on the Finance field itself when that field is asked for too', async () => {
    hub.simulators.finance.faults.set({ unavailableRate: 1 });
    const { data, errors } = await hub.graphql(
      `{ accounts(first: 2) { nodes { accountNumber finance { CustomerAccount } sync { state unavailable } } } }`,
    );
    expect(data.accounts.nodes).toEqual([
      expect.objectContaining({ finance: null, sync: { state: 'UNKNOWN', unavailable: ['FINANCE'] } }),
      expect.objectContaining({ finance: null, sync: { state: 'UNKNOWN', unavailable: ['FINANCE'] } }),
    ]);
    expect(errors?.map((error) => [error.path, error.extensions?.['code']])).toEqual([
      [['accounts', 'nodes', 0, 'finance'], 'UPSTREAM_UNAVAILABLE'],
      [['accounts', 'nodes', 1, 'finance'], 'UPSTREAM_UNAVAILABLE'],
    ]);
  });

  it('names Sales for a product while Sales is down, with the product read from Finance', async () => {
    hub.simulators.sales.faults.set({ unavailableRate: 1 });
    const { data, errors } = await hub.graphql(
      `{ products(first: 2) { nodes { productNumber name sync { state unavailable } } } }`,
    );
    expect(errors).toBeUndefined();
    expect(data.products.nodes).toHaveLength(2);
    for (const product of data.products.nodes) {
      expect(product.name).toBeTruthy();
      expect(product.sync).toEqual({ state: 'UNKNOWN', unavailable: ['SALES'] });
    }
  });

  it('reports an empty unavailable list once every system answers', async () => {
    const { data, errors } = await hub.graphql(syncQuery);
    expect(errors).toBeUndefined();
    for (const account of data.accounts.nodes) {
      expect(account.sync.unavailable).toEqual([]);
      expect(account.sync.state).not.toBe('UNKNOWN');
    }
  });
});

describe('starting a sync while Finance is down', () => {
  const start = () => hub.graphql(`mutation { startSync(input: { flows: [ACCOUNTS] }) { id status } }`);

  it('is refused as UPSTREAM_UNAVAILABLE naming Finance, not as the caller’s mistake', async () => {
    hub.simulators.finance.faults.set({ unavailableRate: 1 });
    const { data, errors } = await start();
    expect(data).toBeFalsy();
    expect(errors).toEqual([
      expect.objectContaining({
        message:
          'The sync cannot start: the Finance legal entities could not be read to check usmf. ' +
          'Finance answered HTTP 503 to GET LegalEntities. Try again once Finance answers.',
        extensions: { code: 'UPSTREAM_UNAVAILABLE', system: 'finance' },
      }),
    ]);
  });

  it('says when the hub tries Finance again once its breaker is open, in one sentence', async () => {
    hub.simulators.finance.faults.set({ unavailableRate: 1 });
    for (let i = 0; i < failureThreshold; i++) await accountQuery();
    expect(financeHealth().state).toBe('open');
    const { errors } = await start();
    expect(errors?.[0]?.extensions).toEqual({ code: 'UPSTREAM_UNAVAILABLE', system: 'finance' });
    expect(errors?.[0]?.message).toMatch(
      /^The sync cannot start: the Finance legal entities could not be read to check usmf\. Finance was not sent GET LegalEntities: it failed repeatedly, and the hub tries it again in \d+ s\. Try again once Finance answers\.$/,
    );
  });
});
