/**
 * The whole hub over real HTTP for GraphQL tests: both simulators with seeded data, an in-memory
 * database, the real connectors (retries without waiting, short timeouts) and the real server on a free
 * port. `graphql()` posts a query the way any client would.
 */
import { createConnectors, type Connectors } from '../../src/connectors/index.js';
import type { CircuitBreakerOptions, RetryPolicy } from '../../src/connectors/odata/index.js';
import { openDatabase, type Database, type OpenDatabaseOptions } from '../../src/db/connection.js';
import { startHub, type Hub, type HubOptions } from '../../src/hub.js';
import type { HubServer } from '../../src/server/index.js';
import type { ValueMaps } from '../../src/sync/flows/value-maps.js';
import { connectorEndpointFor, startSimulators, type RunningSimulators } from '../../src/simulators/index.js';
import { recordingRetryPolicy } from './systems.js';

export interface TestHub {
  url: string;
  simulators: RunningSimulators;
  /** The connectors the hub uses: `connectors.finance.client.health()` shows Finance's breaker. */
  connectors: Connectors;
  database: Database;
  server: HubServer;
  /** The hub's run manager, to start a run as a schedule would. */
  sync: Hub['sync'];
  /** The hub's alerts, to raise one as the hub's own parts would. */
  alerts: Hub['alerts'];
  /** The hub's look at whether Sales and Finance answer: `check()` makes the minute's look now. */
  availability: Hub['availability'];
  /** Posts a query; `token` goes in the Authorization header as a bearer token. */
  graphql<T = any>(
    query: string,
    variables?: Record<string, unknown>,
    options?: { token?: string },
  ): Promise<GraphQLResponse<T>>;
  close(): Promise<void>;
}

export interface GraphQLResponse<T> {
  status: number;
  headers: Headers;
  data?: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

export async function startTestHub({
  accounts = 60,
  seed = 1,
  timeoutMs = 1_000,
  development = false,
  valueMaps,
  company = 'usmf',
  circuitBreaker,
  security = {},
  limits,
  logger,
  readiness,
  dashboardDir,
  syncPageSize,
  alerts,
  alertUnavailableMinutes,
  webhookKey,
  continuous,
  watchAvailability = false,
  federation = false,
  queryLogger,
  retry = recordingRetryPolicy([]),
}: {
  accounts?: number;
  seed?: number;
  timeoutMs?: number;
  development?: boolean;
  valueMaps?: Partial<ValueMaps>;
  company?: string;
  /** Both systems' breaker settings (default: the connectors' defaults). */
  circuitBreaker?: Omit<CircuitBreakerOptions, 'onStateChange'>;
  /** Authentication, introspection, Sandbox and CORS; default: none configured (anonymous operator). */
  security?: Pick<HubOptions, 'auth' | 'authOptions' | 'introspection' | 'sandbox' | 'corsOrigins'>;
  /** Serve the schema as a Federation v2 subgraph (default: the plain schema). */
  federation?: boolean;
  /** Abuse limits to replace (default: the hub's defaults). */
  limits?: HubOptions['limits'];
  /** Where the hub logs; default: nowhere. */
  logger?: HubOptions['logger'];
  /** The `/readyz` checks' timeout and cache (default 5 s and 1 s). */
  readiness?: HubOptions['readiness'];
  /** The built dashboard to serve at /dashboard/ (default: dashboard/dist). */
  dashboardDir?: string | null;
  /** Source records per sync page (default 500). */
  syncPageSize?: number;
  /** Where alerts go (default: none). */
  alerts?: HubOptions['alerts'];
  /** Minutes Sales or Finance may not answer before an alert (default: the hub's, 5). */
  alertUnavailableMinutes?: number;
  /** The key Sales webhooks send (default: none, the endpoint is off). */
  webhookKey?: string;
  /** Continuous sync's intervals and pace (default: the hub's). */
  continuous?: HubOptions['continuous'];
  /**
   * The minute's look at whether Sales and Finance answer (default off: it would add a request to each
   * system at any minute, in tests that count them; `hub.availability.check()` looks on demand).
   */
  watchAvailability?: boolean;
  /** Told of every SQL statement the hub's database runs through drizzle (default: none), to count them. */
  queryLogger?: OpenDatabaseOptions['logger'];
  /** When the connectors try again (default: as the hub does, without waiting). */
  retry?: RetryPolicy;
} = {}): Promise<TestHub> {
  const simulators = await startSimulators({ seed, accounts });
  const database = await openDatabase(
    { kind: 'pglite', dataDir: 'memory://' },
    queryLogger ? { logger: queryLogger } : {},
  );
  const connectors = createConnectors({
    sales: connectorEndpointFor(simulators.sales.origin),
    finance: connectorEndpointFor(simulators.finance.origin),
    financeCompany: company,
    retry,
    timeoutMs,
    ...(circuitBreaker ? { circuitBreaker } : {}),
  });
  const hub = await startHub({
    connectors,
    database,
    port: 0,
    host: '127.0.0.1',
    development,
    ...(valueMaps ? { valueMaps } : {}),
    ...security,
    ...(limits ? { limits } : {}),
    ...(logger ? { logger } : {}),
    ...(readiness ? { readiness } : {}),
    ...(dashboardDir !== undefined ? { dashboardDir } : {}),
    ...(syncPageSize !== undefined ? { syncPageSize } : {}),
    ...(alerts ? { alerts } : {}),
    ...(alertUnavailableMinutes !== undefined ? { alertUnavailableMinutes } : {}),
    ...(webhookKey ? { webhookKey } : {}),
    ...(continuous ? { continuous } : {}),
    watchAvailability,
    federation,
  });
  const { server } = hub;
  const url = server.url;
  return {
    url,
    simulators,
    connectors,
    database,
    server,
    sync: hub.sync,
    alerts: hub.alerts,
    availability: hub.availability,
    async graphql(query, variables, { token } = {}) {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          ...(token !== undefined ? { Authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify({ query, ...(variables ? { variables } : {}) }),
      });
      return { status: response.status, headers: response.headers, ...((await response.json()) as object) };
    },
    async close() {
      await hub.close();
      await simulators.close();
      await database.close();
    },
  };
}

/** Clears both simulators' request logs and faults between tests. */
export function resetSystems(hub: TestHub): void {
  for (const sim of [hub.simulators.sales, hub.simulators.finance]) {
    sim.log.clear();
    sim.faults.reset();
  }
}

/**
 * The HTTP requests each system got since the last `resetSystems`, per `system METHOD entity set`
 * (`sales GET accounts`); parts inside a `$batch` are not counted, the `$batch` request is.
 */
export function backEndRequestCounts(hub: TestHub): Record<string, number> {
  const requests: Record<string, number> = {};
  for (const system of ['sales', 'finance'] as const) {
    for (const entry of hub.simulators[system].log.entries) {
      if (entry.inBatch) continue;
      const label = `${system} ${entry.method} ${entry.entitySet ?? '-'}`;
      requests[label] = (requests[label] ?? 0) + 1;
    }
  }
  return requests;
}
