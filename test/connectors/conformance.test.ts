/**
 * OData conformance of the hub's connectors: the same requirements, stated once, checked against each
 * system through its own connector over real HTTP. Each case names what MUST hold (after graphql-http's
 * audits); a row per system says how that system expresses it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eq, ODataError, TimeoutError } from '../../src/connectors/odata/index.js';
import type { SimulatorServer } from '../../src/simulators/core/server.js';
import { financeData, salesAccounts } from '../support/fixtures.js';
import { collect, startTestSystems, type TestSystems } from '../support/systems.js';

interface Target {
  system: 'sales' | 'finance';
  server: () => SimulatorServer;
  /** The entity set holding accounts/customers. */
  set: string;
  numbers: () => Promise<string[]>;
  numbersNamed: (name: string) => Promise<string[]>;
  lookup: (numbers: string[]) => Promise<Map<string, unknown[]>>;
  upsertNames: (records: { number: string; name: string }[]) => Promise<string[]>;
}

let systems: TestSystems;
const accountCount = 120;

beforeAll(async () => {
  systems = await startTestSystems({
    salesData: { accounts: salesAccounts(accountCount) },
    financeData: financeData(accountCount),
    salesPageSize: 50,
    financePageSize: 50,
    timeoutMs: 300,
  });
});
afterAll(() => systems.close());
beforeEach(() => {
  for (const server of [systems.sales, systems.finance]) {
    server.faults.reset();
    server.log.clear();
  }
  systems.waits.length = 0;
});

const targets: Target[] = [
  {
    system: 'sales',
    server: () => systems.sales,
    set: 'accounts',
    numbers: async () =>
      (await collect(systems.connectors.sales.list('account', { pageSize: 50 }))).map(
        (a) => a.accountnumber!,
      ),
    numbersNamed: async (name) =>
      (await collect(systems.connectors.sales.list('account', { filter: eq('name', name) }))).map(
        (a) => a.accountnumber!,
      ),
    lookup: (numbers) => systems.connectors.sales.getByValues('account', 'accountnumber', numbers),
    upsertNames: async (records) =>
      (
        await systems.connectors.sales.upsert(
          'account',
          records.map((r) => ({ key: r.number, body: { name: r.name } })),
        )
      ).map((r) => r.outcome),
  },
  {
    system: 'finance',
    server: () => systems.finance,
    set: 'CustomersV3',
    numbers: async () =>
      (await collect(systems.connectors.finance.list('customer'))).map((c) => c.CustomerAccount),
    numbersNamed: async (name) =>
      (
        await collect(systems.connectors.finance.list('customer', { filter: eq('OrganizationName', name) }))
      ).map((c) => c.CustomerAccount),
    lookup: (numbers) => systems.connectors.finance.getByValues('customer', 'CustomerAccount', numbers),
    upsertNames: async (records) =>
      (
        await systems.connectors.finance.upsert(
          'customer',
          records.map((r) => ({
            match: { CustomerAccount: r.number },
            body: { OrganizationName: r.name, CustomerGroupId: '10' },
          })),
        )
      ).map((r) => r.outcome),
  },
];

const must = (requirement: string, test: (target: Target) => Promise<void>): void => {
  it.each(targets.map((t) => [t.system, t] as const))(`%s MUST ${requirement}`, async (_system, target) =>
    test(target),
  );
};

const requests = (target: Target, method = 'GET'): number =>
  target.server().log.httpRequests({ method, entitySet: target.set });

describe('reading', () => {
  must('follow next links across pages and return every row exactly once', async (target) => {
    const numbers = await target.numbers();
    expect(numbers).toHaveLength(accountCount);
    expect(new Set(numbers).size).toBe(accountCount);
    expect(requests(target)).toBe(3);
  });

  must("escape quotes and special characters in filter literals (O'Brien & Sons #1)", async (target) => {
    expect(await target.numbersNamed("O'Brien & Sons #1")).toEqual(['ACC-00003']);
  });

  must('send an injection attempt as one escaped literal that matches nothing', async (target) => {
    expect(await target.numbersNamed("x' or 1 eq 1 or name eq 'y")).toEqual([]);
    const sent = decodeURIComponent(target.server().log.entries.at(-1)!.url);
    expect(sent).toContain("'x'' or 1 eq 1 or name eq ''y'");
  });

  must('look up 50 keys in one request', async (target) => {
    const wanted = Array.from({ length: 50 }, (_, i) => `ACC-${String(i + 1).padStart(5, '0')}`);
    const found = await target.lookup(wanted);
    expect([...found.keys()].sort()).toEqual(wanted.map((w) => w.toLowerCase()).sort());
    expect(requests(target)).toBe(1);
  });

  must(
    'split a key list that would exceed the URL limit into several reads sent as one $batch, losing none',
    async (target) => {
      const wanted = Array.from(
        { length: 2000 },
        (_, i) => `ACC-${String(i + 1).padStart(5, '0')}-${'X'.repeat(20)}`,
      );
      wanted[0] = 'ACC-00001';
      const found = await target.lookup(wanted);
      expect([...found.keys()]).toEqual(['acc-00001']);
      const { log } = target.server();
      expect(log.httpRequests()).toBe(1);
      expect(log.httpRequests({ method: 'POST', entitySet: '$batch' })).toBe(1);
      const reads = log.entries.filter((entry) => entry.inBatch && entry.method === 'GET');
      expect(reads.length).toBeGreaterThan(1);
      for (const entry of log.entries)
        expect(entry.url.length).toBeLessThan(target.system === 'sales' ? 32_768 : 8_192);
    },
  );
});

describe('writing in batches', () => {
  must('report exactly the failing part of a batch and write the others', async (target) => {
    const outcomes = await target.upsertNames([
      { number: 'ACC-00010', name: 'Renamed ten' },
      { number: 'ACC-00011', name: 'N'.repeat(500) },
      { number: 'NEW-00001', name: 'Brand new' },
    ]);
    expect(outcomes).toEqual(['updated', 'failed', 'created']);
    expect(await target.numbersNamed('Renamed ten')).toEqual(['ACC-00010']);
    expect(await target.numbersNamed('Brand new')).toEqual(['NEW-00001']);
    expect(target.server().log.httpRequests({ method: 'POST', entitySet: '$batch' })).toBe(1);
  });
});

describe('bad days upstream', () => {
  must('wait as long as Retry-After says after a 429, then succeed', async (target) => {
    target.server().faults.failNext(1, { status: 429, retryAfterSeconds: 2 });
    expect(await target.numbersNamed('Account 001')).toEqual(['ACC-00001']);
    expect(systems.waits).toEqual([2000]);
  });

  must('retry a 503 and succeed', async (target) => {
    target.server().faults.failNext(2, { status: 503 });
    expect(await target.numbersNamed('Account 002')).toEqual(['ACC-00002']);
    expect(systems.waits).toHaveLength(2);
  });

  must('give up after the retry budget with an error naming the system and status', async (target) => {
    target.server().faults.failNext(10, { status: 503 });
    const error = await target.numbersNamed('Account 002').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ODataError);
    expect(error).toMatchObject({ system: target.system, status: 503, method: 'GET' });
  });

  must('time out a hanging request and retry it', async (target) => {
    target.server().faults.hangNext(1);
    expect(await target.numbersNamed('Account 004')).toEqual(['ACC-00004']);
    expect(systems.waits).toHaveLength(1);
  });

  must('end with a TimeoutError when every attempt hangs', async (target) => {
    target.server().faults.hangNext(10);
    await expect(target.numbersNamed('Account 004')).rejects.toBeInstanceOf(TimeoutError);
  });

  must('renew its token once after a 401 and carry on', async (target) => {
    await target.numbersNamed('Account 005');
    const issued = target.server().tokens.issued;
    target.server().tokens.expireAll();
    expect(await target.numbersNamed('Account 005')).toEqual(['ACC-00005']);
    expect(target.server().tokens.issued).toBe(issued + 1);
  });
});
