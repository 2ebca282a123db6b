/**
 * Both simulators together, seeded with the same deterministic data set: what `npm start` (embedded
 * default), `npm run simulators` and the integration tests start.
 */
import type { SystemEndpoint } from '../connectors/index.js';
import type { ClientCredentials } from './core/tokens.js';
import { defaultClient } from './core/server.js';
import type { FaultOptions } from './core/faults.js';
import type { ManagedIdentityOptions } from './core/managed-identity.js';
import { createFinanceSimulator, type FinanceSimulator } from './finance/index.js';
import { createSalesSimulator, type SalesSimulator } from './sales/index.js';
import { generateSeed, type SeedData } from './seed/index.js';
import { simulatorTenant } from './hub-env.js';

export interface SimulatorsOptions {
  /** Seed and size of the generated data; `data` overrides generation entirely. */
  seed?: number;
  accounts?: number;
  data?: SeedData;
  salesPort?: number;
  financePort?: number;
  host?: string;
  /** Page sizes (defaults: Dataverse 5,000, F&O 10,000); tests use small pages. */
  salesPageSize?: number;
  financePageSize?: number;
  clients?: readonly ClientCredentials[];
  /** Serves the IMDS and App Service managed identity endpoints on both simulators. */
  managedIdentity?: ManagedIdentityOptions;
  requireAuth?: boolean;
  salesFaults?: Partial<FaultOptions>;
  financeFaults?: Partial<FaultOptions>;
}

export interface RunningSimulators {
  sales: SalesSimulator;
  finance: FinanceSimulator;
  data: SeedData;
  close(): Promise<void>;
}

export async function startSimulators({
  seed = 1,
  accounts = 300,
  data = generateSeed({ seed, accounts }),
  salesPort = 0,
  financePort = 0,
  host = '127.0.0.1',
  salesPageSize,
  financePageSize,
  clients = [defaultClient],
  managedIdentity,
  requireAuth = true,
  salesFaults,
  financeFaults,
}: SimulatorsOptions = {}): Promise<RunningSimulators> {
  const sales = createSalesSimulator({
    data: data.sales,
    clients,
    ...(managedIdentity ? { managedIdentity } : {}),
    requireAuth,
    ...(salesPageSize ? { pageSize: salesPageSize } : {}),
    ...(salesFaults ? { faults: salesFaults } : {}),
  });
  const finance = createFinanceSimulator({
    data: data.finance,
    clients,
    ...(managedIdentity ? { managedIdentity } : {}),
    requireAuth,
    ...(financePageSize ? { pageSize: financePageSize } : {}),
    ...(financeFaults ? { faults: financeFaults } : {}),
  });
  await sales.listen(salesPort, host);
  try {
    await finance.listen(financePort, host);
  } catch (error) {
    await sales.close();
    throw error;
  }
  return {
    sales,
    finance,
    data,
    close: async () => {
      await Promise.all([sales.close(), finance.close()]);
    },
  };
}

/**
 * Where the hub's connectors find a running simulator: the simulator is both the environment and the
 * token authority (it issues tokens for any tenant), and it knows `defaultClient` unless started with
 * other `clients`.
 */
export function connectorEndpointFor(origin: string): SystemEndpoint {
  return {
    url: origin,
    authorityUrl: origin,
    credential: {
      kind: 'client-secret',
      tenantId: simulatorTenant,
      clientId: defaultClient.clientId,
      clientSecret: defaultClient.clientSecret,
    },
  };
}

export { defaultClient };
