/**
 * A supergraph around the hub, for the federation tests and `npm run bench:federation`: a small "support
 * tickets" subgraph of another team (its own Apollo Server, built with @apollo/subgraph) whose tickets
 * reference the hub's Account by account number and add `Account.openTickets`, and a real Apollo Gateway
 * composing it with the hub from the running services (IntrospectAndCompose), over HTTP.
 */
import { ApolloGateway, IntrospectAndCompose, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';

export interface Ticket {
  id: string;
  title: string;
  status: 'OPEN' | 'CLOSED';
  accountNumber: string;
}

export interface RunningService {
  url: string;
  close(): Promise<void>;
}

const ticketsTypeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])

  type Ticket {
    id: ID!
    title: String!
    status: TicketStatus!
    "The customer who raised it: an account of the P2C hub."
    account: Account
  }

  enum TicketStatus {
    OPEN
    CLOSED
  }

  "The hub's account, extended with the tickets its customer has open."
  type Account @key(fields: "accountNumber") {
    accountNumber: String!
    openTickets: [Ticket!]!
  }

  type Query {
    tickets(first: Int = 10): [Ticket!]!
  }
`);

/** The tickets subgraph on a free port; `tickets` is read at every request, so a test may change it. */
export async function startTicketsSubgraph(tickets: () => readonly Ticket[]): Promise<RunningService> {
  const openTickets = (accountNumber: string) =>
    tickets().filter((ticket) => ticket.accountNumber === accountNumber && ticket.status === 'OPEN');
  const server = new ApolloServer({
    schema: buildSubgraphSchema({
      typeDefs: ticketsTypeDefs,
      resolvers: {
        Query: { tickets: (_root: unknown, { first }: { first: number }) => tickets().slice(0, first) },
        Ticket: { account: (ticket: Ticket) => ({ accountNumber: ticket.accountNumber }) },
        Account: {
          __resolveReference: (reference: { accountNumber: string }) => reference,
          openTickets: (account: { accountNumber: string }) => openTickets(account.accountNumber),
        },
      },
    }),
    plugins: [ApolloServerPluginInlineTraceDisabled()],
  });
  const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
  return { url, close: () => server.stop() };
}

export interface SubgraphRequest {
  subgraph: string;
  query: string;
  variables: Record<string, unknown> | undefined;
}

export interface RunningGateway extends RunningService {
  /** Every request the gateway sent a subgraph since it started (composition's included). */
  readonly requests: SubgraphRequest[];
}

/**
 * An Apollo Gateway composing `subgraphs` by introspecting them (`_service { sdl }`, sent with
 * `introspectionHeaders`), passing each client's Authorization header on to every subgraph.
 */
export async function startGateway({
  subgraphs,
  introspectionHeaders = {},
}: {
  subgraphs: { name: string; url: string }[];
  introspectionHeaders?: Record<string, string>;
}): Promise<RunningGateway> {
  const requests: SubgraphRequest[] = [];
  const gateway = new ApolloGateway({
    supergraphSdl: new IntrospectAndCompose({ subgraphs, introspectionHeaders }),
    logger: quiet,
    buildService: ({ name, url }) =>
      new (class extends RemoteGraphQLDataSource<{ authorization?: string }> {
        override willSendRequest({
          request,
          context,
        }: Parameters<
          NonNullable<RemoteGraphQLDataSource<{ authorization?: string }>['willSendRequest']>
        >[0]) {
          requests.push({ subgraph: name, query: request.query ?? '', variables: request.variables });
          if (context.authorization) request.http?.headers.set('authorization', context.authorization);
        }
      })({ url: url! }),
  });
  const server = new ApolloServer({ gateway });
  const { url } = await startStandaloneServer(server, {
    listen: { port: 0, host: '127.0.0.1' },
    context: async ({ req }) => ({
      ...(req.headers.authorization && { authorization: req.headers.authorization }),
    }),
  });
  return { url, requests, close: () => server.stop() };
}

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** Posts `query` to a GraphQL endpoint over HTTP. */
export async function post<T = any>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  token?: string,
): Promise<{
  status: number;
  data?: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token && { Authorization: `Bearer ${token}` }) },
    body: JSON.stringify({ query, ...(variables && { variables }) }),
  });
  return { status: response.status, ...((await response.json()) as object) };
}
