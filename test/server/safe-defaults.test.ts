/**
 * Safe defaults: a hub without authentication works for a local try-out but only on loopback and says so
 * at start; production refuses to start without authentication; introspection and the Sandbox can be
 * switched off (production does); browsers of other origins get no CORS access unless allowed.
 */
import { spawn } from 'node:child_process';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createSchema } from '../../src/graphql/schema.js';
import { createHubServer } from '../../src/server/index.js';
import { wsClient, wsRequest } from '../support/auth.js';
import { startTestHub, type TestHub } from '../support/hub.js';
import { runMainUntilExit } from '../support/main-process.js';

const introspection = `{ __schema { queryType { name } } }`;

describe('start-up without authentication', () => {
  it('refuses to start in production without authentication, saying what to set, with a non-zero exit', async () => {
    const outcome = await runMainUntilExit({ NODE_ENV: 'production' });
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toContain('NODE_ENV=production needs authentication: set HUB_API_KEYS');
  });

  it('starts for a local try-out on loopback only, warning that everyone is an operator', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: {
        ...process.env,
        NODE_ENV: 'development',
        PORT: '0',
        HOST: '',
        HUB_DATA_DIR: 'memory://',
        SEED_ACCOUNTS: '5',
        HUB_API_KEYS: '',
        HUB_JWT_JWKS_URL: '',
        HUB_JWT_SECRET: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          const match = /GraphQL API: (\S+)/.exec(stdout);
          if (match) resolve(match[1]!);
        });
        child.once('exit', (code) => reject(new Error(`the hub exited (${code}): ${stderr}`)));
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(stderr).toContain('WARNING: no authentication is configured, so every caller is an operator');
      expect(stderr).toContain('The hub listens on 127.0.0.1 only');
      // Reachable on loopback, as the anonymous operator.
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ query: '{ syncRuns(first: 1) { nodes { id } } }' }),
      });
      expect(response.status).toBe(200);
      // Not on any other interface of the machine.
      const external = Object.values(networkInterfaces())
        .flat()
        .find((address) => address && address.family === 'IPv4' && !address.internal);
      if (external) {
        const elsewhere = url.replace('localhost', external.address);
        await expect(fetch(elsewhere, { method: 'POST' })).rejects.toThrow();
      }
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    }
  }, 60_000);
});

describe('a server without authentication', () => {
  it('refuses to listen beyond loopback, whoever starts it', async () => {
    const server = await createHubServer({ schema: createSchema(), createContext: async () => ({}) });
    try {
      await expect(server.listen(0, '0.0.0.0')).rejects.toThrow(
        'Refusing to listen on 0.0.0.0 without authentication: configure API keys or JWTs, or listen on 127.0.0.1.',
      );
    } finally {
      await server.close();
    }
  });
});

describe('a hub with introspection and the Sandbox off (as in production)', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub({ accounts: 5, security: { introspection: false, sandbox: false } });
  });
  afterAll(() => hub.close());

  it('refuses introspection over HTTP and WebSocket, still answering __typename and queries', async () => {
    const http = await hub.graphql(introspection);
    expect(http.status).toBe(400);
    expect(http.errors?.[0]?.message).toMatch(/introspection/i);
    expect((await hub.graphql(`{ __typename }`)).data).toEqual({ __typename: 'Query' });

    const { client } = wsClient(hub.url);
    try {
      await expect(wsRequest(client, introspection)).rejects.toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            message: expect.stringMatching(/introspection has been disabled.*__schema/),
          }),
        ]),
      );
      const [query] = await wsRequest(client, `{ accounts(first: 1) { nodes { accountNumber } } }`);
      expect(query?.data.accounts.nodes).toHaveLength(1);
    } finally {
      await client.dispose();
    }
  });

  it('gives no field suggestions that would reveal the schema', async () => {
    const { errors } = await hub.graphql(`{ acount(accountNumber: "x") { name } }`);
    expect(errors?.[0]?.message).not.toContain('Did you mean');
  });

  // Each would draw a "Did you mean …?" naming a field, argument, input field or enum value.
  const typos: [string, string, Record<string, unknown> | undefined, string][] = [
    ['a field', `{ acounts { nodes { accountNumber } } }`, undefined, 'GRAPHQL_VALIDATION_FAILED'],
    [
      'an argument',
      `{ accounts(frist: 1) { nodes { accountNumber } } }`,
      undefined,
      'GRAPHQL_VALIDATION_FAILED',
    ],
    [
      'an enum literal',
      `{ syncRuns(status: RUNING) { nodes { id } } }`,
      undefined,
      'GRAPHQL_VALIDATION_FAILED',
    ],
    [
      "a variable's input field",
      `mutation($i: StartSyncInput!) { startSync(input: $i) { id } }`,
      { i: { flowz: ['ACCOUNTS'] } },
      'BAD_USER_INPUT',
    ],
    [
      "a variable's enum value",
      `mutation($i: StartSyncInput!) { startSync(input: $i) { id } }`,
      { i: { flows: ['ACCOUNTZ'] } },
      'BAD_USER_INPUT',
    ],
  ];

  it.each(typos)(
    'suggests nothing for a typo in %s over HTTP, and codes the error',
    async (_n, query, variables, code) => {
      const { errors } = await hub.graphql(query, variables);
      expect(errors?.length).toBeGreaterThan(0);
      for (const error of errors!) {
        expect(error.message).not.toMatch(/did you mean/i);
        expect(error.extensions?.['code']).toBe(code);
      }
    },
  );

  it.each(typos)(
    'suggests nothing for a typo in %s over WebSocket, and codes the error',
    async (_n, query, variables, code) => {
      const { client } = wsClient(hub.url);
      try {
        const errors = await wsRequest(client, query, variables ? { variables } : {}).then(
          () => expect.fail('the operation was not refused'),
          (refusal: { message: string; extensions?: Record<string, unknown> }[]) => refusal,
        );
        expect(errors.length).toBeGreaterThan(0);
        for (const error of errors) {
          expect(error.message).not.toMatch(/did you mean/i);
          expect(error.extensions?.['code']).toBe(code);
        }
      } finally {
        await client.dispose();
      }
    },
  );

  it('codes an operation name the document does not have, over WebSocket as over HTTP', async () => {
    const query = `query A { __typename }`;
    const response = await fetch(hub.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ query, operationName: 'B' }),
    });
    const http = (await response.json()) as { errors: { extensions: { code: string } }[] };
    const { client } = wsClient(hub.url);
    try {
      const errors = await new Promise<{ message: string; extensions?: Record<string, unknown> }[]>(
        (resolve, reject) =>
          client.subscribe(
            { query, operationName: 'B' },
            { next: () => reject(new Error('answered')), error: resolve as never, complete: () => undefined },
          ),
      );
      expect(errors).toEqual([
        expect.objectContaining({
          message: 'Unknown operation named "B".',
          extensions: { code: http.errors[0]!.extensions.code },
        }),
      ]);
      expect(http.errors[0]!.extensions.code).toBe('OPERATION_RESOLUTION_FAILURE');
    } finally {
      await client.dispose();
    }
  });

  it('serves no Sandbox landing page', async () => {
    const response = await fetch(hub.url, { headers: { Accept: 'text/html' } });
    expect(await response.text()).not.toMatch(/<html/i);
  });
});

describe('introspection on (the default outside production)', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub({ accounts: 5, security: { corsOrigins: ['https://app.contoso.com'] } });
  });
  afterAll(() => hub.close());

  it('answers introspection', async () => {
    expect((await hub.graphql(introspection)).data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });

  it('answers a CORS preflight from an allowed origin, and refuses one from any other', async () => {
    const preflight = (origin: string) =>
      fetch(hub.url, {
        method: 'OPTIONS',
        headers: {
          Origin: origin,
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'authorization, content-type',
        },
      });
    const allowed = await preflight('https://app.contoso.com');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.contoso.com');
    expect(allowed.headers.get('access-control-allow-headers')).toContain('authorization');
    expect(allowed.headers.get('access-control-allow-credentials')).toBeNull();
    const other = await preflight('https://evil.example');
    expect(other.status).toBe(403);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect(((await other.json()) as { errors: { message: string }[] }).errors[0]?.message).toBe(
      'Origin https://evil.example may not call this hub; add it to HUB_CORS_ORIGINS.',
    );
  });

  it('gives CORS headers to an allowed origin only, and keeps CSRF prevention on', async () => {
    const post = (origin: string) =>
      fetch(hub.url, {
        method: 'POST',
        headers: { Origin: origin, 'Content-Type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
    const allowed = await post('https://app.contoso.com');
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.contoso.com');
    expect(allowed.headers.get('vary')).toMatch(/Origin/);
    expect((await post('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
    // A "simple" request a page of any origin could send without a preflight is refused by Apollo.
    const simple = await fetch(`${hub.url}?query=${encodeURIComponent('{ __typename }')}`);
    expect(simple.status).toBe(400);
    expect(await simple.text()).toMatch(/CSRF/);
  });

  it('refuses a WebSocket from a page of another origin, accepting its own and allowed ones', async () => {
    const opens = (origin: string) =>
      new Promise<boolean | number>((resolve) => {
        const socket = new WebSocket(hub.url.replace(/^http/, 'ws'), 'graphql-transport-ws', { origin });
        socket.once('open', () => {
          socket.close();
          resolve(true);
        });
        socket.once('unexpected-response', (_req, res) => {
          resolve(res.statusCode ?? 0);
          socket.terminate();
        });
        socket.once('error', () => undefined);
      });
    expect(await opens('https://evil.example')).toBe(403);
    expect(await opens('https://app.contoso.com')).toBe(true);
    expect(await opens(new URL(hub.url).origin)).toBe(true);
  });
});
