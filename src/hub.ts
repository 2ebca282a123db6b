/**
 * The hub assembled from its parts: the GraphQL schema and resolvers, the sync (run store, flow engine,
 * run manager and its event bus), and a context factory over the connectors and the database, served on
 * one port. `npm start`, the tests and the benchmarks all build it here, so they run the same thing.
 */
import { hostname } from 'node:os';
import { systemPace, type Connectors } from './connectors/index.js';
import type { Database } from './db/connection.js';
import { createLinkStore } from './db/links.js';
import { createRunStore, defaultRetentionDays } from './db/runs.js';
import { createContextFactory } from './graphql/context.js';
import { createSchema } from './graphql/schema.js';
import { createSubgraphSchema } from './graphql/federation.js';
import { silentLogger, type Logger } from './logging.js';
import { createHubMetrics, type HubMetrics } from './metrics/index.js';
import { type AuthenticatorOptions, type AuthSettings, createAuthenticator } from './server/auth.js';
import type { ConnectionLimits } from './server/connections.js';
import { createHubServer, type HubServer } from './server/index.js';
import { defaultLimits, type HubLimits } from './server/limits.js';
import { checkSystems, createReadinessCheck, type ReadinessOptions } from './server/readiness.js';
import { createSharedRateLimiter } from './server/shared-rate-limit.js';
import { createFlowRunner } from './sync/engine/index.js';
import { flowPlans } from './sync/flows/index.js';
import { priceListProblems, readPriceLists } from './sync/flows/products/price-lists.js';
import { productSettings, type ProductSettings } from './sync/flows/products/settings.js';
import type { SyncManager } from './sync/runs/types.js';
import { type ValueMaps, withValueMaps } from './sync/flows/value-maps.js';
import { thisProcess } from './sync/runs/leases.js';
import { createSyncManager } from './sync/runs/manager.js';
import { createRunQueue } from './sync/runs/job-engine.js';
import { createScheduleStore } from './db/schedules.js';
import { createAlerts, type Alerts } from './alerts/index.js';
import { createAvailabilityWatch, type AvailabilityWatch } from './alerts/availability.js';
import { describeAlertSettings } from './alerts/settings.js';
import { createWebhookHandler } from './server/webhooks.js';
import { createWebhookTrigger } from './sync/triggers/webhook.js';
import type { AlertTarget } from './config.js';
import { createPostgresEventBus } from './sync/runs/pg-events.js';
import { createContinuousStore } from './db/continuous.js';
import {
  createContinuousSync,
  type ContinuousIntervals,
  type ContinuousSync,
  type ContinuousSyncOptions,
} from './sync/continuous/index.js';
import type { FlowFilterSettings } from './sync/reference.js';
import { createReferenceCache } from './sync/reference-cache.js';
import { loadReferenceData } from './sync/engine/reference-data.js';

export interface HubOptions {
  connectors: Connectors;
  database: Database;
  port: number;
  host: string;
  /** Unexpected errors show their message to clients only in development. */
  development?: boolean;
  /** Value maps replacing the defaults of the same name. */
  valueMaps?: Partial<ValueMaps>;
  /**
   * Finished runs older than this many days are deleted at start and then every `purgeIntervalMs`
   * (default 45, as the Data Integrator keeps them; `SYNC_RETENTION_DAYS`).
   */
  retentionDays?: number;
  /** How often a running hub purges again; default once a day. Tests shorten it. */
  purgeIntervalMs?: number;
  /**
   * How the products flow creates products and treats those Finance no longer sells
   * (`PRODUCTS_CREATE_STATE`, `PRODUCTS_PRICE_LIST`, `PRODUCTS_VANISHED`); defaults: Active, Microsoft's
   * price list choice, report.
   */
  products?: Partial<ProductSettings>;
  /** The settings flow rules read, e.g. the account relationship types to sync (default: none, all). */
  flowSettings?: FlowFilterSettings;
  /**
   * API keys and JWT verification (`HUB_API_KEYS`, `HUB_JWT_…`); default null: no authentication, every
   * caller is an operator (the embedded try-out, and the tests that are not about authentication).
   */
  auth?: AuthSettings | null;
  /** Clock tolerance and JWKS timeout of the authenticator; tests shorten them. */
  authOptions?: AuthenticatorOptions;
  /** Schema introspection (`HUB_INTROSPECTION`); default true. */
  introspection?: boolean;
  /** The Apollo Sandbox landing page (`HUB_SANDBOX`); default true. */
  sandbox?: boolean;
  /** Serve the schema as a Federation v2 subgraph (`HUB_FEDERATION`); default false. */
  federation?: boolean;
  /** Origins browsers may call the hub from (`HUB_CORS_ORIGINS`); default none. */
  corsOrigins?: readonly string[];
  /** Where operations, sync runs and failed purges are logged; default: nowhere (tests). */
  logger?: Logger;
  /**
   * Abuse limits: document size, depth, cost, aliases, `first`, body size, operation timeout, mutations a
   * minute per caller, operations per WebSocket (`HUB_MAX_…`); each one not given keeps its default.
   */
  limits?: Partial<HubLimits>;
  /** Slow-client timeouts and the connection cap (`HUB_…_TIMEOUT_MS`, `HUB_MAX_CONNECTIONS`); defaults per field. */
  connections?: Partial<ConnectionLimits>;
  /** The `/readyz` checks' timeout and cache; defaults 5 s and 1 s. Tests shorten them. */
  readiness?: Pick<ReadinessOptions, 'timeoutMs' | 'cacheMs'>;
  /** The built dashboard served at /dashboard/; default dashboard/dist, null for none. */
  dashboardDir?: string | null;
  /** Source records per sync page (each page is read, written and committed together); default 500. */
  syncPageSize?: number;
  /** Pages of a flow that compare and write at once (`SYNC_PAGES_IN_FLIGHT`); default 4. */
  syncPagesInFlight?: number;
  /**
   * The instance's metrics, served at `/metrics`; default: new ones with the default instance id. Back-end
   * requests are counted when the connectors were created with `onRequest: metrics.backendRequest`.
   */
  metrics?: HubMetrics;
  /**
   * This instance's name (`HUB_INSTANCE_ID`), on the runs it executes and their leases (other instances on
   * the database leave those runs alone while it lives, src/sync/runs/leases.ts); default
   * `<hostname>-<pid>`.
   */
  instanceId?: string;
  /** How long a run's lease lasts without renewal (`HUB_RUN_LEASE_MS`); default 30 s. */
  runLeaseMs?: number;
  /** Where alerts go (`HUB_ALERT_WEBHOOK_URL` and its secret); default none. */
  alerts?: AlertTarget | null;
  /** Minutes Sales or Finance may not answer before an alert (`HUB_ALERT_UNAVAILABLE_MINUTES`); default 5. */
  alertUnavailableMinutes?: number;
  /**
   * Whether this instance takes part in the minute's look at whether Sales and Finance answer (a request to
   * each); default true. Tests that count requests to the systems turn it off and look with
   * `availability.check()` when they mean to.
   */
  watchAvailability?: boolean;
  /** The hub's address as people reach it, for links in alerts; default: its own URL. */
  publicUrl?: string | null;
  /** The key Sales webhooks send (`HUB_WEBHOOK_KEY`); default none: the webhook endpoint is off. */
  webhookKey?: string | null;
  /**
   * Continuous sync's default intervals (`HUB_CONTINUOUS_INTERVAL_SECONDS`,
   * `HUB_CONTINUOUS_PRODUCTS_INTERVAL_SECONDS`) and, for tests, how soon its looks are picked up; which
   * flows it follows is stored in the database and switched through GraphQL.
   */
  continuous?: Partial<ContinuousIntervals> &
    Pick<ContinuousSyncOptions, 'pollingIntervalSeconds' | 'wakeSeconds'>;
}

export interface Hub {
  server: HubServer;
  sync: SyncManager;
  /** The alerts it raises and delivers. */
  alerts: Alerts;
  /** The minute's look at whether Sales and Finance answer; `check` makes one now. */
  availability: AvailabilityWatch;
  /** Runs left behind by instances that went away, found at start: released for takeover, or FAILED. */
  interrupted: string[];
  /**
   * Stops purging, stops taking runs (`startSync` is refused), lets the running ones commit their page
   * and hands them to another live instance, or, alone, marks them FAILED ("interrupted by shutdown", the
   * next run resumes them); then drains HTTP and WebSocket. The database is the caller's to close
   * afterwards.
   */
  close(): Promise<void>;
}

/** A day: runs are kept for days, so purging daily keeps them within a day of their retention period. */
const purgeEveryMs = 24 * 60 * 60 * 1000;

/** Starts serving and resolves once listening; `server.url` is the GraphQL endpoint. */
export async function startHub({
  connectors,
  database,
  port,
  host,
  development = false,
  valueMaps,
  retentionDays = defaultRetentionDays,
  purgeIntervalMs = purgeEveryMs,
  products,
  flowSettings = {},
  auth = null,
  authOptions,
  introspection = true,
  sandbox = true,
  federation = false,
  corsOrigins = [],
  logger = silentLogger(),
  readiness,
  limits,
  connections,
  dashboardDir,
  syncPageSize,
  syncPagesInFlight,
  metrics = createHubMetrics(),
  instanceId,
  runLeaseMs,
  alerts: alertTarget = null,
  alertUnavailableMinutes,
  watchAvailability = true,
  publicUrl = null,
  webhookKey = null,
  continuous: continuousOptions = {},
}: HubOptions): Promise<Hub> {
  const instance = instanceId ?? `${hostname()}-${process.pid}`;
  const links = createLinkStore(database);
  const runs = createRunStore(database);
  const maps = withValueMaps(valueMaps);
  const productRules = productSettings(products);
  const configuredPriceList = productRules.priceList;
  // On PostgreSQL several instances may serve one database: each hears every instance's run events.
  const sharedEvents =
    database.kind === 'postgres' && database.newClient
      ? createPostgresEventBus({
          createClient: database.newClient,
          logger,
          // Updates other instances published while this one was not listening, read back.
          catchUp: async (since) => {
            // The listed runs are whole: no read per run.
            const changed = await runs.changedSince(since);
            return changed.map((run) => sync.snapshotOf(run));
          },
        })
      : null;
  await sharedEvents?.start();
  const queue = await createRunQueue({ database, logger });
  const schedules = createScheduleStore(database);
  let listeningAt: string | null = null;
  const alerts = createAlerts({
    engine: queue.engine,
    db: database.db,
    runs,
    schedules,
    target: alertTarget,
    // Read when an alert is raised: the server's own address once it listens.
    publicUrl: () => publicUrl ?? listeningAt ?? 'http://localhost',
    logger,
  });
  // Made once the manager it starts runs through exists; told of the runs the manager ends.
  let continuous: ContinuousSync | null = null;
  // One copy of the Sales currencies and units for every operation; a run that ends may have changed them.
  const reference = createReferenceCache({ load: () => loadReferenceData(connectors) });
  const sync = createSyncManager({
    queue,
    schedules,
    alerts,
    onRunFinished: async (runId) => {
      reference.invalidate();
      await continuous?.runFinished(runId);
    },
    ...(sharedEvents && { events: sharedEvents }),
    runs,
    runner: metrics.countRecords(
      createFlowRunner({
        plans: flowPlans({ products: productRules }),
        connectors,
        runs,
        links,
        valueMaps: maps,
        flowSettings,
        ...(syncPageSize !== undefined && { pageSize: syncPageSize }),
        ...(syncPagesInFlight !== undefined && { pagesInFlight: syncPagesInFlight }),
        logger,
      }),
    ),
    financeCompanies: () => connectors.finance.companies(),
    company: connectors.finance.company,
    pace: () => systemPace(connectors),
    leases: {
      owner: thisProcess(instance),
      ...(runLeaseMs !== undefined && { leaseMs: runLeaseMs }),
    },
    logger,
    // A default price list missing from Sales is one problem before the run, not a failure per product.
    ...(configuredPriceList !== null && {
      productProblems: async () => priceListProblems(await readPriceLists(connectors), configuredPriceList),
    }),
  });
  // A run whose instance went away is taken over (this instance's workers may fetch it at once); a dry run
  // or a retry, which keep no read position, is FAILED ("interrupted").
  const interrupted = await sync.recoverInterrupted();
  const webhookTrigger = createWebhookTrigger({ engine: queue.engine, start: sync.start, logger });
  if (webhookKey !== null) await webhookTrigger.start();
  const availability = createAvailabilityWatch({
    engine: queue.engine,
    db: database.db,
    probe: () => checkSystems(connectors, readiness?.timeoutMs),
    alerts,
    ...(alertUnavailableMinutes !== undefined && { unavailableMinutes: alertUnavailableMinutes }),
    logger,
  });
  if (watchAvailability) await availability.start();
  const { pollingIntervalSeconds, wakeSeconds, ...intervals } = continuousOptions;
  continuous = createContinuousSync({
    engine: queue.engine,
    store: createContinuousStore(database),
    runs,
    connectors,
    start: sync.start,
    logger,
    intervals,
    onLook: (flow, outcome) => metrics.continuousLook(flow, outcome),
    ...(pollingIntervalSeconds !== undefined && { pollingIntervalSeconds }),
    ...(wakeSeconds !== undefined && { wakeSeconds }),
  });
  await continuous.start();
  await runs.purgeOlderThan(retentionDays);
  metrics.observe({ connectors, database });
  const server = await createHubServer({
    schema: federation ? createSubgraphSchema() : createSchema(),
    createContext: createContextFactory({
      connectors,
      links,
      valueMaps: maps,
      flowSettings,
      sync,
      runs,
      schedules,
      alerts,
      // Only the receiver's origin and the outage minutes: the URL's path and the secret stay here.
      alertSettings: describeAlertSettings(alertTarget, alertUnavailableMinutes),
      continuous,
      referenceData: () => reference.get(),
    }),
    development,
    authenticator: createAuthenticator(auth, authOptions),
    introspection,
    sandbox,
    corsOrigins,
    logger,
    readiness: createReadinessCheck({
      database,
      connectors,
      ...readiness,
      role: () => ({ id: instance, executingRuns: sync.executing() }),
    }),
    ...(limits ? { limits } : {}),
    // On PostgreSQL every instance counts a caller's mutations in the same rows; the embedded database
    // has one hub by definition, so its buckets stay in memory.
    ...(database.kind === 'postgres' && {
      rateLimiter: createSharedRateLimiter({
        database,
        perMinute: limits?.mutationsPerMinute ?? defaultLimits.mutationsPerMinute,
      }),
    }),
    ...(connections ? { connections } : {}),
    ...(dashboardDir !== undefined ? { dashboardDir } : {}),
    metrics,
    webhooks: createWebhookHandler({ key: webhookKey, request: (flow) => webhookTrigger.request(flow) }),
  });
  await server.listen(port, host);
  listeningAt = server.url.replace(/\/graphql$/, '');
  // Started once nothing else can fail, so a failed start leaves no timer behind.
  const purging = startPurging(() => runs.purgeOlderThan(retentionDays), purgeIntervalMs, logger);
  return {
    server,
    sync,
    alerts,
    availability,
    interrupted,
    close: async () => {
      await purging.stop();
      await sync.shutdown();
      await server.close();
      await sharedEvents?.close();
    },
  };
}

/**
 * Purges every `intervalMs`, so a hub that runs for weeks keeps only its retention period of runs, not
 * everything since its start. The timer is unref'd (it never keeps the process alive on its own), a purge
 * never overlaps the previous one, and a failed purge (the database briefly away) is reported and tried
 * again at the next tick rather than stopping the hub. `stop` clears the timer and waits for a purge in
 * flight, so the caller can close the database after it.
 */
function startPurging(
  purge: () => Promise<number>,
  intervalMs: number,
  logger: Logger,
): { stop(): Promise<void> } {
  let inFlight: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (inFlight) return;
    inFlight = purge()
      .then(
        (purged) => {
          if (purged > 0) logger.info({ purged }, 'Purged sync runs past their retention period');
        },
        (error: unknown) => {
          const message = error instanceof Error ? error.message : String(error);
          logger.error(`Purging sync runs past their retention period failed; retrying later: ${message}`);
        },
      )
      .finally(() => (inFlight = null));
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await inFlight;
    },
  };
}
