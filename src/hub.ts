/**
 * The hub assembled from its parts: the GraphQL schema and resolvers, the sync (run store, flow engine,
 * run manager and its event bus), and a context factory over the connectors and the database, served on
 * one port. `npm start`, the tests and the benchmarks all build it here, so they run the same thing.
 */
import type { Connectors } from './connectors/index.js';
import type { Database } from './db/connection.js';
import { createLinkStore } from './db/links.js';
import { createRunStore, defaultRetentionDays } from './db/runs.js';
import { createContextFactory } from './graphql/context.js';
import { createSchema } from './graphql/schema.js';
import { createHubServer, type HubServer } from './server/index.js';
import { createFlowRunner } from './sync/engine/index.js';
import type { SyncManager } from './sync/engine/types.js';
import { type ValueMaps, withValueMaps } from './sync/flows/value-maps.js';
import { createSyncManager } from './sync/runs/manager.js';

export interface HubOptions {
  connectors: Connectors;
  database: Database;
  port: number;
  host: string;
  /** Unexpected errors show their message to clients only in development. */
  development?: boolean;
  /** Value maps replacing the defaults of the same name. */
  valueMaps?: Partial<ValueMaps>;
  /** Finished runs older than this are deleted at start (the Data Integrator keeps 45 days). */
  retentionDays?: number;
}

export interface Hub {
  server: HubServer;
  sync: SyncManager;
  /** Interrupted runs found at start (marked FAILED). */
  interrupted: string[];
  /** Stops taking runs, lets the running ones commit their page, then drains HTTP and WebSocket. */
  close(): Promise<void>;
}

/** Starts serving and resolves once listening; `server.url` is the GraphQL endpoint. */
export async function startHub({
  connectors,
  database,
  port,
  host,
  development = false,
  valueMaps,
  retentionDays = defaultRetentionDays,
}: HubOptions): Promise<Hub> {
  const links = createLinkStore(database);
  const runs = createRunStore(database);
  const maps = withValueMaps(valueMaps);
  const sync = createSyncManager({
    runs,
    runner: createFlowRunner({ connectors, runs, links, valueMaps: maps }),
    financeCompanies: () => connectors.finance.companies(),
    company: connectors.finance.company,
  });
  // A run cut off by the previous stop is FAILED ("interrupted"); the next run resumes from its checkpoint.
  const interrupted = await sync.recoverInterrupted();
  await runs.purgeOlderThan(retentionDays);
  const server = await createHubServer({
    schema: createSchema(),
    createContext: createContextFactory({ connectors, links, valueMaps: maps, sync, runs }),
    development,
  });
  await server.listen(port, host);
  return {
    server,
    sync,
    interrupted,
    close: async () => {
      await sync.shutdown();
      await server.close();
    },
  };
}
