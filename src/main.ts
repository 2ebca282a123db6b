/**
 * `npm start`: reads the configuration, opens the database (embedded PGlite or PostgreSQL) and applies
 * its migrations, starts the embedded Sales and Finance simulators for every system that has no URL
 * configured, connects to both systems, serves GraphQL over HTTP and WebSocket, and shuts all of it down
 * cleanly on Ctrl-C or SIGTERM.
 *
 * Each slow step of the start is announced by a line before it begins, and a step still running after
 * `progressEveryMs` says so again, so that nobody watching a first start waits in silence. Only what the
 * first lines need is imported statically; the hub's own modules (GraphQL, the sync, the job queue: about
 * a second to load) load in the background alongside the database step.
 */
import { ConfigError, loadConfig, type HubConfig, type SystemConfig } from './config.js';
import type { Connectors, SystemEndpoint } from './connectors/index.js';
import type { Credential } from './connectors/odata/credentials.js';
import type { ODataClientHealth } from './connectors/odata/index.js';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Database, OpenStep } from './db/connection.js';
import { lockDataDir } from './db/data-dir-lock.js';
import { createLogger, type Logger } from './logging.js';
import { portMessage, probePort } from './server/port-probe.js';
import { handleStopSignals, type ServiceStop } from './server/service-stop.js';
import type { ValueMaps } from './sync/flows/value-maps.js';
import { loadValueMapFile } from './sync/value-map-file.js';
import { startTracing } from './tracing/index.js';
import { type SystemName, systemLabels, systemNames } from './vocabulary.js';
import type { EmbeddedSystems } from './simulators/embedded.js';

/** How long a start-up step may run before a line says it still does. */
const progressEveryMs = 2_000;

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const credentials = await readCredentialsOrExit(config);
  const logger = createLogger({ level: config.logLevel, secrets: secretsOf(config, credentials) });
  const service = handleStopSignals({ logger, timeoutMs: config.stopTimeoutMs });
  // Before anything is traced, closed after everything else, so that the stop's spans are sent as well.
  await service.step(startTracing(config.tracing, logger), (tracing) => tracing.shutdown());
  await probePortOrExit(config, logger);
  const valueMaps = loadValueMapsOrExit(config, logger);
  const modules = once(() => loadHubModules(config));
  const database = await service.step(openDatabaseOrExit(config, logger, service, modules), (db) =>
    db.close(),
  );
  const simulators = await service.step(startEmbeddedSystems(config, logger, modules()), (systems) =>
    systems.close(),
  );
  const { createConnectors, createHubMetrics, startHub } = await modules();
  const metrics = createHubMetrics({ instanceId: config.instanceId });
  const connectors = createConnectors({
    sales: endpointFor('sales', config.sales, credentials.sales, simulators.endpoints.sales, logger),
    finance: endpointFor(
      'finance',
      config.finance,
      credentials.finance,
      simulators.endpoints.finance,
      logger,
    ),
    financeCompany: config.financeCompany,
    maxConcurrency: config.maxConcurrency,
    financeBatchSize: config.financeBatchSize,
    // A system that keeps failing is left alone for a while; the operator should know when and why.
    onCircuitChange: (health) => logCircuitChange(logger, health),
    onRequest: (event) => metrics.backendRequest(event),
  });
  logger.info('Checking that Sales and Finance answer …');
  await service.step(
    whileSlow(logger, () => 'checking Sales and Finance', reportReachability(connectors, config, logger)),
  );
  logger.info(`Starting the GraphQL server and the sync (job queue, schedules, continuous sync) …`);
  const hubStart = startHub({
    connectors,
    database,
    port: config.port,
    host: config.host,
    development: config.development,
    valueMaps,
    retentionDays: config.retentionDays,
    products: config.products,
    flowSettings: {
      accountRelationshipTypes: config.accountRelationshipTypes,
      invoiceTypes: config.invoiceTypes,
    },
    syncPagesInFlight: config.pagesInFlight,
    auth: config.auth,
    introspection: config.introspection,
    sandbox: config.sandbox,
    federation: config.federation,
    corsOrigins: config.corsOrigins,
    limits: config.limits,
    connections: config.connections,
    instanceId: config.instanceId,
    alerts: config.alerts,
    alertUnavailableMinutes: config.alertUnavailableMinutes,
    publicUrl: config.publicUrl,
    webhookKey: config.webhookKey,
    continuous: config.continuous,
    runLeaseMs: config.runLeaseMs,
    logger,
    metrics,
  });
  const hub = await service.step(
    startHubOrExit(
      whileSlow(logger, () => 'starting the GraphQL server and the sync', hubStart),
      config,
      logger,
    ),
    (started) => started.close(),
  );
  const url = hub.server.url;
  if (hub.interrupted.length > 0) {
    logger.warn(
      { runIds: hub.interrupted },
      `Sync runs interrupted by the last stop, marked FAILED: ${hub.interrupted.join(', ')}`,
    );
  }
  logger.info(
    { url },
    `GraphQL API: ${url} (HTTP and WebSocket${config.sandbox ? '; open it in a browser for the Apollo Sandbox' : ''})`,
  );
  const origin = new URL(url).origin;
  logger.info(`Dashboard: ${origin}/dashboard/`);
  logger.info(`Health: ${origin}/healthz (alive), ${origin}/readyz (database, Sales and Finance answer)`);
  logger.info(`Metrics: ${origin}/metrics (Prometheus, instance_id ${config.instanceId})`);
  reportSecurity(config, logger);
  // SIGINT and SIGTERM now close the hub, then the simulators, the database and its folder's lock.
  service.started();
}

/**
 * The modules for what follows the database step, loaded in the background from the call on (a load that
 * fails rejects where they are awaited). The database step starts it once its own module is loaded and
 * the opening has begun, so that a first start's creation is not kept waiting behind them: they load
 * while another process creates the database, or in the gaps of opening it. The simulators and faker are
 * among them only when a system has no URL, so a hub against real systems never loads them.
 */
function loadHubModules(config: HubConfig) {
  const simulatorsWanted = config.sales.kind === 'simulator' || config.finance.kind === 'simulator';
  const modules = Promise.all([
    import('./connectors/index.js'),
    import('./metrics/index.js'),
    import('./hub.js'),
    simulatorsWanted ? import('./simulators/embedded.js') : null,
  ]).then(([{ createConnectors }, { createHubMetrics }, { startHub }, simulators]) => ({
    createConnectors,
    createHubMetrics,
    startHub,
    startEmbeddedSimulators: simulators?.startEmbeddedSimulators ?? null,
  }));
  modules.catch(() => undefined);
  return modules;
}

/** `start` called once, at the first call; every call returns its result. */
function once<T>(start: () => T): () => T {
  let started: { value: T } | undefined;
  return () => (started ??= { value: start() }).value;
}

/**
 * Awaits one slow start-up step (announced by the line before it), saying every `progressEveryMs` that it
 * still runs and for how long; `doing` names what it is doing at that moment (`creating the embedded
 * database`). A step that blocks the event loop (seeding) cannot be interrupted to say so.
 */
async function whileSlow<T>(logger: Logger, doing: () => string, work: Promise<T>): Promise<T> {
  const startedAt = Date.now();
  const timer = setInterval(() => {
    logger.info(`… still ${doing()} (${Math.round((Date.now() - startedAt) / 1000)} s)`);
  }, progressEveryMs);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}

/**
 * A taken port is found before the slow steps (creating the database, seeding, reaching the systems)
 * and said in one line.
 */
async function probePortOrExit(config: HubConfig, logger: Logger): Promise<void> {
  try {
    await probePort(config.port, config.host);
  } catch (error) {
    logger.fatal(`The hub cannot start: ${describe(error)}`);
    process.exit(1);
  }
}

/** The listen itself can still find the port taken (by a program quicker than the hub): one line too. */
async function startHubOrExit<T>(start: Promise<T>, config: HubConfig, logger: Logger): Promise<T> {
  try {
    return await start;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const listenCodes = ['EADDRINUSE', 'EACCES', 'EADDRNOTAVAIL'];
    const message =
      code !== undefined && listenCodes.includes(code)
        ? portMessage(config.port, config.host, code)
        : describe(error);
    logger.fatal(`The hub cannot start: ${message}`);
    process.exit(1);
  }
}

/** Every secret of the configuration the logger scrubs from its lines (API keys are held as digests). */
function secretsOf(config: HubConfig, credentials: SystemCredentials): string[] {
  const secrets: string[] = [];
  for (const credential of [credentials.sales, credentials.finance]) {
    if (credential?.kind === 'client-secret') secrets.push(credential.clientSecret);
    if (credential?.kind === 'certificate') secrets.push(credential.certificate.privateKey);
  }
  for (const system of [config.sales, config.finance]) {
    if (
      system.kind === 'remote' &&
      system.credential.kind === 'certificate' &&
      system.credential.certificatePassword
    )
      secrets.push(system.credential.certificatePassword);
  }
  if (config.auth?.jwt?.keys.kind === 'secret') secrets.push(config.auth.jwt.keys.secret);
  if (config.alerts) secrets.push(config.alerts.secret);
  if (config.webhookKey) secrets.push(config.webhookKey);
  if (config.database.kind === 'postgres') {
    try {
      const password = new URL(config.database.url).password;
      if (password) secrets.push(password, decodeURIComponent(password));
    } catch {
      // A URL that does not parse cannot be opened either; the database label never shows it.
    }
  }
  return secrets;
}

/** A breaker opening (warn) or closing (info), with its state as fields. */
function logCircuitChange(logger: Logger, health: ODataClientHealth): void {
  const fields = {
    system: health.system,
    breaker: health.state,
    consecutiveFailures: health.consecutiveFailures,
    nextTryAt: health.nextTryAt?.toISOString() ?? null,
    lastFailure: health.lastFailure,
  };
  if (health.state === 'closed') {
    logger.info(fields, `${health.system}: answering again; requests flow normally.`);
  } else {
    logger.warn(
      fields,
      `${health.system}: unavailable after ${health.consecutiveFailures} failed requests in a row; ` +
        `requests fail at once until ${health.nextTryAt?.toISOString() ?? 'the next try'}.`,
    );
  }
}

/** A simulator for each system without a URL, seeded with the demo data; none when both are real. */
async function startEmbeddedSystems(
  config: HubConfig,
  logger: Logger,
  modules: ReturnType<typeof loadHubModules>,
): Promise<EmbeddedSystems> {
  const wanted = { sales: config.sales.kind === 'simulator', finance: config.finance.kind === 'simulator' };
  if (!wanted.sales && !wanted.finance) return { endpoints: {}, close: async () => {} };
  // Said before waiting for the modules: on a later start the simulators and faker may still be loading.
  logger.info(`Seeding the demo data for the embedded simulators (${config.seed.accounts} accounts) …`);
  const { startEmbeddedSimulators } = await modules;
  if (!startEmbeddedSimulators)
    throw new Error('The simulators were not loaded although a system has no URL.');
  return startEmbeddedSimulators({ wanted, seed: config.seed, latencyMs: config.simulatorLatencyMs }, logger);
}

function loadValueMapsOrExit(config: HubConfig, logger: Logger): Partial<ValueMaps> {
  if (!config.valueMapsFile) return {};
  try {
    const maps = loadValueMapFile(config.valueMapsFile);
    logger.info(`Value maps from ${config.valueMapsFile}: ${Object.keys(maps).join(', ')}`);
    return maps;
  } catch (error) {
    logger.fatal(`The hub cannot start: ${describe(error)}`);
    process.exit(1);
  }
}

/**
 * Locks the embedded database's folder, says whether it is created or opened, opens it and applies the
 * migrations, saying each step; `whileOpening` is called once the opening has begun.
 */
async function openDatabaseOrExit(
  config: HubConfig,
  logger: Logger,
  service: ServiceStop,
  whileOpening: () => unknown,
): Promise<Database> {
  const steps: Record<OpenStep, string> = {
    create: 'creating the embedded database',
    open: config.database.kind === 'pglite' ? 'opening the embedded database' : 'connecting to PostgreSQL',
    migrate: 'applying the database migrations',
  };
  let doing = steps.open;
  try {
    // An in-memory PGlite (`memory://`, tests and throw-away tries) has no folder to share or lock.
    if (config.database.kind === 'pglite' && !config.database.dataDir.startsWith('memory://')) {
      const folder = resolve(config.database.dataDir);
      const lock = await lockDataDir(folder, {
        // Another process took the folder over (this one stalled past the lock's stale time, or the folder
        // was moved): writing on would mix two databases in one folder, so the hub stops.
        onCompromised: (error) => {
          logger.error(
            `The lock on ${folder} was lost (${error.message}); stopping before writing there again.`,
          );
          void service.stop('HUB_DATA_DIR lock lost');
        },
      });
      service.add(() => lock.release());
      if (existsSync(join(folder, 'PG_VERSION'))) {
        logger.info(`Opening the embedded database in ${folder} …`);
      } else {
        doing = steps.create;
        logger.info(
          `Creating the embedded database in ${folder} (first start: PostgreSQL's initdb, in a process of its own; a few seconds) …`,
        );
      }
    } else {
      logger.info(
        config.database.kind === 'pglite'
          ? 'Opening an embedded database in memory …'
          : 'Connecting to PostgreSQL …',
      );
    }
    // The steps after the first are said too: after a creation the new database is opened, and every start
    // checks the migrations (the first applies them all).
    const onStep = (step: OpenStep) => {
      if (step === 'open' && doing === steps.create) logger.info('Opening the new database …');
      if (step === 'migrate') logger.info('Applying the database migrations …');
      doing = steps[step];
    };
    const opening = (async () => {
      const { openDatabase } = await import('./db/connection.js');
      const opened = openDatabase(config.database, { log: logger, onStep });
      whileOpening();
      return opened;
    })();
    const database = await whileSlow(logger, () => doing, opening);
    logger.info(
      config.database.kind === 'pglite'
        ? `Database: embedded PGlite in ${config.database.dataDir} (migrations applied)`
        : 'Database: PostgreSQL (migrations applied)',
    );
    return database;
  } catch (error) {
    // A folder held by another hub, or one PGlite cannot open, is one sentence saying what to do.
    logger.fatal(`The hub cannot start: ${describe(error)}`);
    process.exit(1);
  }
}

function loadConfigOrExit(): HubConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      // Not a log line: there is no logger before the configuration (LOG_LEVEL is part of it), and a
      // person reads this list at a terminal.
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

type SystemCredentials = Record<SystemName, Credential | undefined>;

/**
 * Each remote system's credential, its certificate file read (and node-forge loaded) only when one is
 * configured. A file that cannot be used stops the start as a wrong variable does, naming the variable.
 */
async function readCredentialsOrExit(config: HubConfig): Promise<SystemCredentials> {
  const problems: string[] = [];
  const credentials: SystemCredentials = { sales: undefined, finance: undefined };
  for (const system of systemNames) {
    const settings = config[system];
    if (settings.kind !== 'remote') continue;
    const { credential } = settings;
    if (credential.kind !== 'certificate') {
      credentials[system] = credential;
      continue;
    }
    const variable = `${system.toUpperCase()}_CERTIFICATE_FILE`;
    const { CertificateError, readClientCertificate } = await import('./connectors/odata/credentials.js');
    try {
      const file = await readFile(credential.certificateFile);
      credentials[system] = {
        kind: 'certificate',
        tenantId: credential.tenantId,
        clientId: credential.clientId,
        certificate: readClientCertificate(file, credential.certificatePassword),
      };
    } catch (error) {
      const reason =
        error instanceof CertificateError
          ? error.message
          : `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
      problems.push(`${variable} ${credential.certificateFile}: ${reason}`);
    }
  }
  if (problems.length > 0) {
    console.error(new ConfigError(problems).message);
    process.exit(1);
  }
  return credentials;
}

function endpointFor(
  system: SystemName,
  settings: SystemConfig,
  credential: Credential | undefined,
  simulator: SystemEndpoint | undefined,
  logger: Logger,
): SystemEndpoint {
  const name = systemLabels[system];
  if (settings.kind === 'remote' && credential) {
    logger.info(
      `${name}: ${settings.url} (${describeCredential(credential)}, tokens from ${tokenSource(settings, credential)})`,
    );
    return { url: settings.url, authorityUrl: settings.authorityUrl, scope: settings.scope, credential };
  }
  logger.info(`${name}: embedded simulator at ${simulator!.url}`);
  return simulator!;
}

/** What signs the hub in, with what identifies it in Entra ID and nothing secret. */
function describeCredential(credential: Credential): string {
  switch (credential.kind) {
    case 'client-secret':
      return `client ${credential.clientId} with a client secret`;
    case 'certificate':
      return `client ${credential.clientId} with certificate ${credential.certificate.thumbprint} (${credential.certificate.subject}, valid to ${credential.certificate.validTo.toISOString().slice(0, 10)})`;
    case 'managed-identity':
      return credential.clientId
        ? `user-assigned managed identity ${credential.clientId}`
        : 'the system-assigned managed identity';
  }
}

function tokenSource(settings: { authorityUrl: string }, credential: Credential): string {
  return credential.kind === 'managed-identity' ? 'the managed identity endpoint' : settings.authorityUrl;
}

/** One cheap read per system, so a wrong URL or credential shows at start, not at the first query. */
async function reportReachability(connectors: Connectors, config: HubConfig, logger: Logger): Promise<void> {
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
    if (result.status === 'fulfilled') logger.info(result.value);
    else logger.warn(`Unreachable: ${describe(result.reason)}`);
  }
}

/** Who may call, said at every start; a hub without authentication says so loudly. */
function reportSecurity(config: HubConfig, logger: Logger): void {
  const { auth } = config;
  if (!auth) {
    logger.warn(
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
    logger.info(`Authentication: ${kinds.join(' and ')}`);
  }
  logger.info(
    `Introspection ${config.introspection ? 'on' : 'off'}, Sandbox ${config.sandbox ? 'on' : 'off'}, CORS origins: ${config.corsOrigins.join(', ') || 'none'}`,
  );
  if (config.federation) {
    logger.info(
      'Federation: the schema is an Apollo Federation v2 subgraph (_service, _entities); subscriptions stay on this endpoint.',
    );
  }
  if (config.sandbox && !config.introspection) {
    logger.warn('The Sandbox needs introspection to show the schema: set HUB_INTROSPECTION=true as well.');
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

await main();
