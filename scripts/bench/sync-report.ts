/**
 * The figures `npm run bench:sync` reports for one run, how it prints them, and the medians and the
 * side-by-side comparison of several repetitions (and of a baseline build).
 */
import {
  boundOf,
  permittedShare,
  systems,
  type Backend,
  type Bound,
  type RunRequests,
  type SimulatorStats,
  type SystemName,
} from './sync-requests.js';

/** A run as the hub reports it at its end. */
export interface RunReport {
  status: string;
  seconds: number;
  totals: Record<string, number>;
  flows: { flow: string; status: string; counters: Record<string, number> }[];
}

/** Requests to one system per 1,000 records read. */
export interface PerThousand {
  reads: number;
  writes: number;
  batchParts: number;
}

export interface FlowResult {
  flow: string;
  status: string;
  counters: Record<string, number>;
  /** From first seen running to first seen finished; null when it never ran. */
  seconds: number | null;
  recordsPerSecond: number | null;
  /** The hub's peak resident memory while the flow ran, MiB; null without a sample. */
  rssPeakMiB: number | null;
}

/** The requests of one flow, or of flows that ran side by side (charged together). */
export interface GroupResult {
  flows: string[];
  /** The flows' records read, added up. */
  records: number;
  /** From the first flow's start to the last one's end. */
  seconds: number | null;
  requests: SimulatorStats;
  perThousand: Record<SystemName, PerThousand> | null;
  bound: Bound | null;
}

export interface RunResult {
  mode: 'FULL' | 'INCREMENTAL';
  status: string;
  seconds: number;
  totals: Record<string, number>;
  flows: FlowResult[];
  groups: GroupResult[];
  /** Requests outside every flow's window (the run's own). */
  outside: SimulatorStats;
}

/** Peak resident memory over a window of samples, MiB. */
export type PeakBetween = (from: number, to: number) => number | null;

export function runResult(
  mode: RunResult['mode'],
  run: RunReport,
  requests: RunRequests,
  backend: Backend,
  peakBetween: PeakBetween,
): RunResult {
  const flows = run.flows.map(({ flow, status, counters }): FlowResult => {
    const window = requests.windows.get(flow);
    const seconds = window ? (window.to - window.from) / 1000 : null;
    const read = counters['read'] ?? 0;
    return {
      flow,
      status,
      counters,
      seconds,
      recordsPerSecond: seconds ? read / seconds : null,
      rssPeakMiB: window ? peakBetween(window.from, window.to) : null,
    };
  });
  const groups = requests.groups.map(({ flows: names, requests: sent }): GroupResult => {
    const records = names.reduce(
      (sum, name) => sum + (run.flows.find((f) => f.flow === name)?.counters['read'] ?? 0),
      0,
    );
    const windows = names.map((name) => requests.windows.get(name)).filter((w) => w !== undefined);
    const seconds =
      windows.length === names.length
        ? (Math.max(...windows.map((w) => w.to)) - Math.min(...windows.map((w) => w.from))) / 1000
        : null;
    const per = (count: number) => (count * 1000) / records;
    return {
      flows: names,
      records,
      seconds,
      requests: sent,
      perThousand:
        records > 0
          ? {
              sales: {
                reads: per(sent.sales.reads),
                writes: per(sent.sales.writes),
                batchParts: per(sent.sales.batchParts),
              },
              finance: {
                reads: per(sent.finance.reads),
                writes: per(sent.finance.writes),
                batchParts: per(sent.finance.batchParts),
              },
            }
          : null,
      bound: seconds === null ? null : boundOf(sent, records, seconds, backend),
    };
  });
  return {
    mode,
    status: run.status,
    seconds: run.seconds,
    totals: run.totals,
    flows,
    groups,
    outside: requests.outside,
  };
}

const fixed = (value: number | null, digits = 1) => (value === null ? '—' : value.toFixed(digits));
const whole = (value: number | null) => (value === null ? '—' : Math.round(value).toLocaleString('en-US'));

function systemLine(system: SystemName, group: GroupResult, backend: Backend): string {
  const { concurrency } = backend;
  const sent = group.requests[system];
  const per = group.perThousand?.[system];
  const rates = per
    ? `${fixed(per.reads)} GET + ${fixed(per.writes)} write`
    : `${sent.reads} GET + ${sent.writes} write`;
  const parts = per && sent.batchParts > 0 ? ` (${fixed(per.batchParts)} in $batch)` : '';
  const share = permittedShare(sent, group.seconds, backend);
  const used = share === null ? '' : `, ${Math.round(share * 100)} % of the permitted rate`;
  return `${system} ${rates}${parts}, peak ${sent.peakInFlight}/${concurrency[system]}, 429s ${sent.throttled}${used}`;
}

/** Prints a run: per flow its rate and memory, then per flow (or side-by-side group) its requests. */
export function printRun(label: string, run: RunResult, backend: Backend): void {
  console.log(`${label}: ${run.status} in ${run.seconds.toFixed(1)} s — ${JSON.stringify(run.totals)}`);
  for (const flow of run.flows) {
    const memory = flow.rssPeakMiB === null ? 'RSS peak —' : `RSS peak ${flow.rssPeakMiB} MiB`;
    console.log(
      `  ${flow.flow.padEnd(9)} ${flow.status.padEnd(22)} read ${String(flow.counters['read']).padStart(7)} in ${fixed(flow.seconds).padStart(6)} s = ${whole(flow.recordsPerSecond).padStart(7)} records/s  ${memory.padEnd(18)} ${JSON.stringify(flow.counters)}`,
    );
  }
  console.log(
    '  requests per 1,000 records read (GET + others; operations inside $batch), peak in flight/bound, 429s:',
  );
  for (const group of run.groups) {
    const name = group.flows.join('+');
    const together = group.flows.length > 1 ? ' (ran side by side: their requests counted together)' : '';
    const bound = group.bound
      ? ` · bound ${whole(group.bound.recordsPerSecond)} records/s (${group.bound.system}), ratio ${group.bound.ratio.toFixed(2)}`
      : '';
    const lines = systems.map((s) => systemLine(s, group, backend)).join(' · ');
    console.log(
      `  ${name.padEnd(9)} ${group.perThousand ? '' : 'no records read, requests: '}${lines}${bound}${together}`,
    );
  }
  const outside = systems.map((s) => `${s} ${run.outside[s].requests}`).join(', ');
  console.log(`  outside every flow's window: ${outside} requests`);
  if (backend.throttle) {
    const used = systems.map((system) => {
      const sent = runRequests(run, system);
      const share = permittedShare(sent, run.seconds, backend);
      return `${system} ${sent.requests - sent.throttled} accepted, ${sent.throttled} 429s = ${Math.round((share ?? 0) * 100)} %`;
    });
    console.log(
      `  the whole run against ${backend.throttle.requests} requests per ${backend.throttle.seconds} s: ${used.join(' · ')}`,
    );
  }
}

export const median = (numbers: readonly number[]) => {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/** One figure per repetition, by name (run, flow, figure, in the order printed), for the medians. */
export function figuresOf(runs: readonly RunResult[], memory: Record<string, number>): Map<string, number> {
  const figures = new Map<string, number>();
  for (const run of runs) {
    for (const group of run.groups) {
      for (const flow of run.flows.filter(({ flow }) => group.flows.includes(flow)))
        if (flow.recordsPerSecond !== null)
          figures.set(`${run.mode} ${flow.flow} records/s`, flow.recordsPerSecond);
      const name = `${run.mode} ${group.flows.join('+')}`;
      for (const system of systems) {
        const per = group.perThousand?.[system];
        if (per) figures.set(`${name} ${system} requests/1k`, per.reads + per.writes);
        figures.set(`${name} ${system} peak in flight`, group.requests[system].peakInFlight);
        if (group.requests[system].throttled > 0)
          figures.set(`${name} ${system} 429s`, group.requests[system].throttled);
      }
      if (group.bound) figures.set(`${name} ratio to bound`, group.bound.ratio);
    }
    figures.set(`${run.mode} run seconds`, run.seconds);
  }
  for (const [label, value] of Object.entries(memory)) figures.set(`${label}, MiB`, value);
  return figures;
}

/** The medians of each hub's figures, side by side with the ratio when there are two hubs. */
export function printMedians(byHub: ReadonlyMap<string, readonly Map<string, number>[]>): void {
  const hubs = [...byHub.keys()];
  const names = [
    ...new Set([...byHub.values()].flatMap((reps) => reps.flatMap((figures) => [...figures.keys()]))),
  ];
  const count = Math.max(...[...byHub.values()].map((reps) => reps.length));
  console.log(
    `\nmedians of ${count} repetition${count === 1 ? '' : 's'}${hubs.length > 1 ? ' each, alternating' : ''}:`,
  );
  console.log(
    `  ${''.padEnd(52)} ${hubs.map((hub) => hub.padStart(12)).join(' ')}${hubs.length === 2 ? `  ${hubs[0]}/${hubs[1]}` : ''}`,
  );
  for (const name of names) {
    const medians = hubs.map((hub) => {
      const values = byHub
        .get(hub)!
        .map((figures) => figures.get(name))
        .filter((value) => value !== undefined);
      return values.length > 0 ? median(values) : null;
    });
    const digits = /ratio|requests\/1k|seconds/.test(name) ? 2 : 0;
    const cells = medians
      .map((value) => (value === null ? '—' : value.toFixed(digits)).padStart(12))
      .join(' ');
    const [a, b] = medians;
    const ratio =
      hubs.length === 2 && a !== null && b !== null && b !== undefined && b !== 0
        ? `  ${(a! / b).toFixed(2)}`
        : '';
    console.log(`  ${name.padEnd(52)} ${cells}${ratio}`);
  }
}

/** A system's requests over the whole run: every group's and those outside every flow's window. */
function runRequests(run: RunResult, system: SystemName): { requests: number; throttled: number } {
  const counted = [...run.groups.map((group) => group.requests[system]), run.outside[system]];
  return {
    requests: counted.reduce((sum, sent) => sum + sent.requests, 0),
    throttled: counted.reduce((sum, sent) => sum + sent.throttled, 0),
  };
}
