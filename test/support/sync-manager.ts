/**
 * A run manager as the hub assembles it, for tests that drive the manager without the whole hub: its
 * workers fetch runs from a job queue over the same database, and it has looked for runs left behind.
 */
import type { Database } from '../../src/db/connection.js';
import { silentLogger } from '../../src/logging.js';
import type { SyncManager } from '../../src/sync/runs/types.js';
import { createSyncManager, type SyncManagerOptions } from '../../src/sync/runs/manager.js';
import { createRunQueue } from '../../src/sync/runs/job-engine.js';

export async function startSyncManager(
  database: Pick<Database, 'executeSql'>,
  options: Omit<SyncManagerOptions, 'queue'>,
): Promise<SyncManager> {
  const queue = await createRunQueue({
    database,
    logger: options.logger ?? silentLogger(),
    // Tests start runs on one instance, whose workers are woken at once; other instances' jobs are rarer.
    pollingIntervalSeconds: 0.5,
  });
  const manager = createSyncManager({ ...options, queue });
  await manager.recoverInterrupted();
  return manager;
}
