/**
 * Firing schedules: a due time fires once however many instances look at once; a due time whose flows
 * still run is skipped with the reason; a hub that was down over several due times fires once; a paused
 * schedule fires nothing. The clock is the test's; the runs are the run manager's, with a scripted engine.
 */
import { sql } from 'drizzle-orm';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createScheduleStore,
  unsettledFiringAfterMs,
  type ScheduleStore,
} from '../../../src/db/schedules.js';
import { silentLogger } from '../../../src/logging.js';
import type { SyncManager } from '../../../src/sync/runs/types.js';
import { fireDueSchedules } from '../../../src/sync/schedules/fire.js';
import { gate, useManager, useRunStore } from '../runs/support.js';
import { createTestSchedule } from '../../support/schedules.js';

vi.setConfig({ testTimeout: 60_000 });

const store = useRunStore();
const setup = useManager(store);
let schedules: ScheduleStore;

beforeEach(async () => {
  schedules = createScheduleStore(store.database);
  await store.database.db.execute(sql`delete from sync_schedules`);
});

/** An every-minute schedule of the accounts flow whose last handled due time was `lastDue`. */
async function everyMinute(lastDue: string, name = 'accounts every minute') {
  const schedule = await createTestSchedule(schedules, { name });
  await store.database.db.execute(
    sql`update sync_schedules set last_due_at = ${lastDue}::timestamptz where id = ${schedule.id}`,
  );
  return schedule;
}

const fireAt = (manager: SyncManager, at: string) =>
  fireDueSchedules({ schedules, start: manager.start, logger: silentLogger(), now: () => new Date(at) });

describe('firing schedules', () => {
  it('fires a due time once however many instances look at once, the run saying which schedule started it', async () => {
    const { manager, recorder } = await setup();
    const schedule = await everyMinute('2026-12-06T08:00:00Z');
    const fired = (await Promise.all([1, 2, 3].map(() => fireAt(manager, '2026-12-06T08:01:05Z')))).flat();
    expect(fired).toEqual([
      {
        scheduleId: schedule.id,
        dueAt: new Date('2026-12-06T08:01:00Z'),
        outcome: 'STARTED',
        runId: expect.any(String),
      },
    ]);
    const { run } = await recorder.ended(fired[0]!.runId!);
    expect(run).toMatchObject({
      status: 'SUCCEEDED',
      triggerKind: 'SCHEDULE',
      triggerName: 'accounts every minute',
      requestedBy: null,
    });
    expect(await schedules.firings(schedule.id, 10)).toMatchObject([
      { dueAt: new Date('2026-12-06T08:01:00Z'), outcome: 'STARTED', runId: run.id, reason: null },
    ]);
    // Later in the same minute there is nothing more to fire.
    expect(await fireAt(manager, '2026-12-06T08:01:50Z')).toEqual([]);
  });

  it('skips a due time whose flows still run from the previous run, and says why, instead of queueing it', async () => {
    const hold = gate();
    const { manager, recorder } = await setup({
      accounts: { pages: [{ read: 1 }], beforePage: () => hold.opened },
    });
    const schedule = await everyMinute('2026-12-06T08:00:00Z');
    const [first] = await fireAt(manager, '2026-12-06T08:01:00Z');
    const [second] = await fireAt(manager, '2026-12-06T08:02:00Z');
    expect(second).toEqual({
      scheduleId: schedule.id,
      dueAt: new Date('2026-12-06T08:02:00Z'),
      outcome: 'SKIPPED',
      reason: `skipped: its flows were still running from run ${first!.runId}`,
    });
    hold.open();
    await recorder.ended(first!.runId!);
    expect((await schedules.firings(schedule.id, 10)).map(({ outcome }) => outcome)).toEqual([
      'SKIPPED',
      'STARTED',
    ]);
    // The next due time fires again.
    expect((await fireAt(manager, '2026-12-06T08:03:00Z')).map(({ outcome }) => outcome)).toEqual([
      'STARTED',
    ]);
  });

  it('raises an alert when a schedule has been skipped three due times in a row, once', async () => {
    const hold = gate();
    const { manager, recorder } = await setup({
      accounts: { pages: [{ read: 1 }], beforePage: () => hold.opened },
    });
    const schedule = await everyMinute('2026-12-06T08:00:00Z');
    const raised: { name: string; inARow: number; reason: string }[] = [];
    const alerts = {
      async scheduleSkipped(s: { name: string }, skipped: { reason: string }, inARow: number) {
        raised.push({ name: s.name, inARow, reason: skipped.reason });
      },
    };
    const fire = (at: string) =>
      fireDueSchedules({
        schedules,
        start: manager.start,
        logger: silentLogger(),
        now: () => new Date(at),
        alerts,
      });
    const [started] = await fire('2026-12-06T08:01:00Z');
    for (const minute of ['02', '03', '04', '05']) await fire(`2026-12-06T08:${minute}:00Z`);
    // Told of every skip, with the count so far; the alert module raises one at three.
    expect(raised.map(({ inARow }) => inARow)).toEqual([1, 2, 3, 4]);
    expect(raised[0]).toEqual({
      name: 'accounts every minute',
      inARow: 1,
      reason: `skipped: its flows were still running from run ${started!.runId}`,
    });
    expect(schedule.id).toBeDefined();
    hold.open();
    await recorder.ended(started!.runId!);
  });

  it('fires once, for the latest, after a stretch of missed due times (a hub that was down)', async () => {
    const { manager } = await setup();
    const schedule = await everyMinute('2026-12-06T08:00:00Z');
    const fired = await fireAt(manager, '2026-12-06T08:07:30Z');
    expect(fired.map(({ dueAt }) => dueAt.toISOString())).toEqual(['2026-12-06T08:07:00.000Z']);
    expect(await schedules.firings(schedule.id, 10)).toHaveLength(1);
  });

  it('lists a due time only once its run has started (or why not), and one whose instance stopped in between as FAILED', async () => {
    const schedule = await everyMinute('2026-12-06T08:00:00Z');
    // Claimed by an instance that has not started its run yet: not a firing anyone can read.
    expect(await schedules.claimDueTime(schedule.id, new Date('2026-12-06T08:01:00Z'))).toBe(true);
    expect(await schedules.firings(schedule.id, 10)).toEqual([]);
    // The instance stopped there: past the allowance the claim shows as a failed start, saying what happened.
    await store.database.db.execute(
      sql`update sync_schedule_firings set fired_at = now() - ${`${unsettledFiringAfterMs + 1_000} milliseconds`}::interval`,
    );
    expect(await schedules.firings(schedule.id, 10)).toMatchObject([
      {
        dueAt: new Date('2026-12-06T08:01:00Z'),
        outcome: 'FAILED',
        runId: null,
        reason: expect.stringContaining('stopped before it recorded its run'),
      },
    ]);
  });

  it('fires nothing for a paused schedule, and counts from its resumption once enabled again', async () => {
    const { manager } = await setup();
    const schedule = await everyMinute('2026-12-06T08:00:00Z');
    await schedules.update(schedule.id, { enabled: false });
    expect(await fireAt(manager, '2026-12-06T08:05:00Z')).toEqual([]);
    const resumed = await schedules.update(schedule.id, { enabled: true });
    // Due times while it was paused are not fired late.
    expect(resumed.lastDueAt!.getTime()).toBeGreaterThan(new Date('2026-12-06T08:05:00Z').getTime());
  });
});
