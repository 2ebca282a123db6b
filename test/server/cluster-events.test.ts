/**
 * Three hub processes on one PostgreSQL database, Sales and Finance outside them (simulators in this
 * process): a graphql-ws subscriber on any instance sees every update of a run executing on another,
 * the same updates in the same order as the executing instance's own subscribers, each once, ending with
 * the final status. Twenty concurrent starts of one flow spread over the three give one run, the others
 * SYNC_ALREADY_RUNNING naming it; and a fourth instance starting and stopping beside a running sync
 * leaves it alone. Needs PostgreSQL (`TEST_DATABASE_URL`).
 */
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { type TestPlace, postgresBackend } from '../db/backends.js';
import {
  type ExternalSystems,
  type MainProcess,
  startExternalSystems,
  startMainProcess,
} from '../support/main-process.js';

const adminUrl = process.env.TEST_DATABASE_URL;
const postgres = postgresBackend;

const runFields = `id status error
  totals { read created updated unchanged skipped failed }
  flows { flow status counters { read created updated unchanged skipped failed } estimatedTotal recordsPerSecond etaSeconds notes }`;

interface RunView {
  id: string;
  status: string;
}

const finalStatuses = ['SUCCEEDED', 'COMPLETED_WITH_ERRORS', 'FAILED', 'CANCELLED'];
const accounts = 1_500; // three pages of 500

/** What one subscription has received so far, and whether it completed. */
interface Heard {
  events: RunView[];
  completed: boolean;
}

function subscribe(client: Client, query: string, variables: Record<string, unknown> = {}): Heard {
  const heard: Heard = { events: [], completed: false };
  client.subscribe<Record<string, RunView>>(
    { query, variables },
    {
      next: (value) => {
        if (value.errors) throw new Error(JSON.stringify(value.errors));
        heard.events.push(Object.values(value.data!)[0]!);
      },
      error: (error) => {
        throw error instanceof Error ? error : new Error(JSON.stringify(error));
      },
      complete: () => (heard.completed = true),
    },
  );
  return heard;
}

const ofRun = (heard: Heard, id: string) => heard.events.filter((event) => event.id === id);
const isFinal = (event: RunView | undefined) => event !== undefined && finalStatuses.includes(event.status);

describe.skipIf(!adminUrl || !postgres)(
  'run events across three hub instances on one database (needs TEST_DATABASE_URL)',
  () => {
    let systems: ExternalSystems;
    let place: TestPlace;
    let hubs: MainProcess[] = [];
    let env: Record<string, string>;
    const clients: Client[] = [];

    beforeAll(async () => {
      systems = await startExternalSystems({ accounts, clientSecret: 'cluster-events-client-secret' });
      place = await postgres!.createPlace();
      env = { ...systems.env, DATABASE_URL: (place.config as { url: string }).url };
      // All instances first: a hub starting on the database marks the runs it finds running as interrupted.
      hubs = await Promise.all([1, 2, 3].map(() => startMainProcess(env)));
    }, 120_000);
    afterAll(async () => {
      await Promise.all(clients.map((client) => client.dispose()));
      await Promise.all(hubs.map((hub) => hub.stop('SIGTERM')));
      for (const hub of hubs) hub.kill();
      await place?.dispose();
      await systems?.close();
    });

    it("shows every subscriber, on every instance, each of a run's updates in order and once", async () => {
      for (const hub of hubs) {
        const client = createClient({
          url: hub.url.replace(/^http/, 'ws'),
          webSocketImpl: WebSocket,
          retryAttempts: 0,
        });
        clients.push(client);
      }
      const everyRun = clients.map((client) =>
        subscribe(client, `subscription { syncRunsUpdated { ${runFields} } }`),
      );
      const start = (mode: string, dryRun: boolean) =>
        hubs[0]!.graphql<{ startSync: { id: string } }>(
          `mutation($mode: SyncMode!, $dryRun: Boolean) {
            startSync(input: { flows: [ACCOUNTS], mode: $mode, dryRun: $dryRun }) { id }
          }`,
          { mode, dryRun },
        );

      // A dry run first, until every subscriber has heard its end: then every subscription is in place.
      const warmUp = (await start('FULL', true)).data!.startSync.id;
      await vi.waitFor(
        () => everyRun.forEach((heard) => expect(isFinal(ofRun(heard, warmUp).at(-1))).toBe(true)),
        {
          timeout: 60_000,
          interval: 50,
        },
      );

      // Slowed, so that the run moves through several progress updates.
      for (const system of [systems.sales, systems.finance]) system.faults.set({ latencyMs: 20 });
      const runId = (await start('FULL', false)).data!.startSync.id;
      const oneRun = clients.map((client) =>
        subscribe(client, `subscription($id: ID!) { syncRunUpdated(id: $id) { ${runFields} } }`, {
          id: runId,
        }),
      );
      await vi.waitFor(
        () => {
          for (const heard of everyRun) expect(isFinal(ofRun(heard, runId).at(-1))).toBe(true);
          for (const heard of oneRun) expect(heard.completed).toBe(true);
        },
        { timeout: 120_000, interval: 100 },
      );
      for (const system of [systems.sales, systems.finance]) system.faults.reset();

      // Instance 1 executes the run and delivers to its own subscribers directly: the reference.
      const [executing, ...others] = everyRun.map((heard) => ofRun(heard, runId));
      expect(executing!.length, 'too few updates to tell anything: slow the systems down').toBeGreaterThan(5);
      expect(executing!.at(0)!.status).toBe('QUEUED');
      expect(executing!.at(-1)!.status).toBe('SUCCEEDED');
      for (const events of others) expect(events).toEqual(executing);

      // A run's own subscription starts with the state read at subscribing, then follows the same updates.
      for (const heard of oneRun) {
        const [, ...updates] = heard.events;
        expect(updates.length).toBeGreaterThan(0);
        expect(executing!.slice(-updates.length)).toEqual(updates);
      }
    }, 240_000);

    it('gives twenty concurrent starts of one flow across the three instances exactly one run', async () => {
      // Slowed, so the run that wins is still running while every other start is decided.
      for (const system of [systems.sales, systems.finance]) system.faults.set({ latencyMs: 400 });
      const starts = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          hubs[i % hubs.length]!.graphql<{ startSync: { id: string } }>(
            `mutation { startSync(input: { flows: [ACCOUNTS] }) { id } }`,
          ),
        ),
      );
      const started = starts
        .filter((answer) => answer.data?.startSync)
        .map((answer) => answer.data!.startSync.id);
      expect(started).toHaveLength(1);
      const refusals = starts.filter((answer) => answer.errors).map((answer) => answer.errors![0]!);
      expect(refusals).toHaveLength(19);
      for (const refusal of refusals)
        expect(refusal.extensions).toMatchObject({ code: 'SYNC_ALREADY_RUNNING', runId: started[0] });
      for (const system of [systems.sales, systems.finance]) system.faults.reset();
      await waitForEnd(hubs[1]!, started[0]!);
    }, 120_000);

    it('lets a fourth instance start and stop beside a running sync without disturbing it', async () => {
      // Slow enough that the run outlasts a new instance's start on a busy machine (seconds), then quick.
      for (const system of [systems.sales, systems.finance]) system.faults.set({ latencyMs: 2_000 });
      try {
        const { data } = await hubs[0]!.graphql<{ startSync: { id: string } }>(
          `mutation { startSync(input: { flows: [ACCOUNTS], mode: FULL }) { id } }`,
        );
        const runId = data!.startSync.id;
        const fourth = await startMainProcess({ ...env, HUB_INSTANCE_ID: 'hub-4' });
        expect((await statusOn(fourth, runId)).status).toBe('RUNNING');
        expect(await fourth.stop('SIGTERM')).toEqual({ code: 0, signal: null });
        for (const system of [systems.sales, systems.finance]) system.faults.set({ latencyMs: 20 });
        const ended = await waitForEnd(hubs[2]!, runId);
        expect(ended).toMatchObject({ status: 'SUCCEEDED', error: null });
      } finally {
        for (const system of [systems.sales, systems.finance]) system.faults.reset();
      }
    }, 180_000);
  },
);

async function statusOn(hub: MainProcess, id: string): Promise<{ status: string; error: string | null }> {
  const { data } = await hub.graphql<{ syncRun: { status: string; error: string | null } }>(
    'query($id: ID!) { syncRun(id: $id) { status error } }',
    { id },
  );
  return data!.syncRun;
}

async function waitForEnd(hub: MainProcess, id: string): Promise<{ status: string; error: string | null }> {
  let run = await statusOn(hub, id);
  await vi.waitFor(
    async () => {
      run = await statusOn(hub, id);
      expect(finalStatuses).toContain(run.status);
    },
    { timeout: 120_000, interval: 100 },
  );
  return run;
}
