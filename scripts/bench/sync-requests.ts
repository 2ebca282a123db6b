/**
 * Which flow of a sync run sent which requests, for `npm run bench:sync`. The simulators count requests
 * in their own process (simulators-process.ts); the benchmark takes their counts ("stats") before the run
 * and whenever a flow's status changes, and charges each interval between two stats to the flows that ran
 * in it. Flows whose intervals overlap (flows run side by side) are charged together, as one group, rather
 * than each being charged the other's requests.
 */

export type SystemName = 'sales' | 'finance';
export const systems: readonly SystemName[] = ['sales', 'finance'];

/** What one simulator was asked, counted since it started, except `peakInFlight`. */
export interface SystemStats {
  /** HTTP requests answered, a `$batch` counting as one; token requests are not counted. */
  requests: number;
  /** Of `requests`: GET requests. */
  reads: number;
  /** Of `requests`: every other method (POST, PATCH, DELETE, `$batch`). */
  writes: number;
  /** The operations inside `$batch` requests (each `$batch` also counts once in `requests`). */
  batchParts: number;
  /** Of `requests`: those answered 429 (the simulator's throttle). */
  throttled: number;
  /** The most HTTP requests (token requests included) in flight at once since the previous stats. */
  peakInFlight: number;
}

export type SimulatorStats = Record<SystemName, SystemStats>;

/** From the simulators' process to the benchmark. */
export type SimulatorsMessage =
  { type: 'ready'; sales: string; finance: string } | { type: 'stats'; id: number; stats: SimulatorStats };

/** From the benchmark to the simulators' process. */
export interface SimulatorsRequest {
  type: 'stats';
  id: number;
}

const finished = new Set(['SUCCEEDED', 'COMPLETED_WITH_ERRORS', 'FAILED', 'CANCELLED']);
export const isFinished = (status: string) => finished.has(status);

const emptyStats = (): SystemStats => ({
  requests: 0,
  reads: 0,
  writes: 0,
  batchParts: 0,
  throttled: 0,
  peakInFlight: 0,
});

/** The requests between two stats (`peakInFlight`: the later one's, which covers the interval). */
function between(from: SystemStats, to: SystemStats): SystemStats {
  return {
    requests: to.requests - from.requests,
    reads: to.reads - from.reads,
    writes: to.writes - from.writes,
    batchParts: to.batchParts - from.batchParts,
    throttled: to.throttled - from.throttled,
    peakInFlight: to.peakInFlight,
  };
}

/** Adds `more` into `into`, the peak being the higher of the two. */
function accumulate(into: SystemStats, more: SystemStats): void {
  into.requests += more.requests;
  into.reads += more.reads;
  into.writes += more.writes;
  into.batchParts += more.batchParts;
  into.throttled += more.throttled;
  into.peakInFlight = Math.max(into.peakInFlight, more.peakInFlight);
}

/** The flows charged together (one flow, or several whose intervals overlapped) and their requests. */
export interface RequestGroup {
  flows: string[];
  requests: SimulatorStats;
}

export interface RunRequests {
  /** When each flow ran, on `performance.now()`'s clock, as first seen running and first seen finished. */
  windows: Map<string, { from: number; to: number }>;
  groups: RequestGroup[];
  /**
   * Requests in no flow's intervals: the run's own after its last flow (its own before the first flow are
   * charged to the first, whose interval reaches back to the run's start).
   */
  outside: SimulatorStats;
}

/** What a flow looks like in an update of its run. */
export interface FlowStatus {
  flow: string;
  status: string;
}

/**
 * Follows one run: `observe` every update of it (a subscription's or a poll's), `finish` after its end.
 * `takeStats` is asked once before the first update and once whenever a flow starts or ends.
 */
export function createRequestTracker(takeStats: () => Promise<SimulatorStats>) {
  const taken: Promise<SimulatorStats>[] = [takeStats()];
  /** Per flow, the index in `taken` of the stats at which it was first seen running, and finished. */
  const began = new Map<string, { index: number; at: number }>();
  const ended = new Map<string, { index: number; at: number }>();
  return {
    observe(flows: readonly FlowStatus[]): void {
      const now = performance.now();
      const changed = flows.filter(
        ({ flow, status }) =>
          (status !== 'QUEUED' && !began.has(flow)) || (isFinished(status) && !ended.has(flow)),
      );
      if (changed.length === 0) return;
      const index = taken.length;
      taken.push(takeStats());
      for (const { flow, status } of changed) {
        if (!began.has(flow)) began.set(flow, { index, at: now });
        if (isFinished(status)) ended.set(flow, { index, at: now });
      }
    },
    async finish(): Promise<RunRequests> {
      taken.push(takeStats());
      const stats = await Promise.all(taken);
      // Interval k is between stats k-1 and k. A flow first seen running at stats b and finished at e
      // ran in intervals b..e: it started in interval b (updates follow a status change within
      // milliseconds, but a fast flow may have sent requests before its start was seen). When another flow
      // was seen finishing at b as well (one update showing one flow's end and the next one's start), the
      // interval is the earlier flow's and this one's begins at b+1, unless it also ended at b.
      const endings = new Map<number, string[]>();
      for (const [flow, end] of ended) endings.set(end.index, [...(endings.get(end.index) ?? []), flow]);
      const intervals = new Map<string, number[]>();
      for (const [flow, start] of began) {
        const end = ended.get(flow)?.index ?? stats.length - 1;
        const handedOver = (endings.get(start.index) ?? []).some((other) => other !== flow);
        const first = handedOver && end > start.index ? start.index + 1 : start.index;
        intervals.set(
          flow,
          Array.from({ length: end - first + 1 }, (_, offset) => first + offset),
        );
      }
      // Flows sharing an interval are one group (union-find on the flows).
      const parent = new Map([...intervals.keys()].map((flow) => [flow, flow]));
      const root = (flow: string): string => {
        const up = parent.get(flow)!;
        return up === flow ? flow : root(up);
      };
      const owner = new Map<number, string>();
      for (const [flow, own] of intervals)
        for (const interval of own) {
          const other = owner.get(interval);
          if (other === undefined) owner.set(interval, flow);
          else parent.set(root(flow), root(other));
        }
      const groups = new Map<string, RequestGroup>();
      for (const flow of intervals.keys()) {
        const key = root(flow);
        const group = groups.get(key) ?? {
          flows: [],
          requests: { sales: emptyStats(), finance: emptyStats() },
        };
        group.flows.push(flow);
        groups.set(key, group);
      }
      const outside = { sales: emptyStats(), finance: emptyStats() };
      for (let interval = 1; interval < stats.length; interval += 1) {
        const flow = owner.get(interval);
        const into = flow === undefined ? outside : groups.get(root(flow))!.requests;
        for (const system of systems)
          accumulate(into[system], between(stats[interval - 1]![system], stats[interval]![system]));
      }
      const windows = new Map<string, { from: number; to: number }>();
      for (const [flow, start] of began) {
        const end = ended.get(flow);
        if (end) windows.set(flow, { from: start.at, to: end.at });
      }
      return { windows, groups: [...groups.values()], outside };
    },
  };
}

/**
 * `--throttle 6000/300` (requests/seconds): at most N requests in any S seconds; null when not given. The
 * benchmark and the simulators' process read the option with this one parser.
 */
export function parseThrottle(text: string | undefined): { requests: number; seconds: number } | null {
  if (text === undefined) return null;
  const match = /^(\d+)\/(\d+)$/.exec(text);
  if (!match) throw new Error(`--throttle looks like 6000/300 (requests/seconds), not '${text}'`);
  return { requests: Number(match[1]), seconds: Number(match[2]) };
}

/** Each system's bound on requests in flight and the latency every request waits there. */
export interface Backend {
  concurrency: Record<SystemName, number>;
  latencyMs: number;
  /** Both simulators' throttle (`--throttle N/S`): at most `requests` in any `seconds`; null for none. */
  throttle: { requests: number; seconds: number } | null;
}

/**
 * The share of a system's permitted request rate that `requests` over `seconds` used: the requests it
 * accepted (429s do not count) over what the throttle allows in that time (its N requests in a span
 * shorter than its window). Null without a throttle.
 */
export function permittedShare(
  sent: Pick<SystemStats, 'requests' | 'throttled'>,
  seconds: number | null,
  backend: Backend,
): number | null {
  if (!backend.throttle || seconds === null || seconds <= 0) return null;
  // A sliding window allows its N requests in any span up to its length, then N per window.
  const permitted = backend.throttle.requests * Math.max(1, seconds / backend.throttle.seconds);
  return (sent.requests - sent.throttled) / permitted;
}

export interface Bound {
  /** The most records per second the back end allows the group, set by `system`. */
  recordsPerSecond: number;
  system: SystemName;
  /** The group's records per second over this bound (1 = every request slot of `system` always busy). */
  ratio: number;
}

/**
 * The bound of a group that read `records` in `seconds`: per system, records per request × the system's
 * concurrency ÷ latency, and of the two the lower (the busier system's). Null without latency or requests.
 */
export function boundOf(
  requests: SimulatorStats,
  records: number,
  seconds: number,
  backend: Backend,
): Bound | null {
  if (backend.latencyMs <= 0 || records === 0 || seconds <= 0) return null;
  let best: Bound | null = null;
  for (const system of systems) {
    const sent = requests[system].requests;
    if (sent === 0) continue;
    const recordsPerSecond = ((records / sent) * backend.concurrency[system] * 1000) / backend.latencyMs;
    if (best === null || recordsPerSecond < best.recordsPerSecond)
      best = { recordsPerSecond, system, ratio: records / seconds / recordsPerSecond };
  }
  return best;
}
