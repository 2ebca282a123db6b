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
