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
