/**
 * The HTTP front of a simulator: a real `node:http` server on its own port that serves one system's
 * behaviour at its service root, plus an Entra-style token endpoint and discovery document, optional
 * managed identity endpoints, bearer-token checks, fault injection and a request log. Everything
 * system-specific lives in the `SystemBehaviour`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { executeBatch } from './batch.js';
import { ServiceError } from './errors.js';
import { jsonWebKeySet, openIdConfiguration } from './discovery.js';
import { createFaults, type FaultOptions, type Faults } from './faults.js';
import {
  answerAppService,
  answerImds,
  appServiceTokenPath,
  imdsTokenPath,
  type ManagedIdentityOptions,
} from './managed-identity.js';
import { createRequestLog, type RequestLog } from './request-log.js';
import { parseResourcePath } from './resource-path.js';
import type { SimRequest, SimResponse, SystemBehaviour } from './service.js';
import { type ClientCredentials, createTokenIssuer, type TokenIssuer } from './tokens.js';

export interface SimulatorServerOptions {
  behaviour: SystemBehaviour;
  /** App registrations the token endpoint accepts (secret and/or certificates). Default `[defaultClient]`. */
  clients?: readonly ClientCredentials[];
  /**
   * Serves the IMDS and App Service managed identity endpoints (managed-identity.ts); without it they
   * answer 404 like any unknown path.
   */
  managedIdentity?: ManagedIdentityOptions;
  /** When false, requests need no bearer token (handy for poking at it with curl). Default true. */
  requireAuth?: boolean;
  faults?: Partial<FaultOptions>;
  tokenLifetimeSeconds?: number;
  /** Request bodies above this size get 413. */
  maxBodyBytes?: number;
}

export interface SimulatorServer {
  /** Starts listening (port 0 = any free port) and resolves to the origin, e.g. `http://127.0.0.1:5001`. */
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
  /** `http://host:port` once listening. */
  readonly origin: string;
  /** The service root URL, e.g. `http://127.0.0.1:5001/api/data/v9.2/`. */
  readonly serviceRoot: string;
  readonly faults: Faults;
  readonly log: RequestLog;
  readonly tokens: TokenIssuer;
}

/** The app registration every simulator knows unless given other `clients`: a client secret. */
export const defaultClient = {
  clientId: 'hub-client',
  clientSecret: 'hub-secret',
} satisfies ClientCredentials;

export function createSimulatorServer({
  behaviour,
  clients = [defaultClient],
  managedIdentity,
  requireAuth = true,
  faults: faultOptions = {},
  tokenLifetimeSeconds,
  maxBodyBytes = 64 * 1024 * 1024,
}: SimulatorServerOptions): SimulatorServer {
  const faults = createFaults(faultOptions);
  const log = createRequestLog();
  const tokens = createTokenIssuer({ clients, ...(tokenLifetimeSeconds ? { tokenLifetimeSeconds } : {}) });
  const sockets = new Set<Socket>();
  let origin = '';

  // Dataverse accepts URLs up to 32 KB; Node's default header limit (16 KB) would refuse them first.
  const server: Server = createServer({ maxHeaderSize: 64 * 1024 }, (req, res) => {
    // In flight from the request's arrival until its response is handed to the socket ('finish'), or its
    // socket closes first ('close'; a hung request stays in flight until close() destroys it).
    const finished = log.requestStarted();
    res.once('finish', finished);
    res.once('close', finished);
    void respond(req, res).catch((error: unknown) => {
      // Never leak a stack trace to the client; the simulator's own bug shows in the test output.
      console.error(`[${behaviour.system} simulator] unexpected error`, error);
      if (!res.headersSent) send(res, { status: 500, body: '' });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const serviceRoot = (): string => `${origin}${behaviour.rootPath}`;

  async function respond(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    const body = await readBody(req, maxBodyBytes);
    if (body === undefined)
      return send(res, behaviour.renderError(new ServiceError(413, '', 'The request body is too large.')));

    // The origin as the client addressed it (localhost or 127.0.0.1): Entra's own URLs are what a
    // client assertion's audience must name, and what its discovery document lists.
    const addressed = `http://${req.headers.host ?? new URL(origin).host}`;
    if (method === 'POST' && /^\/[^/]+\/oauth2\/(v2\.0\/)?token$/.test(url.pathname)) {
      return sendJson(res, tokens.issue(new URLSearchParams(body), `${addressed}${url.pathname}`));
    }
    const discovery = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(url.pathname);
    if (method === 'GET' && discovery) {
      return sendJson(res, { status: 200, body: openIdConfiguration(addressed, discovery[1]!) });
    }
    if (method === 'GET' && /^\/[^/]+\/discovery\/v2\.0\/keys$/.test(url.pathname)) {
      return sendJson(res, { status: 200, body: jsonWebKeySet });
    }
    // msal-node canonicalises AZURE_POD_IDENTITY_AUTHORITY_HOST + the IMDS path with a trailing slash.
    const untrailed = url.pathname.replace(/(.)\/$/, '$1');
    if (managedIdentity && method === 'GET' && untrailed === imdsTokenPath) {
      return sendJson(res, answerImds(url.searchParams, lowerCaseHeaders(req), managedIdentity, tokens));
    }
    if (managedIdentity && method === 'GET' && untrailed === appServiceTokenPath) {
      return sendJson(
        res,
        answerAppService(url.searchParams, lowerCaseHeaders(req), managedIdentity, tokens),
      );
    }
    if (!url.pathname.startsWith(behaviour.rootPath)) {
      return send(res, behaviour.renderError(new ServiceError(404, '', `No service at ${url.pathname}.`)));
    }
    const resource = url.pathname.slice(behaviour.rootPath.length);
    const entitySet = entitySetOf(resource);
    const logged = { method, url: `${url.pathname}${url.search}`, entitySet, inBatch: false, at: Date.now() };

    const decision = faults.decide({ method, ...(entitySet ? { entitySet } : {}) });
    if (faults.options.latencyMs > 0) await sleep(faults.options.latencyMs);
    if (decision.kind === 'hang') return; // never answered; the socket is destroyed on close()
    let response: SimResponse;
    if (decision.kind === 'throttle')
      response = behaviour.renderThrottle(decision.retryAfterSeconds, decision.limit);
    else if (decision.kind === 'status')
      response = behaviour.renderError(
        new ServiceError(
          decision.status,
          decision.code ?? '',
          decision.message ?? 'The service is temporarily unavailable. Try again later.',
        ),
      );
    else if (requireAuth && !tokens.verify(req.headers.authorization)) response = unauthorized();
    else
      response = dispatch({
        method,
        resource,
        query: url.searchParams,
        rawQuery: url.search.replace(/^\?/, ''),
        headers: lowerCaseHeaders(req),
        body,
        inBatch: false,
        serviceRoot: serviceRoot(),
      });
    log.add({ ...logged, status: response.status });
    send(res, { ...response, headers: { ...behaviour.responseHeaders, ...response.headers } });
  }

  function unauthorized(): SimResponse {
    const error = behaviour.renderError(
      new ServiceError(401, '', 'The user is not authenticated: a valid bearer token is required.'),
    );
    return {
      ...error,
      headers: {
        ...error.headers,
        'WWW-Authenticate': `Bearer authorization_uri=${origin}/common/oauth2/authorize, resource_id=${origin}`,
      },
    };
  }

  function dispatch(request: SimRequest): SimResponse {
    try {
      if (request.resource === '$metadata' && request.method === 'GET') {
        return {
          status: 200,
          headers: { 'Content-Type': 'application/xml', 'OData-Version': '4.0' },
          body: behaviour.metadata(request.serviceRoot),
        };
      }
      if (request.resource === '$batch') {
        if (request.method !== 'POST') throw new ServiceError(405, '', '$batch accepts POST only.');
        return executeBatch(request, behaviour, (part) => {
          const response = dispatch(part);
          log.add({
            method: part.method,
            url: part.resource,
            entitySet: entitySetOf(part.resource),
            inBatch: true,
            status: response.status,
            at: Date.now(),
          });
          return response;
        });
      }
      return behaviour.handle(request);
    } catch (error) {
      if (error instanceof ServiceError) return behaviour.renderError(error);
      throw error;
    }
  }

  return {
    async listen(port = 0, host = '127.0.0.1') {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve());
      });
      const address = server.address() as AddressInfo;
      origin = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
      return origin;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    get origin() {
      return origin;
    },
    get serviceRoot() {
      return serviceRoot();
    },
    faults,
    log,
    tokens,
  };
}

/**
 * The entity set a request addresses, for the log and for faults matched by set. An action bound to one
 * entity counts for its set even where the system's own handler refuses it.
 */
function entitySetOf(resource: string): string | undefined {
  try {
    return resource.startsWith('$')
      ? resource.split(/[/?]/)[0]
      : parseResourcePath(resource, { entityActions: true }).entitySet;
  } catch {
    return undefined;
  }
}

function lowerCaseHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
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

function sendJson(res: ServerResponse, answer: { status: number; body: unknown }): void {
  send(res, {
    status: answer.status,
    headers: { 'Content-Type': 'application/json; charset=utf-8' },
    body: JSON.stringify(answer.body),
  });
}

function send(res: ServerResponse, response: SimResponse): void {
  if (res.writableEnded || res.destroyed) return;
  res.writeHead(response.status, response.headers ?? {});
  res.end(response.body ?? '');
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
