import { afterEach, describe, expect, it } from 'vitest';
import {
  createODataClient,
  type ODataClientOptions,
  type ODataRequestEvent,
} from '../../../src/connectors/odata/client.js';
import { ODataError, TimeoutError } from '../../../src/connectors/odata/errors.js';
import { decimal } from '../../../src/connectors/odata/json.js';
import { readByValues } from '../../../src/connectors/odata/records.js';
import { createRetryPolicy, type RetryPolicy } from '../../../src/connectors/odata/retry.js';
import { createTokenProvider } from '../../../src/connectors/odata/tokens.js';
import { send, startServer, type Handler, type TestServer } from './http-server.js';

const salesRoot = '/api/data/v9.2/';
let server: TestServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function salesClient(handler: Handler, options: Partial<ODataClientOptions> = {}) {
  server = await startServer(handler);
  const client = createODataClient({
    system: 'sales',
    serviceRoot: `${server.origin}${salesRoot}`,
    retry: zeroWaitPolicy().policy,
    ...options,
  });
  return { client, server };
}

/** The default decisions, waits recorded instead of slept. */
function zeroWaitPolicy(maxAttempts = 3): { policy: RetryPolicy; waits: number[] } {
  const waits: number[] = [];
  const base = createRetryPolicy({ maxAttempts });
  return {
    waits,
    policy: {
      maxAttempts,
      shouldRetry: (error, attempt, request) => base.shouldRetry(error, attempt, request),
      retryWaitMs: (error, attempt) => {
        waits.push(base.retryWaitMs(error, attempt));
        return 0;
      },
    },
  };
}

async function failure(promise: Promise<unknown>): Promise<ODataError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof ODataError)) throw new Error(`Expected an ODataError, got ${String(error)}`);
  return error;
}

describe('paging', () => {
  it('follows @odata.nextLink verbatim with the same Prefer header until none, exposing the count', async () => {
    // Dataverse's skiptoken is an encoded paging cookie; the client must not rebuild or re-encode it.
    const link = (page: number) =>
      `${server!.origin}${salesRoot}accounts?$select=name&$skiptoken=%3Ccookie%20pagenumber=%22${page}%22%20pagingcookie=%22%253ccookie%2520page%253d%25221%2522%253e%22%20/%3E`;
    const { client } = await salesClient((request, response) => {
      const page = /pagenumber=%22(\d)%22/.exec(request.url)?.[1] ?? '1';
      const body: Record<string, unknown> = { value: [{ name: `row ${page}` }] };
      if (page === '1') body['@odata.count'] = 3;
      if (page !== '3') body['@odata.nextLink'] = link(Number(page) + 1);
      send(response, 200, body);
    });
    const pages = [];
    for await (const page of client.pages(
      'accounts',
      { select: ['name'], count: true },
      {
        headers: { Prefer: 'odata.maxpagesize=1' },
      },
    )) {
      pages.push(page);
    }
    expect(pages.map((page) => page.rows)).toEqual([
      [{ name: 'row 1' }],
      [{ name: 'row 2' }],
      [{ name: 'row 3' }],
    ]);
    expect(pages[0]?.count).toBe(3);
    expect(pages[2]?.nextLink).toBeUndefined();
    const requests = server!.requests;
    expect(requests.map((request) => request.url)).toEqual([
      `${salesRoot}accounts?$select=name&$count=true`,
      link(2).slice(server!.origin.length),
      link(3).slice(server!.origin.length),
    ]);
    for (const request of requests) {
      expect(request.headers['prefer']).toBe('odata.maxpagesize=1');
      expect(request.headers['odata-version']).toBe('4.0');
      expect(request.headers['odata-maxversion']).toBe('4.0');
      expect(request.headers['accept']).toBe('application/json');
    }
  });

  it('exposes the deltaLink of the last page of a change-tracking read', async () => {
    const { client } = await salesClient((request, response) => {
      if (!request.url.includes('$skiptoken')) {
        return send(response, 200, {
          value: [{ accountid: '1' }],
          '@odata.nextLink': `${server!.origin}${salesRoot}accounts?$select=name&$skiptoken=2`,
        });
      }
      send(response, 200, {
        value: [{ accountid: '2' }],
        '@odata.deltaLink': `${server!.origin}${salesRoot}accounts?$select=name&$deltatoken=919042%2108%2f22%2f2017%2008%3a10%3a44`,
      });
    });
    const pages = [];
    for await (const page of client.pages('accounts', '$select=name', {
      headers: { Prefer: 'odata.track-changes' },
    })) {
      pages.push(page);
    }
    expect(pages[0]?.deltaLink).toBeUndefined();
    expect(pages[1]?.deltaLink).toBe(
      `${server!.origin}${salesRoot}accounts?$select=name&$deltatoken=919042%2108%2f22%2f2017%2008%3a10%3a44`,
    );
    expect(server!.requests.every((request) => request.headers['prefer'] === 'odata.track-changes')).toBe(
      true,
    );
  });

  it('refuses a nextLink to another origin, so the token never leaves the service, with the typed error', async () => {
    const { client } = await salesClient((_request, response) =>
      send(response, 200, { value: [], '@odata.nextLink': 'https://evil.example/steal?x=1' }),
    );
    const error = await failure(drain(client.pages('accounts')));
    expect(error).toMatchObject({ system: 'sales', method: 'GET', path: 'accounts', status: 200 });
    expect(error.code).toBe('OriginRefused');
    expect(error.message).toMatch(/Refusing to send a sales request to https:\/\/evil.example/);
    expect(server!.requests).toHaveLength(1);
  });

  it('resolves relative links against the context URL, itself relative, as SAP CAP sends them (OData JSON 4.0 §4.3)', async () => {
    const { client } = await salesClient((request, response) =>
      request.url.includes('$skiptoken')
        ? send(response, 200, {
            '@odata.context': `${server!.origin}${salesRoot}$metadata#accounts`,
            value: [{ name: 'B' }],
            '@odata.deltaLink': 'accounts?$deltatoken=abc',
          })
        : send(response, 200, {
            '@odata.context': '$metadata#accounts',
            value: [{ name: 'A' }],
            '@odata.nextLink': 'accounts?$skiptoken=40',
          }),
    );
    const pages = await drain(client.pages('accounts', '$select=name'));
    expect(pages.flatMap((page) => page.rows)).toEqual([{ name: 'A' }, { name: 'B' }]);
    expect(server!.requests.map((request) => request.url)).toEqual([
      `${salesRoot}accounts?$select=name`,
      `${salesRoot}accounts?$skiptoken=40`,
    ]);
    expect(pages[1]!.deltaLink).toBe(`${server!.origin}${salesRoot}accounts?$deltatoken=abc`);
  });

  it('resolves a relative link against the request URL when the answer has no context URL', async () => {
    const { client } = await salesClient((request, response) =>
      send(response, 200, {
        value: [],
        ...(request.url.includes('$skiptoken') ? {} : { '@odata.nextLink': '?$skiptoken=2' }),
      }),
    );
    await drain(client.pages('accounts', '$select=name'));
    expect(server!.requests.map((request) => request.url)).toEqual([
      `${salesRoot}accounts?$select=name`,
      `${salesRoot}accounts?$skiptoken=2`,
    ]);
  });

  it.each([
    ['a link that is not a URL', 'http://[not a host'],
    ['a link of another scheme', 'mailto:admin@example.com'],
    ['an empty link', ''],
    ['a link that is not text', 42],
  ])('answers %s with the typed error, never a bare TypeError', async (_case, link) => {
    const { client } = await salesClient((_request, response) =>
      send(response, 200, { value: [], '@odata.nextLink': link }),
    );
    const error = await failure(drain(client.pages('accounts')));
    expect(error).toMatchObject({ system: 'sales', method: 'GET', path: 'accounts', status: 200 });
    expect(error.code).toBe('InvalidResponse');
    expect(error.message).toMatch(/@odata.nextLink that is not a URL/);
    expect(server!.requests).toHaveLength(1);
  });
});

/** Every page of a read. */
async function drain<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) all.push(page);
  return all;
}

describe('requests and bodies', () => {
  it('writes decimal() values as JSON numbers and reads decimals back exactly', async () => {
    const { client } = await salesClient((request, response) =>
      send(response, 201, `{"accountid":"a1","creditlimit":2500.10,"echo":${request.body}}`, {
        'Content-Type': 'application/json',
      }),
    );
    const response = await client.request({
      method: 'POST',
      path: 'accounts',
      headers: { Prefer: 'return=representation' },
      body: { name: 'Contoso', creditlimit: decimal('2500.10') },
    });
    expect(server!.requests[0]?.body).toBe('{"name":"Contoso","creditlimit":2500.10}');
    expect(server!.requests[0]?.headers['content-type']).toBe('application/json');
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      accountid: 'a1',
      creditlimit: '2500.10',
      echo: { name: 'Contoso', creditlimit: '2500.10' },
    });
  });

  it('returns headers lower-cased and no body for a 204', async () => {
    const { client } = await salesClient((_request, response) =>
      send(response, 204, undefined, { 'OData-EntityId': 'http://x/api/data/v9.2/accounts(1)' }),
    );
    const response = await client.request({ method: 'PATCH', path: 'accounts(1)', body: { name: 'x' } });
    expect(response).toMatchObject({ status: 204, body: undefined });
    expect(response.headers['odata-entityid']).toBe('http://x/api/data/v9.2/accounts(1)');
  });

  it("refuses a URL over maxUrlLength before sending anything, as the connectors' typed error", async () => {
    const { client } = await salesClient((_request, response) => send(response, 200, { value: [] }), {
      maxUrlLength: 100,
    });
    const error = await failure(
      client.request({
        method: 'GET',
        path: 'accounts',
        query: { filter: "name eq '" + 'x'.repeat(100) + "'" },
      }),
    );
    expect(error).toMatchObject({
      kind: 'invalid-request',
      system: 'sales',
      method: 'GET',
      status: 0,
      code: 'UrlTooLong',
    });
    expect(error.message).toMatch(/^The sales URL is \d+ characters, over the limit of 100/);
    expect(server!.requests).toHaveLength(0);
  });

  it('refuses a body value that has no JSON form as the typed error, before sending anything', async () => {
    const { client } = await salesClient((_request, response) => send(response, 204, undefined));
    const body: Record<string, unknown> = { name: 'x' };
    body['parent'] = body; // a cycle: JSON has no form for it
    const error = await failure(client.request({ method: 'PATCH', path: 'accounts(1)', body }));
    expect(error).toMatchObject({
      kind: 'invalid-request',
      method: 'PATCH',
      path: 'accounts(1)',
      code: 'InvalidRequest',
    });
    expect(error.message).toMatch(/^The request body cannot be written: /);
    expect(server!.requests).toHaveLength(0);
  });

  it('refuses a key too long for any URL as the typed error when reading by values', async () => {
    const { client } = await salesClient((_request, response) => send(response, 200, { value: [] }), {
      maxUrlLength: 200,
    });
    const error = await failure(
      readByValues(client, { set: 'accounts', key: ['accountid'] } as never, ['x'.repeat(300)], (group) => ({
        filter: `accountnumber in (${group.map((v) => `'${v}'`).join(',')})`,
      })),
    );
    expect(error).toMatchObject({
      kind: 'invalid-request',
      system: 'sales',
      path: 'accounts',
      code: 'UrlTooLong',
    });
    expect(server!.requests).toHaveLength(0);
  });
});

describe('retries', () => {
  it('waits what Retry-After asks after a 429, then succeeds', async () => {
    const { policy, waits } = zeroWaitPolicy();
    let calls = 0;
    const { client } = await salesClient(
      (_request, response) => {
        calls += 1;
        if (calls === 1) {
          return send(
            response,
            429,
            {
              error: {
                code: '0x80072322',
                message: 'Number of requests exceeded the limit of 6000 over time window of 300 seconds.',
              },
            },
            { 'Retry-After': '7' },
          );
        }
        send(response, 200, { value: [] });
      },
      { retry: policy },
    );
    const response = await client.request({ method: 'POST', path: 'accounts', body: { name: 'x' } });
    expect(response.status).toBe(200);
    expect(waits).toEqual([7000]);
    expect(server!.requests).toHaveLength(2);
  });

  it('retries a 503 and reports every attempt to onRequest', async () => {
    const events: ODataRequestEvent[] = [];
    let calls = 0;
    const { client } = await salesClient(
      (_request, response) => {
        calls += 1;
        if (calls <= 2) return send(response, 503, 'Service Unavailable');
        send(response, 200, { value: [] });
      },
      { onRequest: (event) => events.push(event) },
    );
    await client.request({ method: 'GET', path: 'accounts', query: '$top=1' });
    expect(events.map(({ attempt, status, path, method }) => ({ attempt, status, path, method }))).toEqual([
      { attempt: 1, status: 503, path: 'accounts?$top=1', method: 'GET' },
      { attempt: 2, status: 503, path: 'accounts?$top=1', method: 'GET' },
      { attempt: 3, status: 200, path: 'accounts?$top=1', method: 'GET' },
    ]);
  });

  it('gives up after maxAttempts with the last error', async () => {
    const { client } = await salesClient((_request, response) => send(response, 503, ''));
    const error = await failure(client.request({ method: 'GET', path: 'accounts' }));
    expect(error.status).toBe(503);
    expect(server!.requests).toHaveLength(3);
  });

  it('does not retry a 400 and reports it as a typed error', async () => {
    const { client } = await salesClient((_request, response) =>
      send(response, 400, {
        error: { code: '0x80060888', message: "Could not find a property named 'nmae'." },
      }),
    );
    const error = await failure(
      client.request({ method: 'GET', path: 'accounts', query: { select: ['nmae'] } }),
    );
    expect(error.toJSON()).toEqual({
      kind: 'http',
      system: 'sales',
      method: 'GET',
      path: 'accounts?$select=nmae',
      status: 400,
      code: '0x80060888',
      message: "Could not find a property named 'nmae'.",
    });
    expect(server!.requests).toHaveLength(1);
  });

  it('times out a hanging request, retries it, then fails with a TimeoutError', async () => {
    const { client } = await salesClient(() => undefined /* never answers */, { timeoutMs: 200 });
    const started = performance.now();
    const error = await failure(client.request({ method: 'GET', path: 'accounts' }));
    expect(error).toBeInstanceOf(TimeoutError);
    expect([error.kind, error.status, error.path]).toEqual(['timeout', 0, 'accounts']);
    expect(server!.requests).toHaveLength(3);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('does not resend a POST that timed out: it may have been applied', async () => {
    const { client } = await salesClient(() => undefined, { timeoutMs: 200 });
    const error = await failure(client.request({ method: 'POST', path: 'accounts', body: { name: 'x' } }));
    expect(error.kind).toBe('timeout');
    expect(server!.requests).toHaveLength(1);
  });

  it('stops at once when the caller cancels: a cancellation is not a failure to retry', async () => {
    const { client } = await salesClient(() => undefined, { timeoutMs: 5_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('sync cancelled')), 50);
    await expect(
      client.request({ method: 'GET', path: 'accounts', signal: controller.signal }),
    ).rejects.toThrow('sync cancelled');
    expect(server!.requests).toHaveLength(1);
  });

  it('reports a refused connection as a network error', async () => {
    const closed = await startServer(() => undefined);
    const root = `${closed.origin}${salesRoot}`;
    await closed.close();
    const client = createODataClient({ system: 'sales', serviceRoot: root, retry: zeroWaitPolicy(2).policy });
    const error = await failure(client.request({ method: 'GET', path: 'accounts' }));
    expect([error.kind, error.status, error.message]).toEqual([
      'network',
      0,
      'Could not reach sales: ECONNREFUSED',
    ]);
  });
});

describe('bearer tokens', () => {
  const secret = 'client-secret-value';

  /** One server: an Entra-like token endpoint issuing token-1, token-2, … and a service accepting `valid`. */
  async function start(valid: (token: string) => boolean) {
    let issued = 0;
    server = await startServer((request, response) => {
      if (request.url.split('?')[0]!.endsWith('/oauth2/v2.0/token')) {
        issued += 1;
        return send(response, 200, {
          token_type: 'Bearer',
          expires_in: 3599,
          access_token: `token-${issued}`,
        });
      }
      const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
      if (!valid(token)) return send(response, 401, { error: { code: '', message: 'Unauthorized' } });
      send(response, 200, { value: [] });
    });
    const tokens = createTokenProvider({
      authorityUrl: server.origin,
      credential: { kind: 'client-secret', tenantId: 'tenant', clientId: 'hub-client', clientSecret: secret },
      scope: 'https://org.crm.dynamics.com/.default',
    });
    const client = createODataClient({
      system: 'sales',
      serviceRoot: `${server.origin}${salesRoot}`,
      tokens,
      retry: zeroWaitPolicy().policy,
    });
    const isToken = (url: string) => url.split('?')[0]!.endsWith('/token');
    const tokenRequests = () => server!.requests.filter((r) => isToken(r.url)).length;
    const serviceRequests = () => server!.requests.filter((r) => !isToken(r.url));
    return { client, tokenRequests, serviceRequests };
  }

  it('fetches the token once and sends it on every request', async () => {
    const { client, tokenRequests, serviceRequests } = await start(() => true);
    await Promise.all([1, 2, 3].map(() => client.request({ method: 'GET', path: 'accounts' })));
    expect(tokenRequests()).toBe(1);
    expect(serviceRequests().map((r) => r.headers.authorization)).toEqual([
      'Bearer token-1',
      'Bearer token-1',
      'Bearer token-1',
    ]);
  });

  it('renews the token once on a 401 and the request succeeds', async () => {
    const { client, tokenRequests, serviceRequests } = await start((token) => token !== 'token-1');
    const response = await client.request({ method: 'GET', path: 'accounts' });
    expect(response.status).toBe(200);
    expect(tokenRequests()).toBe(2);
    expect(serviceRequests().map((r) => r.headers.authorization)).toEqual([
      'Bearer token-1',
      'Bearer token-2',
    ]);
  });

  it('fails on a second 401 instead of renewing forever', async () => {
    const { client, tokenRequests, serviceRequests } = await start(() => false);
    const error = await failure(client.request({ method: 'GET', path: 'accounts' }));
    expect(error.status).toBe(401);
    expect(tokenRequests()).toBe(2);
    expect(serviceRequests()).toHaveLength(2);
    expect(JSON.stringify(error)).not.toContain('token-');
    expect(JSON.stringify(error)).not.toContain(secret);
  });
});
