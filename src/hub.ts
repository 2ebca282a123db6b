/**
 * The hub assembled from its parts: the GraphQL schema and resolvers, a context factory over the
 * connectors and the link store, served on one port. `npm start`, the tests and the benchmarks all build
 * it here, so they run the same thing.
 */
import type { Connectors } from './connectors/index.js';
import type { Database } from './db/connection.js';
import { createLinkStore } from './db/links.js';
import { createContextFactory } from './graphql/context.js';
import { createSchema } from './graphql/schema.js';
import { type ValueMaps, withValueMaps } from './sync/flows/value-maps.js';
import { createHubServer, type HubServer } from './server/index.js';

export interface HubOptions {
  connectors: Connectors;
  database: Database;
  port: number;
  host: string;
  /** Unexpected errors show their message to clients only in development. */
  development?: boolean;
  /** Value maps replacing the defaults of the same name. */
  valueMaps?: Partial<ValueMaps>;
}

/** Starts serving and resolves once listening; `server.url` is the GraphQL endpoint. */
export async function startHub({
  connectors,
  database,
  port,
  host,
  development = false,
  valueMaps,
}: HubOptions): Promise<HubServer> {
  const server = await createHubServer({
    schema: createSchema(),
    createContext: createContextFactory({
      connectors,
      links: createLinkStore(database),
      valueMaps: withValueMaps(valueMaps),
    }),
    development,
  });
  await server.listen(port, host);
  return server;
}
