/**
 * The circuit breaker against the Finance simulator over real HTTP: a system that keeps failing is left
 * alone for a cool-down instead of being hammered, and one trial request at a time finds out whether it
 * is back. The breaker's clock is the test's, so a 30-second cool-down costs no waiting; "did not reach
 * Finance" is read from the simulator's own request log.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createConnectors } from '../../src/connectors/index.js';
import {
  CircuitOpenError,
  createODataClient,
  noRetryPolicy,
  ODataError,
  type CircuitBreakerOptions,
  type ODataClientHealth,
  type ODataRequestEvent,
  type RetryPolicy,
} from '../../src/connectors/odata/index.js';
import { connectorEndpointFor } from '../../src/simulators/index.js';
import { financeData } from '../support/fixtures.js';
import { collect, recordingRetryPolicy, startTestSystems, type TestSystems } from '../support/systems.js';
import { startServer } from './odata/http-server.js';

let systems: TestSystems;

beforeAll(async () => {
  systems = await startTestSystems({ financeData: financeData(5) });
});
afterAll(() => systems.close());
beforeEach(() => {
  for (const sim of [systems.sales, systems.finance]) {
    sim.faults.reset();
    sim.log.clear();
  }
});

const start = Date.parse('2026-01-05T09:00:00.000Z');
const customer = { CustomerAccount: 'ACC-00001' };

/** Connectors of their own (a fresh breaker each) over the shared simulators, on a clock the test moves. */
function connect(
  options: {
    circuitBreaker?: Omit<CircuitBreakerOptions, 'now' | 'onStateChange'>;
    retry?: RetryPolicy;
    timeoutMs?: number;
  } = {},
) {
  let now = start;
  const changes: ODataClientHealth[] = [];
  const attempts: ODataRequestEvent[] = [];
  const { sales, finance } = createConnectors({
    sales: connectorEndpointFor(systems.sales.origin),
    finance: connectorEndpointFor(systems.finance.origin),
    financeCompany: 'usmf',
    retry: options.retry ?? recordingRetryPolicy([]),
    timeoutMs: options.timeoutMs ?? 2_000,
    circuitBreaker: { ...options.circuitBreaker, now: () => now },
    onCircuitChange: (health) => changes.push(health),
    onRequest: (event) => attempts.push(event),
  });
  return {
    sales,
    finance,
    changes,
    attempts,
    advance(ms: number) {
      now += ms;
    },
    now: () => now,
  };
}

type Connected = ReturnType<typeof connect>;

async function failure(promise: Promise<unknown>): Promise<ODataError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof ODataError)) throw new Error(`Expected an ODataError, got ${String(error)}`);
  return error;
}

/** Finance answers 503 to everything until the breaker opens; returns how many requests that took. */
async function takeFinanceDown(c: Connected): Promise<number> {
  systems.finance.faults.set({ unavailableRate: 1 });
  let requests = 0;
  while (c.finance.client.health().state === 'closed' && requests < 100) {
    await failure(c.finance.get('customer', customer));
    requests += 1;
  }
  return requests;
}

/** Finance answers again; its log starts empty. */
function bringFinanceBack(): void {
  systems.finance.faults.reset();
  systems.finance.log.clear();
}

describe('a system that keeps failing', () => {
  it('opens after 5 requests in a row fail with 503, then fails every request at once without sending it', async () => {
    const c = connect();
    systems.finance.faults.set({ unavailableRate: 1 });
    for (let i = 1; i <= 4; i++) {
      expect(await failure(c.finance.get('customer', customer))).toMatchObject({ kind: 'http', status: 503 });
    }
    expect(c.finance.client.health()).toMatchObject({ state: 'closed', consecutiveFailures: 4 });

    // The fifth: each of these was already retried by the policy (5 attempts each).
    expect((await failure(c.finance.get('customer', customer))).status).toBe(503);
    const sent = systems.finance.log.httpRequests();
    expect(sent).toBe(5 * 5);
    expect(c.finance.client.health()).toEqual({
      system: 'finance',
      state: 'open',
      consecutiveFailures: 5,
      openedAt: new Date(start),
      nextTryAt: new Date(start + 30_000),
      lastFailure: 'HTTP 503: The service is temporarily unavailable. Try again later.',
    });
    expect(c.changes).toEqual([expect.objectContaining({ system: 'finance', state: 'open' })]);

    // A single read, a paged read and a $batch are all refused at once, saying when Finance is tried again.
    c.advance(12_500);
    const refused = await failure(c.finance.get('customer', customer));
    expect(refused).toBeInstanceOf(CircuitOpenError);
    expect(refused.toJSON()).toEqual({
      kind: 'unavailable',
      system: 'finance',
      method: 'GET',
      path: expect.stringMatching(/^CustomersV3\(/),
      status: 0,
      code: 'CircuitOpen',
      message:
        'Finance is unavailable: 5 requests in a row failed, the last with HTTP 503: The service is ' +
        'temporarily unavailable. Try again later; the hub will try it again at 2026-01-05T09:00:30.000Z ' +
        '(in 18 s).',
      retryAfterMs: 17_500,
    });
    expect(await failure(collect(c.finance.list('customer')))).toBeInstanceOf(CircuitOpenError);
    const batch = c.finance.client.batch([
      { kind: 'single', part: { method: 'GET', path: 'CustomersV3', query: { top: 1 } } },
    ]);
    expect(await failure(batch)).toMatchObject({ kind: 'unavailable', method: 'POST', path: '$batch' });
    expect(systems.finance.log.httpRequests()).toBe(sent);

    // Each system has a breaker of its own: Sales is still called.
    expect(c.sales.client.health()).toMatchObject({ system: 'sales', state: 'closed' });
    expect(await collect(c.sales.list('currency'))).toEqual([]);
    expect(systems.sales.log.httpRequests()).toBe(1);
  });

  it('lets one trial request through after the cool-down, and an answer closes the breaker', async () => {
    const c = connect();
    await takeFinanceDown(c);
    bringFinanceBack();

    c.advance(29_999);
    expect(await failure(c.finance.get('customer', customer))).toBeInstanceOf(CircuitOpenError);
    expect(systems.finance.log.httpRequests()).toBe(0);

    c.advance(1);
    expect(c.finance.client.health().state).toBe('half-open');
    expect(await c.finance.get('customer', customer)).toMatchObject(customer);
    expect(systems.finance.log.httpRequests()).toBe(1);
    expect(c.finance.client.health()).toEqual({
      system: 'finance',
      state: 'closed',
      consecutiveFailures: 0,
      openedAt: null,
      nextTryAt: null,
      lastFailure: null,
    });
    expect(c.changes.map((change) => change.state)).toEqual(['open', 'closed']);

    // Closed means closed: everything goes through again.
    expect(await collect(c.finance.list('customer'))).toHaveLength(5);
  });

  it('re-opens after a failed trial, each time for twice as long up to the cap', async () => {
    const c = connect({ circuitBreaker: { failureThreshold: 1, coolDownMs: 1_000, maxCoolDownMs: 3_000 } });
    expect(await takeFinanceDown(c)).toBe(1);
    const coolDowns: number[] = [];
    for (let trial = 1; trial <= 3; trial++) {
      const { nextTryAt } = c.finance.client.health();
      c.advance(nextTryAt!.getTime() - c.now());
      systems.finance.log.clear();
      expect((await failure(c.finance.get('customer', customer))).status).toBe(503);
      expect(systems.finance.log.httpRequests()).toBe(5); // the trial, with its retries
      const health = c.finance.client.health();
      expect(health.state).toBe('open');
      coolDowns.push(health.nextTryAt!.getTime() - health.openedAt!.getTime());
    }
    expect(coolDowns).toEqual([2_000, 3_000, 3_000]);
    expect(c.changes.map((change) => change.state)).toEqual(['open', 'open', 'open', 'open']);
  });

  it('lets one trial through at a time: requests arriving during it go on once it closed the breaker', async () => {
    const c = connect();
    await takeFinanceDown(c);
    bringFinanceBack();
    systems.finance.faults.set({ latencyMs: 300 });
    c.advance(30_000);

    const trial = c.finance.get('customer', customer);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const meanwhile = c.finance.get('customer', customer);
    // Only the trial is sent while it is under way.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(systems.finance.log.inFlight).toBe(1);

    expect(await trial).toMatchObject(customer);
    expect(await meanwhile).toMatchObject(customer);
    expect(systems.finance.log.httpRequests()).toBe(2);
    expect(c.finance.client.health().state).toBe('closed');
  });

  it('refuses the requests waiting behind a trial that found the system still down', async () => {
    const c = connect();
    await takeFinanceDown(c);
    c.advance(30_000);
    systems.finance.log.clear();

    const trial = failure(c.finance.get('customer', customer));
    const meanwhile = failure(c.finance.get('customer', customer));
    expect(await trial).toMatchObject({ status: 503 });
    const refused = await meanwhile;
    expect(refused).toBeInstanceOf(CircuitOpenError);
    expect(refused.message).toMatch(/the hub will try it again at \S+ \(in 60 s\)\.$/);
    // The trial and its retries, nothing of the request behind it.
    expect(systems.finance.log.httpRequests()).toBe(5);
  });
});

describe('what opens it and what does not', () => {
  it.each([
    ['400 Bad Request', 400],
    ['404 Not Found', 404],
    ['429 Too Many Requests (left to Retry-After)', 429],
    ['500 (how F&O refuses a record that fails validation)', 500],
  ])('never opens on %s, however many in a row', async (_case, status) => {
    const c = connect();
    systems.finance.faults.failNext(1_000, { status });
    for (let i = 0; i < 8; i++) {
      const error = await failure(c.finance.client.request({ method: 'GET', path: 'CustomersV3' }));
      expect(error.status).toBe(status);
    }
    expect(c.finance.client.health()).toMatchObject({ state: 'closed', consecutiveFailures: 0 });
    expect(c.changes).toEqual([]);
  });

  it('needs the failures in a row: any answer in between starts the count again', async () => {
    const c = connect();
    systems.finance.faults.set({ unavailableRate: 1 });
    for (let i = 0; i < 4; i++) await failure(c.finance.get('customer', customer));
    // One request that Finance answers, even with a refusal, shows it is up.
    systems.finance.faults.reset();
    systems.finance.faults.failNext(1, { status: 400 });
    await failure(c.finance.get('customer', customer));
    systems.finance.faults.set({ unavailableRate: 1 });
    for (let i = 0; i < 4; i++) await failure(c.finance.get('customer', customer));
    expect(c.finance.client.health()).toMatchObject({ state: 'closed', consecutiveFailures: 4 });
  });

  it('opens on requests that time out', async () => {
    const c = connect({ circuitBreaker: { failureThreshold: 2 }, retry: noRetryPolicy, timeoutMs: 100 });
    systems.finance.faults.set({ hangRate: 1 });
    for (let i = 0; i < 2; i++) {
      expect(await failure(c.finance.get('customer', customer))).toMatchObject({ kind: 'timeout' });
    }
    expect(c.finance.client.health()).toMatchObject({
      state: 'open',
      lastFailure: 'timeout: No answer from finance within 100 ms',
    });
    expect(await failure(c.finance.get('customer', customer))).toBeInstanceOf(CircuitOpenError);
    expect(c.attempts).toHaveLength(2); // the refused request made no HTTP attempt
  });

  it('opens on refused connections', async () => {
    const closed = await startServer(() => undefined);
    await closed.close();
    const attempts: ODataRequestEvent[] = [];
    const client = createODataClient({
      system: 'finance',
      serviceRoot: `${closed.origin}/data/`,
      retry: noRetryPolicy,
      circuitBreaker: { failureThreshold: 2, now: () => start },
      onRequest: (event) => attempts.push(event),
    });
    for (let i = 0; i < 2; i++) {
      const error = await failure(client.request({ method: 'GET', path: 'CustomersV3' }));
      expect([error.kind, error.message]).toEqual(['network', 'Could not reach finance: ECONNREFUSED']);
    }
    const refused = await failure(client.request({ method: 'GET', path: 'CustomersV3' }));
    expect(refused.message).toBe(
      'Finance is unavailable: 2 requests in a row failed, the last with network: Could not reach ' +
        'finance: ECONNREFUSED; the hub will try it again at 2026-01-05T09:00:30.000Z (in 30 s).',
    );
    expect(attempts).toHaveLength(2);
  });
});
