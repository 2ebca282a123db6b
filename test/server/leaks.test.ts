/**
 * Subscriptions leave nothing behind: one real graphql-ws client subscribes to `syncRunsUpdated` and
 * unsubscribes 1,000 times (half of them disposed at once, before the server may even have subscribed,
 * half once the server holds the listener), then follows a finished run with `syncRunUpdated(id)` 300
 * times (each stream delivers the final state and completes by itself). Afterwards the run event bus holds
 * no listener, no timer was left running (`process.getActiveResourcesInfo()`'s 'Timeout' count is back
 * where it was, give or take the client's own) and the server still answers over HTTP and WebSocket.
 */
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import type * as Events from '../../src/sync/runs/events.js';
import type { InProcessEventBus } from '../../src/sync/runs/events.js';
import { startTestHub, type TestHub } from '../support/hub.js';

// The hub makes its bus inside startHub; every bus made is recorded so the test can count its listeners.
const buses = vi.hoisted(() => [] as InProcessEventBus[]);
vi.mock('../../src/sync/runs/events.js', async (importOriginal) => {
  const original = await importOriginal<typeof Events>();
  return {
    ...original,
    createInProcessEventBus: (...args: Parameters<typeof original.createInProcessEventBus>) => {
      const bus = original.createInProcessEventBus(...args);
      buses.push(bus);
      return bus;
    },
  };
});

let hub: TestHub;
let client: Client;
let bus: InProcessEventBus;

beforeAll(async () => {
  hub = await startTestHub({ accounts: 10 });
  expect(buses).toHaveLength(1);
  bus = buses[0]!;
  client = createClient({ url: hub.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0 });
});
afterAll(async () => {
  await client?.dispose();
  await hub?.close();
});

const timeouts = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

/** Subscribes; resolves with what the server sent once it completes (by itself or after `stop`). */
function subscribe(query: string, variables?: Record<string, unknown>) {
  const received: unknown[] = [];
  let dispose!: () => void;
  const done = new Promise<unknown[]>((resolve, reject) => {
    dispose = client.subscribe(
      { query, ...(variables ? { variables } : {}) },
      {
        next: (value) =>
          value.errors ? reject(new Error(JSON.stringify(value.errors))) : received.push(value.data),
        error: reject,
        complete: () => resolve(received),
      },
    );
  });
  return { done, stop: () => dispose() };
}

const everyRun = 'subscription { syncRunsUpdated { id status } }';
const oneRun = 'subscription($id: ID!) { syncRunUpdated(id: $id) { id status } }';

describe('subscriptions leave nothing behind', () => {
  it('1,000 syncRunsUpdated and 300 syncRunUpdated(id) later: no listener, no timer, still answering', async () => {
    // A finished run to follow, and a warm connection (the client's socket and its own timers counted).
    const started = await hub.graphql<{ startSync: { id: string } }>(
      `mutation { startSync(input: { flows: [ACCOUNTS], mode: FULL }) { id } }`,
    );
    expect(started.errors).toBeUndefined();
    const runId = started.data!.startSync.id;
    const statuses = (await subscribe(oneRun, { id: runId }).done) as {
      syncRunUpdated: { status: string };
    }[];
    expect(statuses.at(-1)!.syncRunUpdated.status).toBe('SUCCEEDED');
    await vi.waitFor(() => expect(bus.listenerCount()).toBe(0));
    const timeoutsBefore = timeouts();

    for (let i = 0; i < 1_000; i++) {
      const subscription = subscribe(everyRun);
      // Odd rounds wait until the server holds the listener; even ones leave before it may have.
      if (i % 2 === 1) await vi.waitFor(() => expect(bus.listenerCount('*')).toBe(1), { interval: 1 });
      subscription.stop();
      expect(await subscription.done).toEqual([]);
    }
    for (let i = 0; i < 300; i++) {
      const updates = (await subscribe(oneRun, { id: runId }).done) as {
        syncRunUpdated: { status: string };
      }[];
      expect(updates).toEqual([{ syncRunUpdated: { id: runId, status: 'SUCCEEDED' } }]);
    }

    // An immediate dispose reaches the server after the client has moved on; give it a moment.
    await vi.waitFor(() => expect(bus.listenerCount()).toBe(0));
    expect(timeouts()).toBeLessThanOrEqual(timeoutsBefore + 1);

    // Still answering, over HTTP and on the same socket, and events still flow to a new subscriber.
    const answer = await hub.graphql<{ syncRun: { status: string } }>(
      `query($id: ID!) { syncRun(id: $id) { status } }`,
      { id: runId },
    );
    expect(answer.data?.syncRun.status).toBe('SUCCEEDED');
    const watcher = subscribe(everyRun);
    await vi.waitFor(() => expect(bus.listenerCount('*')).toBe(1), { interval: 1 });
    const next = await hub.graphql<{ startSync: { id: string } }>(
      `mutation { startSync(input: { flows: [ACCOUNTS], mode: INCREMENTAL }) { id } }`,
    );
    const nextId = next.data!.startSync.id;
    await subscribe(oneRun, { id: nextId }).done;
    watcher.stop();
    const seen = (await watcher.done) as { syncRunsUpdated: { id: string; status: string } }[];
    expect(seen.filter((s) => s.syncRunsUpdated.id === nextId).at(-1)?.syncRunsUpdated.status).toBe(
      'SUCCEEDED',
    );
    await vi.waitFor(() => expect(bus.listenerCount()).toBe(0));
  }, 60_000);
});
