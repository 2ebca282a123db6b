/**
 * Protocol behaviour both simulators share — auth, $batch, faults, request log, $metadata — run as one
 * table of cases against each system, with each system's documented differences stated per row.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  decodeBatchResponse,
  encodeBatchRequest,
  type BatchItem,
  type BatchRequest,
} from '../../src/connectors/odata/multipart.js';
import { createFinanceSimulator } from '../../src/simulators/finance/index.js';
import { createSalesSimulator } from '../../src/simulators/sales/index.js';
import type { SimulatorServer } from '../../src/simulators/core/server.js';
import { financeData, salesAccounts } from '../support/fixtures.js';
import { call, tokenFor } from '../support/wire.js';

interface SystemCase {
  system: 'sales' | 'finance';
  server: SimulatorServer;
  token: string;
  /** A collection, a create body for it, and a create that fails validation. */
  set: string;
  good: (n: number) => Record<string, unknown>;
  bad: Record<string, unknown>;
  keyUrl: (body: Record<string, unknown>) => string;
}

const cases: SystemCase[] = [];

beforeAll(async () => {
  const sales = createSalesSimulator({ data: { accounts: salesAccounts(3) } });
  const finance = createFinanceSimulator({ data: financeData(3) });
  for (const server of [sales, finance]) await server.listen();
  cases.push(
    {
      system: 'sales',
      server: sales,
      token: await tokenFor(sales),
      set: 'accounts',
      good: (n) => ({ name: `Batch ${n}`, accountnumber: `B-${n}` }),
      bad: { accountnumber: 'X'.repeat(30) },
      keyUrl: (b) => `accounts(accountnumber='${String(b['accountnumber'])}')`,
    },
    {
      system: 'finance',
      server: finance,
      token: await tokenFor(finance),
      set: 'CustomersV3',
      good: (n) => ({ CustomerAccount: `B-${n}`, CustomerGroupId: '10', OrganizationName: `Batch ${n}` }),
      bad: { CustomerAccount: 'B-BAD', CustomerGroupId: '99' },
      keyUrl: (b) => `CustomersV3(dataAreaId='usmf',CustomerAccount='${String(b['CustomerAccount'])}')`,
    },
  );
});
afterAll(async () => {
  for (const c of cases) await c.server.close();
});
beforeEach(() => {
  for (const c of cases) {
    c.server.faults.reset();
    c.server.log.clear();
  }
});

const each = (name: string, test: (c: SystemCase) => Promise<void>): void => {
  it.each(['sales', 'finance'] as const)(`%s: ${name}`, async (system) =>
    test(cases.find((c) => c.system === system)!),
  );
};

async function batch(c: SystemCase, items: BatchItem<BatchRequest>[], headers: Record<string, string> = {}) {
  const boundary = 'batch_test';
  const response = await fetch(`${c.server.serviceRoot}$batch`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${c.token}`,
      'Content-Type': `multipart/mixed; boundary=${boundary}`,
      ...headers,
    },
    body: encodeBatchRequest(items, boundary),
  });
  const text = await response.text();
  return {
    status: response.status,
    items: decodeBatchResponse(text, response.headers.get('content-type') ?? ''),
  };
}

const post = (c: SystemCase, body: Record<string, unknown>, contentId?: string): BatchRequest => ({
  method: 'POST',
  url: `${c.server.serviceRoot}${c.set}`,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
  ...(contentId ? { contentId } : {}),
});

describe('authentication', () => {
  each('answers 401 without a bearer token, and after the tokens expire', async (c) => {
    const anonymous = await fetch(`${c.server.serviceRoot}${c.set}`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer /);
    const fresh = await tokenFor(c.server);
    expect((await call(c.server, fresh, 'GET', `${c.set}?$top=1`)).status).toBe(200);
    c.server.tokens.expireAll();
    expect((await call(c.server, fresh, 'GET', `${c.set}?$top=1`)).status).toBe(401);
    c.token = await tokenFor(c.server);
  });

  each('refuses a wrong client secret with an Entra-shaped error', async (c) => {
    const response = await fetch(`${c.server.origin}/t/oauth2/v2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: 'hub-client',
        client_secret: 'wrong',
        scope: 'x/.default',
      }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: 'invalid_client',
      error_description: expect.stringMatching(/^AADSTS/),
    });
  });
});

describe('$batch', () => {
  each('applies a change set atomically: one failing part undoes the others', async (c) => {
    const result = await batch(c, [
      { kind: 'changeset', parts: [post(c, c.good(1), '1'), post(c, c.bad, '2')] },
    ]);
    // Dataverse stopped at the failure (no continue-on-error): 400 outside; F&O answers 200 whatever.
    expect(result.status).toBe(c.system === 'sales' ? 400 : 200);
    expect(result.items).toHaveLength(1);
    const only = result.items[0]!;
    expect(only.kind === 'single' && only.part.status >= 400).toBe(true);
    expect((await call(c.server, c.token, 'GET', c.keyUrl(c.good(1)))).status).toBe(404);
  });

  each('commits a good change set and resolves $n references to earlier parts', async (c) => {
    const patch: BatchRequest = {
      method: 'PATCH',
      url: '$1',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ [c.system === 'sales' ? 'name' : 'OrganizationName']: 'Renamed' }),
    };
    const result = await batch(c, [
      { kind: 'changeset', parts: [post(c, c.good(2), '1'), { ...patch, contentId: '2' }] },
    ]);
    const set = result.items[0]!;
    expect(set.kind).toBe('changeset');
    expect(set.kind === 'changeset' && set.parts.map((p) => p.status)).toEqual([
      c.system === 'sales' ? 204 : 201,
      204,
    ]);
    const row = (await call(c.server, c.token, 'GET', c.keyUrl(c.good(2)))).json();
    expect(row[c.system === 'sales' ? 'name' : 'OrganizationName']).toBe('Renamed');
  });

  it('sales: stops at the first failure, answering 400 outside, unless Prefer: odata.continue-on-error', async () => {
    const c = cases.find((x) => x.system === 'sales')!;
    const items: BatchItem<BatchRequest>[] = [
      { kind: 'single', part: post(c, c.bad) },
      { kind: 'single', part: post(c, c.good(3)) },
    ];
    const stopped = await batch(c, items);
    expect(stopped.status).toBe(400);
    expect(stopped.items).toHaveLength(1);
    const continued = await batch(c, items, { Prefer: 'odata.continue-on-error' });
    expect(continued.status).toBe(200);
    expect(continued.items.map((i) => (i.kind === 'single' ? i.part.status : 0))).toEqual([400, 204]);
  });

  it('finance: answers 200 outside even when a part failed, and runs every part', async () => {
    const c = cases.find((x) => x.system === 'finance')!;
    const result = await batch(c, [
      { kind: 'single', part: post(c, c.bad) },
      { kind: 'single', part: post(c, c.good(4)) },
    ]);
    expect(result.status).toBe(200);
    expect(result.items.map((i) => (i.kind === 'single' ? i.part.status : 0))).toEqual([500, 201]);
  });

  each('counts each part in the request log', async (c) => {
    await batch(c, [
      { kind: 'single', part: { method: 'GET', url: `${c.set}?$top=1`, headers: {} } },
      { kind: 'single', part: { method: 'GET', url: `${c.set}?$top=2`, headers: {} } },
    ]);
    expect(c.server.log.counts()).toMatchObject({ 'POST $batch': 1, [`GET ${c.set}`]: 2 });
    expect(c.server.log.httpRequests()).toBe(1);
  });
});

describe('faults', () => {
  each('throttles with 429 and Retry-After after N requests in a window', async (c) => {
    c.server.faults.set({ throttle: { maxRequests: 2, windowMs: 60_000, retryAfterSeconds: 7 } });
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof call>> | undefined;
    for (let i = 0; i < 3; i++) {
      last = await call(c.server, c.token, 'GET', `${c.set}?$top=1`);
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 429]);
    expect(last!.headers.get('retry-after')).toBe('7');
    if (c.system === 'sales') expect(last!.json().error.code).toBe('0x80072322');
    else expect(last!.text).toMatch(/high resource utilization/);
  });

  each('fails the next N matching requests with 503 and then recovers', async (c) => {
    c.server.faults.failNext(2, { match: { entitySet: c.set } });
    const statuses = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await call(c.server, c.token, 'GET', `${c.set}?$top=1`)).status);
    expect(statuses).toEqual([503, 503, 200]);
  });

  each('answers a share of requests 503 at a configured rate, repeatably', async (c) => {
    c.server.faults.set({ unavailableRate: 0.5, seed: 42 });
    const run = async () => {
      const statuses = [];
      for (let i = 0; i < 20; i++)
        statuses.push((await call(c.server, c.token, 'GET', `${c.set}?$top=1`)).status);
      return statuses;
    };
    const first = await run();
    c.server.faults.set({ seed: 42 });
    expect(await run()).toEqual(first);
    expect(first.filter((s) => s === 503).length).toBeGreaterThan(3);
    expect(first.filter((s) => s === 200).length).toBeGreaterThan(3);
  });

  each('can hang a request so that only a client timeout ends it', async (c) => {
    c.server.faults.hangNext(1);
    const outcome = await fetch(`${c.server.serviceRoot}${c.set}?$top=1`, {
      headers: { Authorization: `Bearer ${c.token}` },
      signal: AbortSignal.timeout(300),
    }).then(
      () => 'answered',
      (error: Error) => error.name,
    );
    expect(outcome).toBe('TimeoutError');
  });

  each('adds latency to every answer', async (c) => {
    c.server.faults.set({ latencyMs: 150 });
    const started = performance.now();
    await call(c.server, c.token, 'GET', `${c.set}?$top=1`);
    // A lower bound only: the delay is injected, so it cannot be shorter.
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });
});

describe('$metadata', () => {
  each('describes every entity set with its key', async (c) => {
    const response = await call(c.server, c.token, 'GET', '$metadata');
    expect(response.headers.get('content-type')).toMatch(/xml/);
    expect(response.text).toContain(`<EntitySet Name="${c.set}"`);
    expect(response.text).toMatch(/<Key><PropertyRef Name="[^"]+"\/>|<Key>\n<PropertyRef/);
  });
});
