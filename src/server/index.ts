/**
 * The hub's network front: one `node:http` server answering GraphQL over HTTP (Apollo Server, with the
 * Sandbox landing page) and over WebSocket (graphql-ws) on the same path, and shutting both down
 * cleanly: no new connections, in-flight requests finished, sockets closed.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import type { GraphQLError, GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { createErrorFormatter } from '../graphql/errors.js';
import { createGraphQLHandler } from './http.js';

export interface HubServerOptions<TContext extends object> {
  schema: GraphQLSchema;
  /** One context factory for both transports, so HTTP and WebSocket behave the same. */
  createContext: () => Promise<TContext>;
  /** Unexpected errors carry their message only in development. */
  development?: boolean;
  path?: string;
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
}: HubServerOptions<TContext>): Promise<HubServer> {
  const httpServer: Server = createServer();
  const formatError = createErrorFormatter(development);
  const wsServer = new WebSocketServer({ server: httpServer, path });
  const ws = useServer<Record<string, unknown>, { context?: TContext }>(
    {
      schema,
      context: async (ctx) => (ctx.extra.context ??= await createContext()),
      // The same masking as over HTTP: internals never reach a WebSocket client either.
      onNext: (_ctx, _id, _payload, _args, result) => {
        const errors = (result as { errors?: readonly GraphQLError[] }).errors;
        if (!errors) return result;
        return { ...result, errors: errors.map((error) => formatError(error.toJSON(), error)) };
      },
    },
    wsServer,
  );
  const apollo = new ApolloServer<TContext>({
    schema,
    formatError,
    includeStacktraceInErrorResponses: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      { serverWillStart: async () => ({ drainServer: async () => ws.dispose() }) },
      ApolloServerPluginLandingPageLocalDefault({ embed: true }),
    ],
  });
  await apollo.start();
  const handle = createGraphQLHandler({ apollo, path, context: (_req: IncomingMessage) => createContext() });
  httpServer.on('request', (req, res) => {
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
