/**
 * Abuse limits over real HTTP and a real graphql-ws client: each limit refuses with its own code and a
 * message stating the limit and what was asked, before any back-end request; the README's example
 * queries pass under the defaults; the mutation allowance is counted per caller; an operation that runs
 * out of time is answered at the deadline; one WebSocket holds at most 20 operations and stays usable; a
 * small document whose fragments spread one another twice over is refused at once on both transports,
 * and the hub answers everyone else meanwhile.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createSourceCheck, defaultLimits, limitMessages } from '../../src/server/limits.js';
import { wsClient, wsRequest } from '../support/auth.js';
import { fanOut, largestFanOut } from '../support/hostile-documents.js';
import { resetSystems, startTestHub, type TestHub } from '../support/hub.js';

const operatorKey = 'operator-key-0123456789abcdefghij';
const otherKey = 'another-operator-key-0123456789ab';
const readerKey = 'reader-key-0123456789abcdefghij';
const { auth } = loadConfig({
  HUB_API_KEYS: `operator:ci-bot:${operatorKey},operator:nightly:${otherKey},reader:dashboard:${readerKey}`,
});

/** Requests both simulators have received since the last reset. */
const backEndRequests = (hub: TestHub) =>
  hub.simulators.sales.log.entries.length + hub.simulators.finance.log.entries.length;

const post = (hub: TestHub, query: string, variables?: Record<string, unknown>, token = readerKey) =>
  hub.graphql(query, variables, { token });

describe('the document check a server keeps', () => {
  it('remembers the documents that passed, refuses an oversized one every time, and stays bounded', () => {
    const check = createSourceCheck({ ...defaultLimits, maxTokens: 20 });
    const small = '{ accounts(first: 5) { nodes { accountNumber } } }';
    const large = `{ ${Array.from({ length: 30 }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    expect(check(small)).toBeUndefined();
    expect(check(small)).toBeUndefined();
    expect(check(large)?.extensions['code']).toBe('TOO_MANY_TOKENS');
    expect(check(large)?.extensions['code']).toBe('TOO_MANY_TOKENS');
    // Many distinct documents later, the first is checked again, and still passes.
    for (let i = 0; i < 1_000; i++) expect(check(`{ a${i}: __typename }`)).toBeUndefined();
    expect(check(small)).toBeUndefined();
    expect(check(large)?.extensions['code']).toBe('TOO_MANY_TOKENS');
  });
});

describe('under the default limits', () => {
  let hub: TestHub;
  beforeAll(async () => {
    // The embedded default's data set, so the README's account number exists.
    hub = await startTestHub({ accounts: 300, seed: 1, security: { auth } });
  });
  afterAll(() => hub.close());
  beforeEach(() => resetSystems(hub));

  it("answers the README's example queries", async () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const example = /```graphql\n([\s\S]*?)```/.exec(readme)![1]!;
    const readmeAnswer = await post(hub, example);
    expect(readmeAnswer.errors).toBeUndefined();
    expect(readmeAnswer.data.account.quotes.length).toBeGreaterThan(0);

    const script = readFileSync(new URL('../../scripts/example-query.graphql', import.meta.url), 'utf8');
    const scriptAnswer = await post(hub, script, { accountNumber: 'ACC-01001-NPZMUQ' });
    expect(scriptAnswer.errors).toBeUndefined();
    expect(scriptAnswer.data.account.contacts.length).toBeGreaterThan(0);
  });

  const nested = (levels: number): string => {
    // account { contacts { account { contacts … } } }, `levels` fields deep with the scalar at the end
    // (one contact a level, so that the depth, not the cost, is what counts).
    let selection = (levels - 1) % 2 === 0 ? 'fullName' : 'name';
    for (let level = levels - 1; level >= 2; level -= 1)
      selection = level % 2 === 0 ? `contacts(first: 1) { ${selection} }` : `account { ${selection} }`;
    return `{ account(accountNumber: "ACC-01001-NPZMUQ") { ${selection} } }`;
  };
  const aliases = (count: number) =>
    `{ ${Array.from({ length: count }, (_, i) => `a${i}: account(accountNumber: "ACC-${i}") { name }`).join(' ')} }`;
  const directives = (count: number) =>
    `{ account(accountNumber: "ACC-01001-NPZMUQ") { ${'name @include(if: true) '.repeat(count)}} }`;
  // 10 tokens around the names: { account ( accountNumber : "…" ) { … } }
  const tokens = (count: number) =>
    `{ account(accountNumber: "ACC-01001-NPZMUQ") { ${'name '.repeat(count - 10)}} }`;
  // The same size made of 110 fragments (10 + 9 tokens each): GraphQL's own validation gives up on
  // a thousand copies of one field, comparing each with every other.
  const fragments = (count: number) =>
    `{ account(accountNumber: "ACC-01001-NPZMUQ") { ${Array.from({ length: count }, (_, i) => `...F${i}`).join(' ')} } } ` +
    Array.from({ length: count }, (_, i) => `fragment F${i} on Account { name }`).join(' ');
  const longDocument = `# ${'x'.repeat(defaultLimits.maxDocumentChars)}\n{ accounts(first: 1) { nodes { name } } }`;
  const costly = `{ accounts(first: 500) { nodes { contacts { finance { __typename } } } } }`;

  it.each<[string, string, Record<string, unknown> | undefined, string, string, Record<string, unknown>]>([
    [
      'a query nested deeper than 10 levels',
      nested(11),
      undefined,
      'QUERY_TOO_DEEP',
      limitMessages.queryTooDeep(10, 11),
      { limit: 10, actual: 11 },
    ],
    [
      'a query that may return more than 20,000 objects',
      costly,
      undefined,
      'QUERY_TOO_COSTLY',
      limitMessages.queryTooCostly(20_000, 1 + 500 + 500 + 500 * 50),
      { limit: 20_000, actual: 26_001 },
    ],
    [
      'more than 15 aliases',
      aliases(16),
      undefined,
      'TOO_MANY_ALIASES',
      limitMessages.tooManyAliases(15, 16),
      { limit: 15, actual: 16 },
    ],
    [
      'more than 15 aliases of __typename',
      `{ ${Array.from({ length: 200 }, (_, i) => `t${i}: __typename`).join(' ')} }`,
      undefined,
      'TOO_MANY_ALIASES',
      limitMessages.tooManyAliases(15, 200),
      { limit: 15, actual: 200 },
    ],
    [
      'more than 50 directives',
      directives(51),
      undefined,
      'TOO_MANY_DIRECTIVES',
      limitMessages.tooManyDirectives(50, 51),
      { limit: 50, actual: 51 },
    ],
    [
      'a document of more than 1,000 tokens',
      tokens(1_001),
      undefined,
      'TOO_MANY_TOKENS',
      limitMessages.tooManyTokens(1_000, 1_001),
      { limit: 1_000, actual: 1_001 },
    ],
    [
      'a document of more than 20,000 characters',
      longDocument,
      undefined,
      'DOCUMENT_TOO_LARGE',
      limitMessages.documentTooLarge(20_000, longDocument.length),
      { limit: 20_000, actual: longDocument.length },
    ],
    [
      '`first` above 500',
      '{ accounts(first: 501) { nodes { name } } }',
      undefined,
      'BAD_USER_INPUT',
      'Invalid argument "first": must be between 1 and 500, got 501.',
      { argument: 'first' },
    ],
    [
      '`first` above 500 in a variable, on a nested list',
      'query($n: Int) { account(accountNumber: "ACC-01001-NPZMUQ") { contacts(first: $n) { fullName } } }',
      { n: 1_000 },
      'BAD_USER_INPUT',
      'Invalid argument "first": must be between 1 and 500, got 1000.',
      { argument: 'first' },
    ],
  ])(
    'refuses %s with HTTP 400 and no back-end request',
    async (_name, query, variables, code, message, details) => {
      const response = await post(hub, query, variables);
      expect(response.status).toBe(400);
      expect(response.errors).toEqual([
        expect.objectContaining({ message, extensions: { code, ...details } }),
      ]);
      expect(response.data).toBeUndefined();
      expect(backEndRequests(hub)).toBe(0);
    },
  );

  it('accepts the same shapes at their limits', async () => {
    for (const query of [nested(10), aliases(15), directives(50), fragments(110)]) {
      const response = await post(hub, query);
      expect(response.errors, query.slice(0, 60)).toBeUndefined();
    }
    const page = await post(hub, '{ accounts(first: 500) { nodes { name } } }');
    expect(page.errors).toBeUndefined();
  });

  it('refuses a request body over 1 MiB with HTTP 413, reading no further', async () => {
    const body = JSON.stringify({
      query: 'query($note: String) { accounts(first: 1) { nodes { name } } }',
      variables: { note: 'x'.repeat(defaultLimits.maxBodyBytes) },
    });
    const response = await fetch(hub.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${readerKey}` },
      body,
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      errors: [
        {
          message: limitMessages.requestTooLarge(defaultLimits.maxBodyBytes, Buffer.byteLength(body)),
          extensions: {
            code: 'REQUEST_TOO_LARGE',
            limit: defaultLimits.maxBodyBytes,
            actual: Buffer.byteLength(body),
          },
        },
      ],
    });
    expect(backEndRequests(hub)).toBe(0);
  });

  it('applies the same limits over WebSocket, keeping the connection usable', async () => {
    const { client } = wsClient(hub.url, { authorization: `Bearer ${readerKey}` });
    try {
      await expect(wsRequest(client, nested(11))).rejects.toEqual([
        expect.objectContaining({
          message: limitMessages.queryTooDeep(10, 11),
          extensions: { code: 'QUERY_TOO_DEEP', limit: 10, actual: 11 },
        }),
      ]);
      await expect(wsRequest(client, costly)).rejects.toEqual([
        expect.objectContaining({ extensions: { code: 'QUERY_TOO_COSTLY', limit: 20_000, actual: 26_001 } }),
      ]);
      await expect(wsRequest(client, tokens(1_001))).rejects.toEqual([
        expect.objectContaining({ extensions: { code: 'TOO_MANY_TOKENS', limit: 1_000, actual: 1_001 } }),
      ]);
      expect(backEndRequests(hub)).toBe(0);
      const [answer] = await wsRequest(client, '{ accounts(first: 2) { nodes { accountNumber } } }');
      expect(answer?.data.accounts.nodes).toHaveLength(2);
    } finally {
      await client.dispose();
    }
  });

  // As many fragments as the token limit allows (about 99), each spreading the next twice: 2^98 leaves.
  const fannedOut = (leaf: string, root: 'query' | 'mutation' = 'query') =>
    fanOut(largestFanOut(leaf, root), leaf, root);
  const hostile: [string, string][] = [
    ['__typename', fannedOut('__typename')],
    ['a list of accounts', fannedOut('accounts(first: 1) { nodes { accountNumber } }')],
    ['an alias', fannedOut('t: __typename')],
    ['a directive', fannedOut('__typename @include(if: true)')],
    ['a mutation', fannedOut('__typename', 'mutation')],
  ];
  const writtenOutRefusal = {
    message: limitMessages.tooManyTokensWrittenOut(1_000),
    extensions: { code: 'TOO_MANY_TOKENS', limit: 1_000 },
  };

  it.each(hostile)(
    'refuses fragments that spread the next one twice, down to %s, as too many tokens written out',
    async (_leaf, query) => {
      const response = await post(hub, query);
      expect(response.status).toBe(400);
      expect(response.errors).toEqual([writtenOutRefusal]);
      expect(backEndRequests(hub)).toBe(0);
    },
  );

  it('refuses the same fragments over WebSocket, keeping the connection usable', async () => {
    const { client } = wsClient(hub.url, { authorization: `Bearer ${readerKey}` });
    try {
      for (const [, query] of hostile) {
        await expect(wsRequest(client, query)).rejects.toEqual([expect.objectContaining(writtenOutRefusal)]);
      }
      expect(backEndRequests(hub)).toBe(0);
      const [answer] = await wsRequest(client, '{ accounts(first: 2) { nodes { accountNumber } } }');
      expect(answer?.data.accounts.nodes).toHaveLength(2);
    } finally {
      await client.dispose();
    }
  });

  it('answers /healthz and other callers while a batch of such documents is checked', async () => {
    const { client } = wsClient(hub.url, { authorization: `Bearer ${readerKey}` });
    try {
      const refused = (errors: unknown) => errors;
      const [health, ordinary, ...answers] = await Promise.all([
        fetch(new URL('/healthz', hub.url)),
        post(hub, '{ accounts(first: 1) { nodes { accountNumber } } }'),
        ...hostile.flatMap(([, query]) => [
          post(hub, query).then((response) => response.errors),
          wsRequest(client, query).then(() => 'answered', refused),
          post(hub, query).then((response) => response.errors),
        ]),
      ]);
      expect(health.status).toBe(200);
      expect(ordinary.data.accounts.nodes).toHaveLength(1);
      expect(answers).toHaveLength(hostile.length * 3);
      for (const errors of answers) expect(errors).toEqual([expect.objectContaining(writtenOutRefusal)]);
    } finally {
      await client.dispose();
    }
  });

  it('refuses the 21st operation open on one WebSocket, while the first 20 keep working', async () => {
    const { client } = wsClient(hub.url, { authorization: `Bearer ${readerKey}` });
    const received = Array.from({ length: 20 }, () => [] as unknown[]);
    const unsubscribes = received.map((updates) =>
      client.subscribe(
        { query: 'subscription { syncRunsUpdated { id status } }' },
        { next: (value) => updates.push(value), error: () => undefined, complete: () => undefined },
      ),
    );
    try {
      await expect(wsRequest(client, 'subscription { syncRunsUpdated { id } }')).rejects.toEqual([
        expect.objectContaining({
          message: limitMessages.tooManySubscriptions(20),
          extensions: { code: 'TOO_MANY_SUBSCRIPTIONS', limit: 20, actual: 21 },
        }),
      ]);
      // The 20 follow a run started now.
      const started = await post(
        hub,
        'mutation { startSync(input: { flows: [ACCOUNTS], dryRun: true }) { id } }',
        undefined,
        operatorKey,
      );
      expect(started.errors).toBeUndefined();
      await waitFor(() => received.every((updates) => updates.length > 0));
      for (const updates of received) {
        expect(updates[0]).toMatchObject({ data: { syncRunsUpdated: { id: started.data.startSync.id } } });
      }
      // One completed makes room again, on the same connection.
      unsubscribes[0]!();
      const [answer] = await wsRequest(client, '{ syncFlows { name } }');
      expect(answer?.data.syncFlows).toHaveLength(7);
    } finally {
      unsubscribes.forEach((unsubscribe) => unsubscribe());
      await client.dispose();
    }
  });
});

describe('the mutation allowance and the operation timeout', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub({
      accounts: 5,
      // Longer than the operation timeout, so it is the hub that gives up first.
      timeoutMs: 5_000,
      security: { auth },
      limits: { mutationsPerMinute: 2, operationTimeoutMs: 500 },
    });
  });
  afterAll(() => hub.close());
  beforeEach(() => resetSystems(hub));

  const cancel = 'mutation { cancelSync(id: "no-such-run") { id } }';

  it('refuses a caller past its mutations a minute with 429 and a retry-after, another caller not', async () => {
    for (let i = 0; i < 2; i += 1) {
      const allowed = await post(hub, cancel, undefined, operatorKey);
      expect(allowed.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    }
    const refused = await post(
      hub,
      'mutation { startSync(input: { flows: [ACCOUNTS], dryRun: true }) { id } }',
      undefined,
      operatorKey,
    );
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(30);
    expect(refused.errors).toEqual([
      expect.objectContaining({
        message: limitMessages.rateLimited(2, retryAfter),
        extensions: { code: 'RATE_LIMITED', limit: 2, retryAfterSeconds: retryAfter },
      }),
    ]);
    // startSync would have asked Finance for its companies first.
    expect(backEndRequests(hub)).toBe(0);

    // Over WebSocket too: the allowance is the caller's, whatever the transport.
    const { client } = wsClient(hub.url, { authorization: `Bearer ${operatorKey}` });
    try {
      await expect(wsRequest(client, cancel)).rejects.toEqual([
        expect.objectContaining({ extensions: expect.objectContaining({ code: 'RATE_LIMITED' }) }),
      ]);
    } finally {
      await client.dispose();
    }

    const other = await post(hub, cancel, undefined, otherKey);
    expect(other.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('answers an operation still running at the deadline with 504 OPERATION_TIMEOUT, asking nothing more', async () => {
    const { data } = await post(hub, '{ accounts(first: 1) { nodes { accountNumber } } }');
    const accountNumber: string = data.accounts.nodes[0].accountNumber;
    resetSystems(hub);
    hub.simulators.sales.faults.set({ latencyMs: 1_500 });
    try {
      const startedAt = Date.now();
      const response = await post(
        hub,
        'query($n: String!) { account(accountNumber: $n) { name quotes { lines { product { name } } } } }',
        { n: accountNumber },
      );
      expect(Date.now() - startedAt).toBeLessThan(1_400);
      expect(response.status).toBe(504);
      expect(response.errors).toEqual([
        {
          message: limitMessages.operationTimeout(500),
          extensions: { code: 'OPERATION_TIMEOUT', limit: 500 },
        },
      ]);
      // Once the slow answer is in, the account's quotes are not asked for: the request was stopped.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect(hub.simulators.sales.log.entries.map((entry) => entry.entitySet)).toEqual(['accounts']);
    } finally {
      hub.simulators.sales.faults.reset();
    }
  });

  it('answers a query over WebSocket at the deadline too, stopping only that operation', async () => {
    const { data } = await post(hub, '{ accounts(first: 1) { nodes { accountNumber } } }');
    const accountNumber: string = data.accounts.nodes[0].accountNumber;
    resetSystems(hub);
    hub.simulators.sales.faults.set({ latencyMs: 1_500 });
    const { client } = wsClient(hub.url, { authorization: `Bearer ${readerKey}` });
    try {
      const startedAt = Date.now();
      const [result] = await wsRequest(
        client,
        'query($n: String!) { account(accountNumber: $n) { name quotes { lines { product { name } } } } }',
        { variables: { n: accountNumber } },
      );
      expect(Date.now() - startedAt).toBeLessThan(1_400);
      expect(result?.errors).toEqual([
        {
          message: limitMessages.operationTimeout(500),
          extensions: { code: 'OPERATION_TIMEOUT', limit: 500 },
        },
      ]);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect(hub.simulators.sales.log.entries.map((entry) => entry.entitySet)).toEqual(['accounts']);
      // The connection's next operation has its own deadline and loaders, and runs to the end.
      hub.simulators.sales.faults.reset();
      const [next] = await wsRequest(client, 'query($n: String!) { account(accountNumber: $n) { name } }', {
        variables: { n: accountNumber },
      });
      expect(next?.errors).toBeUndefined();
      expect(next?.data.account.name).toEqual(expect.any(String));
    } finally {
      await client.dispose();
      hub.simulators.sales.faults.reset();
    }
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
