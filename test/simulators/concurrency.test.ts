/**
 * What a client needs to pace itself against either simulator: Sales advertises Dataverse's recommended
 * degree of parallelism in `x-ms-dop-hint`, and both simulators' request logs record the most HTTP
 * requests in flight at once, counted at the HTTP layer, so a test can assert a client's concurrency bound.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SimulatorServer } from '../../src/simulators/core/server.js';
import { createFinanceSimulator } from '../../src/simulators/finance/index.js';
import { createSalesSimulator, type SalesSimulator } from '../../src/simulators/sales/index.js';
import { financeData, salesAccounts } from '../support/fixtures.js';
import { call, tokenFor } from '../support/wire.js';

let sales: SalesSimulator;
const systems: { name: string; server: SimulatorServer; token: string; read: string }[] = [];

beforeAll(async () => {
  sales = createSalesSimulator({ data: { accounts: salesAccounts(3) }, dopHint: 12 });
  const finance = createFinanceSimulator({ data: financeData(3) });
  for (const server of [sales, finance]) await server.listen();
  systems.push(
    { name: 'sales', server: sales, token: await tokenFor(sales), read: 'accounts?$select=name' },
    {
      name: 'finance',
      server: finance,
      token: await tokenFor(finance),
      read: 'CustomersV3?$select=CustomerAccount',
    },
  );
});
afterAll(async () => {
  for (const system of systems) await system.server.close();
});
beforeEach(() => {
  for (const { server } of systems) {
    server.faults.reset();
    server.log.clear();
  }
});

describe('x-ms-dop-hint (Sales)', () => {
  it('is on every Web API response, successes and errors alike, with the configured value', async () => {
    const token = systems[0]!.token;
    const answers = [
      await call(sales, token, 'GET', 'accounts?$select=name'),
      await call(sales, token, 'GET', "accounts(accountnumber='NOPE')"),
      await call(sales, 'not-a-token', 'GET', 'accounts'),
      await call(sales, token, 'GET', '$metadata'),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([200, 404, 401, 200]);
    for (const answer of answers) expect(answer.headers.get('x-ms-dop-hint')).toBe('12');
  });

  it('defaults to 4', async () => {
    const plain = createSalesSimulator({ requireAuth: false });
    await plain.listen();
    try {
      const answer = await fetch(`${plain.serviceRoot}accounts?$top=1`);
      expect(answer.headers.get('x-ms-dop-hint')).toBe('4');
    } finally {
      await plain.close();
    }
  });
});

describe.each(['sales', 'finance'])('requests in flight (%s)', (name) => {
  const system = () => systems.find((s) => s.name === name)!;

  it('records a peak equal to the number of slow requests sent at once', async () => {
    const { server, token, read } = system();
    server.faults.set({ latencyMs: 150 });
    const answers = await Promise.all(Array.from({ length: 5 }, () => call(server, token, 'GET', read)));
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    expect(server.log.peakInFlight).toBe(5);
    expect(server.log.inFlight).toBe(0);
  });

  it('starts a new peak on reset: requests one after another peak at 1', async () => {
    const { server, token, read } = system();
    server.faults.set({ latencyMs: 20 });
    await Promise.all([call(server, token, 'GET', read), call(server, token, 'GET', read)]);
    expect(server.log.peakInFlight).toBe(2);
    server.log.resetPeakInFlight();
    for (let i = 0; i < 3; i++) await call(server, token, 'GET', read);
    expect(server.log.peakInFlight).toBe(1);
  });

  it('counts a request that is never answered until the server closes it', async () => {
    const { server, token, read } = system();
    server.faults.hangNext(1);
    const hung = call(server, token, 'GET', read).catch(() => undefined);
    await expect.poll(() => server.log.inFlight).toBe(1);
    await call(server, token, 'GET', read);
    expect(server.log.peakInFlight).toBe(2);
    expect(server.log.inFlight).toBe(1);
    void hung;
  });
});
