/**
 * Builds both connectors from where each system lives: its environment URL, token authority and
 * credential. The same code serves real environments and the embedded simulators (which issue tokens
 * of their own at their origin).
 */
import { createFinanceConnector, type FinanceConnector } from './finance/connector.js';
import { maxConcurrency as concurrencyDefaults } from './odata/concurrency-settings.js';
import {
  type CircuitBreakerOptions,
  type Credential,
  createODataClient,
  createTokenProvider,
  type ODataClientHealth,
  type ODataRequestEvent,
  type RetryPolicy,
  type SystemName,
} from './odata/index.js';
import { createSalesConnector, type SalesConnector } from './sales/connector.js';

export interface SystemEndpoint {
  /** Environment URL without a path: `https://org.crm.dynamics.com`, `https://env.operations.dynamics.com`. */
  url: string;
  /** Token authority: `https://login.microsoftonline.com` (or a national cloud's), or a simulator's origin. */
  authorityUrl: string;
  /** The scope tokens are asked for; default `{url}/.default`. */
  scope?: string;
  credential: Credential;
}

export interface ConnectorsOptions {
  sales: SystemEndpoint;
  finance: SystemEndpoint;
  /** The Finance legal entity (`dataAreaId`) the hub reads and writes. */
  financeCompany: string;
  retry?: RetryPolicy;
  timeoutMs?: number;
  onRequest?: (event: ODataRequestEvent) => void;
  /**
   * Each system gets a circuit breaker of its own with these settings: by default it opens after 5
   * requests in a row fail as unavailable, for 30 s doubling up to 5 min (`CircuitBreakerOptions`).
   */
  circuitBreaker?: Omit<CircuitBreakerOptions, 'onStateChange'>;
  /** Called when a system's breaker opens, re-opens or closes (`health.system` names it), for logs. */
  onCircuitChange?: (health: ODataClientHealth) => void;
  /**
   * The most requests in flight to each system at once; Sales follows Dataverse's `x-ms-dop-hint` up to
   * its figure. Default (`maxConcurrency` in concurrency-settings.ts): 52 and 4.
   */
  maxConcurrency?: Partial<Record<SystemName, number>>;
  /** Rows per Finance `$batch` (default 1,000, `FINANCE_BATCH_SIZE`). */
  financeBatchSize?: number;
}

export interface Connectors {
  sales: SalesConnector;
  finance: FinanceConnector;
}

export function createConnectors({
  sales,
  finance,
  financeCompany,
  retry,
  timeoutMs,
  onRequest,
  circuitBreaker,
  onCircuitChange,
  maxConcurrency = {},
  financeBatchSize,
}: ConnectorsOptions): Connectors {
  const clientFor = (system: SystemName, endpoint: SystemEndpoint, rootPath: string) => {
    const url = endpoint.url.replace(/\/+$/, '');
    return createODataClient({
      system,
      serviceRoot: `${url}${rootPath}`,
      tokens: createTokenProvider({
        system,
        credential: endpoint.credential,
        authorityUrl: endpoint.authorityUrl,
        scope: endpoint.scope ?? `${url}/.default`,
      }),
      ...(retry ? { retry } : {}),
      ...(timeoutMs ? { timeoutMs } : {}),
      ...(onRequest ? { onRequest } : {}),
      ...(circuitBreaker ? { circuitBreaker } : {}),
      ...(onCircuitChange ? { onCircuitChange } : {}),
      concurrency: {
        ...concurrencyDefaults[system],
        max: maxConcurrency[system] ?? concurrencyDefaults[system].max,
      },
    });
  };
  return {
    sales: createSalesConnector({ client: clientFor('sales', sales, '/api/data/v9.2/') }),
    finance: createFinanceConnector({
      client: clientFor('finance', finance, '/data/'),
      company: financeCompany,
      ...(financeBatchSize !== undefined && { batchSize: financeBatchSize }),
    }),
  };
}

/** What each system's client says of its pace now: its bound, requests sent and waiting, a throttle pause. */
export interface ClientPace {
  system: SystemName;
  concurrency: number;
  maxConcurrency: number;
  inFlight: number;
  waiting: number;
  throttledUntil: Date | null;
}

/** Both systems' pace now (Sales first). */
export function systemPace(connectors: Connectors): ClientPace[] {
  return [connectors.sales.client, connectors.finance.client].map((client) => {
    const { limit, ceiling, inFlight, waiting, throttledUntil } = client.concurrency();
    return {
      system: client.system,
      concurrency: limit,
      maxConcurrency: ceiling,
      inFlight,
      waiting,
      throttledUntil,
    };
  });
}
