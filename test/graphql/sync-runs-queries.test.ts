/**
 * A page of sync runs costs the hub's database the same few queries whatever its size: the runs and
 * their flows are listed together, and each run is answered from that listing rather than read again.
 * The runs a schedule's firings name are read together too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunStore } from '../../src/db/runs.js';
import { createScheduleStore } from '../../src/db/schedules.js';
import { createTestSchedule } from '../support/schedules.js';
import { startTestHub, type TestHub } from '../support/hub.js';

/** Every statement the hub's database ran while `recording`. */
const statements: string[] = [];
let recording = false;

let hub: TestHub;
let scheduleId: string;
beforeAll(async () => {
  hub = await startTestHub({
    accounts: 5,
    queryLogger: { logQuery: (query) => void (recording && statements.push(query)) },
  });
  // The hub's own background work (lease renewals, sweeps, the job engine's handlers) queries the
  // database at any moment; stopped, so that every statement counted is the operation's. The stored runs
  // are read as before: the run store answers without the manager running anything.
  await hub.sync.shutdown();
  const runs = createRunStore(hub.database);
  for (let i = 0; i < 30; i += 1) {
    const run = await runs.createRun({
      flows: ['accounts', 'contacts', 'products', 'quotes'],
      mode: 'FULL',
      dryRun: false,
    });
    await runs.setRunStatus(run.id, i % 3 === 0 ? 'FAILED' : 'SUCCEEDED');
  }
  // A schedule whose last ten due times each started one of those runs.
  const schedules = createScheduleStore(hub.database);
  scheduleId = (await createTestSchedule(schedules, { name: 'nightly' })).id;
  const { items } = await runs.listRuns({ first: 10 });
  for (const [index, run] of items.entries()) {
    const dueAt = new Date(Date.UTC(2026, 11, 1 + index, 2));
    await schedules.claimDueTime(scheduleId, dueAt);
    await schedules.settleFiring(scheduleId, dueAt, 'STARTED', { runId: run.id });
  }
});

/** The statements the database ran for `operation`. */
async function queriesOf(operation: () => Promise<void>): Promise<string[]> {
  statements.length = 0;
  recording = true;
  try {
    await operation();
    return [...statements];
  } finally {
    recording = false;
  }
}
afterAll(() => hub.close());

const runFields = `id status mode createdAt finishedAt executedBy trigger { kind name }
  totals { read failed }
  flows { flow status counters { read } recordsPerSecond etaSeconds error skips { reason count } notes }`;

interface Listed {
  nodes: { id: string; flows: { flow: string; status: string }[] }[];
  /** The statements the database ran for the page. */
  queries: string[];
}

async function listRuns(first: number): Promise<Listed> {
  statements.length = 0;
  recording = true;
  try {
    const { data, errors } = await hub.graphql<{ syncRuns: { nodes: Listed['nodes'] } }>(
      `query($first: Int) { syncRuns(first: $first) { nodes { ${runFields} } pageInfo { hasNextPage } } }`,
      { first },
    );
    expect(errors).toBeUndefined();
    return { nodes: data!.syncRuns.nodes, queries: [...statements] };
  } finally {
    recording = false;
  }
}

describe('listing sync runs', () => {
  it('costs as many database queries for a page of 30 runs as for a page of 1', async () => {
    const one = await listRuns(1);
    const thirty = await listRuns(30);
    expect(one.nodes).toHaveLength(1);
    expect(thirty.nodes).toHaveLength(30);
    for (const run of thirty.nodes) {
      expect(run.flows.map((flow) => flow.flow)).toEqual(['ACCOUNTS', 'CONTACTS', 'PRODUCTS', 'QUOTES']);
      // A final run never shows a flow in progress: the flows come from the same listing as the run.
      expect(run.flows.every((flow) => flow.status !== 'QUEUED')).toBe(true);
    }
    expect(thirty.queries).toHaveLength(one.queries.length);
    // The runs, then their flows: nothing per run.
    expect(one.queries.length).toBeLessThanOrEqual(2);
  });

  it('answers a listed run as the same run read on its own', async () => {
    const { nodes } = await listRuns(3);
    for (const listed of nodes) {
      const { data, errors } = await hub.graphql<{ syncRun: unknown }>(
        `query($id: ID!) { syncRun(id: $id) { ${runFields} } }`,
        { id: listed.id },
      );
      expect(errors).toBeUndefined();
      expect(data!.syncRun).toEqual(listed);
    }
  });
});

describe('a schedule’s firings', () => {
  it('read the runs they started together: as many queries for ten firings as for one', async () => {
    const firings = (first: number) =>
      queriesOf(async () => {
        const { data, errors } = await hub.graphql<{
          syncSchedule: { firings: { run: { id: string; status: string } | null }[] };
        }>(
          `query($id: ID!, $first: Int) { syncSchedule(id: $id) {
            firings(first: $first) { outcome run { id status flows { flow status } } } } }`,
          { id: scheduleId, first },
        );
        expect(errors).toBeUndefined();
        const listed = data!.syncSchedule.firings;
        expect(listed).toHaveLength(first);
        expect(listed.every((firing) => firing.run !== null)).toBe(true);
      });
    const one = await firings(1);
    const ten = await firings(10);
    expect(ten).toHaveLength(one.length);
  });
});
