/**
 * Health endpoints: `/healthz` says the process is alive, `/readyz` whether the database, Sales and
 * Finance answer, component by component, without authentication and without anything secret. The
 * readiness checks are cheap: cut off after a timeout (which the circuit breaker does not count), never
 * sent to a system whose breaker is open, and shared between probes for a moment.
 */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createConnectors } from '../../src/connectors/index.js';
import { connectorEndpointFor } from '../../src/simulators/index.js';
import { createReadinessCheck, type Readiness } from '../../src/server/readiness.js';
import { resetSystems, startTestHub, type TestHub } from '../support/hub.js';

const apiKey = 'operator-key-for-health-tests-0123456789';

/** GET (or another method) on a path of the hub's origin, without credentials. */
async function probe(hub: TestHub, path: string, method = 'GET') {
  const response = await fetch(new URL(path, hub.url), { method });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    body: text ? JSON.parse(text) : undefined,
  };
}

describe('health endpoints', () => {
  let hub: TestHub;
  beforeAll(async () => {
    const { auth } = loadConfig({ HUB_API_KEYS: `operator:ci-bot:${apiKey}` });
    // Authentication is on, so the probes below show the endpoints need none; no cache, so each probe checks.
    hub = await startTestHub({ accounts: 5, security: { auth }, readiness: { cacheMs: 0 } });
  });
  afterAll(() => hub.close());
  afterEach(() => resetSystems(hub));

  it('answers /healthz with 200 ok while the process is alive, without credentials', async () => {
    const answer = await probe(hub, '/healthz');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/json');
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.body).toEqual({ status: 'ok' });
  });

  it('answers /readyz with 200 and every component up when all of them answer', async () => {
    const answer = await probe(hub, '/readyz');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      status: 'ready',
      components: {
        database: { status: 'up' },
        sales: { status: 'up', breaker: 'closed' },
        finance: { status: 'up', breaker: 'closed' },
      },
    });
    for (const component of Object.values((answer.body as Readiness).components)) {
      expect(component.latencyMs).toBeGreaterThanOrEqual(0);
      expect(component).not.toHaveProperty('error');
    }
  });

  it('checks each system with one cheap read of one row', async () => {
    await probe(hub, '/readyz');
    const sales = hub.simulators.sales.log.entries.map((entry) => `${entry.method} ${entry.url}`);
    const finance = hub.simulators.finance.log.entries.map((entry) => `${entry.method} ${entry.url}`);
    expect(sales).toEqual(['GET /api/data/v9.2/transactioncurrencies?$select=transactioncurrencyid&$top=1']);
    expect(finance).toEqual(['GET /data/LegalEntities?$select=LegalEntityId&$top=1']);
  });

  it('answers 503 with Finance not ready, and the others ready, when Finance is unavailable', async () => {
    hub.simulators.finance.faults.set({ unavailableRate: 1 });
    const answer = await probe(hub, '/readyz');
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({
      status: 'not ready',
      components: {
        database: { status: 'up' },
        sales: { status: 'up' },
        finance: { status: 'down', error: 'Finance answered HTTP 503.' },
      },
    });
  });

  it('stays ready while Finance throttles the hub, reporting it degraded with the wait it asked for', async () => {
    hub.simulators.finance.faults.failNext(5, { status: 429, retryAfterSeconds: 30 });
    const answer = await probe(hub, '/readyz');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      status: 'ready',
      components: {
        database: { status: 'up' },
        sales: { status: 'up' },
        finance: {
          status: 'degraded',
          breaker: 'closed',
          retryAfterSeconds: 30,
          error: "Finance is throttling the hub's requests (HTTP 429); it asked for a wait of 30 s.",
        },
      },
    });
    // Asked once, not retried: the answer is Finance's state now, not after the wait.
    expect(hub.simulators.finance.log.httpRequests()).toBe(1);
  });

  it('says nothing secret: no URL, credential, token, key or stack', async () => {
    hub.simulators.finance.faults.set({ unavailableRate: 1 });
    const answers = [await probe(hub, '/readyz'), await probe(hub, '/healthz')];
    for (const { text } of answers) {
      expect(text).not.toMatch(/https?:\/\//);
      expect(text).not.toContain(hub.simulators.finance.origin.replace('http://', ''));
      expect(text).not.toContain('hub-secret');
      expect(text).not.toContain(apiKey);
      expect(text).not.toMatch(/bearer|eyJ|\bat .+:\d+/i);
    }
  });

  it('answers HEAD without a body and refuses other methods', async () => {
    const head = await probe(hub, '/readyz', 'HEAD');
    expect(head).toMatchObject({ status: 200, text: '' });
    const post = await probe(hub, '/healthz', 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });
});

describe('readiness checks stay gentle', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub({
      accounts: 5,
      circuitBreaker: { failureThreshold: 2, coolDownMs: 60_000 },
    });
  });
  afterAll(() => hub.close());
  afterEach(() => resetSystems(hub));

  it('shares one check between the probes of a second', async () => {
    const check = createReadinessCheck({
      database: hub.database,
      connectors: hub.connectors,
      cacheMs: 1_000,
    });
    const answers = await Promise.all([check(), check(), check()]);
    answers.push(await check());
    expect(new Set(answers).size).toBe(1);
    expect(hub.simulators.sales.log.httpRequests()).toBe(1);
    expect(hub.simulators.finance.log.httpRequests()).toBe(1);
  });

  it('cuts a slow system off after the timeout without counting it against the breaker', async () => {
    hub.simulators.finance.faults.hangNext(1);
    const check = createReadinessCheck({
      database: hub.database,
      connectors: hub.connectors,
      timeoutMs: 200,
      cacheMs: 0,
    });
    const started = performance.now();
    const readiness = await check();
    expect(performance.now() - started).toBeLessThan(900); // the connectors' own timeout is 1 s
    expect(readiness.components.finance).toMatchObject({
      status: 'down',
      breaker: 'closed',
      error: 'Finance did not answer within 200 ms.',
    });
    expect(hub.connectors.finance.client.health().consecutiveFailures).toBe(0);
  });

  it("reports an open breaker's state and sends that system nothing", async () => {
    hub.simulators.finance.faults.set({ unavailableRate: 1 });
    const check = createReadinessCheck({ database: hub.database, connectors: hub.connectors, cacheMs: 0 });
    // The system really is down: two checks fail, and the breaker opens as for any two failed requests.
    await check();
    await check();
    expect(hub.connectors.finance.client.health().state).toBe('open');
    hub.simulators.finance.log.clear();
    const readiness = await check();
    expect(hub.simulators.finance.log.httpRequests()).toBe(0);
    expect(readiness.status).toBe('not ready');
    expect(readiness.components.finance).toMatchObject({ status: 'down', breaker: 'open', latencyMs: 0 });
    expect(readiness.components.finance.error).toMatch(
      /^Finance failed 2 requests in a row; the hub sends it nothing until \d{4}-\d\d-\d\dT[\d:.]+Z\.$/,
    );
    expect(readiness.components.sales.status).toBe('up');
  });
});

describe('a system that refuses connections', () => {
  it('is reported as refusing them, after one attempt', async () => {
    const hub = await startTestHub({ accounts: 5 });
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    try {
      const connectors = createConnectors({
        sales: connectorEndpointFor(hub.simulators.sales.origin),
        // Tokens still come from the simulator's authority: only Finance itself is gone.
        finance: {
          ...connectorEndpointFor(hub.simulators.finance.origin),
          url: `http://127.0.0.1:${port}`,
        },
        financeCompany: 'usmf',
      });
      const check = createReadinessCheck({ database: hub.database, connectors, cacheMs: 0 });
      const readiness = await check();
      expect(readiness.status).toBe('not ready');
      expect(readiness.components.finance).toEqual({
        status: 'down',
        latencyMs: expect.any(Number),
        breaker: 'closed',
        error: 'Finance refused the connection (ECONNREFUSED).',
      });
      expect(connectors.finance.client.health().consecutiveFailures).toBe(1);
    } finally {
      await hub.close();
    }
  });
});

describe('a hub whose database is gone', () => {
  it('is not ready, saying the database cannot be queried', async () => {
    const hub = await startTestHub({ accounts: 5 });
    try {
      await hub.database.close();
      const answer = await probe(hub, '/readyz');
      expect(answer.status).toBe(503);
      expect(answer.body).toMatchObject({
        status: 'not ready',
        components: {
          database: { status: 'down', error: 'The database could not be queried.' },
          sales: { status: 'up' },
          finance: { status: 'up' },
        },
      });
      expect((await probe(hub, '/healthz')).status).toBe(200);
    } finally {
      await hub.close();
    }
  });
});
