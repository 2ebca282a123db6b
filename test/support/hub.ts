/**
 * The whole hub over real HTTP for GraphQL tests: both simulators with seeded data, an in-memory
 * database, the real connectors (retries without waiting, short timeouts) and the real server on a free
 * port. `graphql()` posts a query the way any client would.
 */
import { createConnectors } from '../../src/connectors/index.js';
import { openDatabase, type Database } from '../../src/db/connection.js';
import { startHub } from '../../src/hub.js';
import type { HubServer } from '../../src/server/index.js';
import type { ValueMaps } from '../../src/sync/flows/value-maps.js';
import { connectorEndpointFor, startSimulators, type RunningSimulators } from '../../src/simulators/index.js';
import { recordingRetryPolicy } from './systems.js';

export interface TestHub {
  url: string;
  simulators: RunningSimulators;
  database: Database;
  server: HubServer;
  graphql<T = any>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  close(): Promise<void>;
}

export interface GraphQLResponse<T> {
  status: number;
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
}: {
  accounts?: number;
  seed?: number;
  timeoutMs?: number;
  development?: boolean;
  valueMaps?: Partial<ValueMaps>;
  company?: string;
} = {}): Promise<TestHub> {
  const simulators = await startSimulators({ seed, accounts });
  const database = await openDatabase({ kind: 'pglite', dataDir: 'memory://' });
  const connectors = createConnectors({
    sales: connectorEndpointFor(simulators.sales.origin),
    finance: connectorEndpointFor(simulators.finance.origin),
    financeCompany: company,
    retry: recordingRetryPolicy([]),
    timeoutMs,
  });
  const hub = await startHub({
    connectors,
    database,
    port: 0,
    host: '127.0.0.1',
    development,
    ...(valueMaps ? { valueMaps } : {}),
  });
  const { server } = hub;
  const url = server.url;
  return {
    url,
    simulators,
    database,
    server,
    async graphql(query, variables) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ query, ...(variables ? { variables } : {}) }),
      });
      return { status: response.status, ...((await response.json()) as object) };
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
