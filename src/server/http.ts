/**
 * Apollo Server on a plain `node:http` server: the request is read (with a size limit), handed to
 * Apollo's transport-independent `executeHTTPGraphQLRequest`, and the answer written back. Apollo keeps
 * doing what it does in its own integrations: GraphQL-over-HTTP, CSRF prevention, the Sandbox landing page
 * for browsers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ApolloServer, type BaseContext, HeaderMap } from '@apollo/server';

export interface GraphQLHandlerOptions<TContext extends BaseContext> {
  apollo: ApolloServer<TContext>;
  /** Path the API answers on; other paths get 404. */
  path: string;
  context: (req: IncomingMessage) => Promise<TContext>;
  /** Larger bodies get 413 before anything is parsed. */
  maxBodyBytes?: number;
}

export function createGraphQLHandler<TContext extends BaseContext>({
  apollo,
  path,
  context,
  maxBodyBytes = 1024 * 1024,
}: GraphQLHandlerOptions<TContext>) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== path)
      return sendJson(res, 404, { error: `Not found. The GraphQL API is at ${path}.` });
    const text = await readBody(req, maxBodyBytes);
    if (text === undefined)
      return sendJson(res, 413, {
        errors: [{ message: `The request body is larger than ${maxBodyBytes} bytes.` }],
      });
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
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: (req.method ?? 'GET').toUpperCase(), headers, search: url.search, body },
      context: () => context(req),
    });
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

async function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}
