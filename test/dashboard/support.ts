/**
 * What the dashboard's browser tests stand on: Debian's chromium driven by playwright-core (no browser
 * download), the built page (`npm run dashboard:build`, rebuilt when its sources are newer), and the hub
 * over the embedded default's data set with one operator and one reader API key, served on a port it can
 * be stopped and started again on, so that a page sees its WebSocket go away and come back. A test file
 * calls `useDashboard` to have them started before its tests and closed after.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Locator,
  type Page,
} from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, vi } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startHub, type Hub } from '../../src/hub.js';
import { audience, issuer } from '../support/auth.js';
import { startTestHub, type TestHub } from '../support/hub.js';
import { recordingRetryPolicy } from '../support/systems.js';

/** Debian's package puts the browser here; CI installs it (`.ci/run`). */
export const chromiumPath = '/usr/bin/chromium';

/** Exactly what the browser runs with: headless, and nothing that talks to the network on its own. */
export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The size the README's screenshots are taken at. */
export const viewport = { width: 1280, height: 800 };

/** How long a page may take to show what a test waits for (a sync of 300 accounts included). */
export const waitMs = 20_000;

const root = fileURLToPath(new URL('../../', import.meta.url));
const dashboardDir = path.join(root, 'dashboard');
/** What `npm run dashboard:build` writes and the hub serves at /dashboard/. */
const builtDashboard = path.join(dashboardDir, 'dist');

/** Starts chromium, or fails saying how to install it: a missing browser is never a skipped test. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `The dashboard's browser tests drive Debian's chromium at ${chromiumPath}, which is not installed. ` +
        'Install it with `sudo apt-get install --no-install-recommends chromium` (CI installs it in .ci/run).',
    );
  }
  return chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
}

/**
 * Builds the dashboard (`npm run dashboard:build`) when `dashboard/dist/index.html` is missing or older
 * than any of its sources, so the tests never run against a stale page.
 */
export async function ensureDashboardBuilt(): Promise<void> {
  const builtAt = modifiedAt(path.join(builtDashboard, 'index.html'));
  if (builtAt !== undefined && builtAt >= newestSource()) return;
  try {
    await promisify(execFile)('npm', ['run', 'dashboard:build'], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`npm run dashboard:build failed:\n${stdout}${stderr}`, { cause: error });
  }
}

/** The newest modification time among the dashboard's sources (everything but its build). */
function newestSource(): number {
  let newest = 0;
  const visit = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'dist' || entry.name === 'node_modules') continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(full);
      else newest = Math.max(newest, statSync(full).mtimeMs);
    }
  };
  if (existsSync(dashboardDir)) visit(dashboardDir);
  return newest;
}

function modifiedAt(file: string): number | undefined {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

export const operator = { name: 'ops-desk', key: 'dashboard-operator-key-0123456789abcdef' };
export const reader = { name: 'wallboard', key: 'dashboard-reader-key-0123456789abcdefgh' };
/** The shared secret the hub also trusts for HS256 tokens (`signWithSecret` in ../support/auth.ts). */
export const jwtSecret = 'dashboard-test-secret-of-at-least-32-characters';
const { auth } = loadConfig({
  HUB_API_KEYS: `operator:${operator.name}:${operator.key},reader:${reader.name}:${reader.key}`,
  HUB_JWT_SECRET: jwtSecret,
  HUB_JWT_ISSUER: issuer,
  HUB_JWT_AUDIENCE: audience,
});
// No clock tolerance, so a token's expiry takes effect when it says.
const authOptions = { clockToleranceSeconds: 0 };

export interface DashboardHub extends TestHub {
  /** The dashboard's root, `…/dashboard/`. */
  dashboardUrl: string;
  /** Stops serving (HTTP and WebSocket); simulators, database and port stay. */
  stop(): Promise<void>;
  /** Serves again on the same port, over the same database and simulators. */
  resume(): Promise<void>;
  /** GraphQL as the operator. */
  asOperator<T = any>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** Starts a run of `flows` over GraphQL and waits for it to end. */
  runOverGraphQL(flows: string[], mode?: 'INCREMENTAL' | 'FULL'): Promise<{ id: string; status: string }>;
}

const syncPageSize = 50;

/** What a browser test may set on its hub: fewer accounts, alerts, breakers, continuous sync's pace. */
export type DashboardHubOptions = Pick<
  NonNullable<Parameters<typeof startTestHub>[0]>,
  'accounts' | 'alerts' | 'circuitBreaker' | 'continuous'
>;

/**
 * The embedded default's data set (seed 1, 300 accounts unless `options` say fewer) behind a hub that
 * requires an API key.
 */
export async function startDashboardHub(options: DashboardHubOptions = {}): Promise<DashboardHub> {
  const { accounts = 300, alerts, circuitBreaker, continuous } = options;
  const hub = await startTestHub({
    accounts,
    seed: 1,
    security: { auth, authOptions },
    dashboardDir: builtDashboard,
    // Pages of 50, so the 300 accounts arrive in six steps a progress bar can show.
    syncPageSize,
    // Backoffs take no time; a Retry-After is waited for, as the hub does, so a throttled system shows.
    retry: { ...recordingRetryPolicy([]), retryWaitMs: (error) => error.retryAfterMs ?? 0 },
    ...(alerts && { alerts }),
    ...(circuitBreaker && { circuitBreaker }),
    ...(continuous && { continuous }),
  });
  const { port } = new URL(hub.url);
  let replacement: Hub | undefined;
  let serving = true;
  const asOperator = async (query: string, variables?: Record<string, unknown>) => {
    const { data, errors } = await hub.graphql(query, variables, { token: operator.key });
    if (errors) throw new Error(`GraphQL errors: ${JSON.stringify(errors)}`);
    return data;
  };
  return {
    ...hub,
    dashboardUrl: hub.url.replace(/\/graphql$/, '/dashboard/'),
    async stop() {
      if (!serving) return;
      serving = false;
      await (replacement ? replacement.close() : hub.server.close());
    },
    async resume() {
      if (serving) return;
      replacement = await startHub({
        connectors: hub.connectors,
        database: hub.database,
        port: Number(port),
        host: '127.0.0.1',
        auth,
        authOptions,
        dashboardDir: builtDashboard,
        syncPageSize,
        ...(alerts && { alerts }),
        ...(continuous && { continuous }),
      });
      serving = true;
    },
    asOperator,
    async runOverGraphQL(flows, mode = 'INCREMENTAL') {
      const input = { flows, mode };
      const started = await asOperator(
        `mutation($input: StartSyncInput!) { startSync(input: $input) { id } }`,
        { input },
      );
      const id: string = started.startSync.id;
      let status = '';
      await expect
        .poll(
          async () => {
            const { syncRun } = await asOperator(`query($id: ID!) { syncRun(id: $id) { status } }`, { id });
            return (status = syncRun.status);
          },
          { timeout: waitMs, interval: 100, message: `run ${id} over GraphQL` },
        )
        .toMatch(/^(SUCCEEDED|FAILED|COMPLETED_WITH_ERRORS|CANCELLED)$/);
      return { id, status };
    },
    async close() {
      await replacement?.close();
      await hub.close();
    },
  };
}

/** A page in its own browser context (nothing shared with other pages), watched for errors. */
export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** `console.error` lines and failed loads the page reported, for failure messages. */
  consoleErrors: string[];
  /** Exceptions the page's scripts did not catch, and what the Content-Security-Policy refused: any one fails the test. */
  pageErrors: string[];
}

/** `options` may set the browser's language and time zone (`locale`, `timezoneId`); default: the machine's. */
export async function openPage(browser: Browser, options: BrowserContextOptions = {}): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport, ...options });
  context.setDefaultTimeout(waitMs);
  const page = await context.newPage();
  const watched: WatchedPage = { page, context, consoleErrors: [], pageErrors: [] };
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    watched.consoleErrors.push(message.text());
    // The hub serves the page with a strict policy: a refused script, style or connection breaks it.
    if (message.text().includes('Content Security Policy')) watched.pageErrors.push(message.text());
  });
  page.on('pageerror', (error) => watched.pageErrors.push(error.stack ?? error.message));
  return watched;
}

/** Where the pages of a failed test are photographed. */
export const failureScreenshots = path.join(tmpdir(), 'p2c-hub-dashboard-failures');

/**
 * Closes the pages, failing when one had an uncaught error or a CSP refusal (its console errors shown
 * with it; the 401 of the first request before signing in is one of those, and expected). When the test
 * `failed`, each page is photographed first and its address and console errors printed.
 */
export async function closePages(pages: WatchedPage[], failed?: string): Promise<void> {
  if (failed !== undefined) {
    mkdirSync(failureScreenshots, { recursive: true });
    for (const [index, { page, consoleErrors }] of pages.entries()) {
      const file = path.join(failureScreenshots, `${failed.replace(/[^\w-]+/g, '-')}-${index + 1}.png`);
      await page.screenshot({ path: file }).catch(() => undefined);
      console.error(
        `Page ${index + 1} at ${page.url()} (${file}); console errors:\n${consoleErrors.join('\n')}`,
      );
    }
  }
  const errors = pages.flatMap((p) => p.pageErrors);
  const consoleErrors = pages.flatMap((p) => p.consoleErrors);
  await Promise.all(pages.map((p) => p.context.close()));
  expect(errors, `uncaught errors in the page; its console errors:\n${consoleErrors.join('\n')}`).toEqual([]);
}

/** Waits until the locator's text matches, showing the last text seen when it never does. */
export async function expectText(locator: Locator, expected: string | RegExp, timeoutMs = waitMs) {
  await expect
    .poll(
      () =>
        locator.innerText({ timeout: 1_000 }).catch((error: Error) => `(${error.message.split('\n')[0]})`),
      { timeout: timeoutMs, interval: 50, message: `text of ${String(locator)}` },
    )
    .toMatch(expected);
}

/** Waits until the locator's attribute has the value. */
export async function expectAttribute(
  locator: Locator,
  name: string,
  expected: string | null,
  timeoutMs = waitMs,
) {
  await expect
    .poll(() => locator.getAttribute(name, { timeout: 1_000 }).catch(() => undefined), {
      timeout: timeoutMs,
      interval: 50,
      message: `${name} of ${String(locator)}`,
    })
    .toBe(expected);
}

/** Signs in on the sign-in form the page shows, and waits until the header names the caller. */
export async function signIn(page: Page, who: { name: string; key: string }, role: 'operator' | 'reader') {
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.getByLabel('API key or token').fill(who.key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText(`Signed in as ${who.name} (${role})`).waitFor();
}

/** After a full page load: signs in again when the page asks, then waits until it names the caller. */
export async function signInIfAsked(
  page: Page,
  who: { name: string; key: string },
  role: 'operator' | 'reader',
) {
  const signInForm = page.getByRole('heading', { name: 'Sign in' });
  const signedIn = page.getByText(`Signed in as ${who.name} (${role})`);
  await signInForm.or(signedIn).first().waitFor();
  if (await signInForm.isVisible()) await signIn(page, who, role);
  await signedIn.waitFor();
}

/** How a test's page is opened: its browser context (`locale`, `timezoneId`; default: the machine's) and more. */
export interface PageOptions extends BrowserContextOptions {
  /** Called on the fresh page before it loads anything, so a listener hears its first request. */
  beforeLoad?: (page: Page) => void;
}

/** Where `open` goes once signed in: a link of the navigation, and the heading that says its page is shown. */
export interface OpenOptions extends PageOptions {
  /** The name of the navigation's link to follow; default: none, the page stays where signing in left it. */
  link?: string;
  /** The exact name of a heading to wait for; default: none. */
  heading?: string;
}

/** What a file's browser tests use: the browser and hub `useDashboard` started, and fresh pages on them. */
export interface Dashboard {
  /** The hub the tests run against, from the first test (or a hook registered after `useDashboard`) on. */
  readonly hub: DashboardHub;
  /** The browser the pages open in, likewise. */
  readonly browser: Browser;
  /** A fresh page (its own context: no sign-in carried over) at the dashboard's root, nobody signed in. */
  openSignedOut(options?: PageOptions): Promise<Page>;
  /** A fresh page signed in as `who`, then at the page the navigation's `link` opens, once `heading` shows. */
  open(who: { name: string; key: string }, role: 'operator' | 'reader', options?: OpenOptions): Promise<Page>;
}

/**
 * Registers the hooks of a file of browser tests and returns what its tests use. Before all: chromium
 * first (without it, the message says how to install it and nothing else is started), the dashboard built
 * when stale, then the hub over `options`; a function giving them is called at that point, so it may start
 * what they name (an alerts receiver). A `beforeAll` the file registers after this call runs once the hub
 * serves (a first sync, say). After each test: its pages closed, photographed when it failed. After all:
 * the browser, then the hub, closed.
 */
export function useDashboard(
  options: DashboardHubOptions | (() => Promise<DashboardHubOptions>) = {},
): Dashboard {
  // A browser, a Vite build when the page is stale, a hub and what a file starts on it: longer than unit tests.
  vi.setConfig({ testTimeout: 60_000, hookTimeout: 180_000 });

  let hub: DashboardHub | undefined;
  let browser: Browser | undefined;
  let pages: WatchedPage[] = [];
  beforeAll(async () => {
    browser = await launchChromium();
    await ensureDashboardBuilt();
    hub = await startDashboardHub(typeof options === 'function' ? await options() : options);
  });
  afterEach(async ({ task }) => {
    const open = pages;
    pages = [];
    await closePages(open, task.result?.state === 'fail' ? task.name.slice(0, 60) : undefined);
  });
  afterAll(async () => {
    await browser?.close();
    await hub?.close();
  });

  const started = <T>(what: string, value: T | undefined): T => {
    if (value === undefined) {
      throw new Error(
        `The dashboard's ${what} is not started yet: use it in a test, or in a hook registered after useDashboard().`,
      );
    }
    return value;
  };
  const dashboard: Dashboard = {
    get hub() {
      return started('hub', hub);
    },
    get browser() {
      return started('browser', browser);
    },
    async openSignedOut({ beforeLoad, ...context } = {}) {
      const watched = await openPage(dashboard.browser, context);
      pages.push(watched);
      beforeLoad?.(watched.page);
      await watched.page.goto(dashboard.hub.dashboardUrl);
      return watched.page;
    },
    async open(who, role, { link, heading, ...pageOptions } = {}) {
      const page = await dashboard.openSignedOut(pageOptions);
      await signIn(page, who, role);
      if (link !== undefined) await page.getByRole('navigation').getByRole('link', { name: link }).click();
      if (heading !== undefined) await page.getByRole('heading', { name: heading, exact: true }).waitFor();
      return page;
    },
  };
  return dashboard;
}

/** The element an input names first in `aria-describedby`, once the input is invalid: its problem. */
export async function problemUnder(input: Locator): Promise<Locator> {
  await expectAttribute(input, 'aria-invalid', 'true');
  const [first] = ((await input.getAttribute('aria-describedby')) ?? '').split(' ');
  return input.page().locator(`[id="${first}"]`);
}

/** How far the page scrolls sideways at its current size (0 or less: it fits). */
export function sidewaysOverflow(page: Page): Promise<number> {
  return page.evaluate(() => {
    const window = globalThis as any;
    return window.document.documentElement.scrollWidth - window.innerWidth;
  });
}
