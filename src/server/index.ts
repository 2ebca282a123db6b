/**
 * The hub's network front: one `node:http` server answering GraphQL over HTTP (Apollo Server) and over
 * WebSocket (graphql-ws) on the same path, both behind the same authenticator, and shutting both down
 * cleanly: no new connections, in-flight requests finished, sockets closed.
 *
 * Safe by default where it matters: Apollo's CSRF prevention is on, browsers get CORS headers only for
 * the configured origins, and introspection and the Sandbox can be switched off (the configuration does
 * so in production).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap } from '@apollo/server';
import {
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import type { GraphQLSchema } from 'graphql';
import type { ContextRequest } from '../graphql/context.js';
import { createErrorFormatter, httpStatusOf, HubError } from '../graphql/errors.js';
import { AuthError, type Authenticator, createAuthenticator } from './auth.js';
import { isLoopbackHost } from './auth-settings.js';
import {
  type ConnectionLimits,
  defaultConnectionLimits,
  enforceConnectionLimits,
  serverOptions,
} from './connections.js';
import { createCorsPolicy } from './cors.js';
import { silentLogger, type Logger } from '../logging.js';
import { createDashboardHandler } from './dashboard.js';
import { createHealthHandler } from './health.js';
import { createGraphQLHandler, subscriptionsOverWebSocketPlugin } from './http.js';
import { createSourceCheck, defaultLimits, type HubLimits, limitsPlugin, validationRules } from './limits.js';
import { createMetricsHandler, type ServerMetrics } from './metrics.js';
import { logOperation, operationLogPlugin, type OperationObserver } from './operation-log.js';
import type { Readiness } from './readiness.js';
import { assignRequestId, requestIdOf } from './request-id.js';
import { createTokenBucketLimiter, type RateLimiter } from './rate-limit.js';
import { tracingPlugin } from './tracing-plugin.js';
import { tracingEnabled } from '../tracing/tracer.js';
import { serveGraphQLWebSocket } from './websocket.js';
import type { Principal } from '../graphql/principal.js';

export interface HubServerOptions<TContext extends object> {
  schema: GraphQLSchema;
  /** One context factory for both transports, so HTTP and WebSocket behave the same. */
  createContext: (request: ContextRequest) => Promise<TContext>;
  /** Unexpected errors carry their message only in development. */
  development?: boolean;
  path?: string;
  /** Who may call; default: no authentication (every caller is the anonymous operator). */
  authenticator?: Authenticator;
  /** `__schema` and `__type` queries; default true. */
  introspection?: boolean;
  /** The Apollo Sandbox landing page for browsers; default true. */
  sandbox?: boolean;
  /** Origins browsers may call from (`*` for any); default none. */
  corsOrigins?: readonly string[];
  /** Where operations are logged (one line each, with the request id); default: nowhere. */
  logger?: Logger;
  /** What `GET /readyz` reports (see `readiness.ts`); default: ready, with no components checked. */
  readiness?: () => Promise<Readiness>;
  /** Abuse limits (`HUB_MAX_…`, see limits.ts); each one not given keeps its default (`defaultLimits`). */
  limits?: Partial<HubLimits>;
  /**
   * Timeouts for slow clients and the cap on open connections (`HUB_…_TIMEOUT_MS`, `HUB_MAX_CONNECTIONS`,
   * see connections.ts); each one not given keeps its default (`defaultConnectionLimits`).
   */
  connections?: Partial<ConnectionLimits>;
  /** Counts each caller's mutations; default: in memory, `limits.mutationsPerMinute` a minute. */
  rateLimiter?: RateLimiter;
  /** The built dashboard served at /dashboard/ (default: dashboard/dist); null serves none. */
  dashboardDir?: string | null;
  /** Counts operations and subscriptions and answers `GET /metrics` (see metrics.ts); default: none. */
  metrics?: ServerMetrics;
  /** Answers `POST /webhooks/dataverse` (see webhooks.ts) and returns true for it; default: none. */
  webhooks?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

export interface HubServer {
  listen(port: number, host: string): Promise<string>;
  close(): Promise<void>;
  readonly url: string;
}

export async function createHubServer<TContext extends object>({
  schema,
  createContext,
  development = false,
  path = '/graphql',
  authenticator = createAuthenticator(null),
  introspection = true,
  sandbox = true,
  corsOrigins = [],
  logger = silentLogger(),
  readiness,
  limits: limitOptions = {},
  connections: connectionOptions = {},
  rateLimiter: givenRateLimiter,
  dashboardDir,
  metrics,
  webhooks = () => false,
}: HubServerOptions<TContext>): Promise<HubServer> {
  const observe: OperationObserver | undefined = metrics && ((record) => metrics.operation(record));
  const limits: HubLimits = { ...defaultLimits, ...limitOptions };
  const rateLimiter = givenRateLimiter ?? createTokenBucketLimiter({ perMinute: limits.mutationsPerMinute });
  const connections: ConnectionLimits = { ...defaultConnectionLimits, ...connectionOptions };
  const httpServer: Server = createServer(serverOptions(connections));
  enforceConnectionLimits(httpServer, connections);
  // Without introspection, "Did you mean …?" suggestions would give the schema away, on any error.
  const formatError = createErrorFormatter(development, { hideSuggestions: !introspection });
  const cors = createCorsPolicy(corsOrigins);
  const ws = serveGraphQLWebSocket({
    httpServer,
    path,
    schema,
    authenticator,
    cors,
    createContext,
    introspection,
    logger,
    limits,
    rateLimiter,
    ...(metrics && { metrics }),
    // The same masking as over HTTP: internals never reach a WebSocket client either.
    formatErrors: (errors) => errors.map((error) => formatError(error.toJSON(), error)),
  });
  const apollo = new ApolloServer<TContext>({
    schema,
    formatError,
    includeStacktraceInErrorResponses: false,
    introspection,
    // Without introspection, "Did you mean …?" suggestions would give the schema away field by field.
    hideSchemaDetailsFromClientErrors: !introspection,
    csrfPrevention: true,
    // The owner of the process stops the hub (main.ts on SIGTERM/SIGINT: runs first, then HTTP, then the
    // database). Apollo's own handlers would stop the server and re-raise the signal, killing the process
    // before a running sync commits its page.
    stopOnTerminationSignals: false,
    validationRules: validationRules(limits),
    plugins: [
      // The caller, for the mutation allowance: the context's `principal`, as createContext was given it
      // (Apollo hands plugins a copy of the context, so it cannot be looked up by identity).
      limitsPlugin<TContext>({
        limits,
        rateLimiter,
        principalOf: (context) => (context as { principal?: Principal }).principal,
      }),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      { serverWillStart: async () => ({ drainServer: async () => ws.dispose() }) },
      operationLogPlugin<TContext>(logger, observe),
      // Only with tracing on (started before the server), so that a hub without it runs no hook of it.
      ...(tracingEnabled ? [tracingPlugin<TContext>()] : []),
      subscriptionsOverWebSocketPlugin<TContext>(),
      // Apollo would answer a gateway's `apollo-federation-include-trace` with per-field timings and the
      // errors unmasked; the hub's own tracing is OpenTelemetry (src/tracing), for the operator's eyes only.
      ApolloServerPluginInlineTraceDisabled(),
      sandbox
        ? ApolloServerPluginLandingPageLocalDefault({ embed: true })
        : ApolloServerPluginLandingPageDisabled(),
    ],
  });
  await apollo.start();
  const handle = createGraphQLHandler({
    apollo,
    path,
    // Asked for only when an operation is to run (never for the landing page), so a browser can open the
    // Sandbox without a token and send one from there.
    maxBodyBytes: limits.maxBodyBytes,
    checkDocument: createSourceCheck(limits),
    operationTimeoutMs: limits.operationTimeoutMs,
    context: async (req: IncomingMessage, signal: AbortSignal) => {
      const requestId = requestIdOf(req);
      const startedAt = performance.now();
      const outcome = await authenticator.authenticate(req.headers.authorization);
      if (outcome instanceof AuthError) {
        const refusal = httpRefusal(outcome, req.headers.authorization !== undefined);
        logRefusal(logger, requestId, outcome, performance.now() - startedAt, observe);
        throw refusal;
      }
      return createContext({ principal: outcome, requestId, signal });
    },
  });
  const health = createHealthHandler(readiness);
  const metricsEndpoint = metrics ? createMetricsHandler(metrics) : () => false;
  const dashboard = dashboardDir === null ? () => false : createDashboardHandler(dashboardDir);
  httpServer.on('request', (req, res) => {
    // Every answer is JSON, the Sandbox's page or the dashboard's files, each with its right type; a
    // browser must not guess another from the content.
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (health(req, res)) return;
    if (metricsEndpoint(req, res)) return;
    if (dashboard(req, res)) return;
    if (webhooks(req, res)) return;
    assignRequestId(req, res);
    if (cors.handle(req, res)) return;
    handle(req, res).catch(() => {
      // The handler answers every expected failure itself; this is the last line of defence.
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify({
          errors: [{ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
        }),
      );
    });
  });
  let url = '';
  return {
    async listen(port, host) {
      // Without authentication every caller is an operator; only this machine may be one.
      if (!authenticator.required && !isLoopbackHost(host)) {
        throw new Error(
          `Refusing to listen on ${host} without authentication: configure API keys or JWTs, or listen on 127.0.0.1.`,
        );
      }
      await new Promise<void>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => resolve());
      });
      const address = httpServer.address() as AddressInfo;
      url = `http://${host === '0.0.0.0' || host === '127.0.0.1' ? 'localhost' : host}:${address.port}${path}`;
      return url;
    },
    async close() {
      await apollo.stop();
    },
    get url() {
      return url;
    },
  };
}

/** A caller refused before any operation ran: the operation's line, with the refusal's code. */
function logRefusal(
  logger: Logger,
  requestId: string,
  error: AuthError,
  durationMs: number,
  observe: OperationObserver | undefined,
): void {
  logOperation(
    logger,
    {
      requestId,
      transport: 'http',
      operation: null,
      operationType: null,
      caller: undefined,
      durationMs,
      outcome: 'refused',
      errorCodes: [error.code],
      status: httpStatusOf[error.code],
    },
    [],
    observe && { observe },
  );
}

/**
 * A refused caller as Apollo answers it: 401 (with `WWW-Authenticate` as RFC 6750 asks), 403 or 503,
 * and one GraphQL error with the code and the message.
 */
function httpRefusal(error: AuthError, tokenSent: boolean): HubError {
  const headers = new HeaderMap();
  if (error.code === 'UNAUTHENTICATED')
    headers.set('www-authenticate', `Bearer realm="p2c-hub"${tokenSent ? ', error="invalid_token"' : ''}`);
  if (error.code === 'FORBIDDEN')
    headers.set('www-authenticate', 'Bearer realm="p2c-hub", error="insufficient_scope"');
  return new HubError(error.code, error.message, { http: { status: httpStatusOf[error.code], headers } });
}
