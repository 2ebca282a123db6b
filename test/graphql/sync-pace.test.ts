/**
 * A run shows each system's pace while its flows run: how many requests the hub sends each system at
 * once, and whether a system is throttling it, with when it resumes, so a dashboard can say "Finance
 * throttled, resuming in 2 s". Followed over a real graphql-ws WebSocket while Finance answers a write
 * with 429 and Retry-After: 2.
 */
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestHub, type TestHub } from '../support/hub.js';
import { recordingRetryPolicy } from '../support/systems.js';

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub({
    accounts: 40,
    syncPageSize: 10,
    // Backoffs take no time; a Retry-After is waited for, as the hub does.
    retry: { ...recordingRetryPolicy([]), retryWaitMs: (error) => error.retryAfterMs ?? 0 },
  });
});
afterAll(() => hub.close());

interface Pace {
  system: string;
  concurrency: number;
  maxConcurrency: number;
  inFlight: number;
  waiting: number;
  throttled: boolean;
  resumesAt: string | null;
}
interface RunView {
  status: string;
  totals: { failed: number };
  flows: { flow: string; status: string; systems: Pace[] }[];
}

const runFields = `status totals { failed }
  flows { flow status systems { system concurrency maxConcurrency inFlight waiting throttled resumesAt } }`;

async function follow(id: string): Promise<{ view: RunView; at: number }[]> {
  const client = createClient({
    url: hub.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
  });
  try {
    return await new Promise((resolve, reject) => {
      const seen: { view: RunView; at: number }[] = [];
      client.subscribe<{ syncRunUpdated: RunView }>(
        { query: `subscription($id: ID!) { syncRunUpdated(id: $id) { ${runFields} } }`, variables: { id } },
        {
          next: (value) =>
            value.errors
              ? reject(new Error(JSON.stringify(value.errors)))
              : seen.push({ view: value.data!.syncRunUpdated, at: Date.now() }),
          error: reject,
          complete: () => resolve(seen),
        },
      );
    });
  } finally {
    await client.dispose();
  }
}

describe("each system's pace on a running flow", () => {
  it('shows Finance throttled with when it resumes while Sales is not, then nothing once the flow ended', async () => {
    hub.simulators.finance.faults.failNext(1, {
      status: 429,
      retryAfterSeconds: 2,
      match: { method: 'POST', entitySet: '$batch' },
    });
    const started = await hub.graphql<{ startSync: { id: string } }>(
      `mutation { startSync(input: { flows: [ACCOUNTS], mode: FULL }) { id } }`,
    );
    expect(started.errors).toBeUndefined();
    const events = await follow(started.data!.startSync.id);

    const final = events.at(-1)!.view;
    expect(final.status).toBe('SUCCEEDED');
    expect(final.totals.failed).toBe(0);
    expect(final.flows[0]!.systems).toEqual([]);

    const throttled = events.filter(({ view }) =>
      view.flows[0]!.systems.some((pace) => pace.system === 'FINANCE' && pace.throttled),
    );
    expect(throttled.length).toBeGreaterThan(0);
    const { view, at } = throttled[0]!;
    const [sales, finance] = view.flows[0]!.systems;
    expect(sales).toMatchObject({ system: 'SALES', throttled: false, resumesAt: null });
    // Halved from Finance's default 4, resuming about 2 s after the 429.
    expect(finance).toMatchObject({ system: 'FINANCE', concurrency: 2, maxConcurrency: 4, throttled: true });
    const resumesIn = Date.parse(finance!.resumesAt!) - at;
    expect(resumesIn).toBeGreaterThan(0);
    expect(resumesIn).toBeLessThanOrEqual(2_000);
    // And once the pause passed, a later event shows Finance taking requests again.
    const after = events.slice(events.indexOf(throttled.at(-1)!) + 1);
    expect(
      after.some(({ view: later }) =>
        later.flows[0]!.systems.some((pace) => pace.system === 'FINANCE' && !pace.throttled),
      ),
    ).toBe(true);
  });
});
