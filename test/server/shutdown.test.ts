/**
 * Stopping the hub in the middle of a sync, as an orchestrator does (SIGTERM), with the real program in
 * a child process: it refuses new runs at once, lets the running one commit the page in hand, marks it
 * FAILED ("interrupted by shutdown"), closes HTTP, WebSocket and the database and exits 0. Started again
 * on the same data, it shows the run interrupted, and the next run resumes the read after that page.
 *
 * Sales and Finance are simulators in this process, slowed so a page takes a while; they stay up across
 * the restart as real systems would (the embedded ones would come back on other ports and with fresh data).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { shutdownInterruption } from '../../src/sync/runs/manager.js';
import {
  type ExternalSystems,
  type MainProcess,
  startExternalSystems,
  startMainProcess,
} from '../support/main-process.js';

const startSync = `mutation Start($flows: [SyncFlowName!]) {
  startSync(input: { flows: $flows, mode: INCREMENTAL }) { id status }
}`;
const runQuery = `query Run($id: ID!) {
  syncRun(id: $id) { id status error totals { read } flows { flow status error notes } }
}`;

interface RunView {
  id: string;
  status: string;
  error: string | null;
  totals: { read: number };
  flows: { flow: string; status: string; error: string | null; notes: string[] }[];
}

// Six pages of 500: when SIGTERM lands after the first page, the pages in flight beside it (at most four)
// commit and the read is not finished.
const accounts = 3_000;
const finalStatuses = ['SUCCEEDED', 'COMPLETED_WITH_ERRORS', 'FAILED', 'CANCELLED'];

async function run(hub: MainProcess, id: string): Promise<RunView> {
  const { data, errors } = await hub.graphql<{ syncRun: RunView }>(runQuery, { id });
  if (!data?.syncRun) throw new Error(`run ${id} not found: ${JSON.stringify(errors)}`);
  return data.syncRun;
}

async function waitFor(hub: MainProcess, id: string, until: (run: RunView) => boolean): Promise<RunView> {
  for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
    const current = await run(hub, id);
    if (until(current)) return current;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`run ${id} did not get there in time: ${JSON.stringify(await run(hub, id))}`);
}

describe('SIGTERM during a sync run', () => {
  let systems: ExternalSystems;
  let dataDir: string;
  let hub: MainProcess | undefined;
  beforeAll(async () => {
    systems = await startExternalSystems({ accounts, clientSecret: 'shutdown-test-client-secret' });
    dataDir = await mkdtemp(join(tmpdir(), 'hub-shutdown-'));
  });
  afterEach(() => hub?.kill());
  afterAll(async () => {
    await systems.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('commits the pages in hand, marks the run interrupted, exits 0, and the next start resumes it', async () => {
    const env = { ...systems.env, HUB_DATA_DIR: dataDir };
    hub = await startMainProcess(env);
    // Slow enough that a page of 500 accounts takes a good second: SIGTERM lands inside one.
    for (const system of [systems.sales, systems.finance]) system.faults.set({ latencyMs: 100 });
    const started = await hub.graphql<{ startSync: { id: string } }>(startSync, { flows: ['ACCOUNTS'] });
    const runId = started.data!.startSync.id;
    const firstPage = await waitFor(hub, runId, (r) => r.totals.read > 0 || finalStatuses.includes(r.status));
    expect(firstPage.status, 'the run ended before SIGTERM; slow the systems down more').toBe('RUNNING');

    const exit = hub.stop('SIGTERM');
    const refused = await hub.graphql(startSync, { flows: ['PRODUCTS'] });
    expect(refused.errors?.[0]).toMatchObject({
      extensions: {
        code: 'BAD_USER_INPUT',
        problems: [
          'the hub is shutting down and starts no new sync runs; start it again once the hub is back',
        ],
      },
    });
    expect(refused.errors?.[0]?.message).toMatch(/^The sync cannot start: the hub is shutting down/);
    expect(await exit).toEqual({ code: 0, signal: null });
    const output = hub.output();
    expect(output).toContain('"msg":"SIGTERM: shutting down');
    expect(output).toMatch(
      new RegExp(
        `"runId":"${runId}","status":"FAILED".*"error":"${shutdownInterruption}","msg":"sync run finished"`,
      ),
    );
    expect(output).toContain('"msg":"Stopped"');

    for (const system of [systems.sales, systems.finance]) system.faults.reset();
    hub = await startMainProcess(env);
    const interrupted = await run(hub, runId);
    expect(interrupted).toMatchObject({
      status: 'FAILED',
      error: shutdownInterruption,
      flows: [{ flow: 'ACCOUNTS', status: 'FAILED', error: shutdownInterruption }],
    });
    // The pages in hand when SIGTERM came were committed, and the read had not finished.
    const committed = interrupted.totals.read;
    expect(committed).toBeGreaterThan(firstPage.totals.read);
    expect(committed).toBeLessThan(accounts);
    expect(committed % 500).toBe(0);

    const next = await hub.graphql<{ startSync: { id: string } }>(startSync, { flows: ['ACCOUNTS'] });
    const resumed = await waitFor(hub, next.data!.startSync.id, (r) => finalStatuses.includes(r.status));
    expect(resumed.status).toBe('SUCCEEDED');
    expect(resumed.totals.read).toBe(accounts - committed);
    expect(resumed.flows[0]!.notes).toContain(
      `Resumed the read where run ${runId} stopped: the records it committed were not read again.`,
    );
    expect(await hub.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  }, 180_000);

  it('stops as cleanly with the embedded simulators, slowed by SIMULATOR_LATENCY_MS', async () => {
    hub = await startMainProcess({
      HUB_DATA_DIR: join(dataDir, 'embedded'),
      SEED_ACCOUNTS: String(accounts),
      SIMULATOR_LATENCY_MS: '100',
    });
    expect(hub.output()).toContain('Embedded simulators answer after 100 ms (SIMULATOR_LATENCY_MS)');
    const started = await hub.graphql<{ startSync: { id: string } }>(startSync, { flows: ['ACCOUNTS'] });
    const runId = started.data!.startSync.id;
    const firstPage = await waitFor(hub, runId, (r) => r.totals.read > 0 || finalStatuses.includes(r.status));
    expect(firstPage.status, 'the run ended before SIGTERM; slow the simulators down more').toBe('RUNNING');
    expect(await hub.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(hub.output()).toMatch(
      new RegExp(
        `"runId":"${runId}","status":"FAILED".*"error":"${shutdownInterruption}","msg":"sync run finished"`,
      ),
    );
    expect(hub.output()).toContain('"msg":"Stopped"');
  }, 120_000);
});
