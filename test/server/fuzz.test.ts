/**
 * Property-based tests with fast-check, each bounded (a fixed seed and 100–200 runs) so the suite stays
 * fast and a failure replays the same way:
 *
 * - any string escaped by the connectors' OData literal helpers and sent through a URL parses back, in the
 *   simulators' `$filter` parser, to exactly that string;
 * - any string given as a cursor is either a cursor of that listing or a BAD_USER_INPUT naming `after`,
 *   and an accepted one always makes a `$filter` the back end can read;
 * - any request (method, target, headers, body) gets a 2xx or 4xx JSON answer, never a 5xx or an
 *   INTERNAL_SERVER_ERROR, and the server keeps serving.
 */
import { request as httpRequest } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildQuery, crmIn, eq, formatLiteral, type ODataLiteral } from '../../src/connectors/odata/index.js';
import { decodeCursor, encodeCursor } from '../../src/graphql/cursors.js';
import { HubError } from '../../src/graphql/errors.js';
import { type KeysetOrder, pageRequest } from '../../src/graphql/listing.js';
import {
  type FilterExpr,
  financeDialect,
  parseFilter,
  salesDialect,
} from '../../src/simulators/core/filter/index.js';
import { CustomersV3, SellableReleasedProducts } from '../../src/simulators/finance/entities.js';
import { accounts as salesAccounts } from '../../src/simulators/sales/entities.js';
import { startTestHub, type TestHub } from '../support/hub.js';

/** Replays the same cases every run; change it to explore, then pin a failure as a plain test. */
const seed = 20_260_131;

/** Any text a JSON or GraphQL string can hold, weighted towards what breaks literals and URLs. */
const hostileUnit = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom("'", "''", '%', '%27', '&', '#', '+', '*', '(', ')', ',', '=', '\\'),
  },
  { weight: 1, arbitrary: fc.constantFrom(' ', '\t', '\r\n', '\u0000', '’', '＇', 'ʼ', '€', '😀', '\u200b') },
);
const hostileText = (maxLength: number) => fc.string({ unit: hostileUnit, maxLength });
/** Text with unpaired surrogates too: valid JSON (`"\uD800"`) and valid GraphQL strings, but no valid UTF-8. */
const anyJsonText = (maxLength: number) =>
  fc.string({
    unit: fc.oneof(hostileUnit, fc.constantFrom('\ud800', '\udbff', '\udc00', '\udfff')),
    maxLength,
  });

// ------------------------------------------------------------------------------------------ literals

/** The string literal values in a parsed filter (literal nodes and wildcard patterns), in order. */
function stringLiterals(expr: FilterExpr): unknown[] {
  switch (expr.kind) {
    case 'literal':
      return typeof expr.value === 'string' ? [expr.value] : [];
    case 'wildcard':
      return [expr.pattern];
    case 'logical':
      return expr.operands.flatMap(stringLiterals);
    case 'compare':
      return [...stringLiterals(expr.left), ...stringLiterals(expr.right)];
    case 'call':
      return expr.args.flatMap(stringLiterals);
    case 'in':
      return expr.values;
    default:
      return [];
  }
}

/** What the simulator reads as `$filter` once the connector has put `filter` in a URL. */
function throughUrl(filter: string): string {
  return new URL(`http://simulator/accounts?${buildQuery({ filter, top: 1 })}`).searchParams.get('$filter')!;
}

describe('OData literal escaping, read back by the simulators', () => {
  it('gives the simulator exactly the string the connector escaped, on Sales', () => {
    fc.assert(
      fc.property(hostileText(200), hostileText(20), (value, other) => {
        const filter = [
          `contains(name,${formatLiteral(value)})`,
          `startswith(name,${formatLiteral(value)})`,
          eq('accountnumber', value),
          crmIn('accountnumber', [value, other]),
        ].join(' or ');
        const received = throughUrl(filter);
        expect(received).toBe(filter);
        expect(stringLiterals(parseFilter(received, salesAccounts, salesDialect))).toEqual([
          value,
          value,
          value,
          value,
          other,
        ]);
      }),
      { seed, numRuns: 200 },
    );
  });

  it('gives the simulator exactly the string the connector escaped, on Finance (wildcards included)', () => {
    fc.assert(
      fc.property(hostileText(200), (value) => {
        const filter = `dataAreaId eq 'usmf' and (${eq('CustomerAccount', value)} or ${eq('OrganizationName', value)})`;
        const received = throughUrl(filter);
        expect(received).toBe(filter);
        expect(stringLiterals(parseFilter(received, CustomersV3, financeDialect))).toEqual([
          'usmf',
          value,
          value,
        ]);
      }),
      { seed, numRuns: 200 },
    );
  });
});

// ------------------------------------------------------------------------------------------ cursors

const guidLiteral = (value: string): ODataLiteral => ({ guid: value });
const listings = {
  accounts: {
    order: { list: 'accounts', sort: 'name', key: 'accountid', keyLiteral: guidLiteral },
    set: salesAccounts,
    dialect: salesDialect,
  },
  products: {
    order: { list: 'products', sort: 'ProductNumber', key: 'ProductNumber', keyLiteral: (v: string) => v },
    set: SellableReleasedProducts,
    dialect: financeDialect,
  },
} satisfies Record<string, { order: KeysetOrder; set: unknown; dialect: unknown }>;

const base64url = (text: string) => Buffer.from(text).toString('base64url');
/** Strings a caller might pass as `after`: random text, base64 of anything, cursors with edited insides. */
const cursorLike = fc.oneof(
  anyJsonText(60),
  anyJsonText(60).map(base64url),
  fc.jsonValue().map((value) => base64url(JSON.stringify(value))),
  fc
    .tuple(
      fc.constantFrom('accounts', 'products', 'contacts', 'syncRuns', ''),
      fc.oneof(fc.constant(null), anyJsonText(40), fc.constant('x'.repeat(600))),
      fc.oneof(anyJsonText(40), fc.uuid(), fc.constant('00000000-0000-0000-0000-00000000000g')),
    )
    .map((parts) => base64url(JSON.stringify(parts))),
);

function expectBadAfter(error: unknown): void {
  expect(error).toBeInstanceOf(HubError);
  expect((error as HubError).extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'after' });
}

describe('the cursor decoder', () => {
  it('returns a cursor of the listing or throws BAD_USER_INPUT naming "after", nothing else', () => {
    fc.assert(
      fc.property(cursorLike, fc.constantFrom('accounts', 'products', 'syncRuns'), (cursor, list) => {
        let position;
        try {
          position = decodeCursor(list, cursor);
        } catch (error) {
          expectBadAfter(error);
          return;
        }
        expect(position.list).toBe(list);
        expect(position.after[1]).toEqual(expect.any(String));
      }),
      { seed, numRuns: 200 },
    );
  });

  it('turns every accepted cursor into a $filter the back end parses', () => {
    fc.assert(
      fc.property(
        cursorLike,
        fc.constantFrom('accounts', 'products') as fc.Arbitrary<keyof typeof listings>,
        (cursor, list) => {
          const { order, set, dialect } = listings[list];
          let page;
          try {
            page = pageRequest(order, 10, cursor);
          } catch (error) {
            expectBadAfter(error);
            return;
          }
          // An empty `after` is no cursor: the first page, without a keyset filter.
          if (page.filter === undefined) return;
          expect(() => parseFilter(throughUrl(page.filter!), set, dialect)).not.toThrow();
        },
      ),
      { seed, numRuns: 200 },
    );
  });

  it('reads back every cursor it wrote', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.constant(null),
          hostileText(160).filter((t) => !t.includes('\u0000')),
        ),
        fc.uuid(),
        (sort, key) => {
          const cursor = encodeCursor({ list: 'accounts', after: [sort, key] });
          expect(decodeCursor('accounts', cursor)).toEqual({ list: 'accounts', after: [sort, key] });
          expect(() => pageRequest(listings.accounts.order, 10, cursor)).not.toThrow();
        },
      ),
      { seed, numRuns: 100 },
    );
  });
});

// ------------------------------------------------------------------------------------------ HTTP endpoint

describe('the HTTP endpoint under random requests', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub({ accounts: 10 });
  });
  afterAll(() => hub.close());

  /** Operations that reach the resolvers, so random variables get past GraphQL into the hub's own code. */
  const operations = [
    'query($f: AccountFilter, $first: Int, $after: String) { accounts(first: $first, after: $after, filter: $f) { nodes { accountNumber name } pageInfo { endCursor } } }',
    'query($f: ProductFilter, $after: String) { products(first: 3, after: $after, filter: $f) { nodes { productNumber } } }',
    'query($f: ContactFilter, $after: String) { contacts(first: 3, after: $after, filter: $f) { nodes { fullName } } }',
    'query($f: QuoteFilter) { quotes(first: 3, filter: $f) { nodes { quoteNumber } } }',
    'query($n: String!) { account(accountNumber: $n) { name finance { CustomerAccount } } }',
    'query($n: String!) { product(productNumber: $n) { name } contact(contactNumber: $n) { fullName } }',
    'query($id: ID!, $after: String) { syncRun(id: $id) { id } syncRuns(first: 2, after: $after) { nodes { id } } }',
    'mutation($id: ID!) { cancelSync(id: $id) { id } }',
    'subscription { syncRunsUpdated { id } }',
    '{ __typename }',
  ];
  const text = anyJsonText(30);
  const variables = fc.record(
    {
      f: fc.oneof(
        fc.record(
          {
            nameContains: text,
            nameStartsWith: text,
            accountNumber: text,
            productNumber: text,
            modifiedSince: fc.oneof(
              text,
              fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
            ),
            state: fc.constantFrom('ACTIVE', 'INACTIVE', 'DELETED'),
          },
          { requiredKeys: [] },
        ),
        fc.jsonValue(),
      ),
      first: fc.oneof(fc.integer(), fc.double(), text),
      after: fc.oneof(cursorLike, fc.jsonValue()),
      n: fc.oneof(text, fc.jsonValue()),
      id: fc.oneof(text, fc.uuid()),
    },
    { requiredKeys: [] },
  );
  const graphqlBody = fc
    .record(
      {
        query: fc.oneof(fc.constantFrom(...operations), anyJsonText(80), fc.jsonValue()),
        variables: fc.oneof(variables, fc.jsonValue()),
        operationName: fc.oneof(fc.constant(null), text, fc.jsonValue()),
        extensions: fc.oneof(fc.constant(null), fc.jsonValue()),
      },
      { requiredKeys: ['query'] },
    )
    .map((body) => JSON.stringify(body));
  const body = fc.oneof(
    { weight: 4, arbitrary: graphqlBody },
    { weight: 1, arbitrary: fc.json() },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
    { weight: 1, arbitrary: fc.constant('') },
  );

  const headerValue = fc.string({ unit: 'grapheme-ascii', maxLength: 60 }).map((v) => v.trim());
  const headers = fc.record(
    {
      'content-type': fc.oneof(
        { weight: 4, arbitrary: fc.constant('application/json') },
        fc.constantFrom(
          'application/json',
          'application/json; charset=utf-8',
          'application/graphql-response+json',
          'application/graphql',
          'text/plain',
          'multipart/form-data; boundary=x',
          'application/x-www-form-urlencoded',
        ),
        headerValue,
      ),
      accept: fc.oneof(
        fc.constantFrom(
          'application/json',
          'application/graphql-response+json',
          '*/*',
          'text/event-stream',
          'image/png',
        ),
        headerValue,
      ),
      'apollo-require-preflight': headerValue,
      'x-apollo-operation-name': headerValue,
      authorization: headerValue,
      origin: fc.oneof(fc.constant('https://evil.example'), headerValue),
      'x-request-id': headerValue,
      cookie: headerValue,
      'x-forwarded-for': headerValue,
    },
    { requiredKeys: ['content-type'] },
  );
  const method = fc.oneof(
    { weight: 6, arbitrary: fc.constant('POST') },
    { weight: 2, arbitrary: fc.constant('GET') },
    { weight: 2, arbitrary: fc.constantFrom('PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD') },
  );
  // Not /readyz: it answers 503, rightly, whenever a back end is down.
  const target = fc.oneof(
    { weight: 6, arbitrary: fc.constant('/graphql') },
    {
      weight: 2,
      arbitrary: fc
        .tuple(anyJsonText(60), fc.oneof(variables, fc.jsonValue()))
        .map(
          ([query, vars]) => `/graphql?${new URLSearchParams({ query, variables: JSON.stringify(vars) })}`,
        ),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '/',
        '//',
        '/graphql/',
        '/GRAPHQL',
        '/healthz',
        '/graphql?query=%',
        'http://[',
      ),
    },
  );

  interface Answer {
    status: number;
    contentType: string;
    text: string;
  }

  function send(
    requestMethod: string,
    path: string,
    requestHeaders: Record<string, string>,
    payload: string,
  ): Promise<Answer> {
    const { port } = new URL(hub.url);
    const withBody = requestMethod !== 'GET' && requestMethod !== 'HEAD';
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method: requestMethod,
          path,
          // Node sends a DELETE or OPTIONS body without a length unless told it; the server would read it
          // as the next request.
          headers: withBody
            ? { ...requestHeaders, 'content-length': String(Buffer.byteLength(payload)) }
            : requestHeaders,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              contentType: String(res.headers['content-type'] ?? ''),
              text: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(withBody ? payload : undefined);
    });
  }

  /** 2xx or 4xx, JSON (but for HEAD and 204), a code on every error, and nothing internal. */
  function expectSafeAnswer(requestMethod: string, path: string, answer: Answer): void {
    const context = `${requestMethod} ${path} → ${answer.status} ${answer.text.slice(0, 300)}`;
    expect(answer.status, context).toBeGreaterThanOrEqual(200);
    expect(answer.status, context).toBeLessThan(500);
    expect(answer.text, context).not.toMatch(/^\s+at |\.(?:ts|js):\d+|node_modules|INTERNAL_SERVER_ERROR/m);
    if (requestMethod === 'HEAD' || answer.status === 204) return;
    expect(answer.contentType, context).toMatch(/json/);
    const parsed = JSON.parse(answer.text) as {
      errors?: { extensions?: { code?: unknown } }[];
      error?: string;
    };
    if (answer.status >= 400) expect(parsed.errors ?? parsed.error, context).toBeDefined();
    for (const error of parsed.errors ?? [])
      expect(error.extensions?.code, context).toEqual(expect.any(String));
  }

  async function expectServing(): Promise<void> {
    expect((await fetch(new URL('/healthz', hub.url))).status).toBe(200);
    expect((await hub.graphql('{ __typename }')).data).toEqual({ __typename: 'Query' });
  }

  it('answers operations with random variables with data or a coded error, never an internal error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...operations), variables, async (query, vars) => {
        const payload = JSON.stringify({ query, variables: vars });
        const answer = await send('POST', '/graphql', { 'content-type': 'application/json' }, payload);
        expectSafeAnswer('POST', `/graphql ${payload.slice(0, 300)}`, answer);
      }),
      { seed, numRuns: 200 },
    );
    await expectServing();
  }, 60_000);

  it('answers any request with a 2xx or 4xx JSON body, never a 5xx, and keeps serving', async () => {
    await fc.assert(
      fc.asyncProperty(
        method,
        target,
        headers,
        body,
        async (requestMethod, path, requestHeaders, payload) => {
          expectSafeAnswer(requestMethod, path, await send(requestMethod, path, requestHeaders, payload));
        },
      ),
      { seed, numRuns: 200 },
    );
    await expectServing();
  }, 60_000);
});
