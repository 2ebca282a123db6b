/**
 * The connectors never have more requests in flight to a system than its bound, however many callers ask
 * at once: Sales follows Dataverse's `x-ms-dop-hint` (4 until the first answer, never above the
 * configured maximum), Finance keeps its fixed bound. Counted by the simulators at the HTTP layer.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createConnectors, type Connectors } from '../../src/connectors/index.js';
import { createFinanceSimulator, type FinanceSimulator } from '../../src/simulators/finance/index.js';
import { connectorEndpointFor } from '../../src/simulators/index.js';
import { createSalesSimulator, type SalesSimulator } from '../../src/simulators/sales/index.js';
import { financeData, salesAccounts } from '../support/fixtures.js';

let sales: SalesSimulator;
let finance: FinanceSimulator;

beforeAll(async () => {
  sales = createSalesSimulator({ data: { accounts: salesAccounts(3) }, dopHint: 6 });
  finance = createFinanceSimulator({ data: financeData(3) });
  await Promise.all([sales.listen(), finance.listen()]);
});
afterAll(async () => {
  await Promise.all([sales?.close(), finance?.close()]);
});
beforeEach(() => {
  for (const server of [sales, finance]) {
    server.faults.reset();
    server.log.clear();
  }
});

function connectorsWith(maxConcurrency?: { sales?: number; finance?: number }): Connectors {
  return createConnectors({
    sales: connectorEndpointFor(sales.origin),
    finance: connectorEndpointFor(finance.origin),
    financeCompany: 'usmf',
    ...(maxConcurrency ? { maxConcurrency } : {}),
  });
}

/** `count` callers at once, each one request (after the token, fetched once beforehand). */
async function burst(connectors: Connectors, system: 'sales' | 'finance', count: number): Promise<void> {
  const one = () =>
    system === 'sales' ? connectors.sales.count('account') : connectors.finance.count('customer');
  await one(); // the token, and for Sales the first hint
  const server = system === 'sales' ? sales : finance;
  server.log.clear();
  server.faults.set({ latencyMs: 60 });
  await Promise.all(Array.from({ length: count }, one));
}

describe('requests in flight per system', () => {
  it('follows the x-ms-dop-hint Sales answers with, however many callers ask at once', async () => {
    await burst(connectorsWith(), 'sales', 20);
    expect(sales.log.httpRequests()).toBe(20);
    expect(sales.log.peakInFlight).toBe(6);
  });

  it('starts Sales at 4 until an answer carries a hint, then takes the hint, lower ones too', async () => {
    const cautious = createSalesSimulator({ data: { accounts: salesAccounts(3) }, dopHint: 2 });
    await cautious.listen();
    try {
      const connectors = createConnectors({
        sales: connectorEndpointFor(cautious.origin),
        finance: connectorEndpointFor(finance.origin),
        financeCompany: 'usmf',
      });
      cautious.faults.set({ latencyMs: 60 });
      const burst = () => Promise.all(Array.from({ length: 12 }, () => connectors.sales.count('account')));
      await burst(); // the token alone first, then 4 reads before any answer
      expect(cautious.log.peakInFlight).toBe(4);
      cautious.log.clear();
      await burst();
      expect(cautious.log.peakInFlight).toBe(2);
    } finally {
      await cautious.close();
    }
  });

  it('never goes above SALES_MAX_CONCURRENCY, whatever Sales hints', async () => {
    await burst(connectorsWith({ sales: 2 }), 'sales', 10);
    expect(sales.log.peakInFlight).toBe(2);
  });

  it('keeps Finance at 4 by default and at its configured bound otherwise', async () => {
    await burst(connectorsWith(), 'finance', 12);
    expect(finance.log.httpRequests()).toBe(12);
    expect(finance.log.peakInFlight).toBe(4);
    await burst(connectorsWith({ finance: 3 }), 'finance', 12);
    expect(finance.log.peakInFlight).toBe(3);
  });
});

/** Epoch ms at which `server` answered its HTTP requests (with `status`, when given), in order. */
function answeredAt(server: SalesSimulator | FinanceSimulator, status?: number): number[] {
  return server.log.entries
    .filter((entry) => !entry.inBatch && (status === undefined || entry.status === status))
    .map((entry) => entry.at);
}

/** When a system throttled: its 429s, those answered together (the requests in flight met it) as one. */
function throttlingsOf(server: SalesSimulator | FinanceSimulator): number[] {
  const refused = answeredAt(server, 429);
  return refused.filter((at, i) => i === 0 || at - refused[i - 1]! > 500);
}

/** `callers` callers asking one after another without a break, `total` requests in all. */
async function withoutBreak(callers: number, total: number, ask: () => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (next < total) {
        next += 1;
        await ask();
      }
    }),
  );
}

describe('throttling slows only the system that throttles', () => {
  it('a 429 from Finance holds every Finance request for its Retry-After, while Sales requests go on', async () => {
    const connectors = connectorsWith();
    await Promise.all([connectors.sales.count('account'), connectors.finance.count('customer')]);
    for (const server of [sales, finance]) server.log.clear();
    finance.faults.failNext(1, { status: 429, retryAfterSeconds: 1 });

    const throttledCount = connectors.finance.count('customer');
    // Once the 429 is in, a second Finance read waits for the pause too, and Sales is asked ten times.
    while (answeredAt(finance, 429).length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const pause = connectors.finance.client.concurrency().throttledUntil;
    const secondCount = connectors.finance.count('customer');
    for (let read = 0; read < 10; read += 1) await connectors.sales.count('account');
    const salesDone = Date.now();
    await Promise.all([throttledCount, secondCount]);

    const [throttledAt] = answeredAt(finance, 429);
    expect(pause).toBeInstanceOf(Date);
    // Sales was not held: its ten reads were answered inside Finance's pause.
    expect(answeredAt(sales)).toHaveLength(10);
    expect(salesDone - throttledAt!).toBeLessThan(1_000);
    // Finance was: both its reads were answered only after the second asked for.
    const financeAfter = answeredAt(finance, 200);
    expect(financeAfter).toHaveLength(2);
    for (const at of financeAfter) expect(at - throttledAt!).toBeGreaterThanOrEqual(950);
    expect(connectors.sales.client.concurrency().throttledUntil).toBeNull();
  });

  it('halves the bound on a 429 and climbs back one request at a time as answers come back good', async () => {
    const connectors = connectorsWith({ finance: 8 });
    const finance_ = connectors.finance;
    await finance_.count('customer');
    expect(finance_.client.concurrency()).toMatchObject({ limit: 8, ceiling: 8, throttledUntil: null });
    // Every request of a burst meets the throttle at once: the bound halves once, not once per 429.
    finance.faults.failNext(6, { status: 429, retryAfterSeconds: 1 });
    finance.faults.set({ latencyMs: 30 });
    finance.log.clear();
    const burst = Promise.all(Array.from({ length: 6 }, () => finance_.count('customer')));
    await expect
      .poll(() => finance_.client.concurrency(), { interval: 5 })
      .toMatchObject({ limit: 4, throttledUntil: expect.any(Date) });
    await burst;
    expect(answeredAt(finance, 429)).toHaveLength(6);
    // Good answers raise it again: a round of `limit` answers adds one, up to the ceiling and no further.
    finance.log.clear();
    for (let round = 0; round < 40; round += 1) await finance_.count('customer');
    expect(finance_.client.concurrency()).toMatchObject({ limit: 8, ceiling: 8 });
  });

  it('learns from a 429 the rate a system allows and keeps under it, rather than meeting it again and again', async () => {
    const connectors = connectorsWith();
    await connectors.finance.count('customer');
    // 50 requests in any second (a sliding window, as Dataverse counts), Retry-After until it admits
    // again; Finance's 429 states no limit.
    finance.faults.set({ throttle: { maxRequests: 50, windowMs: 1_000 } });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    finance.log.clear();
    // Four callers asking without a break: 250 requests, five seconds' worth. Unpaced, a client meets
    // the limit every second (50 accepted, a 429, a second's pause, and again).
    await withoutBreak(4, 250, () => connectors.finance.count('customer'));
    expect(answeredAt(finance, 200).length).toBeGreaterThanOrEqual(250);
    // Throttled at most twice.
    const throttlings = throttlingsOf(finance);
    expect(throttlings.length).toBeGreaterThanOrEqual(1);
    expect(throttlings.length).toBeLessThanOrEqual(2);
    // The pace it learned: 95 % of the requests the system accepted since the window began (after the
    // idle second), over the time from there to the end of the Retry-After (a fifth less after a second
    // 429). Retry-After counts whole seconds, so the window it infers is the second and a little more.
    const { pace } = connectors.finance.client.concurrency();
    expect(pace!.windowMs).toBeGreaterThanOrEqual(1_000);
    expect(pace!.windowMs).toBeLessThan(1_500);
    expect(pace!.requests).toBeGreaterThanOrEqual(throttlings.length === 1 ? 45 : 36);
    expect(pace!.requests).toBeLessThanOrEqual(47);
  });

  it('paces Sales by the limit Dataverse states in its 429, and meets it once at most', async () => {
    const connectors = connectorsWith();
    await connectors.sales.count('account');
    // 100 requests in any 2 s, a sliding window: the 429 names the limit, as Dataverse's does, and its
    // Retry-After says when the window admits a request again.
    sales.faults.set({ throttle: { maxRequests: 100, windowMs: 2_000 } });
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    sales.log.clear();
    await withoutBreak(4, 300, () => connectors.sales.count('account'));
    expect(answeredAt(sales, 200).length).toBeGreaterThanOrEqual(300);
    const throttlings = throttlingsOf(sales);
    expect(throttlings).toHaveLength(1);
    // 95 % of the stated 100 per 2 s, whatever the client happened to send before the 429.
    expect(connectors.sales.client.concurrency().pace).toEqual({ requests: 95, windowMs: 2_000 });
    // Paced, it keeps within the window: no 2 s holds more accepted requests than the limit.
    const accepted = answeredAt(sales, 200);
    for (const [i, at] of accepted.entries()) {
      const inWindow = accepted.filter((other, j) => j >= i && other - at < 2_000).length;
      expect(inWindow).toBeLessThanOrEqual(100);
    }
  });

  it('lowers a pace on a further 429 and grows it back while it holds requests back without one', async () => {
    const connectors = connectorsWith();
    await connectors.sales.count('account');
    sales.faults.set({ throttle: { maxRequests: 100, windowMs: 2_000 } });
    await withoutBreak(4, 150, () => connectors.sales.count('account'));
    expect(connectors.sales.client.concurrency().pace).toEqual({ requests: 95, windowMs: 2_000 });
    // Another client of the same user takes part of the allowance: one more 429 while paced.
    sales.faults.failNext(1, { status: 429, retryAfterSeconds: 1 });
    await connectors.sales.count('account');
    expect(connectors.sales.client.concurrency().pace).toEqual({ requests: 76, windowMs: 2_000 });
    // Asked for more than the pace lets through for three windows, with no 429: it grows back a
    // twentieth a window, never past 95 % of the stated limit.
    await withoutBreak(4, 280, () => connectors.sales.count('account'));
    const grown = connectors.sales.client.concurrency().pace!.requests;
    expect(grown).toBeGreaterThan(76);
    expect(grown).toBeLessThanOrEqual(95);
  });

  it('climbs back to what Sales hints, not beyond it', async () => {
    const connectors = connectorsWith();
    await connectors.sales.count('account');
    expect(connectors.sales.client.concurrency()).toMatchObject({ limit: 6, ceiling: 6 });
    sales.faults.failNext(1, { status: 429, retryAfterSeconds: 0 });
    await connectors.sales.count('account');
    expect(connectors.sales.client.concurrency().limit).toBe(3);
    for (let read = 0; read < 30; read += 1) await connectors.sales.count('account');
    expect(connectors.sales.client.concurrency()).toMatchObject({ limit: 6, ceiling: 6 });
  });
});
