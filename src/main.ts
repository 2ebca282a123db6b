/**
 * `npm start`: reads the configuration, opens the database (embedded PGlite or PostgreSQL) and applies
 * its migrations, starts the embedded Sales and Finance simulators for every system that has no URL
 * configured, connects to both systems, serves GraphQL over HTTP and WebSocket, and shuts all of it down
 * cleanly on Ctrl-C or SIGTERM.
 */
import { ConfigError, loadConfig, type HubConfig, type SystemConfig } from './config.js';
import { createConnectors, type Connectors, type SystemEndpoint } from './connectors/index.js';
import { openDatabase, type Database } from './db/connection.js';
import { startHub } from './hub.js';
import type { ValueMaps } from './sync/flows/value-maps.js';
import { loadValueMapFile } from './sync/value-map-file.js';
import type { SimulatorServer } from './simulators/core/server.js';
import { createFinanceSimulator } from './simulators/finance/index.js';
import { connectorEndpointFor } from './simulators/index.js';
import { createSalesSimulator } from './simulators/sales/index.js';
import { generateSeed, seedSummary } from './simulators/seed/index.js';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const valueMaps = loadValueMapsOrExit(config);
  const database = await openDatabaseOrExit(config);
  const simulators = await startEmbeddedSystems(config);
  const connectors = createConnectors({
    sales: endpointFor('Sales', config.sales, config, simulators.origins.sales),
    finance: endpointFor('Finance', config.finance, config, simulators.origins.finance),
    financeCompany: config.financeCompany,
    // A system that keeps failing is left alone for a while; the operator should know when and why.
    onCircuitChange: (health) =>
      console.warn(
        health.state === 'closed'
          ? `${health.system}: answering again; requests flow normally.`
          : `${health.system}: unavailable after ${health.consecutiveFailures} failed requests in a row; ` +
              `requests fail at once until ${health.nextTryAt?.toISOString() ?? 'the next try'}.`,
      ),
  });
  await reportReachability(connectors, config);
  const hub = await startHub({
    connectors,
    database,
    port: config.port,
    host: config.host,
    development: config.development,
    valueMaps,
    retentionDays: config.retentionDays,
    products: config.products,
    flowSettings: { accountRelationshipTypes: config.accountRelationshipTypes },
    auth: config.auth,
    introspection: config.introspection,
    sandbox: config.sandbox,
    corsOrigins: config.corsOrigins,
  });
  const url = hub.server.url;
  if (hub.interrupted.length > 0) {
    console.log(`Sync runs interrupted by the last stop, marked FAILED: ${hub.interrupted.join(', ')}`);
  }
  console.log(
    `GraphQL API: ${url} (HTTP and WebSocket${config.sandbox ? '; open it in a browser for the Apollo Sandbox' : ''})`,
  );
  reportSecurity(config);

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: draining requests and shutting down`);
    await hub.close();
    await simulators.close();
    await database.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

/** A simulator for each system without a URL, seeded with the demo data; none when both are real. */
async function startEmbeddedSystems(config: HubConfig) {
  const servers: { sales?: SimulatorServer; finance?: SimulatorServer } = {};
  if (config.sales.kind === 'simulator' || config.finance.kind === 'simulator') {
    const data = generateSeed(config.seed);
    if (config.sales.kind === 'simulator') servers.sales = createSalesSimulator({ data: data.sales });
    if (config.finance.kind === 'simulator') servers.finance = createFinanceSimulator({ data: data.finance });
    for (const server of Object.values(servers)) await server.listen(0, '127.0.0.1');
    const counts = seedSummary(data);
    console.log(
      `Seeded demo data (seed ${config.seed.seed}, ${config.seed.accounts} accounts): ${Object.entries(counts)
        .map(([set, n]) => `${set} ${n}`)
        .join(', ')}`,
    );
  }
  return {
    origins: { sales: servers.sales?.origin, finance: servers.finance?.origin },
    close: () => Promise.all(Object.values(servers).map((server) => server.close())),
  };
}

function loadValueMapsOrExit(config: HubConfig): Partial<ValueMaps> {
  if (!config.valueMapsFile) return {};
  try {
    const maps = loadValueMapFile(config.valueMapsFile);
    console.log(`Value maps from ${config.valueMapsFile}: ${Object.keys(maps).join(', ')}`);
    return maps;
  } catch (error) {
    console.error(`The hub cannot start: ${describe(error)}`);
    process.exit(1);
  }
}

async function openDatabaseOrExit(config: HubConfig): Promise<Database> {
  try {
    const database = await openDatabase(config.database);
    console.log(
      config.database.kind === 'pglite'
        ? `Database: embedded PGlite in ${config.database.dataDir} (migrations applied)`
        : 'Database: PostgreSQL (migrations applied)',
    );
    return database;
  } catch (error) {
    console.error(`The hub cannot start: ${describe(error)}`);
    process.exit(1);
  }
}

function loadConfigOrExit(): HubConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

function endpointFor(
  name: string,
  system: SystemConfig,
  config: HubConfig,
  simulatorOrigin: string | undefined,
): SystemEndpoint {
  if (system.kind === 'remote') {
    console.log(`${name}: ${system.url}`);
    return { url: system.url, authorityUrl: config.authorityUrl, ...system.credentials };
  }
  console.log(`${name}: embedded simulator at ${simulatorOrigin!}`);
  return connectorEndpointFor(simulatorOrigin!);
}

/** One cheap read per system, so a wrong URL or credential shows at start, not at the first query. */
async function reportReachability(connectors: Connectors, config: HubConfig): Promise<void> {
  const checks = [
    (async () => {
      for await (const page of connectors.sales.list('account', { select: ['accountid'], pageSize: 1 })) {
        return `Sales reachable (accounts readable, ${page.length} row read)`;
      }
      return 'Sales reachable';
    })(),
    (async () => {
      const companies = await connectors.finance.companies();
      if (!companies.includes(config.financeCompany)) {
        return `Finance reachable, but company '${config.financeCompany}' does not exist there (companies: ${companies.join(', ')})`;
      }
      return `Finance reachable (company ${config.financeCompany} of ${companies.join(', ')})`;
    })(),
  ];
  for (const result of await Promise.allSettled(checks)) {
    console.log(result.status === 'fulfilled' ? result.value : `Unreachable: ${describe(result.reason)}`);
  }
}

/** Who may call, said at every start; a hub without authentication says so loudly. */
function reportSecurity(config: HubConfig): void {
  const { auth } = config;
  if (!auth) {
    console.warn(
      `WARNING: no authentication is configured, so every caller is an operator who can start syncs. ` +
        `The hub listens on ${config.host} only; set HUB_API_KEYS or HUB_JWT_JWKS_URL / HUB_JWT_SECRET ` +
        `before serving anyone else (NODE_ENV=production refuses to start without them).`,
    );
  } else {
    const kinds = [
      ...(auth.apiKeys.length > 0 ? [`${auth.apiKeys.length} API key(s)`] : []),
      ...(auth.jwt
        ? [
            `JWTs from ${auth.jwt.issuer} for ${auth.jwt.audience} (${auth.jwt.keys.kind === 'jwks' ? auth.jwt.keys.url : 'shared secret, HS256'}; roles in '${auth.jwt.rolesClaim}')`,
          ]
        : []),
    ];
    console.log(`Authentication: ${kinds.join(' and ')}`);
  }
  console.log(
    `Introspection ${config.introspection ? 'on' : 'off'}, Sandbox ${config.sandbox ? 'on' : 'off'}, CORS origins: ${config.corsOrigins.join(', ') || 'none'}`,
  );
  if (config.sandbox && !config.introspection) {
    console.warn('The Sandbox needs introspection to show the schema: set HUB_INTROSPECTION=true as well.');
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

await main();
