/**
 * The dashboard's schedules in a real browser (Debian's chromium) against its own hub with API keys: an
 * operator creates a schedule through the form, the cron helper showing the hub's next five times and
 * each problem under its field; the list shows it with its next fire time; it is paused, resumed, edited
 * and deleted once confirmed. A run a schedule fired says so in the runs list and on its page (as runs
 * started by hand, by a Sales webhook and by continuous sync say theirs), and the schedule's last outcome
 * links to it. A reader sees the schedules and no control to change them.
 *
 * The page runs in British English on Paris's clock, so a new schedule's zone is Europe/Paris. Every
 * schedule made here is due half a day from now, so the hub's own minute tick fires none of them while
 * the tests run; the one run a schedule starts is fired by the hub's firing code with its clock set after
 * the due time.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createScheduleStore } from '../../src/db/schedules.js';
import { silentLogger } from '../../src/logging.js';
import { fireDueSchedules } from '../../src/sync/schedules/fire.js';
import {
  expectAttribute,
  expectText,
  operator,
  reader,
  problemUnder,
  sidewaysOverflow,
  signInIfAsked,
  useDashboard,
  waitMs,
} from './support.js';

const locale = 'en-GB';
const browserZone = 'Europe/Paris';

const dashboard = useDashboard();

/** A fresh page in British English on Paris's clock, signed in, at the schedules list. */
const openSchedules = (who: typeof operator, role: 'operator' | 'reader') =>
  dashboard.open(who, role, {
    locale,
    timezoneId: browserZone,
    link: 'Schedules',
    heading: 'Sync schedules',
  });

/** Waits until the run has SUCCEEDED; resolves with its ID. */
async function succeeded(runId: string): Promise<string> {
  await expect
    .poll(
      async () =>
        (await dashboard.hub.asOperator(`query($id: ID!) { syncRun(id: $id) { status } }`, { id: runId }))
          .syncRun.status,
      { timeout: waitMs, interval: 100, message: `run ${runId}` },
    )
    .toBe('SUCCEEDED');
  return runId;
}

/** The hour half a day from now on `timeZone`'s clock: a schedule due then fires during no test. */
function hourAwayFromNow(timeZone: string): number {
  const hour = Number(
    new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', hourCycle: 'h23' }).format(new Date()),
  );
  return (hour + 12) % 24;
}

const twoDigits = (n: number) => String(n).padStart(2, '0');

/**
 * How the page writes a due time on the schedule's clock in British English, "Mon 7 Dec 2026, 06:00
 * (Europe/Paris)", as a pattern: its punctuation and the month's length are left to the browser's ICU.
 */
function fireTimePattern(iso: string, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone,
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(new Date(iso))
      .map((part) => [part.type, part.value]),
  );
  const zone = timeZone.replace(/[/+]/g, '\\$&');
  return (
    `${parts['weekday']}\\W+${parts['day']}\\W+${parts['month']!.slice(0, 3)}\\w*\\W+${parts['year']}\\W+` +
    `${parts['hour']}:${parts['minute']} \\(${zone}\\)`
  );
}

/** The text of a due time, and nothing else. */
const fireTimeText = (iso: string, timeZone: string) => new RegExp(`^${fireTimePattern(iso, timeZone)}$`);

/** The hub's next due times of a timing, as the cron helper must show them. */
async function hubTimes(cron: string, timeZone: string): Promise<string[]> {
  const { syncScheduleTimes } = await dashboard.hub.asOperator(
    `query($cron: String!, $timeZone: String) { syncScheduleTimes(cron: $cron, timeZone: $timeZone) }`,
    { cron, timeZone },
  );
  return syncScheduleTimes;
}

const scheduleFields = `id name flows mode dryRun cron timeZone enabled alertOn createdBy nextFireTimes`;

/** The schedule called `name`, as the hub has it (undefined when there is none). */
async function storedSchedule(name: string) {
  const { syncSchedules } = await dashboard.hub.asOperator(`{ syncSchedules { ${scheduleFields} } }`);
  return syncSchedules.find((schedule: { name: string }) => schedule.name === name);
}

const scheduleRow = (page: Page, name: string) =>
  page
    .getByRole('table', { name: 'Sync schedules, by name' })
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name, exact: true }) });

const weekdayHour = hourAwayFromNow(browserZone);
const weekdayCron = `0 ${weekdayHour} * * 1-5`;

describe('sync schedules in the dashboard', () => {
  it('creates a schedule through the form: the cron helper shows the hub’s next five times, each problem is under its field', async () => {
    const page = await openSchedules(operator, 'operator');
    await page.getByText('No schedule yet.').waitFor();
    await page.getByRole('link', { name: 'New schedule' }).click();
    await page.waitForURL((url) => url.pathname.endsWith('/dashboard/schedules/new'));
    await page.getByRole('heading', { name: 'New schedule' }).waitFor();

    // The zone starts as the browser's.
    const zone = page.getByLabel('Time zone', { exact: true });
    expect(await zone.inputValue()).toBe(browserZone);

    await page.getByLabel('Name', { exact: true }).fill('Weekday mornings');
    // A cron hour no day has: the hub's sentence under the field, and no times.
    const cron = page.getByLabel('Cron expression');
    await cron.fill('0 25 * * *');
    await expectText(await problemUnder(cron), /^"0 25 \* \* \*" is not a cron expression/);
    const helper = page.getByRole('region', { name: 'When it fires' });
    expect(await helper.getByRole('listitem').count()).toBe(0);
    // A zone that is not one: its sentence under the zone field; the browser's zone back with a click.
    await cron.fill(weekdayCron);
    await zone.fill('Europe/Atlantis');
    await expectText(await problemUnder(zone), /^"Europe\/Atlantis" is not a time zone/);
    await page.getByRole('button', { name: `Use ${browserZone}` }).click();
    await expectAttribute(zone, 'aria-invalid', 'false');
    await expectAttribute(cron, 'aria-invalid', 'false');

    // The timing in words, and the five times the hub would fire it at, on Paris's clock.
    await expectText(helper.getByText(/^Fires /), `Fires at ${twoDigits(weekdayHour)}:00 on weekdays.`);
    const times = helper.getByRole('list').getByRole('listitem');
    await expect.poll(() => times.count(), { timeout: waitMs }).toBe(5);
    const expected = await hubTimes(weekdayCron, browserZone);
    expect(
      await times.locator('time').evaluateAll((all) => all.map((t) => t.getAttribute('datetime'))),
    ).toEqual(expected);
    for (const [index, time] of expected.entries()) {
      await expectText(times.nth(index), fireTimeText(time, browserZone));
      expect(time).toMatch(/T\d\d:00:00\.000Z$/);
    }

    // No flow chosen: the hub's refusal under the flows.
    const create = page.getByRole('button', { name: 'Create schedule' });
    await create.click();
    await expectText(
      page.getByRole('group', { name: 'Flows' }).getByRole('alert'),
      'a schedule syncs at least one flow.',
    );
    expect(await storedSchedule('Weekday mornings')).toBeUndefined();

    for (const flow of ['Accounts', 'Products'])
      await page.getByRole('checkbox', { name: flow, exact: true }).check();
    await page.getByRole('checkbox', { name: 'Alert when a run ends with errors' }).uncheck();
    for (const alert of ['Alert when a run fails', 'Alert when it is skipped repeatedly'])
      expect(await page.getByRole('checkbox', { name: alert }).isChecked()).toBe(true);
    expect(await page.getByRole('checkbox', { name: 'Enabled' }).isChecked()).toBe(true);
    await create.click();

    await page.waitForURL((url) => url.pathname.endsWith('/dashboard/schedules'));
    const stored = await storedSchedule('Weekday mornings');
    expect(stored).toMatchObject({
      flows: ['ACCOUNTS', 'PRODUCTS'],
      mode: 'INCREMENTAL',
      dryRun: false,
      cron: weekdayCron,
      timeZone: browserZone,
      enabled: true,
      alertOn: ['RUN_FAILED', 'SCHEDULE_SKIPPED'],
      createdBy: operator.name,
    });
    expect(stored.nextFireTimes[0]).toBe(expected[0]);

    const row = scheduleRow(page, 'Weekday mornings');
    await expectText(row.locator('td.next-fire'), fireTimeText(expected[0]!, browserZone));
    await expectAttribute(row.locator('td.next-fire time'), 'datetime', expected[0]!);
    const text = await row.innerText();
    for (const shown of [
      'Accounts and Products',
      'Incremental',
      weekdayCron,
      browserZone,
      `at ${twoDigits(weekdayHour)}:00 on weekdays`,
      'ENABLED',
      'Not fired yet',
      'run fails and skipped repeatedly',
    ])
      expect(text).toContain(shown);
  });

  it('pauses a schedule (no next fire time), resumes it, and edits it', async () => {
    const page = await openSchedules(operator, 'operator');
    const row = scheduleRow(page, 'Weekday mornings');
    await row.getByRole('button', { name: 'Pause' }).click();
    await expectText(row.locator('.status'), 'PAUSED');
    await expectText(row.locator('td.next-fire'), 'None while paused');
    expect(await storedSchedule('Weekday mornings')).toMatchObject({ enabled: false, nextFireTimes: [] });

    await row.getByRole('button', { name: 'Resume' }).click();
    await expectText(row.locator('.status'), 'ENABLED');
    const { nextFireTimes } = await storedSchedule('Weekday mornings');
    expect(nextFireTimes).toHaveLength(5);
    await expectAttribute(row.locator('td.next-fire time'), 'datetime', nextFireTimes[0]);

    await row.getByRole('link', { name: 'Edit' }).click();
    await page.getByRole('heading', { name: 'Edit schedule “Weekday mornings”' }).waitFor();
    // The form holds what the hub has; there is no Enabled box (pausing is on the list).
    expect(await page.getByLabel('Cron expression').inputValue()).toBe(weekdayCron);
    expect(await page.getByLabel('Time zone', { exact: true }).inputValue()).toBe(browserZone);
    expect(await page.getByRole('checkbox', { name: 'Alert when a run ends with errors' }).isChecked()).toBe(
      false,
    );
    expect(await page.getByRole('checkbox', { name: 'Enabled' }).count()).toBe(0);

    const everyDay = `30 ${weekdayHour} * * *`;
    await page.getByLabel('Cron expression').fill(everyDay);
    const helper = page.getByRole('region', { name: 'When it fires' });
    await expectText(helper.getByText(/^Fires /), `Fires at ${twoDigits(weekdayHour)}:30 every day.`);
    await page.getByRole('radio', { name: 'Full' }).check();
    await page.getByRole('checkbox', { name: 'Alert when a run ends with errors' }).check();
    await page.getByRole('button', { name: 'Save changes' }).click();

    await page.waitForURL((url) => url.pathname.endsWith('/dashboard/schedules'));
    await expectText(row.locator('code'), everyDay);
    await expectText(row, /Full/);
    // Listed in the browser's language: British English has no comma before "and".
    await expectText(row, /run fails, run ends with errors,? and skipped repeatedly/);
    const stored = await storedSchedule('Weekday mornings');
    expect(stored).toMatchObject({
      cron: everyDay,
      mode: 'FULL',
      flows: ['ACCOUNTS', 'PRODUCTS'],
      timeZone: browserZone,
      enabled: true,
      alertOn: ['RUN_FAILED', 'RUN_COMPLETED_WITH_ERRORS', 'SCHEDULE_SKIPPED'],
    });
    await expectAttribute(row.locator('td.next-fire time'), 'datetime', stored.nextFireTimes[0]);
  });

  it('deletes a schedule only once the operator confirms', async () => {
    const page = await openSchedules(operator, 'operator');
    const row = scheduleRow(page, 'Weekday mornings');
    await row.getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete schedule Weekday mornings' });
    await dialog.getByRole('button', { name: 'No, keep it' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await row.waitFor();
    expect(await storedSchedule('Weekday mornings')).toBeDefined();

    await row.getByRole('button', { name: 'Delete' }).click();
    await dialog.getByRole('button', { name: 'Yes, delete it' }).click();
    await page.getByText('No schedule yet.').waitFor();
    expect(await row.count()).toBe(0);
    expect(await storedSchedule('Weekday mornings')).toBeUndefined();
  });

  it('shows what started a run: the schedule in the runs list and on the run’s page, linked from its last outcome', async () => {
    const nightlyHour = hourAwayFromNow('UTC');
    const { createSyncSchedule: nightly } = await dashboard.hub.asOperator(
      `mutation($input: SyncScheduleInput!) { createSyncSchedule(input: $input) { id nextFireTimes(count: 1) } }`,
      {
        input: { name: 'Nightly', flows: ['PRODUCTS'], cron: `0 ${nightlyHour} * * *`, timeZone: 'UTC' },
      },
    );
    // The hub's firing code, its clock a second after the due time: the schedule starts its run.
    const fired = await fireDueSchedules({
      schedules: createScheduleStore(dashboard.hub.database),
      start: (input) => dashboard.hub.sync.start(input),
      logger: silentLogger(),
      now: () => new Date(Date.parse(nightly.nextFireTimes[0]) + 1_000),
    });
    expect(fired).toMatchObject([{ scheduleId: nightly.id, outcome: 'STARTED' }]);
    const runId = fired[0]!.runId!;
    await succeeded(runId);
    // And, for comparison, one run started by a person, one by a Sales webhook, one by continuous sync.
    const byHand = await dashboard.hub.runOverGraphQL(['PRODUCTS']);
    const byKind = async (kind: 'WEBHOOK' | 'CONTINUOUS') => {
      const trigger = { kind, name: null };
      const { run } = await dashboard.hub.sync.start({
        flows: ['products'],
        mode: 'INCREMENTAL',
        dryRun: false,
        trigger,
      });
      return succeeded(run.id);
    };
    const byWebhook = await byKind('WEBHOOK');
    const byContinuous = await byKind('CONTINUOUS');

    const page = await openSchedules(operator, 'operator');
    const row = scheduleRow(page, 'Nightly');
    await expectText(row, /STARTED\s+run/);
    await expectText(
      row.locator('.last-outcome .hint'),
      new RegExp(`^due ${fireTimePattern(nightly.nextFireTimes[0], 'UTC')}$`),
    );
    await row.getByRole('link', { name: runId, exact: true }).click();
    await page.waitForURL((url) => url.pathname.endsWith(`/dashboard/runs/${runId}`));
    await expectText(page.getByLabel('Run status', { exact: true }), /^SUCCEEDED$/);
    await expectText(page.getByLabel('Started by', { exact: true }), 'Schedule “Nightly”');

    await page.getByRole('navigation').getByRole('link', { name: 'Runs' }).click();
    await page.getByRole('heading', { name: 'Sync runs' }).waitFor();
    const table = page.getByRole('table', { name: /newest runs/ });
    await table.getByRole('columnheader', { name: 'Started by' }).waitFor();
    const runRow = (id: string) =>
      table.getByRole('row').filter({ has: page.getByRole('link', { name: id, exact: true }) });
    await expectText(runRow(runId), /Schedule “Nightly”/);
    await expectText(runRow(byHand.id), new RegExp(`SUCCEEDED\\s+Incremental\\s+${operator.name}\\s`));
    await expectText(runRow(byWebhook), /SUCCEEDED\s+Incremental\s+A Sales webhook\s/);
    await expectText(runRow(byContinuous), /SUCCEEDED\s+Incremental\s+Continuous sync\s/);
    await runRow(byWebhook).getByRole('link', { name: byWebhook, exact: true }).click();
    await expectText(page.getByLabel('Started by', { exact: true }), 'A Sales webhook');
  });

  it('shows a reader the schedules, with no control to create, pause, edit or delete one', async () => {
    const page = await openSchedules(reader, 'reader');
    const row = scheduleRow(page, 'Nightly');
    await expectText(row, /STARTED\s+run/);
    const { nextFireTimes } = await storedSchedule('Nightly');
    await expectAttribute(row.locator('td.next-fire time'), 'datetime', nextFireTimes[0]);
    const table = page.getByRole('table', { name: 'Sync schedules, by name' });
    expect(await table.getByRole('columnheader', { name: 'Actions' }).count()).toBe(0);
    expect(await table.getByRole('button').count()).toBe(0);
    expect(await table.getByRole('link', { name: /^Edit/ }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'New schedule' }).count()).toBe(0);

    // Nor by address: the form is not shown.
    const { id } = await storedSchedule('Nightly');
    for (const address of ['schedules/new', `schedules/${id}`]) {
      await page.goto(new URL(address, dashboard.hub.dashboardUrl).href);
      await signInIfAsked(page, reader, 'reader');
      await page.getByText('Only operators can create and change schedules.').waitFor();
      expect(await page.getByRole('button', { name: /Create schedule|Save changes/ }).count()).toBe(0);
    }
  });

  it('fits a narrow window: the list and the form scroll no sideways', async () => {
    const page = await openSchedules(operator, 'operator');
    await page.setViewportSize({ width: 400, height: 800 });
    for (const address of ['schedules', 'schedules/new']) {
      await page.goto(new URL(address, dashboard.hub.dashboardUrl).href);
      await signInIfAsked(page, operator, 'operator');
      await page.getByRole('heading').first().waitFor();
      await page.waitForLoadState('networkidle');
      const overflow = await sidewaysOverflow(page);
      expect(overflow, `/dashboard/${address} is wider than the window`).toBeLessThanOrEqual(0);
    }
  });
});
