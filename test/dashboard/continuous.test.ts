/**
 * Continuous sync on the Flows page in a real browser (Debian's chromium) against its own hub with API keys
 * and fast continuous settings (a look a second): an operator switches accounts on with the flow's switch
 * and the hub follows it; a phone number saved in Sales reaches Finance with no run started by anyone, and
 * the page shows the change seen, its age counting up while the page stays open, and a link to the run
 * that carried it; an interval out of range gets the hub's sentence under the field, one in range is
 * saved; while Sales is away the flow says it is backing off, with its failures and error, and watches
 * again once Sales answers; a reader sees every state and no switch or interval field; switched off from
 * the page, the hub stops following the flow.
 */
import type { Locator, Page } from 'playwright-core';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  expectAttribute,
  expectText,
  operator,
  problemUnder,
  reader,
  useDashboard,
  waitMs,
} from './support.js';
import { fastContinuous, quickBreaker } from '../support/continuous.js';

const dashboard = useDashboard({
  accounts: 40,
  circuitBreaker: quickBreaker,
  continuous: fastContinuous,
});

// Accounts synced once, so continuous sync follows the Sales change feed from a stored position; registered
// after useDashboard's hooks, so the hub serves. (hub.runOverGraphQL polls with expect.poll, which only a
// test may call.)
beforeAll(async () => {
  const { startSync } = await dashboard.hub.asOperator(
    `mutation { startSync(input: { flows: [ACCOUNTS], mode: FULL }) { id } }`,
  );
  await vi.waitFor(
    async () => {
      const { syncRun } = await dashboard.hub.asOperator(`query($id: ID!) { syncRun(id: $id) { status } }`, {
        id: startSync.id,
      });
      expect(syncRun.status).toBe('SUCCEEDED');
    },
    { timeout: waitMs, interval: 100 },
  );
});

/** A fresh page, signed in, at the Flows page with its continuous sync panel shown. */
const openFlows = (who: typeof operator, role: 'operator' | 'reader') =>
  dashboard.open(who, role, { link: 'Flows', heading: 'Continuous sync' });

/** The card of one flow's continuous sync. */
const card = (page: Page, flow: string) => page.getByRole('region', { name: `Continuous sync of ${flow}` });
const stateOf = (flowCard: Locator) => flowCard.locator('.card-head .status');

interface Status {
  flow: string;
  enabled: boolean;
  intervalSeconds: number;
  state: string;
  lastChangeSeenAt: string | null;
  nextCheckAt: string | null;
  updatedBy: string | null;
  lastRun: { id: string; status: string; trigger: { kind: string } } | null;
}

/** Continuous sync of `flow` as the hub has it. */
async function stored(flow: string): Promise<Status> {
  const { continuousSync } = await dashboard.hub.asOperator(
    `{ continuousSync { flow enabled intervalSeconds state lastChangeSeenAt nextCheckAt updatedBy
        lastRun { id status trigger { kind } } } }`,
  );
  return continuousSync.find((status: Status) => status.flow === flow);
}

/** A Sales account the first sync brought to Finance, and its Finance customer as it is now. */
function syncedAccount() {
  const { sales, finance } = dashboard.hub.simulators;
  const customerOf = (number: string) =>
    finance.store.scan('CustomersV3').find((row) => String(row['CustomerAccount']).toLowerCase() === number);
  const account = sales.store
    .scan('accounts')
    .find(
      (row) =>
        typeof row['accountnumber'] === 'string' &&
        customerOf(row['accountnumber'].toLowerCase()) !== undefined,
    );
  expect(account, 'an account the first sync brought to Finance').toBeDefined();
  const number = String(account!['accountnumber']).toLowerCase();
  return { id: String(account!['accountid']), customer: () => customerOf(number) };
}

/** The whole seconds the lag says ("12 s ago"), or NaN while it says something else. */
async function lagSeconds(lag: Locator): Promise<number> {
  const match = /^(\d+) s ago$/.exec(await lag.innerText({ timeout: 1_000 }).catch(() => ''));
  return match ? Number(match[1]) : Number.NaN;
}

describe('continuous sync on the Flows page', () => {
  it('switches accounts on from the page; a save in Sales reaches Finance and the page shows the change seen, its age and the run', async () => {
    const page = await openFlows(operator, 'operator');
    const accounts = card(page, 'Accounts');
    const toggle = accounts.getByRole('switch', { name: 'Continuous sync of Accounts' });
    await expectAttribute(toggle, 'aria-checked', 'false');
    await expectText(stateOf(accounts), 'OFF');
    // Every flow has its card, in the order a run of all of them takes.
    expect(
      await page.locator('.continuous-card h3').evaluateAll((all) => all.map((h) => h.textContent)),
    ).toEqual(['Accounts', 'Products', 'Contacts', 'Quotes', 'Orders', 'Order status', 'Invoices']);

    await toggle.click();
    await expectAttribute(toggle, 'aria-checked', 'true');
    expect(await stored('ACCOUNTS')).toMatchObject({ enabled: true, updatedBy: operator.name });
    await expectText(stateOf(accounts), 'WATCHING');
    await expectText(accounts, /Last switched\s+On by ops-desk/);
    // Nothing changed in Sales since the first sync: no change seen, no run started.
    await accounts.getByText('No change seen yet').waitFor();
    expect(await accounts.getByText('None yet').count()).toBe(1);

    const account = syncedAccount();
    const phone = '+1 (555) 010-7701';
    const [saved] = await dashboard.hub.connectors.sales.upsert('account', [
      { key: { id: account.id }, body: { telephone1: phone } },
    ]);
    expect(saved?.outcome).toBe('updated');
    await expect
      .poll(() => account.customer()?.['PrimaryContactPhone'], { timeout: waitMs, interval: 100 })
      .toBe(phone);
    const status = await vi.waitFor(
      async () => {
        const current = await stored('ACCOUNTS');
        expect(current.lastRun).toMatchObject({ status: 'SUCCEEDED', trigger: { kind: 'CONTINUOUS' } });
        expect(current.lastChangeSeenAt).not.toBeNull();
        return current;
      },
      { timeout: waitMs, interval: 100 },
    );

    // The change seen, with its age counting up while the page stays as it is.
    const lag = accounts.locator('.lag');
    await expectAttribute(lag, 'datetime', status.lastChangeSeenAt);
    await expectText(lag, /^\d+ s ago$/);
    const first = await lagSeconds(lag);
    await expect.poll(() => lagSeconds(lag), { timeout: waitMs, interval: 200 }).toBeGreaterThan(first);

    const runLink = accounts.getByRole('link', { name: status.lastRun!.id, exact: true });
    await runLink.click();
    await page.waitForURL((url) => url.pathname.endsWith(`/dashboard/runs/${status.lastRun!.id}`));
    await expectText(page.getByLabel('Run status', { exact: true }), /^SUCCEEDED$/);
    await expectText(page.getByLabel('Started by', { exact: true }), 'Continuous sync');
  });

  it('shows the hub’s sentence under the interval field for an interval out of range, and saves one in range', async () => {
    const page = await openFlows(operator, 'operator');
    const accounts = card(page, 'Accounts');
    const interval = accounts.getByLabel('Seconds between looks');
    expect(await interval.inputValue()).toBe('1');
    await interval.fill('0');
    await accounts.getByRole('button', { name: 'Save interval' }).click();
    await expectText(await problemUnder(interval), 'the accounts flow looks every 1 to 3600 seconds, got 0.');
    expect(await stored('ACCOUNTS')).toMatchObject({ enabled: true, intervalSeconds: 1 });

    // Products have a range of their own; saving the interval leaves the flow switched off.
    const products = card(page, 'Products');
    const productsInterval = products.getByLabel('Seconds between looks');
    await productsInterval.fill('10');
    await productsInterval.press('Enter');
    await expectText(
      await problemUnder(productsInterval),
      'the products flow looks every 30 to 86400 seconds, got 10.',
    );

    await interval.fill('2');
    await accounts.getByRole('button', { name: 'Save interval' }).click();
    await expectAttribute(interval, 'aria-invalid', 'false');
    await expectText(accounts.locator('.hint').first(), 'Looking for changes every 2 s.');
    expect(await stored('ACCOUNTS')).toMatchObject({ enabled: true, intervalSeconds: 2 });
    expect(await stored('PRODUCTS')).toMatchObject({ enabled: false, intervalSeconds: 2 });
  });

  it('says a flow is backing off while Sales is away, with its failures and error, and watches again once Sales answers', async () => {
    const page = await openFlows(operator, 'operator');
    const accounts = card(page, 'Accounts');
    await expectText(stateOf(accounts), 'WATCHING');
    dashboard.hub.simulators.sales.faults.set({ unavailableRate: 1 });
    try {
      await expectText(stateOf(accounts), 'BACKING_OFF');
      await expectText(accounts.locator('.backing-off'), /^\d+ failed looks? in a row: .*Sales/);
    } finally {
      dashboard.hub.simulators.sales.faults.reset();
    }
    await expectText(stateOf(accounts), 'WATCHING', 30_000);
    expect(await accounts.locator('.backing-off').count()).toBe(0);
  });

  it('shows a reader every flow’s state, and no switch or interval field', async () => {
    const { lastRun } = await stored('ACCOUNTS');
    const page = await openFlows(reader, 'reader');
    const accounts = card(page, 'Accounts');
    await expectText(stateOf(accounts), 'WATCHING');
    await expectText(stateOf(card(page, 'Products')), 'OFF');
    await expectText(accounts, /Looks every\s+2 s/);
    await accounts.getByRole('link', { name: lastRun!.id, exact: true }).waitFor();
    await accounts.locator('.lag').waitFor();
    expect(await page.getByRole('switch').count()).toBe(0);
    expect(await page.getByLabel('Seconds between looks').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Save interval' }).count()).toBe(0);
  });

  it('switches accounts off from the page, and the hub stops following it', async () => {
    const page = await openFlows(operator, 'operator');
    const accounts = card(page, 'Accounts');
    const toggle = accounts.getByRole('switch', { name: 'Continuous sync of Accounts' });
    await expectAttribute(toggle, 'aria-checked', 'true');
    await toggle.click();
    await expectAttribute(toggle, 'aria-checked', 'false');
    await expectText(stateOf(accounts), 'OFF');
    expect(await stored('ACCOUNTS')).toMatchObject({ enabled: false, state: 'OFF', nextCheckAt: null });
    // Its last change and run stay shown.
    await accounts.locator('.lag').waitFor();
    expect(await accounts.getByText('Next look').count()).toBe(0);
  });
});
