/**
 * Authentication on both transports, over real HTTP and a real graphql-ws client: without valid
 * credentials nothing runs (401 UNAUTHENTICATED over HTTP, a WebSocket closed with 4401 before it is
 * acknowledged), readers query and subscribe, only operators change what the sync does, and every run
 * records who asked for it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { HubContext } from '../../src/graphql/context.js';
import { Mutation } from '../../src/graphql/resolvers/sync-runs.js';
import { authMessages } from '../../src/server/auth.js';
import { tokenExpiredReason } from '../../src/server/websocket.js';
import {
  audience,
  issuer,
  signWithSecret,
  startIdentityProvider,
  type TestIdentityProvider,
  type TokenOptions,
  wsClient,
  wsConnect,
  wsRequest,
} from '../support/auth.js';
import { startTestHub, type TestHub } from '../support/hub.js';

const readerKey = 'reader-key-0123456789abcdefghij';
const operatorKey = 'operator-key-0123456789abcdefghij';
const secret = 'a-shared-secret-of-at-least-32-characters';

let idp: TestIdentityProvider;
let hub: TestHub;
beforeAll(async () => {
  idp = await startIdentityProvider();
  const { auth } = loadConfig({
    HUB_API_KEYS: `reader:dashboard:${readerKey},operator:ci-bot:${operatorKey}`,
    HUB_JWT_JWKS_URL: idp.jwksUrl,
    HUB_JWT_ISSUER: issuer,
    HUB_JWT_AUDIENCE: audience,
  });
  hub = await startTestHub({ accounts: 5, security: { auth } });
});
afterAll(async () => {
  await hub.close();
  await idp.close();
});

const accountsQuery = `{ accounts(first: 2) { nodes { accountNumber } } }`;
const startSync = `mutation { startSync(input: { flows: [ACCOUNTS], dryRun: true }) { id status requestedBy } }`;
const userToken = (roles: string[], options?: TokenOptions) =>
  idp.sign({ sub: 'u-42', email: 'ada@contoso.com', preferred_username: 'ada', roles }, options);
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Waits for a run to end, so the next test may start the same flow. */
async function finished(id: string): Promise<void> {
  for (;;) {
    const { data } = await hub.graphql(
      `query($id: ID!) { syncRun(id: $id) { status } }`,
      { id },
      { token: readerKey },
    );
    if (!['QUEUED', 'RUNNING'].includes(data.syncRun.status)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('refused credentials', () => {
  const cases: [string, () => Promise<string | undefined>, string][] = [
    ['no token', async () => undefined, authMessages.missing],
    ['a wrong API key', async () => 'wrong-key-0123456789abcdefghijk', authMessages.badKey],
    [
      'an expired JWT',
      () => userToken(['operator'], { expiresIn: -300 }),
      'The token has expired; sign in again.',
    ],
    [
      'a JWT for another audience',
      () => userToken(['operator'], { audience: 'api://another-app' }),
      `The token is for another audience; request one for ${audience}.`,
    ],
    [
      'a JWT from another issuer',
      () => userToken(['operator'], { issuer: 'https://evil.example/' }),
      `The token was issued by another issuer; sign in through ${issuer}.`,
    ],
    [
      'a JWT not valid yet',
      () => userToken(['operator'], { notBefore: 600 }),
      'The token is not valid yet (nbf); check the clocks, or try again in a moment.',
    ],
  ];

  it.each(cases)(
    'answers %s over HTTP with 401 UNAUTHENTICATED and what to do',
    async (_case, token, message) => {
      const presented = await token();
      const response = await hub.graphql(accountsQuery, undefined, presented ? { token: presented } : {});
      expect(response.status).toBe(401);
      expect(response.data).toBeUndefined();
      expect(response.errors).toEqual([{ message, extensions: { code: 'UNAUTHENTICATED' } }]);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="p2c-hub"/);
      if (presented) expect(JSON.stringify(response.errors)).not.toContain(presented);
    },
  );

  it.each(cases)(
    'refuses a WebSocket with %s before acknowledging it (4401)',
    async (_case, token, message) => {
      const presented = await token();
      expect(await wsConnect(hub.url, presented ? bearer(presented) : undefined)).toEqual({
        acknowledged: false,
        close: { code: 4401, reason: message },
      });
    },
  );

  it('answers a valid token that grants no hub role with 403 FORBIDDEN, and closes its WebSocket with 4403', async () => {
    const token = await userToken(['admin']);
    const message =
      "The token grants no hub role (reader or operator) in its 'roles' claim; ask an administrator for one.";
    const response = await hub.graphql(accountsQuery, undefined, { token });
    expect(response.status).toBe(403);
    expect(response.errors).toEqual([{ message, extensions: { code: 'FORBIDDEN' } }]);
    expect(await wsConnect(hub.url, bearer(token))).toEqual({
      acknowledged: false,
      close: { code: 4403, reason: message },
    });
  });

  it('serves the Sandbox landing page without a token, so a browser can open it and send one from there', async () => {
    const response = await fetch(hub.url, { headers: { Accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/<html/i);
  });
});

describe('roles', () => {
  it('lets a reader query over HTTP and query and subscribe over WebSocket', async () => {
    const http = await hub.graphql(accountsQuery, undefined, { token: readerKey });
    expect(http.errors).toBeUndefined();
    expect(http.data.accounts.nodes).toHaveLength(2);

    const started = await hub.graphql(startSync, undefined, { token: operatorKey });
    await finished(started.data.startSync.id);
    const { client } = wsClient(hub.url, bearer(readerKey));
    try {
      const [query] = await wsRequest(client, accountsQuery);
      expect(query?.data.accounts.nodes).toHaveLength(2);
      const updates = await wsRequest(
        client,
        `subscription { syncRunUpdated(id: "${started.data.startSync.id}") { id status requestedBy } }`,
      );
      expect(updates.at(-1)?.data.syncRunUpdated).toEqual({
        id: started.data.startSync.id,
        status: 'SUCCEEDED',
        requestedBy: 'ci-bot',
      });
    } finally {
      await client.dispose();
    }
  });

  it.each([
    ['startSync', startSync],
    ['cancelSync', `mutation { cancelSync(id: "any") { id } }`],
    ['retrySyncFailures', `mutation { retrySyncFailures(id: "any") { id } }`],
  ])('refuses %s to a reader with FORBIDDEN naming the operator role', async (mutation, query) => {
    const response = await hub.graphql(query, undefined, { token: readerKey });
    expect(response.errors).toEqual([
      expect.objectContaining({
        message: `${mutation} needs the operator role; dashboard has only reader. Ask an administrator for a key or token with the operator role.`,
        path: [mutation],
        extensions: { code: 'FORBIDDEN', requiredRole: 'operator' },
      }),
    ]);
    expect(response.data).toBeNull();
  });

  it('refuses startSync to a reader over WebSocket too', async () => {
    const { client } = wsClient(hub.url, bearer(await userToken(['reader'])));
    try {
      const [result] = await wsRequest(client, startSync);
      expect(result?.errors?.[0]).toMatchObject({
        message: expect.stringMatching(/^startSync needs the operator role; ada has only reader/),
        extensions: { code: 'FORBIDDEN' },
      });
    } finally {
      await client.dispose();
    }
  });

  it('lets an operator key start a sync, the run naming the key as requestedBy', async () => {
    const response = await hub.graphql(startSync, undefined, { token: operatorKey });
    expect(response.errors).toBeUndefined();
    expect(response.data.startSync.requestedBy).toBe('ci-bot');
    await finished(response.data.startSync.id);
    const stored = await hub.graphql(
      `query($id: ID!) { syncRun(id: $id) { requestedBy } }`,
      { id: response.data.startSync.id },
      { token: readerKey },
    );
    expect(stored.data.syncRun.requestedBy).toBe('ci-bot');
  });

  it('lets an operator token start a sync over WebSocket, the run naming its preferred_username', async () => {
    const { client } = wsClient(hub.url, bearer(await userToken(['reader', 'operator'])));
    try {
      const [result] = await wsRequest(client, startSync);
      expect(result?.errors).toBeUndefined();
      expect(result?.data.startSync.requestedBy).toBe('ada');
      await finished(result?.data.startSync.id);
    } finally {
      await client.dispose();
    }
  });

  it('passes the caller to retrySyncFailures, so the retry run names them too', async () => {
    const calls: unknown[][] = [];
    const context = {
      principal: { name: 'ci-bot', role: 'operator', via: 'api-key', expiresAt: null },
      sync: { retryFailures: async (...args: unknown[]) => (calls.push(args), { run: {}, rates: {} }) },
    } as unknown as HubContext;
    await (Mutation.retrySyncFailures as (...args: unknown[]) => Promise<unknown>)(
      {},
      { id: 'run-1' },
      context,
      {},
    );
    expect(calls).toEqual([['run-1', 'ci-bot']]);
  });
});

describe('a hub trusting a shared secret', () => {
  let secretHub: TestHub;
  beforeAll(async () => {
    const { auth } = loadConfig({
      HUB_JWT_SECRET: secret,
      HUB_JWT_ISSUER: issuer,
      HUB_JWT_AUDIENCE: audience,
    });
    // No clock tolerance, so a token's expiry closes its WebSocket on time.
    secretHub = await startTestHub({
      accounts: 5,
      security: { auth, authOptions: { clockToleranceSeconds: 0 } },
    });
  });
  afterAll(() => secretHub.close());

  it('accepts an HS256 token signed with the secret, and refuses one signed with another', async () => {
    const good = await signWithSecret(secret, { sub: 'svc-report', roles: 'reader' });
    expect((await secretHub.graphql(accountsQuery, undefined, { token: good })).status).toBe(200);
    const forged = await signWithSecret('another-secret-of-at-least-32-characters', {
      sub: 'x',
      roles: 'operator',
    });
    const refused = await secretHub.graphql(accountsQuery, undefined, { token: forged });
    expect(refused.status).toBe(401);
    expect(refused.errors?.[0]).toEqual({
      message: "The token's signature is not valid; sign in again.",
      extensions: { code: 'UNAUTHENTICATED' },
    });
    expect(await wsConnect(secretHub.url, bearer(good))).toEqual({ acknowledged: true });
  });

  it('closes a WebSocket with 4401 when the token it was opened with expires', async () => {
    const token = await signWithSecret(secret, { sub: 'svc-report', roles: 'reader' }, { expiresIn: 5 });
    const { client, connected, closed } = wsClient(secretHub.url, bearer(token));
    try {
      await connected;
      expect(await closed).toEqual({ code: 4401, reason: tokenExpiredReason });
    } finally {
      await client.dispose();
    }
  });
});
