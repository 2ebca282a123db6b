/**
 * The sync dashboard in a real browser (Debian's chromium) against the hub over the embedded default's
 * data set, with API keys: an operator signs in (a wrong key is refused with the hub's message), starts a
 * sync with a click and watches it to SUCCEEDED while another page's runs list follows it live; opens a
 * failure arranged through the simulators and retries it once the cause is gone; sees the drift of an
 * account whose Finance copy was changed; a reader sees no operator controls; the page says when the hub's
 * WebSocket is gone and is live again when it is back. Screenshots of the run view and the customer view
 * are kept in docs/screenshots when UPDATE_SCREENSHOTS=1.
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createRunStore } from '../../src/db/runs.js';
import { authMessages } from '../../src/server/auth.js';
import { signWithSecret } from '../support/auth.js';
import {
  expectAttribute,
  expectText,
  jwtSecret,
  operator,
  reader,
  sidewaysOverflow,
  signIn,
  signInIfAsked,
  useDashboard,
} from './support.js';

const dashboard = useDashboard();

/** A fresh page (its own context: no sign-in carried over) at the dashboard's root. */
const openDashboard = () => dashboard.openSignedOut();

const signInAsOperator = (page: Page) => signIn(page, operator, 'operator');

/**
 * Starts noting every value the flow's progress bar shows, on whatever page the app renders next; the
 * returned function gives the values seen so far.
 */
async function recordProgress(page: Page, flow: string): Promise<() => Promise<number[]>> {
  await page.evaluate((label) => {
    const window = globalThis as any;
    const seen: number[] = (window.progressSeen = []);
    const note = () => {
      const bar = window.document.querySelector(`[role="progressbar"][aria-label="${label}"]`);
      const now = bar?.getAttribute('aria-valuenow');
      if (now !== null && now !== undefined && seen.at(-1) !== Number(now)) seen.push(Number(now));
    };
    new window.MutationObserver(note).observe(window.document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['aria-valuenow'],
    });
  }, `${flow} progress`);
  return () => page.evaluate(() => (globalThis as any).progressSeen as number[]);
}

/** The text of the element that has the keyboard focus. */
const focusedText = (page: Page): Promise<string | null | undefined> =>
  page.evaluate(() => (globalThis as any).document.activeElement?.textContent);

/** The run's ID, from the run page's URL (`/dashboard/runs/:id`). */
function runIdOf(page: Page): string {
  const match = /\/dashboard\/runs\/([^/?#]+)$/.exec(new URL(page.url()).pathname);
  if (!match) throw new Error(`not on a run's page: ${page.url()}`);
  return decodeURIComponent(match[1]!);
}

const terminal = /^(SUCCEEDED|COMPLETED_WITH_ERRORS|FAILED|CANCELLED)$/;

/**
 * Starts a sync of exactly `flows` from the Start page (incremental and for real unless told otherwise)
 * and lands on the run's page.
 */
async function startSyncFromPage(
  page: Page,
  flows: string[],
  {
    mode = 'Incremental',
    dryRun = false,
    beforeStart = async () => {},
  }: { mode?: 'Incremental' | 'Full'; dryRun?: boolean; beforeStart?: () => Promise<unknown> } = {},
): Promise<string> {
  await page.getByRole('navigation').getByRole('link', { name: 'Start a sync' }).click();
  await page.getByRole('heading', { name: 'Start a sync' }).waitFor();
  for (const flow of ['Accounts', 'Contacts', 'Products', 'Quotes', 'Orders', 'Order status', 'Invoices']) {
    await page.getByRole('checkbox', { name: flow, exact: true }).setChecked(flows.includes(flow));
  }
  await page.getByRole('radio', { name: mode }).check();
  await page.getByRole('checkbox', { name: 'Dry run' }).setChecked(dryRun);
  await beforeStart();
  await page.getByRole('button', { name: 'Start sync' }).click();
  await page.waitForURL(/\/dashboard\/runs\/[^/]+$/);
  return runIdOf(page);
}

/** The run page's progress bar of one flow, once it is full (`aria-valuenow` = `aria-valuemax` > 0). */
async function expectFullProgress(page: Page, flow: string): Promise<void> {
  const bar = page.getByRole('progressbar', { name: `${flow} progress` });
  await expect
    .poll(
      async () => {
        const [now, max] = await Promise.all([
          bar.getAttribute('aria-valuenow', { timeout: 1_000 }),
          bar.getAttribute('aria-valuemax', { timeout: 1_000 }),
        ]);
        return Number(max) > 0 && now === max ? 'full' : `${now} of ${max}`;
      },
      { timeout: 20_000, interval: 50, message: `${flow} progress` },
    )
    .toBe('full');
}

/** Numbered Sales accounts of the seed: each becomes a Finance customer on the first accounts sync. */
const numberedAccounts = () =>
  dashboard.hub.simulators.data.sales.accounts.filter((a) => typeof a['accountnumber'] === 'string');
/** The README's account, whose Finance copy the drift test changes. */
const driftedNumber = 'ACC-01001-NPZMUQ';
const driftedFinancePhone = '+1 (555) 019-0042';
/** Another account, the one Finance refuses once. */
const refusedNumber = () =>
  numberedAccounts().find((a) => a['accountnumber'] !== driftedNumber)!['accountnumber'] as string;

const financeCustomer = (number: string) =>
  dashboard.hub.simulators.finance.store.get('CustomersV3', { dataAreaId: 'usmf', CustomerAccount: number });

const updateFinanceCustomer = (number: string, changes: Record<string, string>) =>
  dashboard.hub.simulators.finance.store.transaction(() =>
    dashboard.hub.simulators.finance.store.update(
      'CustomersV3',
      { dataAreaId: 'usmf', CustomerAccount: number },
      changes,
    ),
  );

/** Accounts synced once, for the tests that need customers in Finance (the first test does it from the page). */
async function ensureAccountsSynced(): Promise<void> {
  if (financeCustomer(driftedNumber) && financeCustomer(refusedNumber())) return;
  expect((await dashboard.hub.runOverGraphQL(['ACCOUNTS'])).status).toBe('SUCCEEDED');
}

/** The run with one failure made by the failure test, for the reader's view. */
let failedRunId: string | undefined;

describe('the sync dashboard in a browser', () => {
  it('signs an operator in (a wrong key is refused with the hub’s message), starts a sync with a click and follows it to SUCCEEDED, live in the runs list', async () => {
    // The seeded accounts and products sync cleanly; the seed's contacts and quotes include records that
    // fail on purpose (contacts of accounts without a number).
    const watcher = await openDashboard();
    await signInAsOperator(watcher);
    await watcher.getByRole('heading', { name: 'Sync runs' }).waitFor();
    await expectText(watcher.getByRole('status', { name: 'Connection' }), 'Live');
    // Gone if the runs list reloads the page to show a new run.
    await watcher.evaluate(() => ((globalThis as Record<string, unknown>)['notReloaded'] = true));

    const page = await openDashboard();
    await page.getByLabel('API key or token').fill('not-a-key-of-this-hub-0123456789');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectText(page.getByRole('alert'), authMessages.badKey);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();

    await signInAsOperator(page);
    let accountsProgress: () => Promise<number[]> = async () => [];
    // Sales answers each of the six pages of accounts after 200 ms, so the run lasts long enough for its
    // progress (sent at most every 250 ms) to be seen between the start and the end.
    dashboard.hub.simulators.sales.faults.set({ latencyMs: 200 });
    let runId: string;
    try {
      runId = await startSyncFromPage(page, ['Accounts', 'Products'], {
        beforeStart: async () => {
          accountsProgress = await recordProgress(page, 'Accounts');
        },
      });
      await page.getByRole('heading', { name: `Run ${runId}` }).waitFor();
      await expectText(page.getByLabel('Run status', { exact: true }), /^SUCCEEDED$/);
    } finally {
      dashboard.hub.simulators.sales.faults.reset();
    }
    await expectFullProgress(page, 'Accounts');
    await expectFullProgress(page, 'Products');
    // The bar moved forward only, through at least one position between empty and full, to its end.
    const seen = await accountsProgress();
    const total = Number(
      await page.getByRole('progressbar', { name: 'Accounts progress' }).getAttribute('aria-valuemax'),
    );
    expect(total).toBe(300);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen.some((value) => value > 0 && value < total)).toBe(true);
    expect(seen.at(-1)).toBe(total);

    const { syncRun } = await dashboard.hub.asOperator(
      `query($id: ID!) { syncRun(id: $id) { status requestedBy dryRun flows { flow } } }`,
      { id: runId },
    );
    expect(syncRun).toEqual({
      status: 'SUCCEEDED',
      requestedBy: operator.name,
      dryRun: false,
      flows: [{ flow: 'ACCOUNTS' }, { flow: 'PRODUCTS' }],
    });
    expect(financeCustomer(driftedNumber)).toBeDefined();

    const row = watcher
      .getByRole('row')
      .filter({ has: watcher.getByRole('link', { name: runId, exact: true }) });
    await expectText(row, 'SUCCEEDED');
    expect(await watcher.evaluate(() => (globalThis as Record<string, unknown>)['notReloaded'])).toBe(true);
  });

  it('opens a failure Finance refused, and retries it once the cause is gone: the record reaches Finance', async () => {
    await ensureAccountsSynced();
    const number = refusedNumber();
    const account = numberedAccounts().find((a) => a['accountnumber'] === number)!;
    const newPhone = '+1 (555) 010-4477';
    // Finance refuses to update a customer whose customer group does not exist: one record fails.
    expect(
      dashboard.hub.simulators.finance.store.get('CustomerGroups', {
        dataAreaId: 'usmf',
        CustomerGroupId: 'RETIRED',
      }),
    ).toBeUndefined();
    updateFinanceCustomer(number, { CustomerGroupId: 'RETIRED' });
    dashboard.hub.simulators.sales.store.transaction(() =>
      dashboard.hub.simulators.sales.store.update(
        'accounts',
        { accountid: account['accountid'] ?? null },
        { telephone1: newPhone, modifiedon: new Date().toISOString() },
      ),
    );

    const page = await openDashboard();
    await signInAsOperator(page);
    const runId = await startSyncFromPage(page, ['Accounts']);
    await expectText(page.getByLabel('Run status', { exact: true }), /^(FAILED|COMPLETED_WITH_ERRORS)$/);
    failedRunId = runId;

    await page.getByRole('heading', { name: 'Failures' }).waitFor();
    // Narrowed by the hub to the flow and the record's key, it is still there.
    await page.getByLabel('Flow', { exact: true }).selectOption({ label: 'Accounts' });
    await page.getByLabel('Search failures').fill(number);
    await page.getByRole('button', { name: number, exact: true }).click();
    const dialog = page.getByRole('dialog', { name: `Failure ${number}` });
    await expectText(
      dialog,
      "The value 'RETIRED' in field 'Customer group' is not found in the related table 'Customer groups'.",
    );
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'hidden' });

    updateFinanceCustomer(number, { CustomerGroupId: '10' });
    await page.getByRole('button', { name: 'Retry failures' }).click();
    await page.waitForURL(
      (url) => /\/dashboard\/runs\/[^/]+$/.test(url.pathname) && !url.pathname.endsWith(runId),
    );
    const retryId = runIdOf(page);
    await expectText(page.getByLabel('Run status', { exact: true }), /^SUCCEEDED$/);
    await expectFullProgress(page, 'Accounts');

    const { syncRun } = await dashboard.hub.asOperator(
      `query($id: ID!) { syncRun(id: $id) { status requestedBy totals { read updated failed } } }`,
      { id: retryId },
    );
    // Only the failed record was read again.
    expect(syncRun).toEqual({
      status: 'SUCCEEDED',
      requestedBy: operator.name,
      totals: { read: 1, updated: 1, failed: 0 },
    });
    expect(financeCustomer(number)).toMatchObject({ PrimaryContactPhone: newPhone, CustomerGroupId: '10' });
  });

  it('runs a dry run from the page and shows what it would have done, writing nothing', async () => {
    await ensureAccountsSynced();
    // An account whose Finance email was changed: a FULL dry run of Accounts would update it.
    const number = numberedAccounts()
      .map((a) => a['accountnumber'] as string)
      .find((n) => n !== driftedNumber && n !== refusedNumber())!;
    updateFinanceCustomer(number, { PrimaryContactEmail: 'changed-in-finance@example.com' });

    const page = await openDashboard();
    await signInAsOperator(page);
    const runId = await startSyncFromPage(page, ['Accounts'], { mode: 'Full', dryRun: true });
    await expectText(page.getByLabel('Run status', { exact: true }), /^SUCCEEDED$/);
    await expectText(page.getByText(/^Dry run: nothing was written/).first(), /Sales or Finance/);
    const table = page.getByRole('table', { name: /what the dry run would have done/ });
    for (const header of ['Would be created', 'Would be updated', 'Would be skipped'])
      await table.getByRole('columnheader', { name: header }).waitFor();
    // The row's cells after its flow name: read, created, updated, unchanged, skipped, failed.
    const cells = await table
      .getByRole('row')
      .filter({ hasText: 'Accounts' })
      .getByRole('cell')
      .allInnerTexts();
    const { syncRun } = await dashboard.hub.asOperator(
      `query($id: ID!) { syncRun(id: $id) { dryRun flows { counters { read created updated unchanged skipped failed } } } }`,
      { id: runId },
    );
    expect(syncRun.dryRun).toBe(true);
    const counters = syncRun.flows[0].counters;
    expect(counters.updated).toBeGreaterThanOrEqual(1);
    expect(cells).toEqual(
      ['read', 'created', 'updated', 'unchanged', 'skipped', 'failed'].map((name) =>
        Number(counters[name]).toLocaleString('en-US'),
      ),
    );
    // Nothing was written: Finance still holds its own email.
    expect(financeCustomer(number)?.['PrimaryContactEmail']).toBe('changed-in-finance@example.com');
  });

  it('shows a system throttling the run, with a countdown to when it resumes, while the run goes on', async () => {
    await ensureAccountsSynced();
    const page = await openDashboard();
    await signInAsOperator(page);
    // Finance answers the first read of current customers with 429 and Retry-After: 4.
    dashboard.hub.simulators.finance.faults.failNext(1, {
      status: 429,
      retryAfterSeconds: 4,
      match: { method: 'GET', entitySet: 'CustomersV3' },
    });
    await startSyncFromPage(page, ['Accounts'], { mode: 'Full' });
    const pace = page.getByLabel("Systems' pace");
    await expectText(pace, /Finance throttled, resuming in \d(\.\d)? s/);
    await expectText(pace, /Sales: \d+ of \d+ requests at once/);
    await expectText(page.getByLabel('Run status', { exact: true }), /^SUCCEEDED$/);
    await expect.poll(() => pace.count()).toBe(0);
  });

  it('finds a customer by number and highlights the field that drifted in Finance, and only that one', async () => {
    await ensureAccountsSynced();
    const sales = numberedAccounts().find((a) => a['accountnumber'] === driftedNumber)!;
    expect(sales['telephone1']).not.toBe(driftedFinancePhone);
    updateFinanceCustomer(driftedNumber, { PrimaryContactPhone: driftedFinancePhone });

    const page = await openDashboard();
    await signInAsOperator(page);
    await page.getByRole('navigation').getByRole('link', { name: 'Customers' }).click();
    await page.getByRole('heading', { name: 'Customers' }).waitFor();
    await page.getByLabel('Account number or name').fill(driftedNumber);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL((url) => url.searchParams.get('q') === driftedNumber);
    await page.getByRole('link', { name: new RegExp(`^${driftedNumber}`) }).click();

    await page.waitForURL((url) => url.pathname.endsWith(`/dashboard/customers/${driftedNumber}`));
    await page.getByRole('heading', { name: String(sales['name']) }).waitFor();
    await expectText(page.getByLabel('Sync state', { exact: true }), 'DRIFTED');
    const table = page.getByRole('table', { name: 'Sales and Finance side by side' });
    for (const header of ['Field', 'Sales', 'Finance'])
      await table.getByRole('columnheader', { name: header, exact: true }).waitFor();
    const drifted = table.getByRole('row').filter({ hasText: driftedFinancePhone });
    await expectText(drifted, String(sales['telephone1']));
    await expectAttribute(drifted, 'data-drift', 'true');
    await expectText(drifted, 'drifted');
    const agreeing = table.getByRole('row').filter({ hasText: String(sales['name']) });
    await expectText(agreeing, String(sales['name']));
    expect(await agreeing.getAttribute('data-drift')).not.toBe('true');
    expect(await agreeing.innerText()).not.toContain('drifted');
    await page.getByRole('heading', { name: 'Contacts' }).waitFor();
    await page.getByRole('heading', { name: 'Quotes' }).waitFor();
    // The orders and invoices come in queries of their own: let them end, so none is still asking
    // Finance when the next test takes Finance away.
    await page.getByText('Loading the orders…').waitFor({ state: 'detached' });
    await page.getByText('Loading the invoices…').waitFor({ state: 'detached' });
  });

  it('still shows a customer while Finance is down, its sync state UNKNOWN and Finance named', async () => {
    await ensureAccountsSynced();
    const sales = numberedAccounts().find((a) => a['accountnumber'] === driftedNumber)!;
    const page = await openDashboard();
    await signInAsOperator(page);
    dashboard.hub.simulators.finance.faults.set({ unavailableRate: 1 });
    try {
      await page.goto(new URL(`customers/${driftedNumber}`, dashboard.hub.dashboardUrl).href);
      await page.getByRole('heading', { name: String(sales['name']) }).waitFor();
      await expectText(page.getByLabel('Sync state', { exact: true }), 'UNKNOWN');
      await expectText(page.locator('.facts'), /Could not be read\s*Finance: the state is known again/);
      await page.getByRole('heading', { name: 'Contacts' }).waitFor();
    } finally {
      dashboard.hub.simulators.finance.faults.reset();
      // One answer clears the failures this page caused (four: its breaker stays closed), so the
      // tests after this one find Finance as before.
      await dashboard.hub.connectors.finance.companies();
      expect(dashboard.hub.connectors.finance.client.health()).toMatchObject({
        state: 'closed',
        consecutiveFailures: 0,
      });
    }
  });

  it('opens each of its pages by address, the sign-in kept for the tab', async () => {
    await ensureAccountsSynced();
    const { syncRuns } = await dashboard.hub.asOperator(`{ syncRuns(first: 1) { nodes { id } } }`);
    const runId: string = syncRuns.nodes[0].id;
    const name = String(numberedAccounts().find((a) => a['accountnumber'] === driftedNumber)!['name']);
    const page = await openDashboard();
    await signInAsOperator(page);
    const pagesByAddress: [address: string, heading: string, shows?: string][] = [
      ['', 'Sync runs', runId],
      [`runs/${runId}`, `Run ${runId}`],
      ['start', 'Start a sync'],
      ['flows', 'Flows'],
      [`customers?q=${driftedNumber}`, 'Customers', `${driftedNumber}`],
      [`customers/${driftedNumber}`, name],
    ];
    for (const [address, heading, shows] of pagesByAddress) {
      await page.goto(new URL(address, dashboard.hub.dashboardUrl).href);
      await page.getByRole('heading', { name: heading, exact: true }).waitFor();
      await page.getByText(`Signed in as ${operator.name} (operator)`).waitFor();
      if (shows) await page.getByRole('link', { name: new RegExp(`^${shows}`) }).waitFor();
    }
  });

  it('shows a reader no control to start, cancel or retry a sync, and signs them out', async () => {
    failedRunId ??= await (async () => {
      const { syncRuns } = await dashboard.hub.asOperator(`{ syncRuns(first: 1) { nodes { id } } }`);
      return syncRuns.nodes[0]?.id ?? (await dashboard.hub.runOverGraphQL(['ACCOUNTS'])).id;
    })();
    const page = await openDashboard();
    await signIn(page, reader, 'reader');
    await page.getByRole('heading', { name: 'Sync runs' }).waitFor();
    const nav = page.getByRole('navigation');
    await nav.getByRole('link', { name: 'Flows' }).waitFor();
    expect(await nav.getByRole('link', { name: 'Start a sync' }).count()).toBe(0);

    await page.getByRole('link', { name: failedRunId, exact: true }).click();
    await expectText(page.getByLabel('Run status', { exact: true }), terminal);
    await page.getByRole('heading', { name: 'Failures' }).waitFor();
    for (const control of ['Cancel run', 'Retry failures', 'Start sync'])
      expect(await page.getByRole('button', { name: control }).count(), control).toBe(0);

    // Nor on the Start page, reached by its address.
    await page.goto(new URL('start', dashboard.hub.dashboardUrl).href);
    await signInIfAsked(page, reader, 'reader');
    expect(await page.getByRole('button', { name: 'Start sync' }).count()).toBe(0);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  });

  it('sends a caller whose token expires back to sign-in with the reason, not to a blank page', async () => {
    // Long enough to sign in and go live on a loaded machine (with 3 s, the token sometimes expired first).
    const token = await signWithSecret(
      jwtSecret,
      { preferred_username: 'night-shift', roles: 'reader' },
      { expiresIn: 10 },
    );
    const page = await openDashboard();
    await signIn(page, { name: 'night-shift', key: token }, 'reader');
    await expectText(page.getByRole('status', { name: 'Connection' }), 'Live');
    // The hub closes the WebSocket with 4401 when the token expires; the page asks for a new one.
    await page.getByRole('heading', { name: 'Sign in' }).waitFor({ timeout: 20_000 });
    await expectText(page.getByRole('alert'), /expired/i);
    // Signing in again with the same token is refused with the hub's sentence.
    await page.getByLabel('API key or token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectText(page.getByRole('alert'), /expired/i);
  }, 45_000);

  it('works from the keyboard alone: navigation, a failure opened with Enter and closed with Escape', async () => {
    failedRunId ??= (await dashboard.hub.runOverGraphQL(['CONTACTS'])).id;
    const page = await openDashboard();
    await signInAsOperator(page);
    await page.getByRole('heading', { name: 'Sync runs' }).waitFor();
    // Tab from the top of the page to the Flows link, and follow it with Enter.
    await page.keyboard.press('Tab');
    let steps = 0;
    while ((await focusedText(page)) !== 'Flows') {
      await page.keyboard.press('Tab');
      if ((steps += 1) > 20) throw new Error('the Flows link is not reachable with Tab');
    }
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Flows', exact: true }).waitFor();

    await page.goto(new URL(`runs/${failedRunId}`, dashboard.hub.dashboardUrl).href);
    await signInIfAsked(page, operator, 'operator');
    await page.getByRole('heading', { name: 'Failures' }).waitFor();
    const firstKey = page.getByRole('table').last().getByRole('button').first();
    const key = (await firstKey.textContent())!;
    await firstKey.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: `Failure ${key}` });
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    // Focus goes back where it was, so the next Tab continues from the row.
    expect(await focusedText(page)).toBe(key);
  });

  it('fits a narrow window: no sideways scrolling of the page, wide tables scroll on their own', async () => {
    const page = await openDashboard();
    await page.setViewportSize({ width: 400, height: 800 });
    await signInAsOperator(page);
    for (const route of ['', 'flows', 'customers/ACC-01001-NPZMUQ', `runs/${failedRunId ?? ''}`]) {
      if (route === 'runs/') continue;
      await page.goto(new URL(route, dashboard.hub.dashboardUrl).href);
      await signInIfAsked(page, operator, 'operator');
      await page.getByRole('heading').first().waitFor();
      await page.waitForLoadState('networkidle');
      const overflow = await sidewaysOverflow(page);
      expect(overflow, `/dashboard/${route} is wider than the window`).toBeLessThanOrEqual(0);
    }
    // The flows' mapping tables are wider than 400 px: each scrolls in its own box, a keyboard stop.
    await page.goto(new URL('flows', dashboard.hub.dashboardUrl).href);
    await signInIfAsked(page, operator, 'operator');
    const box = page.locator('.table-scroll').first();
    await box.waitFor();
    expect(await box.getAttribute('tabindex')).toBe('0');
    expect(await box.evaluate((element) => element.scrollWidth > element.clientWidth)).toBe(true);
  });

  it('says when the hub’s WebSocket is gone, and is live again (following runs) once it is back', async () => {
    const page = await openDashboard();
    await signInAsOperator(page);
    await page.getByRole('heading', { name: 'Sync runs' }).waitFor();
    const connection = page.getByRole('status', { name: 'Connection' });
    await expectText(connection, 'Live');

    await dashboard.hub.stop();
    try {
      await expectText(connection, 'Disconnected — reconnecting…');
    } finally {
      await dashboard.hub.resume();
    }
    // graphql-ws tries again with a backoff of up to 8 s.
    await expectText(connection, 'Live', 30_000);

    const { id } = await dashboard.hub.runOverGraphQL(['PRODUCTS']);
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: id, exact: true }) });
    await expectText(row, 'SUCCEEDED');
  });

  it('keeps screenshots of the run view and the customer view (docs/screenshots with UPDATE_SCREENSHOTS=1)', async () => {
    const dir =
      process.env['UPDATE_SCREENSHOTS'] === '1'
        ? fileURLToPath(new URL('../../docs/screenshots/', import.meta.url))
        : path.join(tmpdir(), 'p2c-hub-dashboard-screenshots');
    mkdirSync(dir, { recursive: true });
    await ensureAccountsSynced();
    // A finished run with both flows' progress bars.
    const { syncRuns } = await dashboard.hub.asOperator(
      `{ syncRuns(first: 20, status: SUCCEEDED) { nodes { id flows { flow } } } }`,
    );
    const runId: string =
      syncRuns.nodes.find((run: { flows: unknown[] }) => run.flows.length > 1)?.id ??
      (await dashboard.hub.runOverGraphQL(['ACCOUNTS', 'PRODUCTS'], 'FULL')).id;
    updateFinanceCustomer(driftedNumber, { PrimaryContactPhone: driftedFinancePhone });

    const page = await openDashboard();
    await signInAsOperator(page);
    await page.getByRole('link', { name: runId, exact: true }).click();
    await expectText(page.getByLabel('Run status', { exact: true }), /^SUCCEEDED$/);
    await expectFullProgress(page, 'Accounts');
    await page.screenshot({ path: path.join(dir, 'run-view.png') });

    await page.getByRole('navigation').getByRole('link', { name: 'Customers' }).click();
    await page.getByLabel('Account number or name').fill(driftedNumber);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: new RegExp(`^${driftedNumber}`) }).click();
    await page
      .getByRole('table', { name: 'Sales and Finance side by side' })
      .locator('[data-drift="true"]')
      .first()
      .waitFor();
    await page.screenshot({ path: path.join(dir, 'customer-view.png') });
  });
  it('shows on a run’s page which instance took the run over, and why', async () => {
    // A run as an instance that took it over leaves it (test/server/takeover.test.ts makes real ones).
    const runs = createRunStore(dashboard.hub.database);
    const run = await runs.createRun({ flows: ['products'], mode: 'FULL', dryRun: false });
    await runs.setRunStatus(run.id, 'SUCCEEDED');
    const note =
      'Taken over by instance hub-2 (pid 42 on host-b) at 2026-12-06T08:00:00Z: instance hub-1 (pid 41 on ' +
      'host-a) stopped renewing its lease, which ran out at 2026-12-06T07:59:58.000Z; it went on after the ' +
      'last committed page.';
    await dashboard.hub.database.db.execute(
      sql`update sync_runs set notes = array[${note}] where id = ${run.id}`,
    );
    const page = await openDashboard();
    await signInAsOperator(page);
    await page.goto(new URL(`runs/${run.id}`, dashboard.hub.dashboardUrl).href);
    await expectText(page.getByRole('list', { name: 'Run notes' }), note);
  });
});
