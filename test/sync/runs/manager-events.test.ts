/**
 * What subscribers see: statuses in order with counters that never go backwards, progress throttled
 * with the latest always delivered, live rates, and nothing old for a late subscriber.
 */
import { describe, expect, it, vi } from 'vitest';
import { counterNames } from '../../../src/db/schema.js';
import type { RunSnapshot } from '../../../src/sync/runs/types.js';
import { gate, useManager, useRunStore } from './support.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const store = useRunStore();
const setup = useManager(store);

const input = { mode: 'INCREMENTAL', dryRun: false } as const;
const pages = (count: number) => Array.from({ length: count }, () => ({ read: 5, created: 2, updated: 3 }));

/** The statuses in order, each once (progress events repeat a status). */
const statusesOf = (events: RunSnapshot[]) =>
  events.map((event) => event.run.status).filter((status, i, all) => status !== all[i - 1]);

describe('run events', () => {
  it('go QUEUED → RUNNING → final, with counters that never go backwards', async () => {
    const { manager, recorder } = await setup({
      accounts: { pages: pages(8) },
      products: { pages: pages(8) },
    });
    const started = await manager.start({ ...input, flows: ['accounts', 'products'] });
    await recorder.ended(started.run.id);
    const events = recorder.of(started.run.id);
    expect(statusesOf(events)).toEqual(['QUEUED', 'RUNNING', 'SUCCEEDED']);
    expect(events.at(-1)?.run.totals).toMatchObject({ read: 80, created: 32, updated: 48 });
    for (const [previous, next] of events.slice(1).map((event, i) => [events[i]!, event] as const)) {
      for (const name of counterNames) {
        expect(next.run.totals[name]).toBeGreaterThanOrEqual(previous.run.totals[name]);
        next.run.flows.forEach((flow, f) =>
          expect(flow.counters[name]).toBeGreaterThanOrEqual(previous.run.flows[f]!.counters[name]),
        );
      }
    }
    const accountStatuses = events.map((event) => event.run.flows[0]?.status);
    expect(accountStatuses.filter((status, i, all) => status !== all[i - 1])).toEqual([
      'QUEUED',
      'RUNNING',
      'SUCCEEDED',
    ]);
  });

  it('throttle progress, yet always deliver the latest counters', async () => {
    const lastPageDone = gate();
    const finish = gate();
    const { manager, recorder } = await setup(
      {
        accounts: {
          pages: pages(30),
          estimatedTotal: 150,
          beforeReturn: async () => {
            lastPageDone.open();
            await finish.opened;
          },
        },
      },
      { progressIntervalMs: 500 },
    );
    const started = await manager.start({ ...input, flows: ['accounts'] });
    await lastPageDone.opened;
    // The flow is still running: only the trailing progress event can carry the last page's counters.
    await vi.waitFor(() => expect(recorder.of(started.run.id).at(-1)?.run.totals.read).toBe(150));
    expect(recorder.of(started.run.id).at(-1)?.run.status).toBe('RUNNING');
    finish.open();
    await recorder.ended(started.run.id);
    // Events showing the flow running with records read are progress events (give or take one status
    // event read late); the runner reported progress 30 times.
    const progressEvents = recorder
      .of(started.run.id)
      .filter((event) => event.run.flows[0]?.status === 'RUNNING' && event.run.totals.read > 0).length;
    expect(progressEvents).toBeGreaterThan(0);
    expect(progressEvents).toBeLessThan(30);
  });

  it('carry records per second and the time left while a flow runs', async () => {
    let clock = 1_000_000;
    const hold = gate();
    const { manager, recorder } = await setup(
      {
        accounts: {
          pages: [{ read: 100 }, { read: 1 }],
          estimatedTotal: 300,
          beforePage: (i) => (i === 1 ? hold.opened : Promise.resolve()),
        },
      },
      { now: () => clock, progressIntervalMs: 0 },
    );
    const started = await manager.start({ ...input, flows: ['accounts'] });
    await vi.waitFor(() => expect(recorder.of(started.run.id).at(-1)?.run.totals.read).toBe(100));
    clock += 10_000;
    const running = await manager.snapshot(started.run.id);
    expect(running?.rates.accounts).toEqual({ recordsPerSecond: 10, etaSeconds: 20 });
    expect(running?.run.flows[0]?.estimatedTotal).toBe(300);
    hold.open();
    const ended = await recorder.ended(started.run.id);
    expect(ended.rates.accounts).toBeUndefined();
  });

  it('give a late subscriber nothing old; snapshot() gives the current state', async () => {
    const { manager, recorder, events } = await setup();
    const started = await manager.start({ ...input, flows: ['accounts'] });
    await recorder.ended(started.run.id);
    const late = vi.fn();
    const unsubscribe = events.subscribe(started.run.id, late);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(late).not.toHaveBeenCalled();
    expect((await manager.snapshot(started.run.id))?.run.status).toBe('SUCCEEDED');
    expect(await manager.snapshot('0190c3f2-0000-7000-8000-000000000000')).toBeNull();
    unsubscribe();
  });

  it("leave no listener behind on the manager's bus after 1,000 subscribes and unsubscribes", async () => {
    const { manager, events } = await setup();
    for (let i = 0; i < 1_000; i++) manager.events.subscribe(i % 2 ? '*' : `run-${i}`, () => undefined)();
    expect(events.listenerCount()).toBe(1); // the test's own recorder
  });
});
