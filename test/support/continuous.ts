/**
 * What the continuous-sync tests share: a pace fast enough for a test (looks every second, picked up
 * within half a second) with breakers that close within a second of a system answering again, and the
 * count of looks a hub reports at /metrics.
 */
import type { HubOptions } from '../../src/hub.js';

/** Looks every second (products every two), backing off to at most 4 s, woken within a second. */
export const fastContinuous = {
  salesSeconds: 1,
  productsSeconds: 2,
  maxBackoffSeconds: 4,
  pollingIntervalSeconds: 0.5,
  wakeSeconds: 1,
} as const satisfies HubOptions['continuous'];

/** Breakers that close again within a second of the system answering, so backoff tests are short. */
export const quickBreaker = { coolDownMs: 500, maxCoolDownMs: 1_000 } as const;

/** The looks at `flow` that found `outcome`, as the hub at `graphqlUrl` counts them at /metrics. */
export async function continuousLooks(graphqlUrl: string, flow: string, outcome: string): Promise<number> {
  const text = await (await fetch(new URL('/metrics', graphqlUrl))).text();
  const line = text
    .split('\n')
    .find(
      (row) =>
        row.startsWith('p2c_continuous_looks_total{') &&
        row.includes(`flow="${flow}"`) &&
        row.includes(`outcome="${outcome}"`),
    );
  return line ? Number(line.split(' ').at(-1)) : 0;
}
