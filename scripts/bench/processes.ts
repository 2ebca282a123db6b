/**
 * The child processes of the benchmarks that run the compiled hub from outside (`bench:query`,
 * `bench:federation`): the simulators and the hub each in a process of its own, every child the leader of
 * a process group of its own, stopped by that group's id alone (also when the benchmark exits early); the
 * hub's back-end request counters from its /metrics; medians and percentiles.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const children: ChildProcess[] = [];

const signalGroup = (child: ChildProcess, signal: NodeJS.Signals): void => {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // Already gone.
  }
};
process.on('exit', () => {
  for (const child of children) signalGroup(child, 'SIGTERM');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

/** Stops a child's process group: SIGTERM, then SIGKILL if it is still there after 15 s. */
export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  signalGroup(child, 'SIGTERM');
  const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** Spawns a node program and resolves with the first stdout match of `pattern`; the rest is drained. */
export async function startProcess(
  args: string[],
  pattern: RegExp,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ child: ChildProcess; match: RegExpExecArray; lines: string[] }> {
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  children.push(child);
  const lines: string[] = [];
  // Warnings (no authentication configured) are expected here; only a failed start shows them.
  child.stderr!.on('data', (chunk: Buffer) => lines.push(chunk.toString()));
  const reader = createInterface({ input: child.stdout! });
  for await (const line of reader) {
    lines.push(line);
    const match = pattern.exec(line);
    if (match) {
      // Keep reading (and dropping) what it writes, or a full pipe would block it.
      child.stdout!.resume();
      return { child, match, lines };
    }
  }
  throw new Error(`${args.join(' ')} stopped before it was ready:\n${lines.join('\n')}`);
}

/** Both compiled simulators in a process of their own; `systems` is the environment that points a hub at them. */
export async function startSimulatorsProcess(
  accounts: number,
  latencyMs: number,
): Promise<{ child: ChildProcess; systems: NodeJS.ProcessEnv }> {
  const { child, lines } = await startProcess(
    [
      'dist/simulators/main.js',
      `--accounts=${accounts}`,
      '--sales-port=0',
      '--finance-port=0',
      `--latency-ms=${latencyMs}`,
    ],
    /^export FINANCE_COMPANY=/,
  );
  const systems: NodeJS.ProcessEnv = {};
  for (const line of lines) {
    const match = /^export (\w+)=(.*)$/.exec(line);
    if (match) systems[match[1]!] = match[2]!.replace(/^'(.*)'$/, '$1');
  }
  return { child, systems };
}

/**
 * The compiled hub as `npm start` runs it, on a free port with an in-memory database, pointed at
 * `systems`; `env` adds to its environment, `nodeArgs` to node's (`--cpu-prof`).
 */
export async function startHubProcess(
  systems: NodeJS.ProcessEnv,
  { env = {}, nodeArgs = [] }: { env?: NodeJS.ProcessEnv; nodeArgs?: string[] } = {},
): Promise<{ child: ChildProcess; pid: number; url: string }> {
  const { child, match } = await startProcess(
    [...nodeArgs, '--enable-source-maps', 'dist/main.js'],
    /GraphQL API: (\S+)/,
    {
      PATH: process.env['PATH'],
      ...systems,
      PORT: '0',
      HUB_DATA_DIR: 'memory://',
      // Room for the 500-account unified page; the other benchmark queries are far below both.
      HUB_MAX_FIRST: '500',
      HUB_MAX_COST: '1000000',
      ...env,
    },
  );
  return { child, pid: child.pid!, url: match[1]! };
}

/** The hub's back-end requests so far per `system entity-set`, from its Prometheus counters. */
export async function backendCounts(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(new URL('/metrics', url))).text();
  const counts = new Map<string, number>();
  for (const match of text.matchAll(/^p2c_backend_requests_total\{([^}]*)\} (\d+)/gm)) {
    const labels = Object.fromEntries([...match[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    const key = `${labels['system']} ${labels['entity_set']}`;
    counts.set(key, (counts.get(key) ?? 0) + Number(match[2]));
  }
  return counts;
}

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

export const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))]!;
};
