/**
 * Both simulators in a process of their own, for `npm run bench:sync`, started as `npm run simulators`
 * starts them (the same seed, data and fault options: --accounts N, --latency-ms N, --throttle N/S on both
 * systems) and driven over the IPC channel of `spawn(..., { stdio: [..., 'ipc'] })`:
 *
 * - on start it sends `{ type: 'ready', sales, finance }` with both origins;
 * - `{ type: 'stats', id }` is answered `{ type: 'stats', id, stats }`: per system, the requests so far
 *   (see `SystemStats`) and the most requests in flight at once since the previous `stats` message (or
 *   the start), after which the peak starts again from the requests in flight now.
 *
 * Kept out of the hub's process so the hub's memory figures do not include both systems' data.
 */
import { startSimulators } from '../../src/simulators/index.js';
import type { FaultOptions } from '../../src/simulators/core/faults.js';
import type { RequestLog } from '../../src/simulators/core/request-log.js';
import { parseArgs } from 'node:util';
import {
  parseThrottle,
  type SimulatorsMessage,
  type SimulatorsRequest,
  type SystemStats,
} from './sync-requests.js';

/** `6000/300` (requests/seconds) → a sliding window of 6,000 requests in 300 s (faults.ts). */
function throttleOf(text: string | undefined): FaultOptions['throttle'] {
  const throttle = parseThrottle(text);
  if (throttle === null) return null;
  const { requests, seconds } = throttle;
  return { maxRequests: requests, windowMs: seconds * 1000 };
}

/**
 * Counts a simulator's requests by kind as the server logs them. The log keeps only its last 10,000
 * entries, so the counts are kept here, by wrapping its `add` (the server calls it on this object).
 */
function countRequests(log: RequestLog): () => SystemStats {
  const counts = { requests: 0, reads: 0, writes: 0, batchParts: 0, throttled: 0 };
  const add = log.add.bind(log);
  log.add = (entry) => {
    add(entry);
    if (entry.inBatch) {
      counts.batchParts += 1;
      return;
    }
    counts.requests += 1;
    if (entry.method === 'GET') counts.reads += 1;
    else counts.writes += 1;
    if (entry.status === 429) counts.throttled += 1;
  };
  return () => {
    const stats = { ...counts, peakInFlight: log.peakInFlight };
    log.resetPeakInFlight();
    return stats;
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      accounts: { type: 'string', default: '300' },
      'latency-ms': { type: 'string', default: '0' },
      throttle: { type: 'string' },
    },
  });
  const faults: Partial<FaultOptions> = {
    latencyMs: Number(values['latency-ms']),
    throttle: throttleOf(values.throttle),
  };
  const simulators = await startSimulators({
    accounts: Number(values.accounts),
    salesFaults: faults,
    financeFaults: faults,
  });
  const stats = {
    sales: countRequests(simulators.sales.log),
    finance: countRequests(simulators.finance.log),
  };
  const send = (message: SimulatorsMessage) => process.send!(message);
  process.on('message', (message: SimulatorsRequest) => {
    if (message.type === 'stats')
      send({ type: 'stats', id: message.id, stats: { sales: stats.sales(), finance: stats.finance() } });
  });
  send({ type: 'ready', sales: simulators.sales.origin, finance: simulators.finance.origin });
  const stop = (): void => {
    void simulators.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // The parent gone, nothing is left to answer.
  process.once('disconnect', stop);
}

await main();
