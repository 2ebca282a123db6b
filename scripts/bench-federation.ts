/**
 * `npm run bench:federation`: what the hub costs as an Apollo Federation v2 subgraph, measured from outside
 * as production runs it — the compiled hub (`node dist/main.js`, `HUB_FEDERATION=true`) in its own process
 * against both simulators in another, an in-memory database, default logging — behind a real Apollo
 * Gateway (IntrospectAndCompose) that composes it with a small "support tickets" subgraph
 * (test/support/federation.ts), both of which run in this process. Needs `npm run build` first (dist/).
 *
 * At 0 ms and at 20 ms of simulated back-end latency, with one open ticket for each of 5 and of 50
 * accounts that are in both systems:
 *
 * 1. Latency of the gateway query `tickets { account { … finance, contacts, quotes, openTickets } }`,
 *    side by side (alternating, run by run) with the hub's one `_entities` call asked directly with the
 *    same representations and account fields — what the gateway's hub call costs without the gateway:
 *    median and p95 of each, and the ratio gateway/direct.
 * 2. Back-end requests per gateway query (from the hub's own /metrics, per system and entity set), and
 *    the requests the gateway sent each subgraph per query (the hub's should be 1, however many tickets).
 *
 * Options: --runs N sequential runs of each query per latency and ticket count (default 40, after 3
 * warm-up runs), --accounts N (default 600), --json FILE: write the figures to FILE as well.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { startGateway, startTicketsSubgraph, type Ticket } from '../test/support/federation.js';
import { postGraphQL } from './bench/graphql.js';
import {
  backendCounts,
  median,
  percentile,
  startHubProcess,
  startSimulatorsProcess,
  stop,
} from './bench/processes.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '40' },
    accounts: { type: 'string', default: '600' },
    json: { type: 'string' },
  },
});
const runs = Number(values.runs);
const accounts = Number(values.accounts);
const warmUps = 3;
const latencies = [0, 20];
const ticketCounts = [5, 50];

for (const file of ['dist/main.js', 'dist/simulators/main.js']) {
  if (!existsSync(file)) {
    console.error(
      `bench:federation runs the compiled hub, and ${file} is missing: run \`npm run build\` first.`,
    );
    process.exit(1);
  }
}

const accountFields = `accountNumber name creditLimit finance { CreditLimit }
  contacts(first: 3) { contactNumber fullName } quotes(first: 3) { quoteNumber status }`;
const gatewayQuery = `query OpenTickets($first: Int) {
  tickets(first: $first) { id title account { ${accountFields} openTickets { id } } }
}`;
const directQuery = `query Accounts($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on Account { ${accountFields} } }
}`;

async function timed(url: string, query: string, variables: Record<string, unknown>): Promise<number> {
  const started = performance.now();
  await postGraphQL(url, query, variables);
  return performance.now() - started;
}

interface Result {
  latencyMs: number;
  tickets: number;
  gateway: { median: number; p95: number };
  direct: { median: number; p95: number };
  ratio: number;
  backendRequests: Record<string, number>;
  backendRequestsBySet: Record<string, number>;
  gatewayRequests: Record<string, number>;
  /** The representations in each request the gateway sent the hub. */
  hubRepresentations: number[];
}
const results: Result[] = [];

console.log(
  `bench:federation — ${accounts} accounts, ${availableParallelism()} cores, Node ${process.version}; ` +
    `${runs} sequential runs of each query (after ${warmUps} warm-ups), gateway and direct alternating`,
);

for (const latencyMs of latencies) {
  const simulators = await startSimulatorsProcess(accounts, latencyMs);
  const hub = await startHubProcess(simulators.systems, { env: { HUB_FEDERATION: 'true' } });
  // Accounts in both systems, as the hub answers them directly: one open ticket for each.
  const page = await postGraphQL<{
    accounts: { nodes: { accountNumber: string; finance: { CreditLimit: string } | null }[] };
  }>(hub.url, '{ accounts(first: 200) { nodes { accountNumber finance { CreditLimit } } } }');
  const both = page.accounts.nodes.filter((account) => account.finance !== null);
  const most = Math.max(...ticketCounts);
  if (both.length < most)
    throw new Error(`Only ${both.length} of the first 200 accounts are in both systems.`);
  const tickets: Ticket[] = both.slice(0, most).map(({ accountNumber }, index) => ({
    id: `T-${index + 1}`,
    title: `Ticket ${index + 1}`,
    status: 'OPEN',
    accountNumber,
  }));
  const ticketsSubgraph = await startTicketsSubgraph(() => tickets);
  const gateway = await startGateway({
    subgraphs: [
      { name: 'hub', url: hub.url },
      { name: 'tickets', url: ticketsSubgraph.url },
    ],
  });
  try {
    for (const count of ticketCounts) {
      const gatewayVariables = { first: count };
      const directVariables = {
        representations: tickets
          .slice(0, count)
          .map(({ accountNumber }) => ({ __typename: 'Account', accountNumber })),
      };
      // Once to check the answer and count what one gateway query costs the hub and its back ends.
      gateway.requests.length = 0;
      const before = await backendCounts(hub.url);
      const answer = await postGraphQL<{ tickets: { account: unknown }[] }>(
        gateway.url,
        gatewayQuery,
        gatewayVariables,
      );
      const after = await backendCounts(hub.url);
      if (answer.tickets.length !== count || answer.tickets.some((ticket) => ticket.account === null))
        throw new Error(
          `The gateway answered ${count} tickets without every account: ${JSON.stringify(answer)}`,
        );
      const gatewayRequests: Record<string, number> = {};
      for (const { subgraph } of gateway.requests)
        gatewayRequests[subgraph] = (gatewayRequests[subgraph] ?? 0) + 1;
      const hubRepresentations = gateway.requests
        .filter(({ subgraph }) => subgraph === 'hub')
        .map(({ variables }) => (variables?.['representations'] as unknown[] | undefined)?.length ?? 0);
      const backendRequests: Record<string, number> = {};
      const backendRequestsBySet: Record<string, number> = {};
      for (const [key, n] of after) {
        const delta = n - (before.get(key) ?? 0);
        if (delta === 0) continue;
        backendRequestsBySet[key] = delta;
        const system = key.split(' ')[0]!;
        backendRequests[system] = (backendRequests[system] ?? 0) + delta;
      }

      for (let i = 0; i < warmUps; i++) {
        await timed(gateway.url, gatewayQuery, gatewayVariables);
        await timed(hub.url, directQuery, directVariables);
      }
      const viaGateway: number[] = [];
      const direct: number[] = [];
      for (let i = 0; i < runs; i++) {
        viaGateway.push(await timed(gateway.url, gatewayQuery, gatewayVariables));
        direct.push(await timed(hub.url, directQuery, directVariables));
      }
      const figures = (timings: number[]) => ({ median: median(timings), p95: percentile(timings, 0.95) });
      results.push({
        latencyMs,
        tickets: count,
        gateway: figures(viaGateway),
        direct: figures(direct),
        ratio: median(viaGateway) / median(direct),
        backendRequests,
        backendRequestsBySet,
        gatewayRequests,
        hubRepresentations,
      });
    }
  } finally {
    await gateway.close();
    await ticketsSubgraph.close();
    await stop(hub.child);
    await stop(simulators.child);
  }
}

const ms = (n: number): string => n.toFixed(1).padStart(8);
console.log(
  '\nLatency in ms (median, p95): the gateway query, and the hub asked its `_entities` directly\n' +
    '\nback end  tickets   gateway      p95    direct      p95   ratio (medians)',
);
for (const r of results) {
  console.log(
    `${`${r.latencyMs} ms`.padStart(8)}  ${String(r.tickets).padStart(7)}  ${ms(r.gateway.median)} ${ms(r.gateway.p95)}` +
      `  ${ms(r.direct.median)} ${ms(r.direct.p95)}   ${r.ratio.toFixed(2)}×`,
  );
}
const list = (counts: Record<string, number>): string =>
  Object.entries(counts)
    .map(([key, n]) => `${key} ${n}`)
    .join(', ') || 'none';
console.log('\nRequests per gateway query: the gateway to each subgraph; the hub to its back ends');
for (const r of results) {
  console.log(
    `${`${r.latencyMs} ms`.padStart(8)}  ${String(r.tickets).padStart(7)}  gateway → ${list(r.gatewayRequests)} ` +
      `(representations to the hub: ${r.hubRepresentations.join(', ')}); ` +
      `back ends: ${list(r.backendRequests)} (${list(r.backendRequestsBySet)})`,
  );
}
for (const latencyMs of latencies) {
  const [few, many] = ticketCounts.map((count) =>
    results.find((r) => r.latencyMs === latencyMs && r.tickets === count),
  );
  const sorted = (r?: Result) => JSON.stringify(Object.entries(r?.backendRequestsBySet ?? {}).sort());
  const same = sorted(few) === sorted(many);
  console.log(
    `  at ${latencyMs} ms: ${same ? 'as many' : 'NOT as many'} back-end requests for ${ticketCounts.join(' as for ')} tickets`,
  );
}
if (values.json) {
  const figures = { accounts, runs, warmUps, cores: availableParallelism(), node: process.version, results };
  writeFileSync(values.json, `${JSON.stringify(figures, null, 2)}\n`);
  console.log(`\nFigures written to ${values.json}`);
}
process.exit(0);
