/**
 * The baseline of `npm run bench:query`: a bare Apollo Server 5 with the hub's schema (the same SDL, so
 * parsing and validation see the same types) answering `accounts(first:)` from memory, with nothing
 * else — no authentication, limits, logging, connectors or database. Started as a child process by the
 * benchmark; prints its URL on stdout.
 */
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { loadTypeDefs } from '../../src/graphql/schema.js';

const accounts = Array.from({ length: 500 }, (_, i) => ({
  accountNumber: `ACC-${String(i + 1).padStart(5, '0')}`,
  name: `Account ${i + 1}`,
}));

const schema = makeExecutableSchema({
  typeDefs: loadTypeDefs(),
  resolvers: {
    Query: {
      accounts: (_: unknown, { first }: { first?: number }) => ({ nodes: accounts.slice(0, first ?? 50) }),
    },
  },
});

// Stopped by the benchmark with SIGTERM: exit cleanly, so that a `--cpu-prof` profile gets written.
const server = new ApolloServer({ schema, stopOnTerminationSignals: false });
process.once('SIGTERM', () => process.exit(0));
const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
console.log(`bare Apollo at ${url}`);
