/**
 * The hub's network front: one `node:http` server answering GraphQL over HTTP (Apollo Server) and over
 * WebSocket (graphql-ws) on the same path, both behind the same authenticator, and shutting both down
 * cleanly: no new connections, in-flight requests finished, sockets closed.
 *
 * Safe by default where it matters: Apollo's CSRF prevention is on, browsers get CORS headers only for
 * the configured origins, and introspection and the Sandbox can be switched off (the configuration does
 * so in production).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import type { GraphQLSchema } from 'graphql';
import type { ContextRequest } from '../graphql/context.js';
import { createErrorFormatter, httpStatusOf, HubError } from '../graphql/errors.js';
import { AuthError, type Authenticator, createAuthenticator, isLoopbackHost } from './auth.js';
import { createCorsPolicy } from './cors.js';
import { createGraphQLHandler } from './http.js';
import { serveGraphQLWebSocket } from './websocket.js';

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
}: HubServerOptions<TContext>): Promise<HubServer> {
  const httpServer: Server = createServer();
  const formatError = createErrorFormatter(development);
  const cors = createCorsPolicy(corsOrigins);
  const ws = serveGraphQLWebSocket({
    httpServer,
    path,
    schema,
    authenticator,
    cors,
    createContext,
    introspection,
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
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      { serverWillStart: async () => ({ drainServer: async () => ws.dispose() }) },
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
    context: async (req: IncomingMessage) => {
      const outcome = await authenticator.authenticate(req.headers.authorization);
      if (outcome instanceof AuthError) throw httpRefusal(outcome, req.headers.authorization !== undefined);
      return createContext({ principal: outcome });
    },
  });
  httpServer.on('request', (req, res) => {
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
