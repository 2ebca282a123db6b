/**
 * Both simulators on free ports with the hub's real connectors pointed at them, as the integration
 * tests use them. Retries wait zero milliseconds but record the wait they would have made, so tests can
 * assert "honoured Retry-After" without sleeping.
 */
import { createConnectors, type Connectors } from '../../src/connectors/index.js';
import { createRetryPolicy, type RetryPolicy } from '../../src/connectors/odata/index.js';
import type { Row } from '../../src/simulators/core/model.js';
import { createFinanceSimulator, type FinanceSimulator } from '../../src/simulators/finance/index.js';
import { connectorEndpointFor } from '../../src/simulators/index.js';
import { createSalesSimulator, type SalesSimulator } from '../../src/simulators/sales/index.js';

export interface TestSystems {
  sales: SalesSimulator;
  finance: FinanceSimulator;
  connectors: Connectors;
  /** Waits (ms) the retry policy asked for, in order. */
  waits: number[];
  close(): Promise<void>;
}

export interface TestSystemsOptions {
  salesData?: Partial<Record<string, Row[]>>;
  financeData?: Partial<Record<string, Row[]>>;
  salesPageSize?: number;
  financePageSize?: number;
  timeoutMs?: number;
  company?: string;
}

/** The default retry policy, with every wait recorded and then skipped. */
export function recordingRetryPolicy(waits: number[]): RetryPolicy {
  const policy = createRetryPolicy({ random: () => 1 });
  return {
    ...policy,
    retryWaitMs: (error, attempt) => {
      waits.push(policy.retryWaitMs(error, attempt));
      return 0;
    },
  };
}

export async function startTestSystems(options: TestSystemsOptions = {}): Promise<TestSystems> {
  const sales = createSalesSimulator({
    data: options.salesData ?? {},
    ...(options.salesPageSize ? { pageSize: options.salesPageSize } : {}),
  });
  const finance = createFinanceSimulator({
    data: options.financeData ?? {},
    ...(options.financePageSize ? { pageSize: options.financePageSize } : {}),
  });
  await sales.listen();
  await finance.listen();
  const waits: number[] = [];
  const connectors = createConnectors({
    sales: connectorEndpointFor(sales.origin),
    finance: connectorEndpointFor(finance.origin),
    financeCompany: options.company ?? 'usmf',
    retry: recordingRetryPolicy(waits),
    timeoutMs: options.timeoutMs ?? 2_000,
  });
  return {
    sales,
    finance,
    connectors,
    waits,
    close: async () => {
      await Promise.all([sales.close(), finance.close()]);
    },
  };
}

export async function collect<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  const rows: T[] = [];
  for await (const page of pages) rows.push(...page);
  return rows;
}
