/**
 * Cancelling a run (it stops between pages, later flows never start) and retrying only the records a run
 * failed on.
 */
import { hostname } from 'node:os';
import { describe, expect, it, vi } from 'vitest';
import { SyncRequestError } from '../../../src/sync/runs/types.js';
import { gate, useManager, useRunStore } from './support.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const store = useRunStore();
const setup = useManager(store);

const input = { mode: 'INCREMENTAL', dryRun: false } as const;

describe('cancelling a run', () => {
  it('stops between pages, keeps the committed page, and never starts the queued flows', async () => {
    const secondPage = gate();
    const reached = gate();
    const { manager, requests, recorder } = await setup({
      accounts: {
        pages: [{ read: 10, created: 10 }, { read: 10 }, { read: 10 }],
        beforePage: async (index) => {
          if (index !== 1) return;
          reached.open();
          await secondPage.opened;
        },
      },
    });
    const started = await manager.start({ ...input, flows: ['accounts', 'contacts'] });
    await reached.opened;
    const cancelling = await manager.cancel(started.run.id);
    expect(cancelling.run.status).not.toBe('CANCELLED'); // it ends once the page in hand is done
    secondPage.open();
    const ended = await recorder.ended(started.run.id);
    expect(ended.run.status).toBe('CANCELLED');
    expect(
      ended.run.flows.map(({ flow, status, counters }) => ({ flow, status, read: counters.read })),
    ).toEqual([
      { flow: 'accounts', status: 'CANCELLED', read: 10 },
      { flow: 'contacts', status: 'CANCELLED', read: 0 },
    ]);
    expect(ended.run.flows[1]?.startedAt).toBeNull();
    expect(requests.map((request) => request.flow)).toEqual(['accounts']);
    expect(requests[0]?.signal.aborted).toBe(true);
  });

  it('refuses an unknown run with NOT_FOUND and a finished one with NOT_CANCELLABLE', async () => {
    const { manager, recorder } = await setup();
    await expect(manager.cancel('0190c3f2-0000-7000-8000-000000000000')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    const started = await manager.start({ ...input, flows: ['accounts'] });
    await recorder.ended(started.run.id);
    const refused = await manager.cancel(started.run.id).catch((error) => error);
    expect(refused).toBeInstanceOf(SyncRequestError);
    expect(refused).toMatchObject({ code: 'NOT_CANCELLABLE', runId: started.run.id });
  });

  it('cancels at once a run no instance executes yet (waiting for a worker)', async () => {
    const { manager } = await setup();
    const left = await store.runs.createRun({ flows: ['products'], mode: 'FULL', dryRun: false });
    const cancelled = await manager.cancel(left.id);
    expect(cancelled.run.status).toBe('CANCELLED');
    expect(cancelled.run.flows[0]?.status).toBe('CANCELLED');
  });

  it('asked on another instance, is stopped by the instance executing it, between pages', async () => {
    const secondPage = gate();
    const reached = gate();
    const executing = await setup({
      accounts: {
        pages: [{ read: 10, created: 10 }, { read: 10 }],
        beforePage: async (index) => {
          if (index !== 1) return;
          reached.open();
          await secondPage.opened;
        },
      },
    });
    const started = await executing.manager.start({ ...input, flows: ['accounts'] });
    await reached.opened;
    const other = await setup(
      {},
      { leases: { owner: { instance: 'hub-other', host: hostname(), pid: process.pid } } },
    );
    const asked = await other.manager.cancel(started.run.id);
    expect(asked.run.status).toBe('RUNNING'); // the executing instance stops it at its next look
    await vi.waitFor(() => expect(executing.requests[0]?.signal.aborted).toBe(true), { timeout: 5_000 });
    secondPage.open();
    const ended = await executing.recorder.ended(started.run.id);
    expect(ended.run.status).toBe('CANCELLED');
    expect(ended.run.flows[0]).toMatchObject({ status: 'CANCELLED', counters: { read: 10 } });
    await executing.manager.shutdown();
  });
});

describe('retrying failures', () => {
  it('runs only the flows with failures, over only their failed keys', async () => {
    const { manager, requests, recorder } = await setup({
      accounts: { pages: [{ read: 3, created: 1, failures: ['A-2', 'A-3'] }] },
      products: { pages: [{ read: 2, created: 1, failures: ['P-1'] }] },
      contacts: { pages: [{ read: 1, created: 1 }] },
    });
    const first = await manager.start({ ...input, mode: 'FULL' });
    expect((await recorder.ended(first.run.id)).run.status).toBe('COMPLETED_WITH_ERRORS');
    requests.length = 0;

    const retry = await manager.retryFailures(first.run.id, 'admin@contoso.com');
    expect(retry.run).toMatchObject({
      retryOf: first.run.id,
      mode: 'FULL',
      requestedBy: 'admin@contoso.com',
    });
    expect(retry.run.flows.map((flow) => flow.flow)).toEqual(['accounts', 'products']);
    await recorder.ended(retry.run.id);
    expect(requests.map(({ flow, onlyKeys }) => ({ flow, onlyKeys }))).toEqual([
      {
        flow: 'accounts',
        onlyKeys: [
          { recordKey: 'A-2', attempt: 1 },
          { recordKey: 'A-3', attempt: 1 },
        ],
      },
      { flow: 'products', onlyKeys: [{ recordKey: 'P-1', attempt: 1 }] },
    ]);
  });

  it('refuses an unknown run, and a run without failures', async () => {
    const { manager, recorder } = await setup();
    await expect(manager.retryFailures('0190c3f2-0000-7000-8000-000000000000')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    const clean = await manager.start({ ...input, flows: ['accounts'] });
    await recorder.ended(clean.run.id);
    await expect(manager.retryFailures(clean.run.id)).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      problems: [`run ${clean.run.id} has no failed records to retry`],
    });
  });
});
