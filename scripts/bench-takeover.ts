/**
 * `npm run bench:takeover`: how long a sync run waits for another hub instance once the instance executing
 * it is lost. Each trial makes a PostgreSQL database of its own (dropped after it) and starts three hub
 * processes (`node --import tsx src/main.ts`) on it, named `t<trial>-hub-<n>` (`HUB_INSTANCE_ID`), with
 * the trial's `HUB_RUN_LEASE_MS`; Sales and Finance are simulators in this process, slowed by `--latency-ms`
 * so that the run lasts. After a random wait of up to a lease (so that the loss falls at any moment of the
 * hubs' renewal and sweep cycles, which start with them), a FULL run of the accounts flow starts on
 * instance 1; once it has committed a page (`totals.read` > 0) the instance executing it (from the
 * instances' `/readyz`) is lost:
 *
 * - killed: SIGKILL. The survivors' next sweep (every half lease) sees on this machine that its pid is
 *   gone, releases the run, and one of them claims it through its pg-boss job.
 * - frozen: SIGSTOP. Its pid still lives but it renews nothing, as a machine cut off would: the lease must
 *   run out first. Once a survivor has committed a page, the frozen instance gets SIGCONT (it must give the
 *   run up without writing to it), and is killed after the run ended.
 *
 * Measured from the signal, by polling `syncRun` on a survivor every 50 ms: (a) until a survivor claims
 * the run (`executedBy` another instance, or a note more), (b) until `totals.read` grows past its value at
 * the claim (the first page the new owner commits). Every run is then followed to its end, which must be
 * SUCCEEDED with `totals.read` equal to the Sales accounts (each read once, whoever executed the page).
 * Prints min/median/max of (a) and (b) per scenario and lease, and every failure: a takeover (a or b)
 * missing 3 leases + 30 s after the signal, or a run ending otherwise, makes the exit code 1. The warnings
 * and errors the hubs logged are printed, but for those every trial has (no authentication, the takeover).
 *
 * Options: --admin-url URL (default `BENCH_DATABASE_URL` or postgres://postgres@127.0.0.1:5432/test; the
 * role must be able to create databases), --lease-ms LIST (30000,5000: a set of trials per lease),
 * --scenarios LIST (killed,frozen), --repeats N (3, trials per scenario and lease), --accounts N (3000),
 * --latency-ms N (100, added to every simulator answer), --timeout-seconds N (900, then everything stops).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createCleanups, type HubProcess, startHubProcess, startSystems } from './bench-cluster.js';

const { values } = parseArgs({
  options: {
    'admin-url': {
      type: 'string',
      default: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    },
    'lease-ms': { type: 'string', default: '30000,5000' },
    scenarios: { type: 'string', default: 'killed,frozen' },
    repeats: { type: 'string', default: '3' },
    accounts: { type: 'string', default: '3000' },
    'latency-ms': { type: 'string', default: '100' },
    'timeout-seconds': { type: 'string', default: '900' },
  },
});
const adminUrl = values['admin-url'];
const leases = values['lease-ms'].split(',').map(Number);
const scenarios = values.scenarios.split(',');
const repeats = Number(values.repeats);
const accounts = Number(values.accounts);
const latencyMs = Number(values['latency-ms']);
const instances = 3;
const pollMs = 50;
const finished = new Set(['SUCCEEDED', 'COMPLETED_WITH_ERRORS', 'FAILED', 'CANCELLED']);
for (const scenario of scenarios) {
  if (scenario !== 'killed' && scenario !== 'frozen') throw new Error(`unknown scenario '${scenario}'`);
}
for (const lease of leases) {
  if (!Number.isInteger(lease) || lease < 1_000)
    throw new Error(`a lease is a whole number ≥ 1000, got ${lease}`);
}

const cleanups = createCleanups('bench:takeover', Number(values['timeout-seconds']));

const admin = new pg.Client({ connectionString: adminUrl, application_name: 'bench-takeover' });
await admin.connect();
cleanups.push(() => admin.end());

// Sales and Finance outside the hubs, as real systems are; slow, so that a run lasts.
const systems = await startSystems(accounts, 'bench-takeover-client-secret', cleanups);
for (const system of [systems.sales, systems.finance]) system.faults.set({ latencyMs });
const salesAccounts = systems.sales.store.scan('accounts').length;

interface Hub extends HubProcess {
  id: string;
  frozen: boolean;
}

/** Starts one hub and resolves once it serves; it is stopped by the cleanups, or by the trial. */
async function startHub(databaseUrl: string, id: string, leaseMs: number): Promise<Hub> {
  const hub = { id, frozen: false } as Hub;
  const env = { HUB_INSTANCE_ID: id, HUB_RUN_LEASE_MS: String(leaseMs) };
  // A frozen process would not act on SIGTERM; it is past saving anyway.
  const started = await startHubProcess(systems, databaseUrl, env, cleanups, () =>
    hub.frozen ? 'SIGKILL' : 'SIGTERM',
  );
  return Object.assign(hub, started);
}

async function graphql<T>(hub: Hub, query: string, variables?: Record<string, unknown>): Promise<T> {
  const response = await fetch(hub.url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown };
  if (!body.data) throw new Error(`${hub.id}: ${JSON.stringify(body.errors)}`);
  return body.data;
}

interface Run {
  status: string;
  notes: string[];
  executedBy: string | null;
  totals: { read: number };
}
const runOn = async (hub: Hub, id: string) =>
  (
    await graphql<{ syncRun: Run }>(
      hub,
      'query($id: ID!) { syncRun(id: $id) { status notes executedBy totals { read } } }',
      { id },
    )
  ).syncRun;

/** The runs an instance says (at `/readyz`, whose answer it keeps for a second) it executes. */
async function executing(hub: Hub): Promise<string[]> {
  const response = await fetch(new URL('/readyz', hub.url));
  const body = (await response.json()) as { instance?: { id: string; executingRuns: string[] } };
  return body.instance?.executingRuns ?? [];
}

/** Polls `look` every 50 ms until it returns a value (resolved with it) or `limitMs` passed (null). */
async function poll<T>(limitMs: number, look: () => Promise<T | undefined>): Promise<T | null> {
  const until = performance.now() + limitMs;
  for (;;) {
    const tick = performance.now();
    const found = await look();
    if (found !== undefined) return found;
    if (performance.now() >= until) return null;
    await sleep(Math.max(0, tick + pollMs - performance.now()));
  }
}

/** What a hub logs as a warning in every trial: the missing authentication, and the takeover itself. */
const expected = [
  /no authentication is configured/,
  /Sync runs left behind by an instance that went away, handed to the next free instance/,
  /sync run taken over by another instance: this instance stopped executing it/,
];

/** The other warnings and worse that a hub logged (one JSON object a line), shortened. */
function complaints(hub: Hub): string[] {
  return hub
    .output()
    .split('\n')
    .filter((line) => /"level":"(warn|error|fatal)"/.test(line) || /^\s*\w*Error\b/.test(line))
    .filter((line) => !expected.some((pattern) => pattern.test(line)))
    .map((line) => `  ${hub.id}: ${line.length > 1500 ? `${line.slice(0, 1500)}…` : line}`);
}

const ok = (hub: Hub) => ({ hub });
const failed = (error: unknown) => ({ error });

interface Trial {
  scenario: string;
  leaseMs: number;
  /** ms from the signal to the claim by a survivor, and to its first committed page; null if missed. */
  claimMs: number | null;
  progressMs: number | null;
  problems: string[];
  complaints: string[];
}

/** One trial: a fresh database and three hubs, a run, its owner lost as `scenario` says. */
async function trial(index: number, scenario: string, leaseMs: number): Promise<Trial> {
  const result: Trial = { scenario, leaseMs, claimMs: null, progressMs: null, problems: [], complaints: [] };
  const database = `hub_bench_takeover_${process.pid}_${index}`;
  await admin.query(`create database ${database} template template0`);
  const databaseUrl = new URL(adminUrl);
  databaseUrl.pathname = `/${database}`;
  const hubs: Hub[] = [];
  try {
    // Instance 1 first: it makes the run queue. Hubs making it at once on a fresh database can deadlock in
    // pg-boss's create_queue (one of them then exits with "The hub cannot start: deadlock detected").
    // Every hub that started is stopped below, even when another did not.
    const name = (n: number) => `t${index}-hub-${n}`;
    const starts = [await startHub(databaseUrl.toString(), name(1), leaseMs).then(ok, failed)];
    starts.push(
      ...(await Promise.all(
        Array.from({ length: instances - 1 }, (_, n) =>
          startHub(databaseUrl.toString(), name(n + 2), leaseMs).then(ok, failed),
        ),
      )),
    );
    for (const start of starts) if ('hub' in start) hubs.push(start.hub);
    for (const start of starts) if ('error' in start) throw start.error;
    // The hubs renew and sweep on timers started with them: a random wait of up to a lease puts the loss
    // at any moment of those cycles, as a real loss would be, rather than always at the same one.
    const waitMs = Math.floor(Math.random() * leaseMs);
    await sleep(waitMs);
    const { startSync } = await graphql<{ startSync: { id: string } }>(
      hubs[0]!,
      'mutation { startSync(input: { flows: [ACCOUNTS], mode: FULL }) { id } }',
    );
    const runId = startSync.id;
    const limitMs = 3 * leaseMs + 30_000;

    // The first committed page, then the owner: /readyz of the instance executing it names the run.
    const started = await poll(60_000, async () => {
      const run = await runOn(hubs[0]!, runId);
      if (finished.has(run.status)) throw new Error(`run ${runId} ended ${run.status} before it was lost`);
      return run.totals.read > 0 ? run : undefined;
    });
    if (!started) throw new Error(`run ${runId} committed no page in 60 s`);
    const owner = await poll(10_000, async () => {
      const lists = await Promise.all(hubs.map(executing));
      return hubs.find((_, n) => lists[n]!.includes(runId));
    });
    if (!owner) throw new Error(`no instance says at /readyz that it executes run ${runId}`);
    const survivors = hubs.filter((hub) => hub !== owner);
    const watcher = survivors[0]!;
    const before = await runOn(watcher, runId);
    if (before.executedBy !== owner.id) {
      result.problems.push(`/readyz names ${owner.id} as the executor, executedBy says ${before.executedBy}`);
    }

    // The loss, then (a) the claim by a survivor and (b) its first committed page.
    owner.child.kill(scenario === 'killed' ? 'SIGKILL' : 'SIGSTOP');
    owner.frozen = scenario === 'frozen';
    const lostAt = performance.now();
    // What was read before the claim: the lost owner's last commit (one in flight at SIGKILL may land after it).
    let readAtSignal: number | undefined;
    let readAtClaim = before.totals.read;
    const claim = await poll(limitMs, async () => {
      const run = await runOn(watcher, runId);
      const claimed =
        run.notes.length > before.notes.length || (run.executedBy !== null && run.executedBy !== owner.id);
      if (!claimed) readAtClaim = run.totals.read;
      readAtSignal ??= readAtClaim;
      return claimed ? run : undefined;
    });
    if (!claim) {
      result.problems.push(`no survivor claimed run ${runId} within ${limitMs} ms of the ${scenario} owner`);
    } else {
      result.claimMs = Math.round(performance.now() - lostAt);
      if (claim.executedBy === null || claim.executedBy === owner.id) {
        result.problems.push(`run ${runId} has a new note but executedBy ${claim.executedBy}`);
      }
      const note = claim.notes.at(-1) ?? '';
      if (!note.startsWith('Taken over by'))
        result.problems.push(`unexpected note after the takeover: ${note}`);
      // The claim may have been seen with the new owner's first page in it already.
      const progressed =
        claim.totals.read > readAtClaim
          ? claim
          : await poll(limitMs - (performance.now() - lostAt), async () => {
              const run = await runOn(watcher, runId);
              return run.totals.read > readAtClaim || finished.has(run.status) ? run : undefined;
            });
      if (progressed && progressed.totals.read > readAtClaim) {
        result.progressMs = Math.round(performance.now() - lostAt);
      } else {
        result.problems.push(
          `run ${runId} read nothing more within ${limitMs} ms of the ${scenario} owner` +
            (progressed ? ` (it ended ${progressed.status})` : ''),
        );
      }
    }
    if (owner.frozen) {
      owner.child.kill('SIGCONT');
      owner.frozen = false;
    }

    // Every account read once, by whichever instance executed its page.
    const end = await poll(300_000, async () => {
      const run = await runOn(watcher, runId);
      return finished.has(run.status) ? run : undefined;
    });
    if (!end) {
      result.problems.push(`run ${runId} did not end within 300 s`);
    } else {
      if (end.status !== 'SUCCEEDED' || end.totals.read !== salesAccounts) {
        result.problems.push(
          `run ${runId} ended ${end.status} with totals.read ${end.totals.read} (Sales has ${salesAccounts} accounts)`,
        );
      }
      const takeovers = end.notes.filter((note) => note.startsWith('Taken over by')).length;
      if (takeovers !== 1)
        result.problems.push(`run ${runId} has ${takeovers} takeover notes: ${end.notes.join(' | ')}`);
    }
    if (scenario === 'frozen') {
      // Thawed, it must have let the run go; then it is killed.
      const stillThere = await Promise.race([executing(owner), sleep(5_000).then(() => null)]);
      if (stillThere === null) result.problems.push(`${owner.id} did not answer /readyz 5 s after SIGCONT`);
      else if (stillThere.includes(runId))
        result.problems.push(`${owner.id} still executes ${runId} after SIGCONT`);
      owner.child.kill('SIGKILL');
    }
    await owner.exited;
    console.log(
      `trial ${index}: ${scenario}, lease ${leaseMs} ms, run started ${waitMs} ms after the hubs: ` +
        `owner ${owner.id} lost at ${readAtSignal} read` +
        (readAtClaim !== readAtSignal ? ` (${readAtClaim} when claimed)` : '') +
        '; ' +
        `claimed by ${claim?.executedBy ?? 'nobody'} after ${result.claimMs ?? '-'} ms, ` +
        `first page after ${result.progressMs ?? '-'} ms; ended ${end?.status ?? '?'} ` +
        `with ${end?.totals.read ?? '?'}/${salesAccounts} read` +
        (claim ? `\n  note: ${claim.notes.at(-1)}` : '') +
        (result.problems.length > 0 ? `\n  ${result.problems.join('\n  ')}` : ''),
    );
  } catch (error) {
    result.problems.push(error instanceof Error ? error.message : String(error));
    console.log(`trial ${index}: ${scenario}, lease ${leaseMs} ms: ${result.problems.join('; ')}`);
  } finally {
    // The trial's hubs stop (their cleanups, newest first), then its database goes.
    for (const hub of hubs) {
      if (hub.frozen) hub.child.kill('SIGKILL');
      else hub.child.kill('SIGTERM');
    }
    await Promise.all(
      hubs.map(async (hub) => {
        const timer = setTimeout(() => hub.child.kill('SIGKILL'), 15_000);
        await hub.exited;
        clearTimeout(timer);
      }),
    );
    result.complaints = hubs.flatMap(complaints);
    await admin.query(`drop database if exists ${database} with (force)`);
  }
  return result;
}

try {
  console.log(
    `${accounts} accounts (${salesAccounts} in Sales), ${latencyMs} ms latency; ` +
      `leases ${leases.join(', ')} ms; ${scenarios.join(', ')}; ${repeats} repeats`,
  );
  const trials: Trial[] = [];
  for (const leaseMs of leases) {
    for (const scenario of scenarios) {
      for (let repeat = 0; repeat < repeats; repeat += 1)
        trials.push(await trial(trials.length + 1, scenario, leaseMs));
    }
  }

  const describe = (values: (number | null)[]) => {
    const sorted = values.filter((value): value is number => value !== null).sort((a, b) => a - b);
    if (sorted.length === 0) return '-';
    const median =
      sorted.length % 2 === 1
        ? sorted[(sorted.length - 1) / 2]!
        : Math.round((sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2);
    return `${sorted[0]} / ${median} / ${sorted.at(-1)}`;
  };
  const rows = [
    [
      'scenario',
      'lease ms',
      'repeats',
      'claim ms (min / median / max)',
      'first page ms (min / median / max)',
      'with a problem',
    ],
  ];
  for (const leaseMs of leases) {
    for (const scenario of scenarios) {
      const of = trials.filter((t) => t.scenario === scenario && t.leaseMs === leaseMs);
      rows.push([
        scenario,
        String(leaseMs),
        String(of.length),
        describe(of.map((t) => t.claimMs)),
        describe(of.map((t) => t.progressMs)),
        String(of.filter((t) => t.problems.length > 0).length),
      ]);
    }
  }
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  console.log();
  for (const row of rows) console.log(row.map((cell, column) => cell.padEnd(widths[column]!)).join('  '));

  const failed = trials.filter((t) => t.problems.length > 0);
  const complained = trials.filter((t) => t.complaints.length > 0);
  if (complained.length > 0) {
    console.log('\nwarnings and errors the hubs logged:');
    for (const t of complained) {
      console.log(`trial ${trials.indexOf(t) + 1} (${t.scenario}, lease ${t.leaseMs} ms):`);
      for (const line of t.complaints.slice(0, 20)) console.log(line);
      if (t.complaints.length > 20) console.log(`  … and ${t.complaints.length - 20} more`);
    }
  }
  console.log(`\ntrials with a problem: ${failed.length} of ${trials.length}`);
  process.exitCode = failed.length === 0 ? 0 : 1;
} finally {
  await cleanups.cleanUp();
}
