/**
 * The hub keeps finished sync runs for the configured retention period (`SYNC_RETENTION_DAYS`): runs
 * finished longer ago are deleted when it starts and again while it runs (daily; sooner here), newer ones
 * stay, and a closed hub purges nothing more.
 */
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createConnectors } from '../../src/connectors/index.js';
import { openDatabase, type Database } from '../../src/db/connection.js';
import { createRunStore, type RunStore } from '../../src/db/runs.js';
import { createScheduleStore } from '../../src/db/schedules.js';
import { startHub, type Hub, type HubOptions } from '../../src/hub.js';
import { connectorEndpointFor } from '../../src/simulators/index.js';
import { backends, type TestPlace } from './backends.js';
import { createTestSchedule } from '../support/schedules.js';

// Every PGlite start compiles WebAssembly and may run initdb: seconds each on a busy two-core machine.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000);

// Purging never talks to Sales or Finance, so the connectors point at a port nothing listens on.
const nowhere = connectorEndpointFor('http://127.0.0.1:9');
const connectors = createConnectors({ sales: nowhere, finance: nowhere, financeCompany: 'usmf' });

describe.each(backends.map((backend) => [backend.name, backend] as const))(
  'run retention of a hub on %s',
  (_name, backend) => {
    let place: TestPlace;
    let database: Database;
    let runs: RunStore;
    let hub: Hub | undefined;

    beforeEach(async () => {
      place = await backend.createPlace();
      database = await openDatabase(place.config);
      runs = createRunStore(database);
    });
    afterEach(async () => {
      await hub?.close();
      hub = undefined;
      await database?.close();
      await place?.dispose();
    });

    const start = (options: Partial<HubOptions>) =>
      startHub({ connectors, database, port: 0, host: '127.0.0.1', ...options });

    /** A run that finished `days` days ago. */
    async function finished(days: number): Promise<string> {
      const run = await runs.createRun({ flows: ['accounts'], mode: 'INCREMENTAL', dryRun: false });
      await runs.setRunStatus(run.id, 'SUCCEEDED', { finishedAt: daysAgo(days) });
      return run.id;
    }
    const exists = async (id: string) => (await runs.getRun(id)) !== null;

    it('deletes at start the runs finished longer ago than the configured days, keeping newer ones', async () => {
      const old = await finished(8);
      const newer = await finished(6);
      // Well within the default of 45 days, so only the configured period can delete it.
      hub = await start({ retentionDays: 7 });
      expect(await exists(old)).toBe(false);
      expect(await exists(newer)).toBe(true);
    });

    it('keeps a schedule’s firings as long as the runs', async () => {
      const schedules = createScheduleStore(database);
      const schedule = await createTestSchedule(schedules, {
        name: 'retention',
        cron: '0 * * * *',
        enabled: false,
      });
      for (const days of [8, 6]) {
        const dueAt = daysAgo(days);
        await schedules.claimDueTime(schedule.id, dueAt);
        await database.db.execute(
          sql`update sync_schedule_firings set fired_at = ${dueAt.toISOString()}::timestamptz where due_at = ${dueAt.toISOString()}::timestamptz`,
        );
      }
      hub = await start({ retentionDays: 7 });
      // The firing of 8 days ago went with the runs of its age; the one of 6 days ago stays.
      const kept = await schedules.firings(schedule.id, 10);
      expect(kept).toHaveLength(1);
      expect(kept[0]!.dueAt.getTime()).toBeGreaterThan(daysAgo(7).getTime());
      await schedules.delete(schedule.id);
    });

    it('purges again while running, and no more once closed', async () => {
      const ageing = await finished(6);
      hub = await start({ retentionDays: 7, purgeIntervalMs: 50 });
      expect(await exists(ageing)).toBe(true);

      // Time passes for the run: it is now past the retention period, and the next purge deletes it.
      await database.db.execute(
        sql`update sync_runs set finished_at = now() - interval '8 days' where id = ${ageing}`,
      );
      await vi.waitFor(async () => expect(await exists(ageing)).toBe(false), { timeout: 5_000 });

      await hub.close();
      hub = undefined;
      const afterClose = await finished(8);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await exists(afterClose)).toBe(true);
    });
  },
);
