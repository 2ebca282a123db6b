/**
 * The run queue on pg-boss, on both databases: a run waiting for an executor has one job however often
 * it is queued, each job is executed once whichever instance's workers compete for it, and instances
 * starting together on a new database all start.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openDatabase, type Database } from '../../../src/db/connection.js';
import { silentLogger } from '../../../src/logging.js';
import { createRunQueue, type RunQueue } from '../../../src/sync/runs/job-engine.js';
import { backends, type TestPlace } from '../../db/backends.js';

vi.setConfig({ testTimeout: 60_000 });

describe.each(backends)('the run queue on $name', (backend) => {
  const opened: { place: TestPlace; databases: Database[]; queues: RunQueue[] }[] = [];

  async function place(connections: number) {
    const made = await backend.createPlace();
    const databases = await Promise.all(
      Array.from({ length: backend.name === 'PGlite' ? 1 : connections }, () => openDatabase(made.config)),
    );
    const entry = { place: made, databases, queues: [] as RunQueue[] };
    opened.push(entry);
    return entry;
  }

  afterEach(async () => {
    for (const { place: made, databases, queues } of opened.splice(0)) {
      for (const queue of queues) await queue.stop();
      for (const database of databases) await database.close();
      await made.dispose();
    }
  });

  it('starts several instances together on a new database, and each job runs once among their workers', async () => {
    const entry = await place(3);
    const queue = (i: number) =>
      createRunQueue({
        database: entry.databases[i % entry.databases.length]!,
        logger: silentLogger(),
        pollingIntervalSeconds: 0.5,
      });
    if (backend.name === 'PostgreSQL') {
      // Three instances (a connection pool each) creating the queue at once.
      entry.queues.push(...(await Promise.all([0, 1, 2].map(queue))));
    } else {
      // PGlite serves one hub (its folder is locked), so its queues here start one after another.
      for (const i of [0, 1, 2]) entry.queues.push(await queue(i));
    }
    const executed: string[] = [];
    await Promise.all(
      entry.queues.map((queue) =>
        queue.work(async (runId) => {
          executed.push(runId);
        }),
      ),
    );
    const ids = Array.from({ length: 12 }, (_, i) => `run-${i}`);
    await entry.queues[0]!.enqueue(ids);
    entry.queues[0]!.wake();
    await vi.waitFor(() => expect(executed).toHaveLength(ids.length), { timeout: 20_000 });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect([...executed].sort()).toEqual([...ids].sort());
    expect(await entry.queues[1]!.depth()).toBe(0);
  });

  it('keeps one waiting job per run however often the run is queued', async () => {
    const entry = await place(1);
    const queue = await createRunQueue({ database: entry.databases[0]!, logger: silentLogger() });
    entry.queues.push(queue);
    await queue.enqueue(['run-a', 'run-a', 'run-b']);
    await queue.enqueue(['run-a']);
    expect(await queue.depth()).toBe(2);
  });
});
