/**
 * `npm start` as a service manager, a container runtime or a terminal runs it: a real `npm start` in a
 * process group of its own. However the stop signal arrives (to npm, to the whole group as Ctrl-C sends
 * it, or to the hub's node process), the hub stops cleanly during a sync, npm exits 0 and no process of
 * the group is left. The embedded database folder has one hub at a time, and a start that cannot work
 * (a taken port, a damaged folder) says so in one sentence before any slow work.
 */
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, truncate } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connection.js';
import { shutdownInterruption } from '../../src/sync/runs/manager.js';
import { type NpmStartProcess, runNpmStartUntilExit, startNpmStart } from '../support/main-process.js';

const startSync = `mutation { startSync(input: { flows: [ACCOUNTS], mode: FULL }) { id } }`;
const runQuery = `query Run($id: ID!) { syncRun(id: $id) { status totals { read } } }`;
const finalStatuses = ['SUCCEEDED', 'COMPLETED_WITH_ERRORS', 'FAILED', 'CANCELLED'];

async function graphql<T>(url: string, query: string, variables?: Record<string, unknown>): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown };
  if (!body.data) throw new Error(`GraphQL failed: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/** Starts an ACCOUNTS run and resolves once it has committed a page and still runs. */
async function syncInProgress(hub: NpmStartProcess): Promise<{ id: string; read: number }> {
  const { startSync: run } = await graphql<{ startSync: { id: string } }>(hub.url, startSync);
  for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
    const { syncRun } = await graphql<{ syncRun: { status: string; totals: { read: number } } }>(
      hub.url,
      runQuery,
      { id: run.id },
    );
    if (finalStatuses.includes(syncRun.status))
      throw new Error('the run ended before the stop; slow it more');
    if (syncRun.totals.read > 0) return { id: run.id, read: syncRun.totals.read };
    await new Promise((done) => setTimeout(done, 50));
  }
  throw new Error(`run ${run.id} read nothing in time`);
}

/** Waits (bounded) until no process of the group is left; resolves with whether one still is. */
async function groupEnds(hub: NpmStartProcess): Promise<boolean> {
  for (const deadline = Date.now() + 20_000; Date.now() < deadline && hub.groupAlive();) {
    await new Promise((done) => setTimeout(done, 100));
  }
  return hub.groupAlive();
}

describe('npm start as a service', () => {
  let root: string;
  let shared: string;
  let hub: NpmStartProcess | undefined;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'hub-service-'));
    shared = join(root, 'data');
  });
  afterEach(() => hub?.killGroup());
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('says what it is doing before each slow step of a first start', async () => {
    hub = await startNpmStart({ HUB_DATA_DIR: shared });
    const output = hub.output();
    const steps = [
      `Creating the embedded database in ${resolve(shared)}`,
      'Database: embedded PGlite',
      'Seeding the demo data for the embedded simulators (300 accounts)',
      'Seeded demo data',
      'GraphQL API:',
    ].map((step) => output.indexOf(step));
    expect(
      steps.every((at) => at >= 0),
      output,
    ).toBe(true);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    // Node's heap limit is 1 GiB unless NODE_OPTIONS sets another (Node's own default lets garbage grow).
    expect(await readFile(`/proc/${hub.hubPid}/environ`, 'utf8')).toContain(
      'NODE_OPTIONS=--max-old-space-size=1024 ',
    );
    process.kill(hub.hubPid, 'SIGTERM');
    expect(await hub.exited).toEqual({ code: 0, signal: null });
  }, 180_000);

  const signals: { to: string; signal: NodeJS.Signals; send: (hub: NpmStartProcess) => void }[] = [
    { to: "npm's pid", signal: 'SIGTERM', send: (h) => process.kill(h.npmPid, 'SIGTERM') },
    { to: 'the process group (Ctrl-C)', signal: 'SIGINT', send: (h) => process.kill(-h.npmPid, 'SIGINT') },
    { to: "the hub's node process", signal: 'SIGTERM', send: (h) => process.kill(h.hubPid, 'SIGTERM') },
  ];
  it.each(signals)(
    '$signal to $to during a sync: the pages in hand are committed, the run interrupted, npm exits 0, no process left',
    async ({ signal, send }) => {
      hub = await startNpmStart({ HUB_DATA_DIR: shared, SEED_ACCOUNTS: '3000', SIMULATOR_LATENCY_MS: '100' });
      const run = await syncInProgress(hub);
      send(hub);
      expect(await hub.exited).toEqual({ code: 0, signal: null });
      expect(await groupEnds(hub), 'a process of the group outlived npm').toBe(false);
      await hub.closed;
      const output = hub.output();
      expect(output).toContain(`"msg":"${signal}: shutting down`);
      const finished = output
        .split('\n')
        .filter((line) => line.includes(`"runId":"${run.id}"`) && line.includes('"msg":"sync run finished"'))
        .map((line) => JSON.parse(line) as { status: string; error: string; totals: { read: number } });
      expect(finished).toMatchObject([{ status: 'FAILED', error: shutdownInterruption }]);
      // The pages in hand when the signal came were committed (pages of 500; at most four beside the first),
      // and the read had not finished.
      const { read } = finished[0]!.totals;
      expect(read).toBeGreaterThan(run.read);
      expect(read % 500).toBe(0);
      expect(read).toBeLessThan(3000);
      expect(output).toContain('"msg":"Stopped"');
      expect(output).not.toContain('did not stop within');
    },
    180_000,
  );

  it('refuses a second hub on the same HUB_DATA_DIR, naming the folder and the holder, until the holder is gone', async () => {
    hub = await startNpmStart({ HUB_DATA_DIR: shared });
    const second = await runNpmStartUntilExit({ HUB_DATA_DIR: shared });
    expect(second.code).toBe(1);
    expect(second.output).toContain(
      `The hub cannot start: The embedded database ${resolve(shared)} is in use by another hub (pid ${hub.hubPid} `,
    );
    expect(second.output).not.toContain('GraphQL API:');

    // Killed without a chance to release its lock, the holder no longer blocks the folder.
    process.kill(-hub.npmPid, 'SIGKILL');
    expect(await groupEnds(hub)).toBe(false);
    expect(existsSync(join(shared, 'hub.lock.json')), 'the killed hub left its lock behind').toBe(true);
    hub = await startNpmStart({ HUB_DATA_DIR: shared });
    process.kill(hub.npmPid, 'SIGTERM');
    expect(await hub.exited).toEqual({ code: 0, signal: null });
  }, 180_000);

  it('reports a taken port in one line, before any slow start-up work', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', done));
    const { port } = blocker.address() as AddressInfo;
    try {
      const folder = join(root, 'port-taken');
      const outcome = await runNpmStartUntilExit({ PORT: String(port), HUB_DATA_DIR: folder });
      expect(outcome.code).toBe(1);
      const lines = outcome.output.split('\n').filter((line) => line.includes(String(port)));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(
        `The hub cannot start: Port ${port} on 127.0.0.1 is already in use (another hub or program listens there): stop it, or set PORT to a free port.`,
      );
      expect(outcome.output).not.toMatch(/^\s+at /m);
      expect(outcome.output).not.toContain('embedded database');
      expect(outcome.output).not.toContain('Seeding');
      expect(existsSync(folder), 'the database folder was created before the port was checked').toBe(false);
    } finally {
      await new Promise((done) => blocker.close(done));
    }
  }, 120_000);

  it('says how to recover from a folder PGlite cannot open, and what moving it aside loses', async () => {
    if (!existsSync(join(shared, 'PG_VERSION')))
      await (await openDatabase({ kind: 'pglite', dataDir: shared })).close();
    const damaged = join(root, 'damaged');
    await cp(shared, damaged, { recursive: true });
    await rm(join(damaged, 'hub.lock'), { recursive: true, force: true });
    await truncate(join(damaged, 'global', 'pg_control'), 0);
    const outcome = await runNpmStartUntilExit({ HUB_DATA_DIR: damaged });
    expect(outcome.code).toBe(1);
    const folder = resolve(damaged);
    expect(outcome.output).toContain(
      `The hub cannot start: PGlite at ${folder} could not be opened: Aborted()`,
    );
    expect(outcome.output).toContain(`move it aside (mv ${folder} ${folder}.broken)`);
    expect(outcome.output).toContain(
      "Lost with it: the hub's sync run history, the links between Sales and Finance records and each flow's cursor",
    );
    expect(outcome.output).toContain('the data in Sales and Finance is not touched');
  }, 180_000);
});
