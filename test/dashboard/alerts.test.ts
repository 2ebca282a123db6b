/**
 * The Alerts page in a real browser (Debian's chromium) against its own hub with API keys, whose alerts
 * go to a real HTTP receiver at a URL with a secret path and a token in its query: a reader sees that
 * alerts are configured and the receiver's origin, and neither the page nor any answer it got holds the
 * path, the token or the signing secret; Sales and Finance are shown answering, Finance down since the
 * hub's look found it so (alerted once the configured minutes passed) and answering again, each with its
 * alert; a run that ends with errors is listed with its alert, pending while the receiver fails and
 * delivered once it answers, linked to the run; the page fits a narrow window.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Locator, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { expectText, operator, reader, sidewaysOverflow, signInIfAsked, useDashboard } from './support.js';

const secretPath = '/hooks/secret-path';
const token = 'token=abc';
const secret = 'dashboard-alert-secret-0123456789';

let receiver: Server;
let origin: string;
/** What the receiver answers each alert with. */
let answer = 204;

// Registered before useDashboard's hooks, so it runs after theirs: the hub is closed before its receiver.
afterAll(async () => {
  if (receiver) await new Promise((resolve) => receiver.close(resolve));
});

const dashboard = useDashboard(async () => {
  // The receiver first: the hub's alerts go to its URL.
  receiver = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.statusCode = answer;
      response.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  return {
    accounts: 30,
    alerts: { url: `${origin}${secretPath}?${token}`, secret },
    // Finance failing on purpose below must not keep later looks and runs from reaching it.
    circuitBreaker: { failureThreshold: 1_000 },
  };
});

/** A fresh page, signed in, at the Alerts page; `answers` collects the body of every GraphQL answer it gets. */
const openAlerts = (who: typeof operator, role: 'operator' | 'reader', answers: Promise<string>[] = []) =>
  dashboard.open(who, role, {
    link: 'Alerts',
    heading: 'Alerts',
    beforeLoad: (page) => {
      page.on('response', (response) => {
        if (new URL(response.url()).pathname === '/graphql') answers.push(response.text().catch(() => ''));
      });
    },
  });

const systemRow = (page: Page, system: 'Sales' | 'Finance') =>
  page
    .getByRole('table', { name: 'Whether Sales and Finance answer' })
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name: system, exact: true }) });

const deliveriesTable = (page: Page) => page.getByRole('table', { name: /^The latest \d+ alerts/ });

/** The alert rows of one event. */
const eventRows = (page: Page, event: string) =>
  deliveriesTable(page)
    .getByRole('row')
    .filter({ has: page.locator('code', { hasText: new RegExp(`^${event.replaceAll('.', '\\.')}$`) }) });

/** The cells of a row, by their column. */
const cell = (row: Locator, column: number) => row.locator('td').nth(column);

describe('the Alerts page', () => {
  it('shows a reader where alerts go by the receiver’s origin only, and whether Sales and Finance answer', async () => {
    await dashboard.hub.availability.check();
    const answers: Promise<string>[] = [];
    const page = await openAlerts(reader, 'reader', answers);

    await expectText(page.locator('code.destination'), origin);
    await expectText(page.getByRole('region', { name: 'Where alerts go' }), /Alerts are configured/);
    await page.getByText('has not answered for 5 minutes').waitFor();
    for (const system of ['Sales', 'Finance'] as const)
      await expectText(cell(systemRow(page, system), 0), 'AVAILABLE');
    const schedules = page.getByRole('link', { name: 'schedules', exact: true });
    expect(new URL(await schedules.evaluate((a) => (a as unknown as { href: string }).href)).pathname).toBe(
      '/dashboard/schedules',
    );

    // Finance stops answering: the minute's look finds it down, and one five minutes later alerts. It
    // stays down until the page has shown it, so the hub's own minute look (it may come) finds the same.
    const downSince = new Date();
    const finance = systemRow(page, 'Finance');
    dashboard.hub.simulators.finance.faults.set({ unavailableRate: 1 });
    try {
      await dashboard.hub.availability.check({ now: downSince });
      const later = await dashboard.hub.availability.check({
        now: new Date(downSince.getTime() + 6 * 60_000),
      });
      expect(later.flatMap((look) => (look.raised ? [look.raised] : []))).toEqual(['system.unavailable']);
      await expectText(cell(finance, 0), 'DOWN');
      // Since this test's look (or the hub's own, had it come between the fault and that look).
      const shownSince = await cell(finance, 1).locator('time').getAttribute('datetime');
      expect(Math.abs(Date.parse(shownSince!) - downSince.getTime())).toBeLessThan(5_000);
      await expectText(cell(finance, 2), /\S/);
      await cell(finance, 3).locator('time').waitFor();
      await expectText(cell(systemRow(page, 'Sales'), 0), 'AVAILABLE');
      await expectText(
        eventRows(page, 'system.unavailable'),
        /Sales or Finance stopped answering[\s\S]*DELIVERED/,
      );
    } finally {
      dashboard.hub.simulators.finance.faults.reset();
    }

    // Finance answers again: shown available, with the alert saying so.
    await dashboard.hub.availability.check();
    await expectText(cell(finance, 0), 'AVAILABLE');
    await expectText(cell(finance, 3), '—');
    await expectText(eventRows(page, 'system.available'), /Sales or Finance answers again[\s\S]*DELIVERED/);

    // Nothing the page shows or was sent holds more of the receiver's address than its origin.
    const shown = await page.content();
    const sent = await Promise.all(answers);
    expect(sent.some((body) => body.includes(origin))).toBe(true);
    for (const text of [shown, ...sent])
      for (const hidden of [secretPath, 'secret-path', token, secret]) expect(text).not.toContain(hidden);
  });

  it('lists the alert of a run that ended with errors: pending while the receiver fails, then delivered, linked to the run', async () => {
    // Without customer groups Finance refuses every new customer: the accounts flow ends with failures.
    const { store } = dashboard.hub.simulators.finance;
    const groups = store.scan('CustomerGroups').map((group) => ({ ...group }));
    store.transaction(() => {
      for (const group of groups)
        store.remove('CustomerGroups', {
          dataAreaId: group['dataAreaId'] ?? null,
          CustomerGroupId: group['CustomerGroupId'] ?? null,
        });
    });
    answer = 503;
    let run: { id: string; status: string };
    try {
      run = await dashboard.hub.runOverGraphQL(['ACCOUNTS'], 'FULL');
    } finally {
      store.transaction(() => {
        for (const group of groups) store.insert('CustomerGroups', group);
      });
    }
    expect(['FAILED', 'COMPLETED_WITH_ERRORS']).toContain(run.status);

    const page = await openAlerts(operator, 'operator');
    const row = deliveriesTable(page)
      .getByRole('row')
      .filter({ has: page.getByRole('link', { name: run.id, exact: true }) });
    await expectText(cell(row, 0), /^sync\.run\.finished\s+A run failed or ended with errors$/);
    await expectText(cell(row, 1), new RegExp(`^run ${run.id} ${run.status}$`));
    await expectText(cell(row, 2), 'PENDING');
    await expectText(cell(row, 4), /^HTTP 503\s+the receiver answered 503$/);
    await expectText(cell(row, 5), '—');

    // The receiver takes the next attempt.
    answer = 204;
    await expectText(cell(row, 2), 'DELIVERED', 45_000);
    await expectText(cell(row, 3), /^[2-6]$/);
    await expectText(cell(row, 4), /^HTTP 204$/);
    await cell(row, 5).locator('time').waitFor();

    await row.getByRole('link', { name: run.id, exact: true }).click();
    await page.waitForURL((url) => url.pathname.endsWith(`/dashboard/runs/${run.id}`));
    await expectText(page.getByLabel('Run status', { exact: true }), new RegExp(`^${run.status}$`));
  });

  it('fits a narrow window: the page scrolls no sideways, its tables scroll in their own box', async () => {
    const page = await openAlerts(operator, 'operator');
    await page.setViewportSize({ width: 400, height: 800 });
    await page.goto(new URL('alerts', dashboard.hub.dashboardUrl).href);
    await signInIfAsked(page, operator, 'operator');
    await deliveriesTable(page).waitFor();
    await page.waitForLoadState('networkidle');
    expect(await sidewaysOverflow(page), '/dashboard/alerts is wider than the window').toBeLessThanOrEqual(0);
    const box = page.locator('.table-scroll').filter({ has: deliveriesTable(page) });
    expect(await box.getAttribute('tabindex')).toBe('0');
    expect(await box.evaluate((element) => element.scrollWidth > element.clientWidth)).toBe(true);
  });
});
