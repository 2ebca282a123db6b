/**
 * GraphQL over WebSocket (the graphql-ws protocol) on the HTTP server's GraphQL path. The caller is
 * authenticated from the `connection_init` payload (`{ "authorization": "Bearer …" }`, or failing that
 * the upgrade request's `Authorization` header) before the connection is acknowledged; a refused
 * connection is closed with a graphql-ws close code and the reason in words:
 *
 * - 4401 Unauthorized: no, malformed, wrong or expired credentials (the client should not retry as is);
 * - 4403 Forbidden: a valid token that grants no hub role;
 * - 1013 Try Again Later: the identity provider's keys could not be fetched.
 *
 * A connection made with an expiring token is closed with 4401 when the token expires.
 */
import type { IncomingMessage, Server } from 'node:http';
import * as graphql from 'graphql';
import type { GraphQLError, GraphQLFormattedError, GraphQLSchema } from 'graphql';
import { CloseCode, type Disposable } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { type WebSocket, WebSocketServer } from 'ws';
import type { ContextRequest } from '../graphql/context.js';
import type { Principal } from '../graphql/principal.js';
import type { Logger } from '../logging.js';
import { AuthError, type AuthErrorCode, type Authenticator } from './auth.js';
import type { CorsPolicy } from './cors.js';
import type { HubLimits } from './limits.js';
import type { RateLimiter } from './rate-limit.js';
import type { OperationMetrics } from './metrics.js';
import { createSubscribeGuard } from './websocket-limits.js';
import {
  createWebSocketOperationLog,
  logOperation,
  type OperationObserver,
  type WebSocketOperationLog,
} from './operation-log.js';
import { requestIdFrom, requestIdHeader } from './request-id.js';
import { traceWebSocketExecute } from './tracing-plugin.js';
import { tracingEnabled } from '../tracing/tracer.js';

/** The close code a refused connection gets, by what went wrong. */
export const closeCodeOf = {
  UNAUTHENTICATED: CloseCode.Unauthorized,
  FORBIDDEN: CloseCode.Forbidden,
  // RFC 6455 "Try Again Later": a server-side condition that passes; graphql-ws clients retry it.
  UPSTREAM_UNAVAILABLE: 1013,
} as const satisfies Record<AuthErrorCode, number>;

export const tokenExpiredReason = 'The token has expired; connect again with a new one.';

/** setTimeout's limit (about 24.8 days); a credential valid for longer is watched in steps of it. */
const maxTimerMs = 2 ** 31 - 1;

export interface GraphQLWebSocketOptions<TContext> {
  httpServer: Server;
  path: string;
  schema: GraphQLSchema;
  authenticator: Authenticator;
  cors: CorsPolicy;
  createContext: (request: ContextRequest) => Promise<TContext>;
  /** False: `__schema` and `__type` are refused, as over HTTP. */
  introspection: boolean;
  /** Applied to every result's errors, so masking is the same as over HTTP. */
  formatErrors: (errors: readonly GraphQLError[]) => GraphQLFormattedError[];
  /** The request limits, as over HTTP, and the operations one connection may hold open. */
  limits: HubLimits;
  /** Counts each caller's mutations, shared with HTTP. */
  rateLimiter: RateLimiter;
  /** Where refused connections and each operation are logged, with the connection's request id. */
  logger: Logger;
  /** Counts each operation and the subscriptions open; default: none. */
  metrics?: OperationMetrics;
}

// A type, not an interface: graphql-ws wants the connection's extra state indexable.
type ConnectionState = {
  principal?: Principal;
  expiry?: NodeJS.Timeout;
  /** The upgrade request's `X-Request-Id` when sane, else a new one: every operation's request id. */
  requestId?: string;
  operations?: WebSocketOperationLog;
  /** The subscriptions counted open in the metrics, by operation id, so each is counted closed once. */
  streaming?: Set<string>;
};

export function serveGraphQLWebSocket<TContext extends object>({
  httpServer,
  path,
  schema,
  authenticator,
  cors,
  createContext,
  introspection,
  formatErrors,
  logger,
  limits,
  rateLimiter,
  metrics,
}: GraphQLWebSocketOptions<TContext>): Disposable {
  const observe: OperationObserver | undefined = metrics && ((record) => metrics.operation(record));
  /** A subscription that stopped streaming, however it ended; counted once. */
  const stopped = (state: ConnectionState, id: string) => {
    if (state.streaming?.delete(id)) metrics?.subscriptionClosed();
  };
  const guard = createSubscribeGuard({ schema, introspection, limits, rateLimiter });
  // Each operation's context, with the controller that stops its loaders at the operation's deadline.
  const aborts = new WeakMap<object, AbortController>();
  const execute = (args: graphql.ExecutionArgs) =>
    guard.execute(args, (reason) => aborts.get(args.contextValue as object)?.abort(reason));
  const wsServer = new WebSocketServer({
    server: httpServer,
    path,
    // One message may be as large as an HTTP request body, not ws's default of 100 MiB; a larger one
    // closes the connection with 1009 (Message Too Big) before it is buffered whole or parsed.
    maxPayload: limits.maxBodyBytes,
    verifyClient: ({ req }: { req: IncomingMessage }, done) =>
      cors.allowsUpgrade(req)
        ? done(true)
        : done(false, 403, `Origin ${req.headers.origin ?? ''} may not connect; add it to HUB_CORS_ORIGINS.`),
  });
  const server = useServer<Record<string, unknown>, ConnectionState>(
    {
      schema,
      // Parsing and validation (introspection off included) happen in `onSubscribe`, with the limits.
      execute: tracingEnabled ? traceWebSocketExecute(execute) : execute,
      onConnect: async (ctx) => {
        const { socket, request } = ctx.extra;
        const requestId = requestIdFrom(request.headers[requestIdHeader]);
        const startedAt = performance.now();
        const outcome = await authenticator.authenticate(
          authorizationOf(ctx.connectionParams) ?? request.headers.authorization,
        );
        if (outcome instanceof AuthError) {
          logOperation(
            logger,
            {
              requestId,
              transport: 'websocket',
              operation: null,
              operationType: null,
              caller: undefined,
              durationMs: performance.now() - startedAt,
              outcome: 'refused',
              errorCodes: [outcome.code],
            },
            [],
            observe && { observe },
          );
          // Closed here with a reason a person can act on; graphql-ws's own close ("Forbidden") then finds
          // the socket closing and sends nothing more.
          socket.close(closeCodeOf[outcome.code], closeReason(outcome.message));
          return false;
        }
        ctx.extra.principal = outcome;
        ctx.extra.requestId = requestId;
        ctx.extra.operations = createWebSocketOperationLog(logger, requestId, observe);
        const expiresAt = outcome.expiresAt?.getTime();
        if (expiresAt !== undefined) {
          const watch = () => {
            const ms = expiresAt - Date.now();
            if (ms <= 0) return socket.close(CloseCode.Unauthorized, tokenExpiredReason);
            ctx.extra.expiry = setTimeout(watch, Math.min(ms, maxTimerMs));
            ctx.extra.expiry.unref();
          };
          watch();
        }
        return true;
      },
      onClose: (ctx) => {
        clearTimeout(ctx.extra.expiry);
        // Subscriptions whose stream did not report its end before the socket closed.
        for (const id of [...(ctx.extra.streaming ?? [])]) stopped(ctx.extra, id);
      },
      // One context per operation, as over HTTP: its loaders' batches and caches never cross operations,
      // and a query that runs out of time stops only its own back-end calls. (Operations only run after
      // the ack, so the caller is known.)
      context: async (ctx) => {
        const controller = new AbortController();
        const context = await createContext({
          principal: ctx.extra.principal!,
          requestId: ctx.extra.requestId!,
          signal: controller.signal,
        });
        aborts.set(context, controller);
        return context;
      },
      onSubscribe: (ctx, id, payload) => {
        ctx.extra.operations?.subscribed(id, payload.operationName);
        return guard.admit({
          open: Object.keys(ctx.subscriptions).length,
          principal: ctx.extra.principal,
          payload,
        });
      },
      onOperation: (ctx, id, _payload, args) => {
        const operation = graphql.getOperationAST(args.document, args.operationName);
        if (operation) ctx.extra.operations?.resolved(id, operation.operation, operation.name?.value ?? null);
        if (metrics && operation?.operation === 'subscription') {
          (ctx.extra.streaming ??= new Set()).add(id);
          metrics.subscriptionOpened();
        }
      },
      onNext: (ctx, id, _payload, _args, result) => {
        const errors = (result as { errors?: readonly GraphQLError[] }).errors;
        const formatted = errors ? formatErrors(errors) : undefined;
        ctx.extra.operations?.result(id, formatted, errors);
        return formatted ? { ...result, errors: formatted } : result;
      },
      onError: (ctx, id, _payload, errors) => {
        ctx.extra.operations?.failed(id, errors, { principal: ctx.extra.principal });
        stopped(ctx.extra, id);
        // Refusals carry the HTTP status for Apollo; the formatter keeps it (and internals) inside.
        return formatErrors(errors);
      },
      onComplete: (ctx, id) => {
        ctx.extra.operations?.completed(id, { principal: ctx.extra.principal });
        stopped(ctx.extra, id);
      },
    },
    wsServer,
  );
  // graphql-ws prints a socket's errors with their stack to stderr. They are the client's doing (ws has
  // already closed the socket with the code, e.g. 1009 for a message over the limit), so they are
  // logged as one line here instead. This listener runs after graphql-ws's, which it replaces.
  wsServer.on('connection', (socket: WebSocket, request: IncomingMessage) => {
    socket.removeAllListeners('error');
    socket.on('error', (error: Error & { code?: string }) => {
      logger.warn(
        { requestId: requestIdFrom(request.headers[requestIdHeader]), code: error.code },
        `A WebSocket connection was closed for a protocol error: ${error.message}`,
      );
      if (socket.readyState === socket.OPEN)
        socket.close(CloseCode.InternalServerError, 'Internal server error');
    });
  });
  return server;
}

/** The `authorization` (any case) of a connection_init payload, when it is a string. */
function authorizationOf(params: Readonly<Record<string, unknown>> | undefined): string | undefined {
  if (!params) return undefined;
  for (const [name, value] of Object.entries(params)) {
    if (name.toLowerCase() === 'authorization' && typeof value === 'string') return value;
  }
  return undefined;
}

/** WebSocket close reasons are limited to 123 bytes of UTF-8. */
function closeReason(message: string): string {
  if (Buffer.byteLength(message) <= 123) return message;
  let reason = message;
  while (Buffer.byteLength(`${reason}…`) > 123) reason = reason.slice(0, -1);
  return `${reason}…`;
}
