/**
 * Sync schedules over GraphQL: operators create, change, pause, resume and delete them; readers see them
 * and nothing more; every wrong field is a BAD_USER_INPUT naming it; each schedule shows its next due times
 * and what became of its last ones.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createScheduleStore } from '../../src/db/schedules.js';
import { startTestHub, type TestHub } from '../support/hub.js';

const readerKey = 'reader-key-0123456789abcdefghij';
const operatorKey = 'operator-key-0123456789abcdefghij';

const fields = `id name flows mode dryRun cron timeZone enabled alertOn createdBy nextFireTimes(count: 3)`;
const create = `mutation($input: SyncScheduleInput!) { createSyncSchedule(input: $input) { ${fields} } }`;
const update = `mutation($id: ID!, $change: SyncScheduleChange!) { updateSyncSchedule(id: $id, change: $change) { ${fields} } }`;

let hub: TestHub;
beforeAll(async () => {
  const { auth } = loadConfig({
    HUB_API_KEYS: `reader:dashboard:${readerKey},operator:ci-bot:${operatorKey}`,
  });
  hub = await startTestHub({ accounts: 5, security: { auth } });
});
afterAll(async () => {
  await hub?.close();
});

const asOperator = (query: string, variables?: Record<string, unknown>) =>
  hub.graphql(query, variables, { token: operatorKey });
const asReader = (query: string, variables?: Record<string, unknown>) =>
  hub.graphql(query, variables, { token: readerKey });

const times = `query($cron: String!, $timeZone: String, $count: Int) {
  syncScheduleTimes(cron: $cron, timeZone: $timeZone, count: $count)
}`;

const weekdays = {
  name: 'weekday mornings',
  flows: ['CONTACTS', 'ACCOUNTS'],
  cron: '0 6 * * 1-5',
  timeZone: 'Europe/Paris',
};

describe('sync schedules over GraphQL', () => {
  it('creates a schedule for an operator, with its next due times on its zone’s clock', async () => {
    const { data, errors } = await asOperator(create, { input: weekdays });
    expect(errors).toBeUndefined();
    const schedule = data.createSyncSchedule;
    expect(schedule).toMatchObject({
      name: 'weekday mornings',
      flows: ['ACCOUNTS', 'CONTACTS'],
      mode: 'INCREMENTAL',
      dryRun: false,
      enabled: true,
      alertOn: ['RUN_FAILED', 'RUN_COMPLETED_WITH_ERRORS', 'SCHEDULE_SKIPPED'],
      createdBy: 'ci-bot',
    });
    expect(schedule.nextFireTimes).toHaveLength(3);
    for (const time of schedule.nextFireTimes) {
      const local = new Intl.DateTimeFormat('en-GB', {
        timeZone: 'Europe/Paris',
        weekday: 'short',
        hour: '2-digit',
        minute: '2-digit',
      }).format(new Date(time));
      expect(local).toMatch(/^(Mon|Tue|Wed|Thu|Fri) 06:00$/);
    }
    const listed = await asReader(`{ syncSchedules { name } syncSchedule(id: "${schedule.id}") { cron } }`);
    expect(listed.data).toEqual({
      syncSchedules: [{ name: 'weekday mornings' }],
      syncSchedule: { cron: '0 6 * * 1-5' },
    });
  });

  it('refuses each wrong field with BAD_USER_INPUT naming it', async () => {
    const refused = async (input: Record<string, unknown>) => {
      const { errors } = await asOperator(create, { input: { ...weekdays, name: 'another', ...input } });
      return {
        code: errors?.[0]?.extensions?.['code'],
        argument: errors?.[0]?.extensions?.['argument'],
        message: errors?.[0]?.message,
      };
    };
    expect(await refused({ cron: '*/10 * * * * *' })).toMatchObject({
      code: 'BAD_USER_INPUT',
      argument: 'input.cron',
      message: expect.stringContaining('has 6 field(s); a schedule takes five'),
    });
    expect(await refused({ cron: '0 25 * * *' })).toMatchObject({
      code: 'BAD_USER_INPUT',
      argument: 'input.cron',
    });
    expect(await refused({ timeZone: 'Europe/Atlantis' })).toMatchObject({
      code: 'BAD_USER_INPUT',
      argument: 'input.timeZone',
      message:
        'Invalid argument "input.timeZone": "Europe/Atlantis" is not a time zone; use an IANA name such as Europe/Paris, America/New_York or UTC.',
    });
    expect(await refused({ name: '   ' })).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'input.name' });
    expect(await refused({ flows: [] })).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'input.flows' });
    expect(await refused({ name: 'weekday mornings' })).toMatchObject({
      code: 'BAD_USER_INPUT',
      argument: 'name',
      message: expect.stringContaining('A sync schedule is already called "weekday mornings"'),
    });
    const { data } = await asReader(`{ syncSchedules { name } }`);
    expect(data.syncSchedules).toEqual([{ name: 'weekday mornings' }]);
  });

  it('tells a reader the next five due times of a timing, the ones a saved schedule shows, saving nothing', async () => {
    const before = Date.now();
    const { data, errors } = await asReader(
      `query($cron: String!, $timeZone: String) {
        syncScheduleTimes(cron: $cron, timeZone: $timeZone)
        syncSchedules { name timeZone nextFireTimes }
      }`,
      { cron: weekdays.cron, timeZone: weekdays.timeZone },
    );
    expect(errors).toBeUndefined();
    const due: string[] = data.syncScheduleTimes;
    expect(due).toHaveLength(5);
    const instants = due.map((time) => Date.parse(time));
    expect(instants[0]).toBeGreaterThan(before);
    instants.slice(1).forEach((instant, index) => expect(instant).toBeGreaterThan(instants[index]!));
    // The saved schedule with the same timing fires at the same times; nothing new was saved.
    expect(data.syncSchedules).toEqual([
      { name: 'weekday mornings', timeZone: 'Europe/Paris', nextFireTimes: due },
    ]);
    // Without a zone, the cron is read on UTC's clock.
    const utc = await asReader(`{ syncScheduleTimes(cron: " 30 6 * * * ", count: 3) }`);
    expect(utc.data.syncScheduleTimes).toHaveLength(3);
    for (const time of utc.data.syncScheduleTimes) expect(time).toMatch(/T06:30:00\.000Z$/);
  });

  it.each([
    ['a cron of six fields', { cron: '*/10 * * * * *' }, 'cron', 'has 6 field(s); a schedule takes five'],
    ['an hour no day has', { cron: '0 25 * * *' }, 'cron', 'is not a cron expression'],
    [
      'a zone that is not an IANA name',
      { cron: '0 6 * * *', timeZone: 'Europe/Atlantis' },
      'timeZone',
      'is not a time zone',
    ],
    ['more than 20 times', { cron: '0 6 * * *', count: 21 }, 'count', 'from 1 to 20, got 21'],
  ])(
    'refuses the due times of %s with BAD_USER_INPUT naming the argument',
    async (_case, variables, argument, message) => {
      const { data, errors } = await asReader(times, variables);
      expect(data).toBeNull();
      expect(errors?.[0]).toMatchObject({
        message: expect.stringContaining(message),
        extensions: { code: 'BAD_USER_INPUT', argument },
      });
    },
  );

  it('lets a reader see schedules but change none', async () => {
    const { data } = await asReader(`{ syncSchedules { id } }`);
    const id = data.syncSchedules[0].id;
    for (const [mutation, variables] of [
      [create, { input: { ...weekdays, name: 'by a reader' } }],
      [update, { id, change: { cron: '0 7 * * *' } }],
      [`mutation($id: ID!) { pauseSyncSchedule(id: $id) { id } }`, { id }],
      [`mutation($id: ID!) { deleteSyncSchedule(id: $id) }`, { id }],
    ] as const) {
      const { errors } = await asReader(mutation, variables);
      expect(errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    }
  });

  it('changes, pauses (no next due times), resumes and deletes a schedule; an unknown id is NOT_FOUND', async () => {
    const { data } = await asOperator(create, { input: { ...weekdays, name: 'to change' } });
    const id = data.createSyncSchedule.id;
    const changed = await asOperator(update, { id, change: { cron: '*/30 * * * *', mode: 'FULL' } });
    expect(changed.data.updateSyncSchedule).toMatchObject({
      cron: '*/30 * * * *',
      mode: 'FULL',
      timeZone: 'Europe/Paris',
    });
    const badZone = await asOperator(update, { id, change: { timeZone: 'Nowhere/Else' } });
    expect(badZone.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      argument: 'change.timeZone',
    });

    const paused = await asOperator(
      `mutation($id: ID!) { pauseSyncSchedule(id: $id) { enabled nextFireTimes } }`,
      { id },
    );
    expect(paused.data.pauseSyncSchedule).toEqual({ enabled: false, nextFireTimes: [] });
    const resumed = await asOperator(
      `mutation($id: ID!) { resumeSyncSchedule(id: $id) { enabled nextFireTimes(count: 1) } }`,
      { id },
    );
    expect(resumed.data.resumeSyncSchedule.enabled).toBe(true);
    expect(resumed.data.resumeSyncSchedule.nextFireTimes).toHaveLength(1);

    const deleted = await asOperator(`mutation($id: ID!) { deleteSyncSchedule(id: $id) }`, { id });
    expect(deleted.data).toEqual({ deleteSyncSchedule: id });
    const again = await asOperator(`mutation($id: ID!) { deleteSyncSchedule(id: $id) }`, { id });
    expect(again.errors?.[0]).toMatchObject({
      message: `No sync schedule has the id ${id}.`,
      extensions: { code: 'NOT_FOUND' },
    });
    expect((await asReader(`{ syncSchedule(id: "${id}") { id } }`)).data).toEqual({ syncSchedule: null });
  });

  it('stores what raises an alert for a schedule: all three by default, a subset, or none', async () => {
    const { data, errors } = await asOperator(create, {
      input: { ...weekdays, name: 'quiet', alertOn: ['SCHEDULE_SKIPPED', 'RUN_FAILED', 'RUN_FAILED'] },
    });
    expect(errors).toBeUndefined();
    const id = data.createSyncSchedule.id;
    expect(data.createSyncSchedule.alertOn).toEqual(['RUN_FAILED', 'SCHEDULE_SKIPPED']);

    const changed = await asOperator(update, { id, change: { alertOn: ['RUN_COMPLETED_WITH_ERRORS'] } });
    expect(changed.data.updateSyncSchedule.alertOn).toEqual(['RUN_COMPLETED_WITH_ERRORS']);
    const untouched = await asOperator(update, { id, change: { cron: '0 7 * * *' } });
    expect(untouched.data.updateSyncSchedule.alertOn).toEqual(['RUN_COMPLETED_WITH_ERRORS']);
    const silenced = await asOperator(update, { id, change: { alertOn: [] } });
    expect(silenced.data.updateSyncSchedule.alertOn).toEqual([]);
    const [row] = await createScheduleStore(hub.database)
      .list()
      .then((all) => all.filter((s) => s.id === id));
    expect(row?.alertOn).toEqual([]);

    const unknown = await asOperator(update, { id, change: { alertOn: ['RUN_SUCCEEDED'] } });
    expect(unknown.data).toBeUndefined();
    expect(unknown.errors?.[0]?.message).toContain(
      'Value "RUN_SUCCEEDED" does not exist in "ScheduleAlertEvent" enum.',
    );
    const kept = await asReader(`{ syncSchedule(id: "${id}") { alertOn } }`);
    expect(kept.data.syncSchedule.alertOn).toEqual([]);

    await asOperator(`mutation($id: ID!) { deleteSyncSchedule(id: $id) }`, { id });
  });

  it('lets a reader see the alerts raised and whether Sales and Finance answer', async () => {
    const { data, errors } = await asReader(
      `{ alertDeliveries { id } systemAvailability { system available downSince lastCheckedAt lastError alertedAt } }`,
    );
    expect(errors).toBeUndefined();
    expect(data.alertDeliveries).toEqual([]);
    // Empty until the hub's first minute look; then one entry per system.
    const systems = data.systemAvailability.map((entry: { system: string }) => entry.system);
    expect([[], ['FINANCE', 'SALES']]).toContainEqual(systems);
  });

  it('shows what became of its due times: the run started, or why none was', async () => {
    const { data } = await asReader(`{ syncSchedules { id name } }`);
    const { id } = data.syncSchedules.find((s: { name: string }) => s.name === 'weekday mornings');
    const { runs } = {
      runs: await hub.graphql(
        `mutation { startSync(input: { flows: [PRODUCTS] }) { id } }`,
        {},
        { token: operatorKey },
      ),
    };
    const runId = runs.data.startSync.id;
    const schedules = createScheduleStore(hub.database);
    await schedules.claimDueTime(id, new Date('2026-12-07T05:00:00Z'));
    await schedules.settleFiring(id, new Date('2026-12-07T05:00:00Z'), 'SKIPPED', {
      reason: `skipped: its flows were still running from run ${runId}`,
    });
    await schedules.claimDueTime(id, new Date('2026-12-08T05:00:00Z'));
    await schedules.settleFiring(id, new Date('2026-12-08T05:00:00Z'), 'STARTED', { runId });
    const firings = await asReader(
      `{ syncSchedule(id: "${id}") { firings(first: 5) { dueAt outcome reason run { id } } } }`,
    );
    expect(firings.data.syncSchedule.firings).toEqual([
      { dueAt: '2026-12-08T05:00:00.000Z', outcome: 'STARTED', reason: null, run: { id: runId } },
      {
        dueAt: '2026-12-07T05:00:00.000Z',
        outcome: 'SKIPPED',
        reason: `skipped: its flows were still running from run ${runId}`,
        run: null,
      },
    ]);
    await hub.database.db.execute(sql`delete from sync_schedule_firings where schedule_id = ${id}`);
  });
});
