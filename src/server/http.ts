/**
 * Apollo Server on a plain `node:http` server: the request is read (with a size limit), handed to
 * Apollo's transport-independent `executeHTTPGraphQLRequest`, and the answer written back. Apollo keeps
 * doing what it does in its own integrations: GraphQL-over-HTTP, CSRF prevention, the Sandbox landing page
 * for browsers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ApolloServer, type ApolloServerPlugin, type BaseContext, HeaderMap } from '@apollo/server';
import * as graphql from 'graphql';
import { httpStatusOf, type HubError, publicExtensions } from '../graphql/errors.js';
import { operationTimeoutError, timedOut, withDeadline } from './deadline.js';
import { limitError, limitMessages } from './limits.js';
import { requestUrl } from './request-url.js';
import { executeOperation } from './tracing-plugin.js';

export interface GraphQLHandlerOptions<TContext extends BaseContext> {
  apollo: ApolloServer<TContext>;
  /** Path the API answers on; other paths get 404. */
  path: string;
  /** `signal` aborts when the operation runs out of time (`operationTimeoutMs`). */
  context: (req: IncomingMessage, signal: AbortSignal) => Promise<TContext>;
  /** Larger bodies get 413 before anything is parsed. */
  maxBodyBytes?: number;
  /** Refuses a GraphQL document before Apollo parses it (too long, too many tokens); default: none. */
  checkDocument?: (query: string) => HubError | undefined;
  /** Unanswered after this long: 504 OPERATION_TIMEOUT, and the context's signal aborts; default 30 s. */
  operationTimeoutMs?: number;
}

export function createGraphQLHandler<TContext extends BaseContext>({
  apollo,
  path,
  context,
  maxBodyBytes = 1024 * 1024,
  checkDocument = () => undefined,
  operationTimeoutMs = 30_000,
}: GraphQLHandlerOptions<TContext>) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = requestUrl(req);
    if (url?.pathname !== path)
      return sendJson(res, 404, { error: `Not found. The GraphQL API is at ${path}.` });
    const declared = declaredLength(req);
    // A declared length over the limit is refused before a byte of the body is read: waiting for 50 MB
    // that will be refused anyway would only hold the connection.
    if (declared !== undefined && declared > maxBodyBytes)
      return refuseTooLarge(req, res, maxBodyBytes, declared);
    const text = await readBody(req, maxBodyBytes);
    if (text === undefined) return refuseTooLarge(req, res, maxBodyBytes, undefined);
    let body: unknown;
    if (text !== '' && /json/i.test(req.headers['content-type'] ?? '')) {
      try {
        body = JSON.parse(text);
      } catch {
        return sendJson(res, 400, {
          errors: [{ message: 'The request body is not valid JSON.', extensions: { code: 'BAD_REQUEST' } }],
        });
      }
    }
    const query = queryOf(body, url.searchParams);
    const refusal = query === undefined ? undefined : checkDocument(query);
    if (refusal) return sendError(res, refusal);
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const response = await withDeadline(operationTimeoutMs, (signal) =>
      executeOperation(
        apollo,
        {
          httpGraphQLRequest: {
            method: (req.method ?? 'GET').toUpperCase(),
            headers,
            search: url.search,
            body,
          },
          context: () => context(req, signal),
        },
        req,
      ),
    );
    if (response === timedOut) return sendError(res, operationTimeoutError(operationTimeoutMs));
    for (const [name, value] of response.headers) {
      // CORS may have said `Vary: Origin` already; Apollo's `Vary` adds to it.
      const vary = name === 'vary' ? res.getHeader('vary') : undefined;
      res.setHeader(name, vary ? `${String(vary)}, ${value}` : value);
    }
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  };
}

/**
 * Refuses a subscription sent over HTTP with 400 BAD_REQUEST, as Apollo refuses other requests it cannot
 * serve. Apollo Server has no HTTP transport for subscriptions: it would execute the subscription field
 * like a query field, without its event stream, and answer "Unexpected error.". Subscriptions are
 * served over graphql-ws on the same path.
 */
export function subscriptionsOverWebSocketPlugin<
  TContext extends BaseContext,
>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation }) {
          if (operation?.operation !== 'subscription') return;
          throw new graphql.GraphQLError(
            'Subscriptions are served over WebSocket (the graphql-ws protocol) on this same URL, not over HTTP.',
            { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } },
          );
        },
      };
    },
  };
}

/** The GraphQL document of a POST body or a GET query string; undefined when there is none. */
function queryOf(body: unknown, search: URLSearchParams): string | undefined {
  if (body !== null && typeof body === 'object' && 'query' in body) {
    return typeof body.query === 'string' ? body.query : undefined;
  }
  return search.get('query') ?? undefined;
}

/** The body's length as the client declared it (`Content-Length`); undefined when it declared none. */
function declaredLength(req: IncomingMessage): number | undefined {
  const declared = Number(req.headers['content-length']);
  return Number.isSafeInteger(declared) ? declared : undefined;
}

/**
 * The body as text, or undefined once it passes `limit` bytes; the rest is then left unread (the stream
 * paused) for `refuseTooLarge`. Rejects when the client goes away before the body ends.
 */
function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      stop();
      req.pause();
      resolve(undefined);
    };
    const onEnd = () => {
      stop();
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const onClose = () => {
      stop();
      reject(new Error('The client closed the connection before its request body ended.'));
    };
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('close', onClose);
  });
}

/**
 * How long the rest of a refused body is still read (and dropped) before the connection closes, and how
 * long a pause in it ends that early. Closing a connection the client is still sending on makes the
 * client's system answer with a reset, which throws away the 413 it has not read yet; reading on for a
 * moment lets it see the answer (a "lingering close", as nginx does). A client that pauses has either
 * read the answer or is waiting for it; the request timeout bounds this as well.
 */
const lingerMs = 5_000;
const lingerPauseMs = 1_000;

/** 413 REQUEST_TOO_LARGE at once, then the rest of the body read and dropped for a while, then close. */
function refuseTooLarge(
  req: IncomingMessage,
  res: ServerResponse,
  limit: number,
  actual: number | undefined,
): void {
  const error = limitError('REQUEST_TOO_LARGE', limitMessages.requestTooLarge(limit, actual), {
    limit,
    actual,
  });
  const text = JSON.stringify({ errors: [{ message: error.message, extensions: publicExtensions(error) }] });
  res.writeHead(httpStatusOf[error.code], {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    Connection: 'close',
  });
  // The whole answer goes out now; ending it (which closes the connection) waits for the lingering.
  res.write(text);
  let pause: NodeJS.Timeout | undefined;
  const close = () => {
    clearTimeout(pause);
    clearTimeout(deadline);
    req.off('data', waitForMore);
    req.off('end', close);
    req.off('close', close);
    if (!res.writableEnded) res.end();
  };
  const waitForMore = () => {
    clearTimeout(pause);
    pause = setTimeout(close, lingerPauseMs);
  };
  const deadline = setTimeout(close, lingerMs);
  if (req.readableEnded) return close();
  req.on('data', waitForMore);
  req.once('end', close);
  req.once('close', close);
  waitForMore();
  req.resume();
}

/** A refusal before Apollo: the status of its code, and the error as Apollo would have shaped it. */
function sendError(res: ServerResponse, error: HubError): void {
  sendJson(res, httpStatusOf[error.code], {
    errors: [{ message: error.message, extensions: publicExtensions(error) }],
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}
