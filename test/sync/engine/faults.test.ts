/**
 * The sync on a bad day: Sales and Finance throttle (429 with Retry-After) and go briefly unavailable
 * (503), and the accounts flow still ends with every record written once — or, when Finance stays down
 * beyond the retries, fails with a message naming Finance and keeps the pages it had committed.
 *
 * Faults are scripted with `failNext` rather than the simulators' sliding-window `throttle`: the harness's
 * retry policy records the wait it would make and then retries at once, so a time window would never
 * slide and every retry would be refused again. A script fails exactly the requests it names, so the test
 * is deterministic and costs no waiting; `h.waits` still shows the waits the policy asked for. The
 * connectors' circuit breakers (default settings) run on a clock the tests move, so a cool-down costs no
 * waiting either. The runs take one page at a time (`pagesInFlight: 1`), so a fault armed from a page's
 * progress falls on the next page's requests.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defaultRetryPolicy } from '../../../src/connectors/odata/index.js';
import type { FaultMatch } from '../../../src/simulators/core/faults.js';
import type { Row } from '../../../src/simulators/core/model.js';
import { defaultClient, type RunningSimulators } from '../../../src/simulators/index.js';
import { outcomesSum, startEngineHarness, type EngineHarness } from './harness.js';

type Simulator = RunningSimulators['sales'] | RunningSimulators['finance'];

let h: EngineHarness;
/** The circuit breakers' clock. */
let now = Date.parse('2026-01-05T09:00:00.000Z');

beforeAll(async () => {
  h = await startEngineHarness({ circuitBreaker: { now: () => now } });
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => {
  // A script armed after a flow's last request is never used up: it must not leak into the next test.
  for (const sim of [h.sim.sales, h.sim.finance]) {
    sim.faults.reset();
    sim.log.clear();
  }
  h.waits.length = 0;
});

/** The numbered Sales accounts (the ones the accounts flow writes), by account number. */
function eligibleAccounts(): Map<string, Row> {
  return new Map(
    h.sim.sales.store
      .scan('accounts')
      .flatMap((row) =>
        typeof row['accountnumber'] === 'string' ? [[row['accountnumber'], row] as const] : [],
      ),
  );
}

/** What the accounts flow writes to Finance for a Sales account (the fields these tests check). */
function customerOf(number: string, account: Row): Record<string, unknown> {
  return expect.objectContaining({
    CustomerAccount: number,
    OrganizationName: String(account['name']).slice(0, 100),
    PrimaryContactPhone: account['telephone1'],
  }) as Record<string, unknown>;
}

/** Customers of the hub's company in the Finance store, grouped by account number. */
function financeCustomers(): Map<string, Record<string, unknown>[]> {
  const byAccount = new Map<string, Record<string, unknown>[]>();
  for (const row of h.sim.finance.store.scan('CustomersV3')) {
    if (row['dataAreaId'] !== 'usmf') continue;
    const account = String(row['CustomerAccount']);
    byAccount.set(account, [...(byAccount.get(account) ?? []), row]);
  }
  return byAccount;
}

/** Changes the phone of every eligible account in Sales, so the next incremental run updates them all. */
async function editEveryAccount(telephone1: string): Promise<number> {
  const numbers = [...eligibleAccounts().keys()];
  const results = await h.connectors.sales.upsert(
    'account',
    numbers.map((key) => ({ key, body: { telephone1 } })),
  );
  expect(results.every((r) => r.outcome === 'updated')).toBe(true);
  return numbers.length;
}

/** HTTP requests (not batch parts) the simulator answered with `status`, optionally only matching ones. */
function answered(sim: Simulator, status: number, match: FaultMatch = {}): number {
  return sim.log.entries.filter(
    (e) =>
      !e.inBatch &&
      e.status === status &&
      (!match.method || e.method === match.method) &&
      (!match.entitySet || e.entitySet === match.entitySet),
  ).length;
}

/** Batch parts the simulator ran and answered with a 2xx, i.e. writes that took effect. */
function appliedParts(sim: Simulator, method: string, entitySet: string): number {
  return sim.log.entries.filter(
    (e) => e.inBatch && e.method === method && e.entitySet === entitySet && e.status >= 200 && e.status < 300,
  ).length;
}

const throttledWait = 1_000;

/** The next `count` matching requests answer 429 with `Retry-After: 1`. */
function throttle(sim: Simulator, count: number, match: FaultMatch): void {
  sim.faults.failNext(count, { status: 429, retryAfterSeconds: throttledWait / 1_000, match });
}

describe('the sync absorbs back-end faults by retrying', () => {
  it('a 429 storm from Sales is absorbed: every eligible account reaches Finance', async () => {
    // Both reference reads and every page of the change feed are refused before they are served.
    throttle(h.sim.sales, 2, { method: 'GET', entitySet: 'transactioncurrencies' });
    throttle(h.sim.sales, 2, { method: 'GET', entitySet: 'uoms' });
    // Three 429s before each page's read. The next page is read while a page is committed, so the next
    // three are armed only once the last three were answered: more in a row would exhaust the retries.
    let armed = 0;
    const throttlePage = () => {
      if (answered(h.sim.sales, 429, { entitySet: 'accounts' }) < armed) return;
      throttle(h.sim.sales, 3, { method: 'GET', entitySet: 'accounts' });
      armed += 3;
    };
    throttlePage();
    let pages = 0;
    const { result, counters } = await h.run('accounts', {
      pagesInFlight: 1,
      mode: 'FULL',
      onProgress: () => {
        pages += 1;
        throttlePage();
      },
    });

    expect(result).toMatchObject({ status: 'completed' });
    const accounts = eligibleAccounts();
    expect(counters.read).toBe(h.sim.sales.store.count('accounts'));
    expect(outcomesSum(counters)).toBe(counters.read);
    expect(counters.failed).toBe(0);
    expect(counters.created + counters.updated + counters.unchanged).toBe(accounts.size);
    const customers = financeCustomers();
    for (const [number, account] of accounts) {
      expect(customers.get(number), number).toEqual([customerOf(number, account)]);
    }

    // The storm happened, on the reference reads and on the pages after the first as well (lower bounds:
    // a script armed after the last page finds no request). Every 429 was followed by one retry that
    // waited what Retry-After asked.
    expect(pages).toBeGreaterThan(1);
    expect(answered(h.sim.sales, 429, { entitySet: 'transactioncurrencies' })).toBe(2);
    expect(answered(h.sim.sales, 429, { entitySet: 'uoms' })).toBe(2);
    expect(answered(h.sim.sales, 429, { entitySet: 'accounts' })).toBeGreaterThan(3);
    const throttled = answered(h.sim.sales, 429);
    expect(h.waits).toEqual(Array.from({ length: throttled }, () => throttledWait));
  });

  it('a 429 storm from Finance is absorbed: reads and $batch writes are retried, each write applied once', async () => {
    const edited = await editEveryAccount('+1 555 0142');
    h.sim.sales.log.clear();
    // F&O's resource-based throttling: the lookups of every page and its $batch of writes are refused.
    const throttlePage = () => {
      throttle(h.sim.finance, 2, { method: 'GET', entitySet: 'CustomersV3' });
      throttle(h.sim.finance, 2, { method: 'POST', entitySet: '$batch' });
    };
    throttlePage();
    let pages = 0;
    const { result, counters } = await h.run('accounts', {
      pagesInFlight: 1,
      onProgress: () => {
        pages += 1;
        throttlePage();
      },
    });

    expect(result).toEqual({ status: 'completed', notes: [] });
    expect(counters).toEqual({
      read: edited,
      created: 0,
      updated: edited,
      unchanged: 0,
      skipped: 0,
      failed: 0,
    });
    const customers = financeCustomers();
    for (const [number, account] of eligibleAccounts()) {
      expect(account['telephone1']).toBe('+1 555 0142');
      expect(customers.get(number), number).toEqual([customerOf(number, account)]);
    }

    // Every page met the storm on its lookup and its write (the script armed after the last page is
    // left over).
    expect(pages).toBeGreaterThan(1);
    expect(answered(h.sim.finance, 429, { method: 'GET', entitySet: 'CustomersV3' })).toBe(2 * pages);
    expect(answered(h.sim.finance, 429, { method: 'POST', entitySet: '$batch' })).toBe(2 * pages);
    // A refused $batch ran none of its parts, so each customer was patched exactly once.
    expect(answered(h.sim.finance, 200, { method: 'POST', entitySet: '$batch' })).toBe(pages);
    expect(appliedParts(h.sim.finance, 'PATCH', 'CustomersV3')).toBe(edited);
    expect(h.waits).toEqual(Array.from({ length: 4 * pages }, () => throttledWait));
    expect(answered(h.sim.sales, 429)).toBe(0);
  });

  it('a 503 mid-run is absorbed: every customer is created exactly once', async () => {
    // Customers Finance lost: a full run creates them again, so a create applied twice would show as a
    // second row or as a refused duplicate (a failure).
    const accounts = eligibleAccounts();
    for (const number of accounts.keys()) {
      h.sim.finance.store.remove('CustomersV3', { dataAreaId: 'usmf', CustomerAccount: number });
    }
    let pages = 0;
    const { result, counters } = await h.run('accounts', {
      pagesInFlight: 1,
      mode: 'FULL',
      onProgress: () => {
        pages += 1;
        if (pages > 1) return;
        // After the first page committed, Finance is unavailable for the next page's lookup and twice
        // for its $batch of creates.
        h.sim.finance.faults.failNext(1, { status: 503, match: { method: 'GET', entitySet: 'CustomersV3' } });
        h.sim.finance.faults.failNext(2, { status: 503, match: { method: 'POST', entitySet: '$batch' } });
      },
    });

    expect(result).toMatchObject({ status: 'completed' });
    expect(counters.read).toBe(h.sim.sales.store.count('accounts'));
    expect(outcomesSum(counters)).toBe(counters.read);
    expect(counters).toMatchObject({ created: accounts.size, updated: 0, unchanged: 0, failed: 0 });
    const customers = financeCustomers();
    for (const [number, account] of accounts) {
      expect(customers.get(number), number).toEqual([customerOf(number, account)]);
    }

    // The faults were met, and the refused requests were sent again; the creates that took effect are
    // exactly one per account.
    expect(answered(h.sim.finance, 503, { method: 'GET', entitySet: 'CustomersV3' })).toBe(1);
    expect(answered(h.sim.finance, 503, { method: 'POST', entitySet: '$batch' })).toBe(2);
    expect(appliedParts(h.sim.finance, 'POST', 'CustomersV3')).toBe(accounts.size);
  });

  it('Finance down beyond the retries fails the flow with a clear message, keeping its committed pages', async () => {
    const edited = await editEveryAccount('+1 555 0199');
    expect(edited).toBeGreaterThan(15); // more than the first page
    const cursorBefore = await h.runs.getCursor('accounts');
    let pages = 0;
    const { result, counters } = await h.run('accounts', {
      pagesInFlight: 1,
      onProgress: () => {
        pages += 1;
        if (pages > 1) return;
        // From here on Finance answers every request with 503.
        h.sim.finance.log.clear();
        h.sim.finance.faults.set({ unavailableRate: 1 });
      },
    });

    // One sentence for every reader of the run: system, operation, status; no query, keys or message.
    expect(result).toEqual({
      status: 'failed',
      error: expect.stringMatching(
        /^The accounts flow stopped: Finance answered HTTP 503 to GET CustomersV3\.$/,
      ),
      detail: expect.stringMatching(/^finance GET CustomersV3\?.* → 503.*temporarily unavailable/),
    });
    const { error, detail } = result.status === 'failed' ? result : { error: '', detail: '' };
    // Both safe to log: no client secret, no bearer token (none the simulator would still accept).
    for (const text of [error, detail ?? '']) {
      expect(text).not.toContain(defaultClient.clientSecret);
      expect(text).not.toMatch(/bearer|authorization|client_secret/i);
      for (const word of text.split(/[^A-Za-z0-9_-]+/)) {
        expect(h.sim.finance.tokens.verify(`Bearer ${word}`), word).toBe(false);
      }
    }

    // The hub sent the refused request as often as its policy allows (5 attempts), then stopped.
    const attempts = defaultRetryPolicy.maxAttempts;
    expect(h.sim.finance.log.entries).toHaveLength(attempts);
    expect(answered(h.sim.finance, 503)).toBe(attempts);

    // The first page is committed — its counters in the run store, its customers in Finance — and the
    // change-feed token did not move, because the read never reached its end.
    expect(counters).toEqual({ read: 15, created: 0, updated: 15, unchanged: 0, skipped: 0, failed: 0 });
    const updated = [...financeCustomers().values()].filter(
      ([row]) => row?.['PrimaryContactPhone'] === '+1 555 0199',
    );
    expect(updated).toHaveLength(15);
    expect((await h.runs.getCursor('accounts'))?.deltaLink).toBe(cursorBefore?.deltaLink);

    // Once Finance is back, the next incremental run writes what is left.
    h.sim.finance.faults.reset();
    const rerun = await h.run('accounts');
    expect(rerun.result).toMatchObject({ status: 'completed' });
    expect(rerun.counters.failed).toBe(0);
    const customers = financeCustomers();
    for (const [number, account] of eligibleAccounts()) {
      expect(customers.get(number), number).toEqual([customerOf(number, account)]);
    }
  });
});

describe('the sync and a Finance that stays down', () => {
  it('opens the breaker: runs fail fast keeping their checkpoint, and resume once Finance is back and the cool-down passed', async () => {
    const edited = await editEveryAccount('+1 555 0177');
    const total = h.sim.sales.store.count('accounts');
    const cursorBefore = await h.runs.getCursor('accounts');
    let pages = 0;
    const first = await h.run('accounts', {
      pagesInFlight: 1,
      onProgress: () => {
        pages += 1;
        if (pages === 1) h.sim.finance.faults.set({ unavailableRate: 1 });
      },
    });
    expect(first.result).toMatchObject({ status: 'failed' });
    expect(first.counters.read).toBe(15);
    const checkpoint = (await h.runs.getCursor('accounts'))?.checkpoint;
    expect(checkpoint).toEqual({ nextLink: expect.stringContaining('$skiptoken=') });

    // Finance keeps failing (the hub's other reads share the breaker) until the breaker opens.
    const finance = h.connectors.finance;
    for (let i = 0; i < 10 && finance.client.health().state === 'closed'; i++) {
      await expect(finance.get('customer', { CustomerAccount: 'ANY' })).rejects.toMatchObject({
        status: 503,
      });
    }
    expect(finance.client.health()).toMatchObject({ state: 'open', consecutiveFailures: 5 });

    // Finance is back, but until the cool-down has passed a run fails at once without calling it, and the
    // checkpoint stays where the first run left it.
    h.sim.finance.faults.reset();
    h.sim.finance.log.clear();
    const refused = await h.run('accounts');
    expect(refused.result).toMatchObject({ status: 'failed' });
    const error = refused.result.status === 'failed' ? refused.result.error : '';
    // Readers get one sentence without the request's query; operators get the rest in the detail.
    expect(error).toBe(
      'The accounts flow stopped: Finance was not sent GET CustomersV3: it failed repeatedly, and the hub tries it again in 30 s.',
    );
    const detail = refused.result.status === 'failed' ? refused.result.detail : '';
    expect(detail).toMatch(/^finance GET CustomersV3.* → unavailable/);
    expect(detail).toMatch(/Finance is unavailable: 5 requests in a row failed, the last with HTTP 503/);
    expect(detail).toMatch(/the hub will try it again at 2026-01-05T09:00:30\.000Z \(in 30 s\)/);
    expect(h.sim.finance.log.entries).toHaveLength(0);
    expect(refused.counters).toMatchObject({ read: 0, updated: 0 });
    expect((await h.runs.getCursor('accounts'))?.checkpoint).toEqual(checkpoint);

    // After the cool-down the run's first Finance request is the trial: it succeeds, and the run resumes
    // after the committed page and completes.
    now += 30_000;
    const resumed = await h.run('accounts');
    expect(resumed.result).toMatchObject({ status: 'completed' });
    expect(resumed.result.status === 'completed' && resumed.result.notes.join(' ')).toMatch(
      /Resumed the read/,
    );
    expect(resumed.counters).toMatchObject({ read: total - 15, updated: edited - 15, failed: 0 });
    expect(finance.client.health().state).toBe('closed');
    const cursor = await h.runs.getCursor('accounts');
    expect(cursor?.checkpoint).toBeNull();
    expect(cursor?.deltaLink).not.toBe(cursorBefore?.deltaLink);
    const customers = financeCustomers();
    for (const [number, account] of eligibleAccounts()) {
      expect(customers.get(number), number).toEqual([customerOf(number, account)]);
    }
  });
});
