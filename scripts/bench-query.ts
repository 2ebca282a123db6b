/**
 * `npm run bench:query`: what one query costs the hub, measured from outside as production runs it —
 * the compiled hub (`node dist/main.js`) in its own process against both simulators in another, an
 * in-memory database, default logging — side by side with a bare Apollo Server 5 (the hub's schema,
 * answers from memory, nothing else) in one invocation:
 *
 * 1. CPU per request of `{ accounts(first: 5) { nodes { accountNumber name } } }` under concurrent load,
 *    hub and baseline in alternating rounds, from each process's own CPU time (Linux /proc): medians,
 *    throughput and the ratio.
 * 2. The README's example query: the hub's CPU per query, sequentially.
 * 3. Back-end requests per query (from the hub's own /metrics): the example query, and one unified page
 *    (Finance view, contacts, quotes, lines, products) of 5, 50 and 500 accounts.
 * 4. Latency of the example query at 0 ms and at 20 ms of simulated back-end latency: median and p95,
 *    and the dependency depth that the difference implies.
 *
 * Options: --rounds N (default 5), --requests N per round (default 2000), --connections N (default 10),
 * --runs N sequential example queries per latency (default 40), --accounts N (default 600),
 * --cpu-prof DIR: profile the hub (`node --cpu-prof`) under the trivial query's load only (or, with
 * --cpu-prof-of example, the example query's; with --cpu-prof-of bare, profile bare Apollo under the
 * trivial query instead), write the profile to DIR when it stops, and skip the rest.
 */
import { type ChildProcess, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { postGraphQL } from './bench/graphql.js';
import {
  backendCounts,
  median,
  percentile,
  startHubProcess,
  startProcess,
  startSimulatorsProcess,
} from './bench/processes.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    requests: { type: 'string', default: '2000' },
    connections: { type: 'string', default: '10' },
    runs: { type: 'string', default: '40' },
    accounts: { type: 'string', default: '600' },
    'cpu-prof': { type: 'string' },
    'cpu-prof-of': { type: 'string', default: 'trivial' },
  },
});
const rounds = Number(values.rounds);
const requestsPerRound = Number(values.requests);
const connections = Number(values.connections);
const runs = Number(values.runs);
const accounts = Number(values.accounts);
const profileDir = values['cpu-prof'];
const profileExample = values['cpu-prof-of'] === 'example';
const profileBare = values['cpu-prof-of'] === 'bare';

const exampleQuery = readFileSync(new URL('./example-query.graphql', import.meta.url), 'utf8');
const trivialQuery = '{ accounts(first: 5) { nodes { accountNumber name } } }';
const unifiedPage = `query Page($first: Int!) {
  accounts(first: $first) {
    nodes {
      accountNumber name
      finance { CustomerAccount CreditLimit }
      contacts { contactNumber fullName finance { __typename } }
      quotes { quoteNumber lines { lineNumber product { productNumber name price finance { ProductNumber } } } }
    }
  }
}`;

/** The compiled hub as `npm start` runs it, on a free port with an in-memory database. */
async function startHub(
  systems: NodeJS.ProcessEnv,
  profile?: string,
): Promise<{ pid: number; url: string; child: ChildProcess }> {
  return startHubProcess(systems, { nodeArgs: profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [] });
}

const startSimulators = async (latencyMs: number): Promise<NodeJS.ProcessEnv> =>
  (await startSimulatorsProcess(accounts, latencyMs)).systems;

async function startBareApollo(profile?: string): Promise<{ pid: number; url: string; child: ChildProcess }> {
  const node = profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [];
  const { child, match } = await startProcess(
    [...node, '--import', 'tsx', 'scripts/bench/bare-apollo.ts'],
    /bare Apollo at (\S+)/,
  );
  return { pid: child.pid!, url: match[1]!, child };
}

/** User plus system CPU time of a process so far, in milliseconds (Linux: /proc/<pid>/stat, 100 Hz). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const post = (url: string, query: string, variables?: Record<string, unknown>): Promise<unknown> =>
  postGraphQL(url, query, variables);

/** CPU ms per second a process spends with no request at all (the hub's job engine polls, leases renew). */
async function idleCpuPerSecond(pid: number, seconds = 10): Promise<number> {
  const before = cpuMs(pid);
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  return (cpuMs(pid) - before) / seconds;
}

/**
 * `total` requests over `connections` concurrent loops: CPU ms per request of `pid` in all, and without
 * what it would have spent idle meanwhile (`idlePerSecond`); and requests/s.
 */
async function load(target: { pid: number; url: string }, query: string, total: number, idlePerSecond = 0) {
  let next = 0;
  const cpuBefore = cpuMs(target.pid);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (next++ < total) await post(target.url, query);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuMs(target.pid) - cpuBefore;
  return {
    cpuPerRequest: cpu / total,
    marginalCpuPerRequest: (cpu - idlePerSecond * seconds) / total,
    perSecond: total / seconds,
  };
}

/** The back-end requests one query makes: per system in total, and per entity set. */
async function requestsOf(url: string, query: string, variables?: Record<string, unknown>): Promise<string> {
  const before = await backendCounts(url);
  await post(url, query, variables);
  const after = await backendCounts(url);
  const bySystem = new Map<string, number>();
  const bySet: string[] = [];
  for (const [key, n] of after) {
    const delta = n - (before.get(key) ?? 0);
    if (delta === 0) continue;
    const system = key.split(' ')[0]!;
    bySystem.set(system, (bySystem.get(system) ?? 0) + delta);
    bySet.push(`${key} ×${delta}`);
  }
  return `${[...bySystem].map(([system, n]) => `${system} ${n}`).join(', ')} (${bySet.join(', ')})`;
}

/** A numbered account with contacts and at least two quotes: the example query touches every relation. */
async function exampleAccount(url: string): Promise<string> {
  const data = (await post(
    url,
    '{ accounts(first: 200) { nodes { accountNumber contacts { contactNumber } quotes { quoteNumber } } } }',
  )) as {
    accounts: { nodes: { accountNumber: string; contacts: unknown[]; quotes: unknown[] }[] };
  };
  const found = data.accounts.nodes.find((a) => a.contacts.length > 0 && a.quotes.length >= 2);
  if (!found) throw new Error('No account of the first 200 has contacts and two quotes.');
  return found.accountNumber;
}

async function sequential(url: string, variables: Record<string, unknown>, n: number): Promise<number[]> {
  const timings: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await post(url, exampleQuery, variables);
    timings.push(performance.now() - started);
  }
  return timings;
}

console.log('Compiling the hub (tsc -p tsconfig.build.json) …');
execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
console.log(
  `bench:query — ${accounts} accounts, ${availableParallelism()} cores, Node ${process.version}; ` +
    `${rounds} rounds of ${requestsPerRound} requests over ${connections} connections per server`,
);

const [fast, bare] = await Promise.all([
  startSimulators(0).then((systems) => startHub(systems, profileBare ? undefined : profileDir)),
  startBareApollo(profileBare ? profileDir : undefined),
]);
const variables = { accountNumber: await exampleAccount(fast.url) };

/** Stops the profiled server (a clean stop writes the profile) and the benchmark. */
async function stopProfiled(): Promise<never> {
  const profiled = profileBare ? bare.child : fast.child;
  const stopped = new Promise((resolve) => profiled.once('exit', resolve));
  profiled.kill('SIGTERM');
  await stopped;
  console.log(`\nThe ${profileBare ? 'bare Apollo' : 'hub'}'s CPU profile is in ${profileDir}`);
  process.exit(0);
}

if (!profileExample) {
  // 1. The trivial query: hub and bare Apollo in alternating rounds, after a warm-up and a look at what
  // each spends idle.
  await load(fast, trivialQuery, 500);
  await load(bare, trivialQuery, 500);
  const [hubIdle, bareIdle] = await Promise.all([idleCpuPerSecond(fast.pid), idleCpuPerSecond(bare.pid)]);
  type Round = Awaited<ReturnType<typeof load>>;
  const hubRounds: Round[] = [];
  const bareRounds: Round[] = [];
  for (let round = 0; round < rounds; round++) {
    hubRounds.push(await load(fast, trivialQuery, requestsPerRound, hubIdle));
    bareRounds.push(await load(bare, trivialQuery, requestsPerRound, bareIdle));
  }
  const summary = (name: string, results: Round[], idle: number) => {
    const total = median(results.map((r) => r.cpuPerRequest));
    const marginal = median(results.map((r) => r.marginalCpuPerRequest));
    console.log(
      `  ${name.padEnd(12)} ${total.toFixed(3)} ms CPU per request (${marginal.toFixed(3)} ms without its idle ` +
        `${idle.toFixed(1)} ms/s), ${median(results.map((r) => r.perSecond)).toFixed(0)} req/s`,
    );
    return { total, marginal };
  };
  console.log(`\n${trivialQuery}`);
  const hubCpu = summary('hub:', hubRounds, hubIdle);
  const bareCpu = summary('bare Apollo:', bareRounds, bareIdle);
  console.log(
    `  ratio:       ${(hubCpu.total / bareCpu.total).toFixed(2)}× the CPU of bare Apollo in all, ` +
      `${(hubCpu.marginal / bareCpu.marginal).toFixed(2)}× per request without idle work (goal ≤ 3×)`,
  );
}
if (profileDir && !profileExample) await stopProfiled();

// 2. The example query's CPU, sequentially.
await sequential(fast.url, variables, 20);
const exampleCpu: number[] = [];
for (let round = 0; round < rounds; round++) {
  const before = cpuMs(fast.pid);
  await sequential(fast.url, variables, 50);
  exampleCpu.push((cpuMs(fast.pid) - before) / 50);
}
console.log(`\nThe example query (account ${variables.accountNumber}):`);
console.log(`  hub CPU: ${median(exampleCpu).toFixed(2)} ms per query (goal ≤ 8 ms)`);
if (profileDir) await stopProfiled();

// 3. Back-end requests per query.
console.log(`  back-end requests: ${await requestsOf(fast.url, exampleQuery, variables)}`);
console.log('\nOne unified page (Finance view, contacts, quotes, lines, products) — back-end requests:');
for (const first of [5, 50, 500]) {
  console.log(
    `  accounts(first: ${String(first).padStart(3)}): ${await requestsOf(fast.url, unifiedPage, { first })}`,
  );
}

// 4. Latency at 0 ms and 20 ms of back-end latency, and the dependency depth: at 200 ms of latency the
// hub's own time is small beside the round trips, so the extra time over 0 ms, in 200 ms steps, counts them.
const [slow, slowest] = await Promise.all([
  startSimulators(20).then((systems) => startHub(systems)),
  startSimulators(200).then((systems) => startHub(systems)),
]);
const medians = new Map<number, number>();
console.log(`\nThe example query, ${runs} sequential runs (10 at 200 ms):`);
for (const [latencyMs, hub, n] of [
  [0, fast, runs],
  [20, slow, runs],
  [200, slowest, 10],
] as const) {
  await sequential(hub.url, variables, 3);
  const timings = await sequential(hub.url, variables, n);
  medians.set(latencyMs, median(timings));
  console.log(
    `  back-end latency ${String(latencyMs).padStart(3)} ms: median ${median(timings).toFixed(1)} ms, p95 ${percentile(timings, 0.95).toFixed(1)} ms`,
  );
}
// Whole steps: the hub's own time and a busy machine only ever add to the difference.
const depth = Math.floor((medians.get(200)! - medians.get(0)!) / 200);
const bound = 1.15 * depth * 20 + 5;
console.log(
  `  dependency depth ${depth} round trips; at 20 ms the median ${medians.get(20)!.toFixed(1)} ms is ` +
    `${(medians.get(20)! / (depth * 20)).toFixed(2)}× the critical path (goal: ≤ 1.15 × ${depth} × 20 + 5 = ${bound.toFixed(0)} ms)`,
);
process.exit(0);
