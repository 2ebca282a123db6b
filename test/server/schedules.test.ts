/**
 * A schedule fires with nobody asking: the job engine's cron sends its minute tick, an instance takes it
 * and starts the due schedule's run, which says what started it. (The firing rules themselves, with a
 * controlled clock: test/sync/schedules/fire.test.ts.)
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createScheduleStore } from '../../src/db/schedules.js';
import { startTestHub, type TestHub } from '../support/hub.js';
import { createTestSchedule } from '../support/schedules.js';

const runsQuery = `{ syncRuns(first: 5) { nodes { id status requestedBy trigger { kind name } } } }`;

interface Listed {
  syncRuns: {
    nodes: {
      id: string;
      status: string;
      requestedBy: string | null;
      trigger: { kind: string; name: string | null };
    }[];
  };
}

describe('a sync schedule in a running hub', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub({ accounts: 20 });
  });
  afterAll(async () => {
    await hub?.close();
  });

  it('fires at the next tick of the job engine’s cron, and the run names the schedule', async () => {
    const schedules = createScheduleStore(hub.database);
    const schedule = await createTestSchedule(schedules, { name: 'accounts every minute' });
    // Its last due time handled a while ago: the latest one since is due now.
    await hub.database.db.execute(
      sql`update sync_schedules set last_due_at = now() - interval '3 minutes' where id = ${schedule.id}`,
    );
    const run = await vi.waitFor(
      async () => {
        const { data } = await hub.graphql<Listed>(runsQuery);
        const found = data?.syncRuns.nodes.find((node) => node.trigger.kind === 'SCHEDULE');
        expect(found).toBeDefined();
        return found!;
      },
      // The cron sends one tick a minute; the tick of the hub's start came before the schedule existed.
      { timeout: 90_000, interval: 500 },
    );
    expect(run).toMatchObject({
      requestedBy: null,
      trigger: { kind: 'SCHEDULE', name: 'accounts every minute' },
    });
    const [firing] = await schedules.firings(schedule.id, 5);
    expect(firing).toMatchObject({ outcome: 'STARTED', runId: run.id });
  }, 120_000);
});
