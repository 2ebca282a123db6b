/**
 * The hub as an Apollo Federation v2 subgraph (`HUB_FEDERATION=true`), composed by a real Apollo Gateway
 * with a second subgraph of another team ("support tickets", test/support/federation.ts) that references
 * the hub's Account by account number and adds `Account.openTickets`. The gateway resolves every ticket's
 * account from the hub in one `_entities` call, which the hub answers with the same DataLoaders as its
 * own queries: as many back-end requests for 50 tickets as for 5. Limits, auth and error codes apply to
 * `_entities` as to any query; subscriptions stay on the hub's own graphql-ws endpoint.
 */
import * as graphql from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { operationCost } from '../../src/graphql/cost.js';
import { createSubgraphSchema, entities, federationSpec } from '../../src/graphql/federation.js';
import { createSchema } from '../../src/graphql/schema.js';
import { wsClient, wsRequest } from '../support/auth.js';
import {
  post,
  type RunningGateway,
  type RunningService,
  startGateway,
  startTicketsSubgraph,
  type Ticket,
} from '../support/federation.js';
import { backEndRequestCounts, resetSystems, startTestHub, type TestHub } from '../support/hub.js';
import { captureLogs } from '../support/logs.js';

const readerKey = 'gateway-reader-key-0123456789abcdef';
const operatorKey = 'gateway-operator-key-0123456789abcdef';

interface SeedAccount {
  accountNumber: string;
  name: string;
  creditLimit: string | null;
  finance: { CreditLimit: string } | null;
  contacts: { contactNumber: string | null; fullName: string }[];
  quotes: { quoteNumber: string; status: string }[];
}

let hub: TestHub;
/** The hub's own log: one line per operation it answered, named as the gateway named it. */
const hubLog = captureLogs();
let tickets: Ticket[] = [];
let ticketsSubgraph: RunningService;
let gateway: RunningGateway;
/** Accounts of the seed that are in both systems, as the hub answers them directly. */
let accounts: SeedAccount[];

const accountFields = `accountNumber name creditLimit finance { CreditLimit }
  contacts(first: 3) { contactNumber fullName } quotes(first: 3) { quoteNumber status }`;

beforeAll(async () => {
  const { auth } = loadConfig({ HUB_API_KEYS: `reader:gateway:${readerKey},operator:ops:${operatorKey}` });
  hub = await startTestHub({ accounts: 90, federation: true, security: { auth }, logger: hubLog.logger });
  const page = await hub.graphql(`{ accounts(first: 90) { nodes { ${accountFields} } } }`, undefined, {
    token: readerKey,
  });
  expect(page.errors).toBeUndefined();
  accounts = (page.data.accounts.nodes as SeedAccount[]).filter((account) => account.finance !== null);
  expect(accounts.length).toBeGreaterThanOrEqual(50);
  ticketsSubgraph = await startTicketsSubgraph(() => tickets);
  gateway = await startGateway({
    subgraphs: [
      { name: 'hub', url: hub.url },
      { name: 'tickets', url: ticketsSubgraph.url },
    ],
    introspectionHeaders: { authorization: `Bearer ${readerKey}` },
  });
});
afterAll(async () => {
  await gateway?.close();
  await ticketsSubgraph?.close();
  await hub?.close();
});
beforeEach(() => {
  resetSystems(hub);
  gateway.requests.length = 0;
  hubLog.clear();
});

/** The operations the hub answered since the last reset, by name. */
const hubOperations = (): unknown[] =>
  hubLog
    .lines()
    .filter((line) => line['operationType'] !== undefined)
    .map((line) => line['operation']);

/** One open ticket for each of the first `count` accounts. */
const ticketsFor = (count: number): Ticket[] =>
  accounts.slice(0, count).map((account, index) => ({
    id: `T-${index + 1}`,
    title: `Ticket ${index + 1}`,
    status: 'OPEN',
    accountNumber: account.accountNumber,
  }));

/** HTTP requests each system got since the last reset, per `system METHOD entity set`. */
const backEndRequests = (): Record<string, number> => backEndRequestCounts(hub);

const ticketsQuery = `query OpenTickets($first: Int) {
  tickets(first: $first) {
    id title
    account { ${accountFields} openTickets { id } }
  }
}`;

const entitiesQuery = `query($representations: [_Any!]!) {
  _entities(representations: $representations) {
    __typename
    ... on Account { accountNumber name }
    ... on Contact { contactNumber fullName }
    ... on Quote { quoteNumber name }
    ... on Order { orderNumber }
    ... on Invoice { invoiceNumber totalAmount }
    ... on Product { productNumber name }
  }
}`;

describe('the subgraph schema', () => {
  it('is served only when HUB_FEDERATION is on: the plain schema has no _service or _entities', () => {
    expect(loadConfig({}).federation).toBe(false);
    expect(loadConfig({ HUB_FEDERATION: 'true' }).federation).toBe(true);
    expect(() => loadConfig({ HUB_FEDERATION: 'yes' })).toThrow(/HUB_FEDERATION.*true or false/);
    const plain = createSchema().getQueryType()!.getFields();
    expect(plain['_service']).toBeUndefined();
    expect(plain['_entities']).toBeUndefined();
    const subgraph = createSubgraphSchema();
    expect(Object.keys(subgraph.getQueryType()!.getFields())).toEqual(
      expect.arrayContaining(['_service', '_entities', ...Object.keys(plain)]),
    );
    // Subscriptions are still served (over graphql-ws), only not offered to gateways.
    expect(subgraph.getSubscriptionType()?.name).toBe('Subscription');
  });

  it('links Federation v2 and keys each entity by its business key, leaving subscriptions out', async () => {
    const { data, errors } = await hub.graphql(`{ _service { sdl } }`, undefined, { token: readerKey });
    expect(errors).toBeUndefined();
    const sdl: string = data._service.sdl;
    expect(sdl).toContain(`@link(url: "${federationSpec}", import: ["@key"])`);
    const document = graphql.parse(sdl);
    const keys = new Map<string, string>();
    for (const definition of document.definitions) {
      if (!('name' in definition) || !definition.name || !('directives' in definition)) continue;
      for (const directive of definition.directives ?? []) {
        if (directive.name.value !== 'key') continue;
        const fields = directive.arguments?.[0]?.value;
        keys.set(definition.name.value, fields?.kind === graphql.Kind.STRING ? fields.value : '');
      }
    }
    expect(Object.fromEntries(keys)).toEqual({
      Account: 'accountNumber',
      Contact: 'contactNumber',
      Quote: 'quoteNumber',
      Order: 'orderNumber',
      Invoice: 'invoiceNumber',
      Product: 'productNumber',
    });
    expect(entities.map(({ type }) => type).sort()).toEqual([...keys.keys()].sort());
    expect(sdl).not.toMatch(/\bSubscription\b/);
    expect(sdl).not.toMatch(/syncRunsUpdated/);
  });
});

describe('_entities', () => {
  it('answers in the order given, null for a key neither system has, one request per system and entity', async () => {
    const seedOrder = await hub.graphql(`{ orders(first: 1) { nodes { orderNumber } } }`, undefined, {
      token: readerKey,
    });
    const seedInvoice = await hub.graphql(`{ invoices(first: 1) { nodes { invoiceNumber } } }`, undefined, {
      token: readerKey,
    });
    const seedProduct = await hub.graphql(`{ products(first: 1) { nodes { productNumber } } }`, undefined, {
      token: readerKey,
    });
    const orderNumber: string = seedOrder.data.orders.nodes[0].orderNumber;
    const invoiceNumber: string = seedInvoice.data.invoices.nodes[0].invoiceNumber;
    const productNumber: string = seedProduct.data.products.nodes[0].productNumber;
    const [first, second, third] = accounts;
    const contact = accounts.flatMap((account) => account.contacts).find((c) => c.contactNumber)!;
    const quote = accounts.flatMap((account) => account.quotes)[0]!;
    resetSystems(hub);

    const representations = [
      { __typename: 'Account', accountNumber: third!.accountNumber },
      { __typename: 'Product', productNumber },
      { __typename: 'Account', accountNumber: 'ACC-NOT-THERE' },
      { __typename: 'Contact', contactNumber: contact.contactNumber },
      { __typename: 'Account', accountNumber: first!.accountNumber },
      { __typename: 'Quote', quoteNumber: quote.quoteNumber },
      { __typename: 'Order', orderNumber },
      { __typename: 'Invoice', invoiceNumber },
      // Keys are matched case-insensitively, as both systems do.
      { __typename: 'Account', accountNumber: second!.accountNumber.toLowerCase() },
    ];
    const { data, errors } = await hub.graphql(entitiesQuery, { representations }, { token: readerKey });
    expect(errors).toBeUndefined();
    const answered = data._entities as ({ __typename: string } & Record<string, unknown>)[];
    expect(answered.map((entity) => entity && entity.__typename)).toEqual([
      'Account',
      'Product',
      null,
      'Contact',
      'Account',
      'Quote',
      'Order',
      'Invoice',
      'Account',
    ]);
    expect(answered[0]).toMatchObject({ accountNumber: third!.accountNumber, name: third!.name });
    expect(answered[1]).toMatchObject({ productNumber });
    expect(answered[3]).toMatchObject({ contactNumber: contact.contactNumber, fullName: contact.fullName });
    expect(answered[4]).toMatchObject({ accountNumber: first!.accountNumber, name: first!.name });
    expect(answered[5]).toMatchObject({ quoteNumber: quote.quoteNumber });
    expect(answered[6]).toMatchObject({ orderNumber });
    expect(answered[7]).toMatchObject({ invoiceNumber });
    expect(answered[8]).toMatchObject({ accountNumber: second!.accountNumber, name: second!.name });

    // The three accounts in one request to each system; every other type in one of its own.
    const requests = backEndRequests();
    expect(requests['sales GET accounts']).toBe(1);
    expect(requests['finance GET CustomersV3']).toBeLessThanOrEqual(2); // accounts, and a contact's person customer
    for (const count of Object.values(requests)) expect(count).toBe(1);
  });

  it('refuses a wrong representation on its own entry with BAD_USER_INPUT and resolves the others', async () => {
    const representations = [
      { __typename: 'Account', accountNumber: accounts[0]!.accountNumber },
      { __typename: 'Ticket', id: 'T-1' },
      { __typename: 'Account', accountNumber: 42 },
      { __typename: 'Account' },
      'Account',
      { __typename: 'Product', productNumber: 'x'.repeat(101) },
      { __typename: 'Account', accountNumber: accounts[1]!.accountNumber },
    ];
    const { status, data, errors } = await hub.graphql(
      entitiesQuery,
      { representations },
      { token: readerKey },
    );
    expect(status).toBe(200);
    expect(
      data._entities.map((entity: { accountNumber?: string } | null) => entity?.accountNumber ?? null),
    ).toEqual([accounts[0]!.accountNumber, null, null, null, null, null, accounts[1]!.accountNumber]);
    const byPath = Object.fromEntries(
      (errors ?? []).map((error) => [error.path?.join('.'), [error.extensions?.['code'], error.message]]),
    );
    expect(byPath).toEqual({
      '_entities.1': [
        'BAD_USER_INPUT',
        expect.stringMatching(
          /"representations\[1\]\.__typename".*one of the hub's entities: Account\(accountNumber\)/,
        ),
      ],
      '_entities.2': [
        'BAD_USER_INPUT',
        expect.stringMatching(/"representations\[2\]\.accountNumber".*non-empty string/),
      ],
      '_entities.3': [
        'BAD_USER_INPUT',
        expect.stringMatching(/"representations\[3\]\.accountNumber".*non-empty string/),
      ],
      '_entities.4': ['BAD_USER_INPUT', expect.stringMatching(/"representations\[4\]".*must be an object/)],
      '_entities.5': [
        'BAD_USER_INPUT',
        expect.stringMatching(/"representations\[5\]\.productNumber".*at most 100 characters/),
      ],
    });
  });

  it('is costed by its representations: too many with large lists are refused before any back end is asked', async () => {
    const schema = createSubgraphSchema();
    const document = graphql.parse(`query($r: [_Any!]!) {
      _entities(representations: $r) { ... on Account { name contacts { contactNumber } } }
      more: _entities(representations: $r) { ... on Account { contacts { finance { __typename } } } }
    }`);
    const operation = document.definitions[0] as graphql.OperationDefinitionNode;
    const costOf = (count: number) =>
      operationCost(schema, document, operation, {
        r: Array.from({ length: count }, (_, i) => ({ __typename: 'Account', accountNumber: `A${i}` })),
      });
    // Each entity counts itself and what is asked under it: its contacts (1), and in `more` up to 50
    // contacts' Finance views (the list's default `first`).
    const each = (count: number) => 1 + count * (1 + 1) + (1 + count * (1 + 1 + 50));
    expect([costOf(1), costOf(5), costOf(50)]).toEqual([each(1), each(5), each(50)]);

    const representations = Array.from({ length: 400 }, (_, i) => ({
      __typename: 'Account',
      accountNumber: `ACC-${i}`,
    }));
    const refused = await hub.graphql(
      `query($representations: [_Any!]!) {
        _entities(representations: $representations) { ... on Account { contacts { finance { __typename } } } }
      }`,
      { representations },
      { token: readerKey },
    );
    expect(refused.status).toBe(400);
    expect(refused.errors?.[0]?.extensions).toMatchObject({
      code: 'QUERY_TOO_COSTLY',
      actual: 1 + 400 * (1 + 1 + 50),
    });
    expect(backEndRequests()).toEqual({});
  });

  it("answers a gateway's request for per-field traces without them: the hub's timings and errors stay its own", async () => {
    const response = await fetch(hub.url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Authorization: `Bearer ${readerKey}`,
        'apollo-federation-include-trace': 'ftv1',
      },
      body: JSON.stringify({
        query: entitiesQuery,
        variables: {
          representations: [{ __typename: 'Account', accountNumber: accounts[0]!.accountNumber }],
        },
      }),
    });
    const body = (await response.json()) as { data: unknown; extensions?: Record<string, unknown> };
    expect(body.data).toBeDefined();
    expect(body.extensions?.['ftv1']).toBeUndefined();
  });

  it('needs credentials like any query: a reader may resolve entities, no one without a key', async () => {
    const representations = [{ __typename: 'Account', accountNumber: accounts[0]!.accountNumber }];
    const anonymous = await hub.graphql(entitiesQuery, { representations });
    expect(anonymous.status).toBe(401);
    expect(anonymous.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    const reader = await hub.graphql(entitiesQuery, { representations }, { token: readerKey });
    expect(reader.data._entities[0].accountNumber).toBe(accounts[0]!.accountNumber);
    expect(backEndRequests()).not.toEqual({});
  });
});

describe('through a real gateway', () => {
  it("fetches each ticket's account with its Finance credit limit, contacts and quotes from the hub", async () => {
    tickets = [
      ...ticketsFor(5),
      {
        id: 'T-X',
        title: 'From a customer the hub does not know',
        status: 'OPEN',
        accountNumber: 'ACC-NOPE',
      },
      { id: 'T-C', title: 'Closed', status: 'CLOSED', accountNumber: accounts[0]!.accountNumber },
    ];
    const { data, errors } = await post(gateway.url, ticketsQuery, { first: 10 }, readerKey);
    expect(errors).toBeUndefined();
    expect(data.tickets).toHaveLength(7);
    for (const [index, account] of accounts.slice(0, 5).entries()) {
      expect(data.tickets[index]).toEqual({
        id: `T-${index + 1}`,
        title: `Ticket ${index + 1}`,
        account: { ...account, openTickets: [{ id: `T-${index + 1}` }] },
      });
      expect(data.tickets[index].account.finance.CreditLimit).toEqual(expect.any(String));
    }
    // A ticket whose account neither system has: null, and the other tickets are whole.
    expect(data.tickets[5]).toEqual({ id: 'T-X', title: tickets[5]!.title, account: null });
    expect(data.tickets[6].account.accountNumber).toBe(accounts[0]!.accountNumber);

    // The gateway asked the hub once, with every ticket's account in one `_entities` call.
    const toHub = gateway.requests.filter((request) => request.subgraph === 'hub');
    expect(toHub).toHaveLength(1);
    expect(toHub[0]!.query).toMatch(/\{_entities\(representations:\$representations\)\{\.\.\.on Account\{/);
    // One representation per ticket: the closed ticket's account repeats the first, which the hub reads once.
    expect((toHub[0]!.variables?.['representations'] as unknown[]).length).toBe(7);
    expect(backEndRequests()).toEqual({
      'sales GET accounts': 1,
      'sales GET contacts': 1,
      'sales GET quotes': 1,
      'finance GET CustomersV3': 1,
    });
  });

  it('costs the hub as many back-end requests for 50 tickets as for 5', async () => {
    const countsFor = async (count: number) => {
      tickets = ticketsFor(count);
      resetSystems(hub);
      gateway.requests.length = 0;
      const { data, errors } = await post(gateway.url, ticketsQuery, { first: count }, readerKey);
      expect(errors).toBeUndefined();
      expect(data.tickets).toHaveLength(count);
      expect(data.tickets.every((ticket: { account: unknown }) => ticket.account !== null)).toBe(true);
      const toHub = gateway.requests.filter((request) => request.subgraph === 'hub');
      expect(toHub).toHaveLength(1);
      expect((toHub[0]!.variables?.['representations'] as unknown[]).length).toBe(count);
      // What the hub saw: one operation, the gateway's `_entities` call.
      expect(hubOperations()).toEqual(['OpenTickets__hub__1']);
      hubLog.clear();
      return backEndRequests();
    };
    const five = await countsFor(5);
    const fifty = await countsFor(50);
    expect(fifty).toEqual(five);
    // Sales: the accounts, their contacts, their quotes; Finance: the customers.
    expect(five).toEqual({
      'sales GET accounts': 1,
      'sales GET contacts': 1,
      'sales GET quotes': 1,
      'finance GET CustomersV3': 1,
    });
  });

  it("shows the accounts' Sales data while Finance is down, with UPSTREAM_UNAVAILABLE on each Finance view", async () => {
    tickets = ticketsFor(3);
    hub.simulators.finance.faults.set({ unavailableRate: 1 });
    const { data, errors } = await post(gateway.url, ticketsQuery, { first: 3 }, readerKey);
    for (const [index, account] of accounts.slice(0, 3).entries()) {
      expect(data.tickets[index].account).toEqual({
        ...account,
        finance: null,
        openTickets: [{ id: `T-${index + 1}` }],
      });
    }
    expect(errors?.map((error) => [error.path?.join('.'), error.extensions?.['code']])).toEqual([
      ['tickets.0.account.finance', 'UPSTREAM_UNAVAILABLE'],
      ['tickets.1.account.finance', 'UPSTREAM_UNAVAILABLE'],
      ['tickets.2.account.finance', 'UPSTREAM_UNAVAILABLE'],
    ]);
    expect(errors?.[0]?.message).toMatch(/^Finance is unavailable/);
  });

  it('passes the caller on: without a key the tickets come back and their accounts do not', async () => {
    tickets = ticketsFor(2);
    const { data, errors } = await post(gateway.url, ticketsQuery, { first: 2 });
    expect(data?.tickets.map((ticket: { id: string }) => ticket.id)).toEqual(['T-1', 'T-2']);
    expect(data?.tickets.every((ticket: { account: unknown }) => ticket.account === null)).toBe(true);
    expect(JSON.stringify(errors)).toMatch(/UNAUTHENTICATED|401/);
    expect(backEndRequests()).toEqual({});
  });
});

describe('subscriptions', () => {
  it("stay on the hub's own graphql-ws endpoint when it is a subgraph", async () => {
    const started = await hub.graphql(
      `mutation { startSync(input: { flows: [ACCOUNTS], dryRun: true }) { id } }`,
      undefined,
      { token: operatorKey },
    );
    expect(started.errors).toBeUndefined();
    const { client } = wsClient(hub.url, { authorization: `Bearer ${readerKey}` });
    try {
      const updates = await wsRequest(
        client,
        `subscription { syncRunUpdated(id: "${started.data.startSync.id}") { id status } }`,
      );
      expect(updates.at(-1)?.data.syncRunUpdated).toEqual({
        id: started.data.startSync.id,
        status: 'SUCCEEDED',
      });
    } finally {
      await client.dispose();
    }
  });
});
