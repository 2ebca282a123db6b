/**
 * Structured logs: one line per GraphQL operation under its request id (the caller's `X-Request-Id` when
 * sane, echoed back), the run id on every sync line, and never a credential: not the Authorization
 * header, an API key, a JWT, the JWT secret or the systems' client secrets, wherever they were used.
 */
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { loadConfig } from '../../src/config.js';
import { redactedText } from '../../src/logging.js';
import { audience, issuer, signWithSecret, wsRequest } from '../support/auth.js';
import { captureLogs, type CapturedLogs } from '../support/logs.js';
import { startTestHub, type TestHub } from '../support/hub.js';
import { readCredentialFile } from '../support/credentials.js';
import { startExternalSystems, startMainProcess } from '../support/main-process.js';

const apiKey = 'operator-key-for-logging-tests-0123456789';
const wrongKey = 'not-a-key-of-this-hub-but-long-enough-0123';
const jwtSecret = 'the-jwt-secret-of-the-logging-tests-0123456789';
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const finalStatuses = ['SUCCEEDED', 'COMPLETED_WITH_ERRORS', 'FAILED', 'CANCELLED'];
const runsQuery = 'query Runs { syncRuns(first: 1) { nodes { id } } }';
const startAccounts = 'mutation Start { startSync(input: { flows: [ACCOUNTS] }) { id } }';
const runStatus = 'query Run($id: ID!) { syncRun(id: $id) { status } }';

/** Posts a query with the given headers; the answer's status, headers and body. */
async function post(url: string, query: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

async function untilFinished(graphql: (query: string, variables: object) => Promise<any>, id: string) {
  for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
    const { data } = await graphql(runStatus, { id });
    if (finalStatuses.includes(data.syncRun.status)) return data.syncRun.status as string;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`run ${id} did not finish`);
}

describe('logs of a running hub', () => {
  let logs: CapturedLogs;
  let hub: TestHub;
  let jwt: string;
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  beforeAll(async () => {
    logs = captureLogs({ secrets: [jwtSecret] });
    const { auth } = loadConfig({
      HUB_API_KEYS: `operator:ci-bot:${apiKey}`,
      HUB_JWT_SECRET: jwtSecret,
      HUB_JWT_ISSUER: issuer,
      HUB_JWT_AUDIENCE: audience,
    });
    hub = await startTestHub({ accounts: 5, security: { auth }, logger: logs.logger });
    jwt = await signWithSecret(jwtSecret, { sub: 'dana@contoso.com', roles: ['reader'] });
  });
  afterAll(() => hub.close());

  const linesOf = (requestId: string) => logs.lines().filter((line) => line['requestId'] === requestId);

  it('echoes a sane X-Request-Id and logs the operation under it, once', async () => {
    const answer = await post(hub.url, runsQuery, { ...bearer(apiKey), 'X-Request-Id': 'gw-4711.a:b' });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-request-id')).toBe('gw-4711.a:b');
    const lines = linesOf('gw-4711.a:b');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'info',
      msg: 'graphql operation',
      transport: 'http',
      operation: 'Runs',
      operationType: 'query',
      caller: { name: 'ci-bot', role: 'operator' },
      outcome: 'ok',
      errorCodes: [],
      status: 200,
    });
    expect(lines[0]!['durationMs']).toEqual(expect.any(Number));
    expect(lines[0]!['time']).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('gives a request without an id a new one, and the JWT caller by name', async () => {
    const answer = await post(hub.url, runsQuery, bearer(jwt));
    const id = answer.headers.get('x-request-id')!;
    expect(id).toMatch(uuid);
    expect(linesOf(id)).toMatchObject([
      { caller: { name: 'dana@contoso.com', role: 'reader' }, outcome: 'ok' },
    ]);
  });

  it.each([
    ['has a space', 'a b'],
    ['is too long', 'x'.repeat(129)],
    ['could forge a line', 'id"\\n{"level":"fatal"'],
    ['is a JWT', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl'],
  ])('replaces an X-Request-Id that %s with a new one', async (_why, sent) => {
    const answer = await post(hub.url, runsQuery, { ...bearer(apiKey), 'X-Request-Id': sent });
    const id = answer.headers.get('x-request-id')!;
    expect(id).toMatch(uuid);
    expect(linesOf(id)).toHaveLength(1);
    expect(logs.text()).not.toContain(sent);
  });

  it('logs refused callers and failed operations with their error codes', async () => {
    const refused = await post(hub.url, runsQuery, { ...bearer(wrongKey), 'X-Request-Id': 'refused-1' });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('x-request-id')).toBe('refused-1');
    expect(linesOf('refused-1')).toMatchObject([
      { level: 'info', outcome: 'refused', errorCodes: ['UNAUTHENTICATED'], status: 401 },
    ]);
    const invalid = await post(hub.url, '{ nope }', { ...bearer(apiKey), 'X-Request-Id': 'invalid-1' });
    expect(invalid.status).toBe(400);
    expect(linesOf('invalid-1')).toMatchObject([
      { outcome: 'error', errorCodes: ['GRAPHQL_VALIDATION_FAILED'], status: 400 },
    ]);
  });

  it('logs WebSocket operations under the connection’s request id', async () => {
    class WithRequestId extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols, { headers: { 'X-Request-Id': 'ws-connection-9' } });
      }
    }
    const client = createClient({
      url: hub.url.replace(/^http/, 'ws'),
      webSocketImpl: WithRequestId,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${apiKey}` },
    });
    try {
      await wsRequest(client, runsQuery);
    } finally {
      await client.dispose();
    }
    expect(linesOf('ws-connection-9')).toMatchObject([
      { transport: 'websocket', operationId: expect.any(String), operation: 'Runs', outcome: 'ok' },
    ]);
  });

  it('puts the run id on every line of a sync, and says why a flow failed', async () => {
    // Finance answers the start's checks, then every read of its customers with 503.
    hub.simulators.finance.faults.failNext(100, { status: 503, match: { entitySet: 'CustomersV3' } });
    try {
      const started = await hub.graphql(startAccounts, undefined, { token: apiKey });
      const runId = started.data.startSync.id as string;
      const status = await untilFinished(
        (query, variables) => hub.graphql(query, { ...variables }, { token: apiKey }),
        runId,
      );
      expect(status).toBe('FAILED');
      const sync = logs.lines().filter((line) => String(line['msg']).startsWith('sync '));
      expect(sync.every((line) => line['runId'] === runId)).toBe(true);
      expect(sync.map((line) => [line['level'], line['msg']])).toEqual([
        ['info', 'sync run started'],
        ['error', 'sync flow failed'],
        ['error', 'sync run finished'],
      ]);
      expect(sync[0]).toMatchObject({ flows: ['accounts'], mode: 'INCREMENTAL', requestedBy: 'ci-bot' });
      // Operators read the request in the log's detail; readers of the run get one sentence without it.
      expect(sync[1]).toMatchObject({
        flow: 'accounts',
        status: 'FAILED',
        error: 'The accounts flow stopped: Finance answered HTTP 503 to GET CustomersV3.',
        detail: expect.stringMatching(/^finance GET CustomersV3\?.*\$select=.* → 503/),
      });
      const seen = await hub.graphql(
        'query($id: ID!) { syncRun(id: $id) { error flows { error } } }',
        { id: runId },
        { token: jwt },
      );
      expect(seen.data.syncRun.flows).toEqual([
        { error: 'The accounts flow stopped: Finance answered HTTP 503 to GET CustomersV3.' },
      ]);
      expect(JSON.stringify(seen.data)).not.toMatch(/\$select|\$filter|cross-company/);
      expect(sync[2]).toMatchObject({ status: 'FAILED', totals: { failed: expect.any(Number) } });
    } finally {
      hub.simulators.finance.faults.reset();
    }
  });

  it('logs a subscription that ended well at debug, so dashboards coming and going stay out of info', async () => {
    const started = await hub.graphql(startAccounts, undefined, { token: apiKey });
    const runId = started.data.startSync.id as string;
    await untilFinished((query, variables) => hub.graphql(query, { ...variables }, { token: apiKey }), runId);
    const client = createClient({
      url: hub.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${apiKey}` },
    });
    logs.clear();
    try {
      // A finished run's subscription sends its state and completes: a dashboard opening a run page.
      const watch = 'subscription Watch($id: ID!) { syncRunUpdated(id: $id) { status } }';
      for (let i = 0; i < 3; i++) await wsRequest(client, watch, { variables: { id: runId } });
      await wsRequest(client, runsQuery);
      await wsRequest(client, 'subscription { syncRunUpdated(id: "x") { nope } }').catch(() => undefined);
    } finally {
      await client.dispose();
    }
    const levels = logs
      .lines()
      .filter((line) => line['msg'] === 'graphql operation')
      .map((line) => [line['operation'], line['level'], line['outcome']]);
    expect(levels).toEqual([
      ['Watch', 'debug', 'ok'],
      ['Watch', 'debug', 'ok'],
      ['Watch', 'debug', 'ok'],
      ['Runs', 'info', 'ok'],
      [null, 'info', 'error'],
    ]);
  });

  it('never logs a credential it was given', () => {
    const text = logs.text();
    expect(text).toContain('graphql operation'); // the tests above did log
    for (const secret of [apiKey, wrongKey, jwt, jwtSecret, 'hub-secret']) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/bearer\s+(?!token\b)|eyJ/i);
  });
});

describe('the logger', () => {
  it.each([
    ['a bearer token in prose', 'a valid bearer token is required', 'a valid bearer token is required'],
    ['a capitalised word at a full stop', 'send a Bearer Token.', 'send a Bearer Token.'],
    ['a long credential of letters', 'Bearer abcdefghijklmnopqrstuvwxyz', `Bearer ${redactedText}`],
    ['a credential with digits', 'Authorization: Bearer s3cr3t', `Authorization: Bearer ${redactedText}`],
    ['a credential with symbols', 'Bearer abc.def-ghi~', `Bearer ${redactedText}`],
  ])('scrubs %s as it should: "%s"', (_name, message, logged) => {
    const logs = captureLogs();
    logs.logger.info(message);
    expect(logs.lines()[0]?.['msg']).toBe(logged);
  });

  it('censors secret fields wherever they sit, and scrubs credentials from messages', () => {
    const logs = captureLogs({ secrets: ['configured-client-secret-value'] });
    logs.logger.info(
      {
        authorization: 'Bearer a',
        req: { headers: { authorization: 'Bearer b', cookie: 'c', 'x-api-key': 'd' } },
        sales: { credentials: { clientSecret: 'e' } },
        token: 'f',
        options: { password: 'g', apiKey: 'h', client_secret: 'i', accessToken: 'j' },
      },
      'sent Bearer abc.def-ghi with eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig and configured-client-secret-value',
    );
    const [line] = logs.lines();
    expect(line).toMatchObject({
      authorization: redactedText,
      req: { headers: { authorization: redactedText, cookie: redactedText, 'x-api-key': redactedText } },
      sales: { credentials: { clientSecret: redactedText } },
      token: redactedText,
      options: {
        password: redactedText,
        apiKey: redactedText,
        client_secret: redactedText,
        accessToken: redactedText,
      },
      msg: `sent Bearer ${redactedText} with ${redactedText} and ${redactedText}`,
    });
  });

  it('censors a certificate credential: its private key, password and signed assertions', () => {
    const key = readCredentialFile('private-key.pem').toString();
    const logs = captureLogs({ secrets: ['pfx-password-value'] });
    logs.logger.error(
      {
        credential: { privateKey: key, certificatePassword: 'p', thumbprint: 'A1B2' },
        form: { client_assertion: 'q' },
        echoed: `the server said: ${key}`,
      },
      `could not sign with ${key.slice(0, 200)} (pfx-password-value)`,
    );
    const text = logs.text();
    const [line] = logs.lines();
    expect(line).toMatchObject({
      credential: { privateKey: redactedText, certificatePassword: redactedText, thumbprint: 'A1B2' },
      form: { client_assertion: redactedText },
      echoed: `the server said: ${redactedText}\n`,
      msg: `could not sign with ${redactedText} (${redactedText})`,
    });
    expect(text).not.toMatch(/PRIVATE KEY|pfx-password-value/);
    const base64Line = key.split('\n')[1]!;
    expect(text).not.toContain(base64Line);
  });

  it('censors secret fields inside lists and errors too, whatever their case', () => {
    const logs = captureLogs();
    const failure = Object.assign(new Error('the token endpoint refused'), {
      request: { headers: { Authorization: 'Bearer k' } },
    });
    logs.logger.warn(
      {
        attempts: [{ system: 'Sales', ClientSecret: 'l' }],
        err: failure,
        nested: { a: { b: { token: 'm' } } },
      },
      'refused',
    );
    const [line] = logs.lines();
    expect(line).toMatchObject({
      attempts: [{ system: 'Sales', ClientSecret: redactedText }],
      err: { message: 'the token endpoint refused', request: { headers: { Authorization: redactedText } } },
      nested: { a: { b: { token: redactedText } } },
    });
    expect(JSON.stringify(line)).not.toMatch(/"(k|l|m)"|Bearer k/);
  });
});

describe('logs of a real start', () => {
  it('hold no secret of the configuration, through requests, a failed sync and a stop', async () => {
    const clientSecret = 'client-secret-of-sales-and-finance-0123456789';
    const systems = await startExternalSystems({ accounts: 5, clientSecret });
    const hub = await startMainProcess({
      ...systems.env,
      HUB_DATA_DIR: 'memory://',
      HUB_API_KEYS: `operator:ci-bot:${apiKey}`,
      HUB_JWT_SECRET: jwtSecret,
      HUB_JWT_ISSUER: issuer,
      HUB_JWT_AUDIENCE: audience,
      LOG_LEVEL: 'trace',
    });
    try {
      const jwt = await signWithSecret(jwtSecret, { sub: 'ops@contoso.com', roles: ['operator'] });
      expect((await hub.graphql(runsQuery, undefined, { token: apiKey, requestId: 'real-1' })).status).toBe(
        200,
      );
      expect((await hub.graphql(runsQuery, undefined, { token: jwt })).status).toBe(200);
      expect((await hub.graphql(runsQuery, undefined, { token: wrongKey })).status).toBe(401);
      // Sales refuses the read: the flow fails with Sales's answer in its error. (Two refusals: the
      // count read before it, whose failure only loses the progress estimate, and the read itself.)
      systems.sales.faults.failNext(2, { status: 400, match: { entitySet: 'accounts' } });
      const started = await hub.graphql(startAccounts, undefined, { token: jwt });
      const runId = started.data.startSync.id as string;
      const graphql = (query: string, variables: object) =>
        hub.graphql(query, { ...variables }, { token: jwt });
      expect(await untilFinished(graphql, runId)).toBe('FAILED');
      expect(await hub.stop('SIGTERM')).toEqual({ code: 0, signal: null });

      const output = hub.output();
      expect(output).toContain('"requestId":"real-1"');
      expect(output).toMatch(new RegExp(`"runId":"${runId}".*"msg":"sync flow failed"`));
      for (const secret of [clientSecret, apiKey, wrongKey, jwt, jwtSecret])
        expect(output).not.toContain(secret);
      expect(output).not.toMatch(/bearer|eyJ/i);
    } finally {
      hub.kill();
      await systems.close();
    }
  }, 120_000);
});
