/**
 * Hostile input over both transports: whatever a caller sends, the hub answers with a 4xx or a GraphQL
 * error with a code, never a crash, a stack trace or a file path; a value meant to break out of an OData
 * literal reaches the back end as one escaped literal and matches only what it literally says; and the
 * server goes on serving everyone else.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import type { FilterExpr } from '../../src/simulators/core/filter/index.js';
import { financeDialect, parseFilter, salesDialect } from '../../src/simulators/core/filter/index.js';
import type { EntitySetDef } from '../../src/simulators/core/model.js';
import type { LoggedRequest } from '../../src/simulators/core/request-log.js';
import { SellableReleasedProducts } from '../../src/simulators/finance/entities.js';
import { accounts as salesAccounts } from '../../src/simulators/sales/entities.js';
import { wsClient, wsRequest } from '../support/auth.js';
import { resetSystems, startTestHub, type TestHub } from '../support/hub.js';

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub({ accounts: 40 });
});
afterAll(() => hub.close());
beforeEach(() => resetSystems(hub));

// ------------------------------------------------------------------------------------------------ helpers

interface RawAnswer {
  status: number;
  contentType: string;
  text: string;
  body: any;
}

async function post(body: string | Buffer, headers: Record<string, string> = {}): Promise<RawAnswer> {
  const response = await fetch(hub.url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body,
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    text,
    body: parsed,
  };
}

const request = (query: string, variables?: Record<string, unknown>) =>
  post(JSON.stringify({ query, ...(variables ? { variables } : {}) }));

/** Nothing a client receives may show how the hub is built: no stack frames, no source paths. */
function expectNoInternals(text: string): void {
  expect(text).not.toMatch(/\bat (?:async )?[\w$.<>]+ \(/); // "at fn (file:line:col)"
  expect(text).not.toMatch(/^\s+at /m);
  expect(text).not.toMatch(/\.(?:ts|js|mjs|cjs):\d+/);
  expect(text).not.toMatch(/node_modules|file:\/\/|\/src\/|\/work\//);
  expect(text).not.toMatch(/stacktrace/i);
}

/** A whole-request refusal: a 4xx JSON answer with GraphQL errors, each with a code, and no internals. */
function expectRefused(answer: RawAnswer): void {
  expect(answer.status).toBeGreaterThanOrEqual(400);
  expect(answer.status).toBeLessThan(500);
  expect(answer.contentType).toMatch(/json/);
  expect(answer.body?.errors?.length).toBeGreaterThan(0);
  for (const error of answer.body.errors) expect(error.extensions?.code).toEqual(expect.any(String));
  expectNoInternals(answer.text);
}

async function expectHealthy(): Promise<void> {
  const answer = await request('{ __typename }');
  expect(answer.status).toBe(200);
  expect(answer.body).toEqual({ data: { __typename: 'Query' } });
  expect((await fetch(new URL('/healthz', hub.url))).status).toBe(200);
}

const backEndRequests = () =>
  hub.simulators.sales.log.httpRequests() + hub.simulators.finance.log.httpRequests();

/** The `$filter` a simulator received in its last request to `entitySet`, decoded as the simulator reads it. */
function receivedFilter(
  entries: readonly LoggedRequest[],
  entitySet: string,
): { filter: string; params: string[] } {
  const entry = entries.filter((e) => e.entitySet === entitySet && e.method === 'GET').at(-1);
  expect(entry, `a GET ${entitySet} request`).toBeDefined();
  const query = new URL(entry!.url, 'http://simulator').searchParams;
  return { filter: query.get('$filter') ?? '', params: [...query.keys()] };
}

/** Every string literal and wildcard pattern in a parsed `$filter`, in order. */
function literalsOf(expr: FilterExpr): unknown[] {
  switch (expr.kind) {
    case 'literal':
      return [expr.value];
    case 'wildcard':
      return [...literalsOf(expr.target), expr.pattern];
    case 'logical':
      return expr.operands.flatMap(literalsOf);
    case 'not':
      return literalsOf(expr.operand);
    case 'compare':
    case 'arithmetic':
      return [...literalsOf(expr.left), ...literalsOf(expr.right)];
    case 'call':
      return expr.args.flatMap(literalsOf);
    default:
      return [];
  }
}

const parseAs = (filter: string, set: EntitySetDef, dialect = salesDialect) =>
  parseFilter(filter, set, dialect);
const odataQuoted = (text: string) => `'${text.replaceAll("'", "''")}'`;

const accountsPage = `query($filter: AccountFilter) {
  accounts(first: 50, filter: $filter) { nodes { accountNumber name } }
}`;

/** Numbered Sales accounts whose name contains / starts with `text`, case-insensitively (the simulator's collation). */
function seedNamesWhere(test: (name: string) => boolean): string[] {
  return hub.simulators.data.sales.accounts
    .filter(
      (a) => a['accountnumber'] && typeof a['name'] === 'string' && test(String(a['name']).toLowerCase()),
    )
    .map((a) => String(a['name']))
    .sort();
}

// ------------------------------------------------------------------------------------------ OData injection

/** Values written to end the literal, add a clause or a query option, or smuggle a quote past the escaping. */
const injections: [string, string][] = [
  ['a closing quote and an always-true clause', "' or 1 eq 1"],
  ['a closing quote and parenthesis', "')"],
  ['a complete clause breaking out of contains()', "x') or (name ne '"],
  ['an always-true clause wrapped in its own quotes', "' or 'a' eq 'a"],
  ['a percent-encoded quote', '%27'],
  ['a percent-encoded quote and clause', '%27) or true or (%27'],
  ['a doubled percent-encoded quote', '%2527'],
  ['a new query option', '&$top=1'],
  ['a new $filter', "x&$filter=name ne null&x='"],
  ['a fragment and a comment', "x'#--"],
  ['a plus read as a space', "'+or+1+eq+1"],
  ['right single quotation marks', '’ or ’1’ eq ’1'],
  ['a fullwidth apostrophe', '＇) or true or (＇'],
  ['a modifier letter apostrophe', 'ʼ or 1 eq 1'],
  ['a backslash-escaped quote', "\\' or 1 eq 1 or \\'"],
  ['a double quote', '" or 1 eq 1'],
  ['a semicolon and SQL', "'; DELETE FROM accounts; --"],
  ['a CRM function', "') or Microsoft.Dynamics.CRM.In(PropertyName='name',PropertyValues=['x'"],
  ['a line break', "x'\r\nor 1 eq 1"],
];

describe('OData injection through the account name filters', () => {
  it.each(injections)(
    'sends %s to Sales as one escaped literal, and matches nothing',
    async (_case, payload) => {
      for (const [argument, fn] of [
        ['nameContains', 'contains'],
        ['nameStartsWith', 'startswith'],
      ] as const) {
        hub.simulators.sales.log.clear();
        const answer = await request(accountsPage, { filter: { [argument]: payload } });
        expect(answer.status).toBe(200);
        expect(answer.body).toEqual({ data: { accounts: { nodes: [] } } });

        const { filter, params } = receivedFilter(hub.simulators.sales.log.entries, 'accounts');
        // No parameter was added: `&` and `#` stayed inside the value.
        expect(params).toEqual(['$select', '$filter', '$orderby', '$top']);
        expect(filter).toBe(`((accountnumber ne null) and (${fn}(name,${odataQuoted(payload)})))`);
        // The simulator's parser (the same grammar as Dataverse's) reads the whole payload back as one literal.
        expect(literalsOf(parseAs(filter, salesAccounts))).toEqual([null, payload]);
      }
    },
  );

  it.each([
    ["'", (name: string) => name.includes("'")],
    ['&', (name: string) => name.includes('&')],
    ['#1', (name: string) => name.includes('#1')],
    ['%', (name: string) => name.includes('%')],
    ['%20', (name: string) => name.includes('%20')],
    ['+', (name: string) => name.includes('+')],
    ['/', (name: string) => name.includes('/')],
    ['\\', (name: string) => name.includes('\\')],
    ['"best"', (name: string) => name.includes('"best"')],
    ['? mark', (name: string) => name.includes('? mark')],
    ['ZÜRICH', (name: string) => name.includes('zürich')],
  ])('finds exactly the accounts whose names contain %j', async (payload, test) => {
    const expected = seedNamesWhere(test);
    expect(expected.length).toBeGreaterThan(0);
    const answer = await request(accountsPage, { filter: { nameContains: payload } });
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data.accounts.nodes.map((n: { name: string }) => n.name).sort()).toEqual(expected);
  });

  it.each(injections.filter(([, payload]) => !payload.includes('*')))(
    'sends %s to Finance inside one wildcard literal, and matches no product',
    async (_case, payload) => {
      const answer = await request(
        `query($filter: ProductFilter) { products(first: 50, filter: $filter) { nodes { productNumber } } }`,
        { filter: { nameContains: payload } },
      );
      expect(answer.body).toEqual({ data: { products: { nodes: [] } } });
      const { filter, params } = receivedFilter(
        hub.simulators.finance.log.entries,
        'SellableReleasedProducts',
      );
      expect(params).toEqual(['cross-company', '$select', '$filter', '$orderby', '$top']);
      expect(filter).toContain(`ProductName eq ${odataQuoted(`*${payload}*`)}`);
      expect(literalsOf(parseAs(filter, SellableReleasedProducts, financeDialect))).toEqual([
        'usmf',
        `*${payload}*`,
      ]);
    },
  );

  it("refuses a product number holding Finance's unescapable wildcard instead of matching every product", async () => {
    const answer = await request(`{ products(filter: { productNumber: "*" }) { nodes { productNumber } } }`);
    expect(answer.body.errors?.[0]).toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', argument: 'filter.productNumber' },
    });
    expect(backEndRequests()).toBe(0);
  });

  it('looks up a key holding a wildcard without making Finance read every row', async () => {
    const answer = await request(
      `{ account(accountNumber: "*") { accountNumber } product(productNumber: "*") { productNumber }
         contact(contactNumber: "*") { contactNumber } quote(quoteNumber: "*") { quoteNumber } }`,
    );
    expect(answer.body).toEqual({ data: { account: null, product: null, contact: null, quote: null } });
    // `eq '*'` would be a wildcard on F&O: such a key cannot exist there, so Finance is not asked at all.
    expect(hub.simulators.finance.log.httpRequests()).toBe(0);
  });
});

// ------------------------------------------------------------------------------------------ text that cannot be sent on

describe('text no back end or database can take', () => {
  const unpaired = '\ud800';
  it.each([
    [
      'an unpaired surrogate in a name filter',
      accountsPage,
      { filter: { nameContains: `a${unpaired}` } },
      'filter.nameContains',
    ],
    [
      'NUL in a name filter',
      accountsPage,
      { filter: { nameStartsWith: 'a\u0000' } },
      'filter.nameStartsWith',
    ],
    [
      'an unpaired surrogate in an account number filter',
      accountsPage,
      { filter: { accountNumber: unpaired } },
      'filter.accountNumber',
    ],
    [
      'a 300,000-character account number filter',
      accountsPage,
      { filter: { accountNumber: 'x'.repeat(300_000) } },
      'filter.accountNumber',
    ],
    [
      'a 300,000-character account number',
      `query($n: String!) { account(accountNumber: $n) { name } }`,
      { n: "'".repeat(300_000) },
      'accountNumber',
    ],
    [
      'an unpaired surrogate in a product number',
      `query($n: String!) { product(productNumber: $n) { name } }`,
      { n: `\udfff` },
      'productNumber',
    ],
    [
      'NUL in a contact number',
      `query($n: String!) { contact(contactNumber: $n) { fullName } }`,
      { n: '\u0000' },
      'contactNumber',
    ],
    [
      'a 101-character quote number',
      `query($n: String!) { quote(quoteNumber: $n) { name } }`,
      { n: 'Q'.repeat(101) },
      'quoteNumber',
    ],
    [
      'an unpaired surrogate in a contacts account filter',
      `query($n: String) { contacts(filter: { accountNumber: $n }) { nodes { fullName } } }`,
      { n: unpaired },
      'filter.accountNumber',
    ],
    ['NUL in a sync run ID', `query($id: ID!) { syncRun(id: $id) { id } }`, { id: 'run\u0000' }, 'id'],
    ['NUL in the run to cancel', `mutation($id: ID!) { cancelSync(id: $id) { id } }`, { id: '\u0000' }, 'id'],
    [
      'NUL in the run to retry',
      `mutation($id: ID!) { retrySyncFailures(id: $id) { id } }`,
      { id: '\u0000' },
      'id',
    ],
  ])(
    'answers %s with BAD_USER_INPUT naming the argument, asking no back end',
    async (_case, query, variables, argument) => {
      const answer = await request(query, variables);
      expect(answer.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', argument } });
      expect(answer.body.errors[0].message).toContain(argument);
      expectNoInternals(answer.text);
      expect(backEndRequests()).toBe(0);
    },
  );
});

// ------------------------------------------------------------------------------------------ malformed GraphQL

describe('malformed GraphQL', () => {
  it.each([
    ['a syntax error', '{ accounts(first: 5 { nodes { name } } }', undefined],
    ['an unterminated string', '{ account(accountNumber: "ACC) { name } }', undefined],
    ['an empty document', '', undefined],
    ['only a comment', '# nothing here', undefined],
    ['an unknown field', '{ accounts { nodes { password } } }', undefined],
    ['an unknown argument', '{ accounts(where: "1=1") { nodes { name } } }', undefined],
    ['an unknown enum value', '{ accounts(filter: { state: DELETED }) { nodes { name } } }', undefined],
    ['a selection missing on an object field', '{ accounts }', undefined],
    ['a wrong variable type', 'query($n: Int) { accounts(first: $n) { nodes { name } } }', { n: 'ten' }],
    ['a missing required variable', 'query($n: String!) { account(accountNumber: $n) { name } }', {}],
    [
      'an object where a string belongs',
      'query($n: String!) { account(accountNumber: $n) { name } }',
      { n: { $ne: null } },
    ],
    [
      'an unknown input field',
      'query($f: AccountFilter) { accounts(filter: $f) { nodes { name } } }',
      { f: { nameLike: "%'" } },
    ],
    ['an Int out of range', '{ accounts(first: 99999999999) { nodes { name } } }', undefined],
    ['two anonymous operations', '{ __typename } { __typename }', undefined],
    ['an unknown operation name', 'query A { __typename }', undefined, 'B'],
    ['a subscription over HTTP', 'subscription { syncRunsUpdated { id } }', undefined],
  ])(
    'answers %s with a 4xx and a coded error, asking no back end',
    async (_case, query, variables, operationName?: string) => {
      const answer = await post(JSON.stringify({ query, variables, operationName }));
      expectRefused(answer);
      expect(backEndRequests()).toBe(0);
    },
  );

  it.each([
    ['not JSON', '{"query": "{ __typename }"'],
    ['JSON that is not an object', '"{ __typename }"'],
    ['an array (a batch)', '[{"query": "{ __typename }"}]'],
    ['a query that is not a string', '{"query": {"$where": "1"}}'],
    ['variables that are a string', '{"query": "{ __typename }", "variables": "{}"}'],
    [
      'a query in invalid UTF-8',
      Buffer.concat([Buffer.from('{"query": "'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]),
    ],
  ])('answers a body that is %s with 400', async (_case, body) => {
    const answer = await post(body);
    expect(answer.status).toBe(400);
    expectRefused(answer);
  });

  it('refuses a subscription over HTTP with 400 BAD_REQUEST, pointing to the WebSocket', async () => {
    const answer = await request('subscription { syncRunsUpdated { id } }');
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({
      errors: [
        {
          message:
            'Subscriptions are served over WebSocket (the graphql-ws protocol) on this same URL, not over HTTP.',
          extensions: { code: 'BAD_REQUEST' },
        },
      ],
    });
  });

  it('refuses a 5 MB variable with 413 before reading it all, and keeps serving', async () => {
    const answer = await request('query($n: String!) { account(accountNumber: $n) { name } }', {
      n: 'x'.repeat(5 * 1024 * 1024),
    });
    expect(answer.status).toBe(413);
    expectRefused(answer);
    expect(answer.body.errors[0].extensions.code).toBe('REQUEST_TOO_LARGE');
    expect(backEndRequests()).toBe(0);
    await expectHealthy();
  });

  it('refuses a request target no URL parser can read without falling over', async () => {
    const { request: raw } = await import('node:http');
    const { port } = new URL(hub.url);
    for (const target of ['//', 'http://[', 'http://[/graphql', 'http://a:b@/healthz']) {
      const status = await new Promise<number>((resolve, reject) => {
        raw({ host: '127.0.0.1', port, path: target, method: 'GET' }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
          .on('error', reject)
          .end();
      });
      expect(status, target).toBe(404);
    }
    await expectHealthy();
  });
});

// ------------------------------------------------------------------------------------------ deep and wide

describe('deep and wide operations', () => {
  const nested = (levels: number): string => {
    let selection = 'name';
    for (let i = 0; i < levels; i++) selection = `contacts(first: 1) { account { ${selection} } }`;
    return `{ account(accountNumber: "ACC-1") { ${selection} } }`;
  };
  const aliased = (count: number, field: string): string =>
    `{ ${Array.from({ length: count }, (_, i) => `a${i}: ${field}`).join(' ')} }`;

  it.each([
    ['nested 30 levels deep', nested(30)],
    ['nested 100 levels deep', nested(100)],
    ['with 60 aliases of one listing', aliased(60, 'accounts(first: 500) { nodes { name } }')],
    ['with 500 aliases of one field', aliased(500, 'account(accountNumber: "A") { name }')],
    [
      'with aliases spread through fragments',
      `{ ...F } fragment F on Query { ${Array.from({ length: 40 }, (_, i) => `f${i}: syncRuns(first: 500) { nodes { id } }`).join(' ')} }`,
    ],
    [
      'asking 500 accounts with 500 quotes each',
      '{ accounts(first: 500) { nodes { quotes(first: 500) { lines { amount } } } } }',
    ],
  ])(
    'refuses an operation %s with a 4xx and a coded error before any back end is asked',
    async (_case, query) => {
      const answer = await request(query);
      expectRefused(answer);
      expect(backEndRequests()).toBe(0);
      await expectHealthy();
    },
  );
});

// ------------------------------------------------------------------------------------------ cursors

describe('invalid cursors', () => {
  const cursor = (inside: unknown) => Buffer.from(JSON.stringify(inside)).toString('base64url');
  const guid = '00000000-0000-0000-0000-000000000001';

  it.each([
    ['garbage', 'not a cursor at all'],
    ['base64 of garbage', Buffer.from('garbage').toString('base64url')],
    ['base64 of JSON that is not a cursor', cursor({ list: 'accounts', after: 'x' })],
    ['a cursor of another listing', cursor(['products', 'x', 'x'])],
    ['a sync run cursor', cursor(['syncRuns', null, 'x'])],
    ['a cursor whose key is not a GUID', cursor(['accounts', 'Contoso', "x') or (1 eq 1"])],
    ['a cursor with an unpaired surrogate', cursor(['accounts', '\ud800', guid])],
    ['a cursor with NUL', cursor(['accounts', 'a\u0000', guid])],
    ['a cursor with a 100,000-character name', cursor(['accounts', 'x'.repeat(100_000), guid])],
    ['a cursor of four parts', cursor(['accounts', 'a', guid, 'extra'])],
  ])('refuses %s with BAD_USER_INPUT naming "after", asking no back end', async (_case, after) => {
    const answer = await request(`query($after: String) { accounts(after: $after) { nodes { name } } }`, {
      after,
    });
    expect(answer.body.errors?.[0]).toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', argument: 'after' },
    });
    expect(answer.body.errors[0].message).toContain('"after"');
    expectNoInternals(answer.text);
    expect(backEndRequests()).toBe(0);
  });

  it('refuses a real cursor of one listing on another, both ways', async () => {
    const contacts = await request(`{ contacts(first: 1) { pageInfo { endCursor } } }`);
    const products = await request(`{ products(first: 1) { pageInfo { endCursor } } }`);
    const contactCursor = contacts.body.data.contacts.pageInfo.endCursor as string;
    const productCursor = products.body.data.products.pageInfo.endCursor as string;
    for (const [listing, after] of [
      ['accounts', contactCursor],
      ['products', contactCursor],
      ['contacts', productCursor],
      ['syncRuns', productCursor],
    ] as const) {
      const field = listing === 'syncRuns' ? 'id' : listing === 'products' ? 'productNumber' : '__typename';
      const answer = await request(
        `query($after: String) { ${listing}(after: $after) { nodes { ${field} } } }`,
        {
          after,
        },
      );
      expect(answer.body.errors?.[0], listing).toMatchObject({
        message: expect.stringContaining(`not a cursor of the ${listing} listing`),
        extensions: { code: 'BAD_USER_INPUT', argument: 'after' },
      });
    }
  });
});

// ------------------------------------------------------------------------------------------ WebSocket

interface Conversation {
  close: { code: number; reason: string };
  received: unknown[];
}

/**
 * Opens a raw graphql-transport-ws socket, optionally sends `connection_init` and waits for the ack, then
 * sends `messages` and resolves with how the socket closed and what the server sent before. The server
 * is expected to close it, unless `enough` says what was received is all that is awaited: the client
 * then closes it (1000).
 */
function converse(
  messages: (string | Buffer)[],
  {
    init = true,
    enough = () => false,
    timeoutMs = 5_000,
  }: { init?: boolean; enough?: (received: unknown[]) => boolean; timeoutMs?: number } = {},
): Promise<Conversation> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(hub.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    const received: unknown[] = [];
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error(`the socket was not closed; the server sent ${JSON.stringify(received)}`));
    }, timeoutMs);
    const sendAll = () => messages.forEach((message) => socket.send(message));
    socket.on('open', () => (init ? socket.send(JSON.stringify({ type: 'connection_init' })) : sendAll()));
    socket.on('message', (data) => {
      const text = String(data);
      received.push(JSON.parse(text));
      if (init && text.includes('"connection_ack"')) sendAll();
      if (enough(received)) socket.close(1000);
    });
    socket.on('error', () => undefined); // the close event says what happened
    socket.on('close', (code, reason) => {
      clearTimeout(timer);
      expectNoInternals(JSON.stringify(received));
      resolve({ close: { code, reason: reason.toString() }, received });
    });
  });
}

const subscribe = (id: string, query: unknown) =>
  JSON.stringify({ id, type: 'subscribe', payload: { query } });
const forever = 'subscription { syncRunsUpdated { id } }';

describe('garbage on the WebSocket', () => {
  // A well-behaved client with a live subscription, connected before the garbage: it must not notice any.
  let bystander: ReturnType<typeof wsClient>;
  let bystanderDone: Promise<void>;
  beforeAll(async () => {
    bystander = wsClient(hub.url);
    await bystander.connected;
    bystanderDone = new Promise((resolve, reject) =>
      bystander.client.subscribe(
        { query: forever },
        { next: () => undefined, error: reject, complete: resolve },
      ),
    );
  });
  afterAll(async () => {
    await bystander.client.dispose();
    await bystanderDone.catch(() => undefined);
  });

  it.each([
    ['text that is not JSON', ['not json {'], true, 4400],
    ['binary garbage', [Buffer.from([0xff, 0x00, 0x13, 0x37])], true, 4400],
    ['JSON that is not a message', ['[1, 2, 3]'], true, 4400],
    ['null', ['null'], true, 4400],
    ['an unknown message type', [JSON.stringify({ type: 'hack', payload: {} })], true, 4400],
    ['a subscribe whose query is not a string', [subscribe('1', { $gt: '' })], true, 4400],
    [
      'a subscribe without an id',
      [JSON.stringify({ type: 'subscribe', payload: { query: '{ __typename }' } })],
      true,
      4400,
    ],
    [
      'variables that are a string',
      [JSON.stringify({ id: '1', type: 'subscribe', payload: { query: '{ __typename }', variables: 'x' } })],
      true,
      4400,
    ],
    ['a subscribe before connection_init', [subscribe('1', '{ __typename }')], false, 4401],
    ['a second connection_init', [JSON.stringify({ type: 'connection_init' })], true, 4429],
    [
      'a subscribe reusing the id of an open one',
      [subscribe('1', forever), subscribe('1', forever)],
      true,
      4409,
    ],
    ['a 2 MB message', [subscribe('1', `{ __typename } # ${'x'.repeat(2 * 1024 * 1024)}`)], true, 1009],
  ])(
    'closes the socket on %s with the protocol close code and keeps serving others',
    async (_case, messages, init, code) => {
      // Nothing is printed past the logger (graphql-ws would print a stack for an oversized message).
      const stderr = vi.spyOn(console, 'error');
      const { close } = await converse(messages, { init }).finally(() => stderr.mockRestore());
      expect(stderr).not.toHaveBeenCalled();
      expect(close.code).toBe(code);
      expectNoInternals(close.reason);
      const [result] = await wsRequest(bystander.client, '{ __typename }');
      expect(result).toEqual({ data: { __typename: 'Query' } });
      await expectHealthy();
    },
  );

  it('closes a socket that never sends connection_init with 4408', async () => {
    const { close } = await converse([], { init: false });
    expect(close).toEqual({ code: 4408, reason: 'Connection initialisation timeout' });
  });

  it('answers malformed operations with an error message for that operation only, and keeps the socket', async () => {
    const ended = (id: string) => (m: unknown) =>
      (m as { id?: string }).id === id && ['error', 'complete'].includes((m as { type: string }).type);
    const outcome = await converse(
      [
        subscribe('1', '{ accounts( '),
        subscribe('2', '{ password }'),
        subscribe('3', `{ accounts(after: "garbage") { nodes { name } } }`),
        subscribe('4', '{ __typename }'),
      ],
      { enough: (received) => ['1', '2', '3', '4'].every((id) => received.some(ended(id))) },
    );
    // Closed by this client once every operation was answered: the server kept the socket open.
    expect(outcome.close.code).toBe(1000);
    const byId = (id: string) => outcome.received.filter((m) => (m as { id?: string }).id === id);
    expect(byId('1')).toEqual([
      {
        id: '1',
        type: 'error',
        payload: [
          expect.objectContaining({
            message: expect.stringMatching(/^Syntax Error/),
            extensions: { code: 'GRAPHQL_PARSE_FAILED' },
          }),
        ],
      },
    ]);
    expect(byId('2')).toEqual([
      {
        id: '2',
        type: 'error',
        payload: [
          expect.objectContaining({
            message: expect.stringContaining('password'),
            extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
          }),
        ],
      },
    ]);
    expect(byId('3')[0]).toMatchObject({
      type: 'next',
      payload: { errors: [{ extensions: { code: 'BAD_USER_INPUT', argument: 'after' } }] },
    });
    expect(byId('4')[0]).toEqual({ id: '4', type: 'next', payload: { data: { __typename: 'Query' } } });
  });
});
