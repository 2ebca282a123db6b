/**
 * A flow keeps several pages writing at once and still claims and commits them one at a time, in order:
 * the back ends get as many requests at once as their bounds allow and never more, the read position
 * only moves forward, and a cancel or a failure mid-flight leaves exactly the committed pages behind —
 * each record written once, nothing written that no committed page counts (for a cancel), and the next
 * run going on after the last committed page.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunStore } from '../../../src/db/runs.js';

type PageCommit = Parameters<RunStore['commitPage']>[0];
import { createFlowRunner } from '../../../src/sync/engine/index.js';
import { flowPlans } from '../../../src/sync/flows/index.js';
import { withValueMaps } from '../../../src/sync/flows/value-maps.js';
import { decodePageToken } from '../../../src/simulators/core/paging.js';
import type { FlowRunResult } from '../../../src/sync/engine/types.js';
import { startEngineHarness, type EngineHarness } from './harness.js';

let h: EngineHarness;
beforeAll(async () => {
  h = await startEngineHarness({ accounts: 200 });
  // Every account in Finance first; each test then changes them all in Sales.
  expect((await h.run('accounts', { mode: 'FULL' })).result).toMatchObject({ status: 'completed' });
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => {
  for (const sim of [h.sim.sales, h.sim.finance]) {
    sim.faults.reset();
    sim.log.clear();
  }
});

const pageSize = 10;

/** The numbered Sales accounts (those the flow writes). */
const numbered = () =>
  h.sim.sales.store.scan('accounts').filter((row) => typeof row['accountnumber'] === 'string');

/** Changes every numbered account's phone in Sales; returns how many. */
async function editEveryAccount(telephone1: string): Promise<number> {
  const keys = numbered().map((row) => String(row['accountnumber']));
  await h.connectors.sales.upsert(
    'account',
    keys.map((key) => ({ key, body: { telephone1 } })),
  );
  return keys.length;
}

/** Finance customers of the company holding `phone`. */
const customersWithPhone = (phone: string) =>
  h.sim.finance.store
    .scan('CustomersV3')
    .filter((row) => row['dataAreaId'] === 'usmf' && row['PrimaryContactPhone'] === phone);

/** PATCHes Finance applied (batch parts answered 2xx). */
const appliedPatches = () =>
  h.sim.finance.log.entries.filter(
    (e) => e.inBatch && e.method === 'PATCH' && e.entitySet === 'CustomersV3' && e.status < 300,
  ).length;

/**
 * Runs the accounts flow (INCREMENTAL, pages of 10, four pages in flight) with the run store's commits
 * recorded; `onCommit` is told of each.
 */
async function runRecorded(
  options: { signal?: AbortSignal; onCommit?: (commits: number) => void } = {},
): Promise<{ result: FlowRunResult; commits: PageCommit[]; read: number }> {
  const commits: PageCommit[] = [];
  const runs: RunStore = {
    ...h.runs,
    async commitPage(page) {
      const counters = await h.runs.commitPage(page);
      commits.push(page);
      options.onCommit?.(commits.length);
      return counters;
    },
  };
  const { id: runId } = await h.runs.createRun({ flows: ['accounts'], mode: 'INCREMENTAL', dryRun: false });
  const runner = createFlowRunner({
    plans: flowPlans(),
    connectors: h.connectors,
    runs,
    links: h.links,
    valueMaps: withValueMaps(),
    pageSize,
    pagesInFlight: 4,
  });
  const result = await runner({
    runId,
    flow: 'accounts',
    mode: 'INCREMENTAL',
    dryRun: false,
    signal: options.signal ?? new AbortController().signal,
    onProgress: () => {},
  });
  const stored = await h.runs.getRun(runId);
  return { result, commits, read: stored?.flows[0]?.counters.read ?? -1 };
}

/** Where a committed page's read position goes on: the rows before it, from the simulator's page token. */
const positionOf = (commit: PageCommit): number | null => {
  const checkpoint = commit.cursor?.checkpoint;
  const link = checkpoint && typeof checkpoint['nextLink'] === 'string' ? checkpoint['nextLink'] : null;
  if (link === null) return null;
  return decodePageToken(new URL(link, 'http://sales/').searchParams.get('$skiptoken'))?.offset ?? NaN;
};

describe('pages in flight', () => {
  it('sends Finance several requests at once, never more than its bound, and commits pages in read order', async () => {
    const edited = await editEveryAccount('+1 555 0301');
    h.sim.finance.faults.set({ latencyMs: 20 });
    const { result, commits } = await runRecorded();

    expect(result).toMatchObject({ status: 'completed' });
    expect(customersWithPhone('+1 555 0301')).toHaveLength(edited);
    expect(appliedPatches()).toBe(edited);
    // Overlapping pages: more than one request at a time, within Finance's default bound of 4.
    expect(h.sim.finance.log.peakInFlight).toBeGreaterThan(1);
    expect(h.sim.finance.log.peakInFlight).toBeLessThanOrEqual(4);
    // Each commit's read position is after the one before; the last clears it with the delta link.
    const positions = commits.map(positionOf);
    expect(positions.at(-1)).toBeNull();
    const moving = positions.slice(0, -1) as number[];
    expect(moving.length).toBeGreaterThan(4);
    expect(moving).toEqual([...moving].sort((a, b) => a - b));
    expect(new Set(moving).size).toBe(moving.length);
    expect(commits.at(-1)?.cursor?.deltaLink).toContain('$deltatoken=');
  });

  it('cancelled with pages in flight, starts no page after it and commits every page it wrote', async () => {
    await editEveryAccount('+1 555 0302');
    h.sim.finance.faults.set({ latencyMs: 20 });
    const controller = new AbortController();
    const { result, read } = await runRecorded({
      signal: controller.signal,
      onCommit: (commits) => commits === 1 && controller.abort(),
    });

    expect(result).toEqual({ status: 'cancelled' });
    expect(read % pageSize).toBe(0);
    expect(read).toBeLessThan(h.sim.sales.store.count('accounts'));
    // What Finance holds of this change is exactly what the committed pages counted: no page wrote
    // without committing.
    expect(appliedPatches()).toBe(customersWithPhone('+1 555 0302').length);
    const run = await runRecorded();
    expect(run.result).toMatchObject({ status: 'completed' });
    expect(customersWithPhone('+1 555 0302')).toHaveLength(numbered().length);
  });

  it('fails when a page fails, keeping the pages before it committed; the next run writes each record once', async () => {
    const edited = await editEveryAccount('+1 555 0303');
    h.sim.finance.faults.set({ latencyMs: 20 });
    // The third write Finance is sent is refused (a 400 is not retried): that page fails the flow.
    let writes = 0;
    const original = h.sim.finance.faults.decide.bind(h.sim.finance.faults);
    h.sim.finance.faults.decide = (request) =>
      request.method === 'POST' && request.entitySet === '$batch' && ++writes === 3
        ? { kind: 'status', status: 400 }
        : original(request);
    let failed;
    try {
      failed = await runRecorded();
    } finally {
      h.sim.finance.faults.decide = original;
    }

    expect(failed.result).toMatchObject({ status: 'failed' });
    expect(failed.read % pageSize).toBe(0);
    expect(failed.read).toBeGreaterThanOrEqual(2 * pageSize);
    const resumed = await runRecorded();
    expect(resumed.result).toMatchObject({ status: 'completed' });
    expect(resumed.result.status === 'completed' && resumed.result.notes.join(' ')).toMatch(
      /Resumed the read/,
    );
    expect(customersWithPhone('+1 555 0303')).toHaveLength(edited);
    // The resumed read went on after the last committed page: every changed account read once in all.
    expect(failed.read + resumed.read).toBe(edited);
  });
});
