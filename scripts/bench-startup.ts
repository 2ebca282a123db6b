/**
 * `npm run bench:startup` and `npm run bench:memory`: start-up time and resident memory of the embedded
 * default, `npm start` with no configuration (embedded PGlite in a folder, both simulators in-process with
 * the 300-account demo data), measured on the compiled hub (`node dist/main.js`; run `npm run build`
 * first) as a child process.
 *
 * Each round starts the hub twice: on a new, empty HUB_DATA_DIR (a first start: the database is created)
 * and again on the same folder (a later start), stopping it with SIGTERM in between. Per start:
 *
 * - ready: from spawning node until the `GraphQL API:` line.
 * - silence: the longest wait between two lines the hub printed before that one (a person watching the
 *   terminal waits that long without news), and the line it followed.
 * - RSS ready / RSS idle: the hub process's VmRSS at the ready line and after `--idle-seconds` of idling.
 * - peak: the process's VmHWM (its highest RSS since it started) after the idle wait.
 * - tree peak: the highest sum of VmRSS of the hub and every process under it, sampled every 25 ms until
 *   the idle wait ends; it counts a helper process (the first start's database creation) that the hub's
 *   own figures do not.
 *
 * Prints every start, then the median of each figure for first and later starts. Linux only for the memory
 * figures (/proc); elsewhere they show as '-'. Options: --rounds N (5), --idle-seconds N (5), --keep (leave
 * the data folders in the temporary folder), --main PATH (the compiled entry point, default dist/main.js,
 * to compare another build). The machine should be otherwise idle: start-up is CPU-bound.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    'idle-seconds': { type: 'string', default: '5' },
    keep: { type: 'boolean', default: false },
    main: { type: 'string', default: 'dist/main.js' },
  },
});
const rounds = Number(values.rounds);
const idleSeconds = Number(values['idle-seconds']);
if (!Number.isSafeInteger(rounds) || rounds < 1 || !(idleSeconds >= 0)) {
  console.error(
    `--rounds must be a whole number ≥ 1 and --idle-seconds a number ≥ 0, got '${values.rounds}' and '${values['idle-seconds']}'`,
  );
  process.exit(2);
}

const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const readyTimeoutMs = 120_000;
if (!existsSync(resolve(projectRoot, values.main))) {
  console.error(
    `${values.main} is missing: run \`npm run build\` first (the benchmark starts the compiled hub).`,
  );
  process.exit(2);
}

/** Variables that would make the hub something else than the embedded default; cleared for the child. */
const cleared = [
  'DATABASE_URL',
  'SALES_URL',
  'FINANCE_URL',
  'HUB_API_KEYS',
  'HUB_JWT_JWKS_URL',
  'HUB_JWT_SECRET',
  'VALUE_MAPS_FILE',
  'SIMULATOR_LATENCY_MS',
  'LOG_LEVEL',
  'NODE_OPTIONS',
];

interface StartFigures {
  readyMs: number;
  silenceMs: number;
  /** The message printed just before the longest silence (`(start)` when it came first). */
  silenceAfter: string;
  rssReadyMiB: number | null;
  rssIdleMiB: number | null;
  peakMiB: number | null;
  treePeakMiB: number | null;
}

/** One field of /proc/<pid>/status in MiB (VmRSS, VmHWM); null off Linux or once the process is gone. */
async function statusMiB(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number | null> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => null);
  const kib = status && new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1];
  return kib ? Number(kib) / 1024 : null;
}

/** The pids of `pid` and every process under it (from /proc/<pid>/task/<tid>/children). */
async function processTree(pid: number): Promise<number[]> {
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) {
    const tasks = await readdir(`/proc/${tree[i]}/task`).catch(() => [] as string[]);
    for (const task of tasks) {
      const children = await readFile(`/proc/${tree[i]}/task/${task}/children`, 'utf8').catch(() => '');
      tree.push(...children.split(' ').filter(Boolean).map(Number));
    }
  }
  return tree;
}

/** Samples the tree's summed VmRSS until `stop` is called; resolves with the highest sum seen. */
function sampleTreePeak(pid: number): { stop(): Promise<number | null> } {
  let peak: number | null = null;
  let running = true;
  const sampling = (async () => {
    while (running) {
      const rss = await Promise.all((await processTree(pid)).map((p) => statusMiB(p, 'VmRSS')));
      const known = rss.filter((value): value is number => value !== null);
      if (known.length > 0)
        peak = Math.max(
          peak ?? 0,
          known.reduce((sum, value) => sum + value, 0),
        );
      await sleep(25);
    }
  })();
  return {
    async stop() {
      running = false;
      await sampling;
      return peak;
    },
  };
}

/** Starts `node dist/main.js` on `dataDir`, measures it, stops it with SIGTERM. */
async function measureStart(dataDir: string): Promise<StartFigures> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--enable-source-maps', values.main], {
    cwd: projectRoot,
    env: {
      ...process.env,
      ...Object.fromEntries(cleared.map((name) => [name, ''])),
      HUB_DATA_DIR: dataDir,
      PORT: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const tree = sampleTreePeak(child.pid!);
  let output = '';
  let lastLineAt = started;
  let silenceMs = 0;
  let lastMessage = '(start)';
  let silenceAfter = lastMessage;
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const readyMs = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the hub was not ready within ${readyTimeoutMs / 1000} s:\n${output}`)),
      readyTimeoutMs,
    );
    const onOutput = (chunk: Buffer) => {
      const now = performance.now();
      if (now - lastLineAt > silenceMs) {
        silenceMs = now - lastLineAt;
        silenceAfter = lastMessage;
      }
      lastLineAt = now;
      output += chunk.toString();
      lastMessage = messageOf(output.trimEnd().split('\n').at(-1) ?? '');
      if (output.includes('GraphQL API:')) {
        clearTimeout(timer);
        child.stdout.off('data', onOutput);
        child.stdout.on('data', (rest: Buffer) => (output += rest.toString()));
        resolve(now - started);
      }
    };
    child.stdout.on('data', onOutput);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the hub exited (${code}) before it was ready:\n${output}`));
    });
  });
  const rssReadyMiB = await statusMiB(child.pid!, 'VmRSS');
  await sleep(idleSeconds * 1000);
  const rssIdleMiB = await statusMiB(child.pid!, 'VmRSS');
  const peakMiB = await statusMiB(child.pid!, 'VmHWM');
  const treePeakMiB = await tree.stop();
  child.kill('SIGTERM');
  const code = await exited;
  if (code !== 0) throw new Error(`the hub stopped with exit code ${code}:\n${output}`);
  return { readyMs, silenceMs, silenceAfter, rssReadyMiB, rssIdleMiB, peakMiB, treePeakMiB };
}

/** A log line's message (the hub logs JSON lines), shortened for the report. */
function messageOf(line: string): string {
  let message = line;
  try {
    message = String((JSON.parse(line) as { msg?: unknown }).msg ?? line);
  } catch {
    // Not JSON: printed as it is.
  }
  return message.length > 60 ? `${message.slice(0, 59)}…` : message;
}

function median(numbers: readonly number[]): number {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const columns: [Exclude<keyof StartFigures, 'silenceAfter'>, string, (value: number) => string][] = [
  ['readyMs', 'ready', (ms) => `${(ms / 1000).toFixed(2)} s`],
  ['silenceMs', 'silence', (ms) => `${(ms / 1000).toFixed(2)} s`],
  ['rssReadyMiB', 'RSS ready', (mib) => `${mib.toFixed(0)} MiB`],
  ['rssIdleMiB', 'RSS idle', (mib) => `${mib.toFixed(0)} MiB`],
  ['peakMiB', 'peak', (mib) => `${mib.toFixed(0)} MiB`],
  ['treePeakMiB', 'tree peak', (mib) => `${mib.toFixed(0)} MiB`],
];

function row(label: string, cells: (number | null)[]): string {
  return [
    label.padEnd(16),
    ...cells.map((value, i) => (value === null ? '-' : columns[i]![2](value)).padStart(11)),
  ].join('');
}

console.log(
  `Embedded default (node ${values.main}), ${rounds} rounds, ${idleSeconds} s idle before the idle figures`,
);
console.log(row('', []) + columns.map(([, title]) => title.padStart(11)).join(''));
const results: Record<'first' | 'later', StartFigures[]> = { first: [], later: [] };
const root = await mkdtemp(join(tmpdir(), 'hub-bench-startup-'));
try {
  for (let round = 1; round <= rounds; round++) {
    const dataDir = join(root, `round-${round}`);
    for (const kind of ['first', 'later'] as const) {
      const figures = await measureStart(dataDir);
      results[kind].push(figures);
      console.log(
        row(
          `${kind} start ${round}`,
          columns.map(([key]) => figures[key]),
        ),
        ` (longest silence after: ${figures.silenceAfter})`,
      );
    }
  }
  console.log('medians');
  for (const kind of ['first', 'later'] as const) {
    const cells = columns.map(([key]) => {
      const known = results[kind].map((figures) => figures[key]).filter((v): v is number => v !== null);
      return known.length > 0 ? median(known) : null;
    });
    console.log(row(`${kind} start`, cells));
  }
} finally {
  if (values.keep) console.log(`data folders kept in ${root}`);
  else await rm(root, { recursive: true, force: true });
}
