/**
 * The hub serves the built dashboard at /dashboard/ over real HTTP: the page for every route of its own,
 * hashed assets cached for good and the page revalidated, a Content-Security-Policy limited to the hub's
 * own origin, and plain answers for what it is not (a missing asset, a missing build, a POST, a path
 * that climbs out of the build).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../support/hub.js';

const page =
  '<!doctype html><html><body><div id="root"></div><script src="/dashboard/assets/app-1a2b.js"></script></body></html>';
const script = 'console.log("dashboard")';

let build: string;
let hub: TestHub;
let origin: string;
beforeAll(async () => {
  build = mkdtempSync(path.join(tmpdir(), 'dashboard-'));
  mkdirSync(path.join(build, 'assets'));
  writeFileSync(path.join(build, 'index.html'), page);
  writeFileSync(path.join(build, 'assets', 'app-1a2b.js'), script);
  hub = await startTestHub({ accounts: 1, dashboardDir: build });
  origin = new URL(hub.url).origin;
});
afterAll(async () => {
  await hub.close();
  rmSync(build, { recursive: true, force: true });
});

const get = (pathname: string, init?: RequestInit) =>
  fetch(`${origin}${pathname}`, { redirect: 'manual', ...init });

describe('the dashboard at /dashboard/', () => {
  it('redirects /dashboard to /dashboard/, keeping the query', async () => {
    const response = await get('/dashboard?q=ACC-1');
    expect(response.status).toBe(308);
    expect(response.headers.get('location')).toBe('/dashboard/?q=ACC-1');
  });

  it.each([
    '/dashboard/',
    '/dashboard/runs/0190abcd',
    '/dashboard/customers?q=Contoso',
    '/dashboard/customers/ACC.1',
  ])('answers the page for %s, revalidated on every load and locked to its own origin', async (pathname) => {
    const response = await get(pathname);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await response.text()).toBe(page);
  });

  it('serves a hashed asset cached for a year, and 304 when the browser has it', async () => {
    const response = await get('/dashboard/assets/app-1a2b.js');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/javascript/);
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await response.text()).toBe(script);
    const again = await get('/dashboard/assets/app-1a2b.js', {
      headers: { 'If-None-Match': response.headers.get('etag')! },
    });
    expect(again.status).toBe(304);
  });

  it.each([
    ['a missing asset', '/dashboard/assets/gone-9z9z.js', 404],
    ['a missing icon', '/dashboard/favicon.ico', 404],
    ['a path climbing out of the build', '/dashboard/..%2F..%2Fpackage.json', 404],
    ['an encoded backslash', '/dashboard/assets%5C..%5Cindex.html', 404],
  ])('answers %s with %i, not the page', async (_case, pathname, status) => {
    const response = await get(pathname);
    expect(response.status).toBe(status);
    expect(await response.text()).not.toContain('<html');
  });

  it('refuses other methods with 405', async () => {
    const response = await get('/dashboard/', { method: 'POST', body: '{}' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
  });

  it('leaves other paths alone: /dashboards is not the dashboard, /graphql still answers', async () => {
    expect((await get('/dashboards')).status).toBe(404);
    const { data } = await hub.graphql('{ viewer { role } }');
    expect(data.viewer.role).toBe('OPERATOR');
  });

  it('serves a build made while the hub runs, and says how to build when there is none', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'dashboard-'));
    const other = await startTestHub({ accounts: 1, dashboardDir: empty });
    try {
      const otherOrigin = new URL(other.url).origin;
      const missing = await fetch(`${otherOrigin}/dashboard/`);
      expect(missing.status).toBe(503);
      expect(await missing.text()).toMatch(/npm run dashboard:build/);
      writeFileSync(path.join(empty, 'index.html'), page);
      const built = await fetch(`${otherOrigin}/dashboard/flows`);
      expect(built.status).toBe(200);
      expect(await built.text()).toBe(page);
    } finally {
      await other.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
