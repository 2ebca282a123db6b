/**
 * `/metrics`: the Prometheus exposition of one hub instance. It counts GraphQL operations (both
 * transports, refused callers included), back-end requests with their latency, sync records as pages
 * commit (equal to the run's own counters), and shows breaker states, runs by status, the queue and the
 * open subscriptions as they are. It is answered like `/readyz`: without credentials, and with nothing
 * secret and no record data in it; every series names the instance.
 */
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { loadConfig } from '../../src/config.js';
import { createConnectors, type Connectors } from '../../src/connectors/index.js';
import { openDatabase, type Database } from '../../src/db/connection.js';
import { createRunStore } from '../../src/db/runs.js';
import { startHub, type Hub } from '../../src/hub.js';
import { createEntitySetNamer } from '../../src/metrics/backend.js';
import { createHubMetrics } from '../../src/metrics/index.js';
import { defaultClient } from '../../src/simulators/core/server.js';
import { connectorEndpointFor, startSimulators, type RunningSimulators } from '../../src/simulators/index.js';
import { recordingRetryPolicy } from '../support/systems.js';

const apiKey = 'operator-key-for-metrics-tests-0123456789';
const instanceId = 'metrics-test-hub';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The exposition's samples (comment lines left out), labels unescaped. */
function parseExposition(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`Not an exposition line: ${line}`);
      const labels: Record<string, string> = {};
      for (const [, name, raw] of (match[2] ?? '').matchAll(/([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
        labels[name!] = raw!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
}

/** The sum of the samples named `name` whose labels include `labels`. */
function sumOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

let simulators: RunningSimulators;
let database: Database;
let connectors: Connectors;
let hub: Hub;
/** The breakers' clock: moved by hand, so each state shows without waiting. */
let clockMs = 1_000_000;

beforeAll(async () => {
  simulators = await startSimulators({ seed: 1, accounts: 30 });
  database = await openDatabase({ kind: 'pglite', dataDir: 'memory://' });
  const metrics = createHubMetrics({ instanceId });
  connectors = createConnectors({
    sales: connectorEndpointFor(simulators.sales.origin),
    finance: connectorEndpointFor(simulators.finance.origin),
    financeCompany: 'usmf',
    // Backoffs take no time; a Retry-After is waited for, so a throttled system shows as such.
    retry: { ...recordingRetryPolicy([]), retryWaitMs: (error) => error.retryAfterMs ?? 0 },
    timeoutMs: 2_000,
    onRequest: (event) => metrics.backendRequest(event),
    circuitBreaker: { failureThreshold: 1, coolDownMs: 60_000, now: () => clockMs },
  });
  hub = await startHub({
    connectors,
    database,
    port: 0,
    host: '127.0.0.1',
    auth: loadConfig({ HUB_API_KEYS: `operator:ci-bot:${apiKey}` }).auth,
    metrics,
    dashboardDir: null,
    // Its minute's look at Sales and Finance would add requests to the counts under test.
    watchAvailability: false,
  });
});
afterAll(async () => {
  await hub?.close();
  await simulators?.close();
  await database?.close();
});

async function graphql<T = any>(
  query: string,
  variables?: Record<string, unknown>,
  token: string | null = apiKey,
) {
  const response = await fetch(hub.server.url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...(token !== null && { Authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: T; errors?: { extensions?: { code?: string } }[] };
}

async function scrape(method = 'GET') {
  const response = await fetch(new URL('/metrics', hub.server.url), { method });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text };
}

const samplesNow = async () => parseExposition((await scrape()).text);

const counterFields = 'created updated unchanged skipped failed';

describe('GET /metrics', () => {
  it('answers GET and HEAD without credentials in the Prometheus text format, other methods 405', async () => {
    const get = await scrape();
    expect(get.status).toBe(200);
    expect(get.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(get.headers.get('cache-control')).toBe('no-store');
    expect(get.text).toContain('# TYPE p2c_graphql_operations_total counter');
    const head = await scrape('HEAD');
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
    const post = await scrape('POST');
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('counts GraphQL operations by transport, type and outcome, with their durations, a refused caller included', async () => {
    const before = await samplesNow();
    expect((await graphql('{ __typename }')).errors).toBeUndefined();
    expect((await graphql('{ __typename }')).errors).toBeUndefined();
    const refused = await graphql('{ __typename }', undefined, null);
    expect(refused.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const invalid = await graphql('{ noSuchField }');
    expect(invalid.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const after = await samplesNow();
    const delta = (name: string, labels: Record<string, string>) =>
      sumOf(after, name, labels) - sumOf(before, name, labels);
    const ok = { transport: 'http', type: 'query', outcome: 'ok' };
    expect(delta('p2c_graphql_operations_total', ok)).toBe(2);
    expect(delta('p2c_graphql_operation_duration_seconds_count', ok)).toBe(2);
    expect(delta('p2c_graphql_operations_total', { transport: 'http', outcome: 'refused' })).toBe(1);
    expect(delta('p2c_graphql_operations_total', { transport: 'http', outcome: 'error' })).toBe(1);
    // Buckets are cumulative: the largest one holds every operation timed.
    expect(delta('p2c_graphql_operation_duration_seconds_bucket', { ...ok, le: '+Inf' })).toBe(2);
  });

  describe('during a sync run followed over WebSocket', () => {
    let client: Client;
    let before: Sample[];
    let whileOpen: Sample[];
    let run: { id: string; status: string; flows: { flow: string; counters: Record<string, number> }[] };

    beforeAll(async () => {
      simulators.sales.log.clear();
      simulators.finance.log.clear();
      before = await samplesNow();
      client = createClient({
        url: hub.server.url.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        connectionParams: { authorization: `Bearer ${apiKey}` },
      });
      // Every run's changes, never completing: open until the client completes it.
      const events: { id: string; status: string }[] = [];
      let unsubscribe = () => {};
      const ended = new Promise<void>((resolve, reject) => {
        unsubscribe = client.subscribe<{ syncRunsUpdated: { id: string; status: string } }>(
          { query: 'subscription { syncRunsUpdated { id status } }' },
          {
            next: (value) => events.push(value.data!.syncRunsUpdated),
            error: reject,
            complete: resolve,
          },
        );
      });
      // The run starts once the subscription streams on the server, so it sees every event of the run.
      whileOpen = await vi.waitFor(
        async () => {
          const samples = await samplesNow();
          expect(sumOf(samples, 'p2c_graphql_subscriptions_open')).toBe(1);
          return samples;
        },
        { timeout: 5_000, interval: 20 },
      );
      const started = await graphql<{ startSync: { id: string } }>(
        'mutation { startSync(input: { flows: [ACCOUNTS], mode: FULL }) { id } }',
      );
      expect(started.errors).toBeUndefined();
      const id = started.data!.startSync.id;
      await vi.waitFor(
        () =>
          expect(
            events.some((event) => event.id === id && !['QUEUED', 'RUNNING'].includes(event.status)),
          ).toBe(true),
        { timeout: 15_000, interval: 20 },
      );
      unsubscribe();
      await ended;
      const read = await graphql<{ syncRun: typeof run }>(
        `query($id: ID!) { syncRun(id: $id) { id status flows { flow counters { ${counterFields} } } } }`,
        { id },
      );
      run = read.data!.syncRun;
    }, 30_000);
    afterAll(() => client?.dispose());

    it('counts sync records by flow and outcome as the run itself counted them', async () => {
      const after = await samplesNow();
      const accounts = run.flows.find((flow) => flow.flow === 'ACCOUNTS')!;
      expect(accounts.counters['created']).toBeGreaterThan(0);
      for (const outcome of counterFields.split(' ')) {
        const labels = { flow: 'accounts', outcome };
        expect({
          outcome,
          counted:
            sumOf(after, 'p2c_sync_records_total', labels) - sumOf(before, 'p2c_sync_records_total', labels),
        }).toEqual({
          outcome,
          counted: accounts.counters[outcome],
        });
      }
    });

    it('counts each back-end request by system, method, status and entity set, with its latency, and no record key', async () => {
      const after = await samplesNow();
      const delta = (name: string, labels: Record<string, string>) =>
        sumOf(after, name, labels) - sumOf(before, name, labels);
      // Every request a simulator answered is one attempt counted, by method and status (batch parts
      // travel inside their batch's request and are not counted apart).
      for (const system of ['sales', 'finance'] as const) {
        const received: Record<string, number> = {};
        for (const entry of simulators[system].log.entries.filter((entry) => !entry.inBatch)) {
          const key = `${entry.method} ${entry.status}`;
          received[key] = (received[key] ?? 0) + 1;
        }
        const counted: Record<string, number> = {};
        for (const key of Object.keys(received)) {
          const [method, status] = key.split(' ') as [string, string];
          counted[key] = delta('p2c_backend_requests_total', { system, method, status });
        }
        expect(Object.keys(received).length).toBeGreaterThan(0);
        expect({ system, counted }).toEqual({ system, counted: received });
        const total = Object.values(received).reduce((sum, n) => sum + n, 0);
        expect(delta('p2c_backend_requests_total', { system })).toBe(total);
        expect(delta('p2c_backend_request_duration_seconds_count', { system })).toBe(total);
      }
      expect(
        delta('p2c_backend_requests_total', {
          system: 'sales',
          method: 'GET',
          status: '200',
          entity_set: 'accounts',
        }),
      ).toBeGreaterThan(0);
      const entitySets = after
        .filter((s) => s.name === 'p2c_backend_requests_total')
        .map((s) => s.labels['entity_set']!);
      for (const entitySet of entitySets) expect(entitySet).toMatch(/^\$?[A-Za-z_][A-Za-z0-9_.]*$/);
    });

    it('counts the open subscription while it streams, and none once it completed', async () => {
      expect(sumOf(whileOpen, 'p2c_graphql_subscriptions_open')).toBe(1);
      await vi.waitFor(
        async () => expect(sumOf(await samplesNow(), 'p2c_graphql_subscriptions_open')).toBe(0),
        {
          timeout: 5_000,
          interval: 20,
        },
      );
      expect(
        sumOf(await samplesNow(), 'p2c_graphql_operations_total', {
          transport: 'websocket',
          type: 'subscription',
          outcome: 'ok',
        }),
      ).toBe(1);
    });

    it('reports the runs in the database by status, and those no instance executes as the queue depth', async () => {
      let samples = await samplesNow();
      expect(sumOf(samples, 'p2c_sync_runs', { status: run.status })).toBe(1);
      expect(sumOf(samples, 'p2c_sync_runs')).toBe(1);
      expect(sumOf(samples, 'p2c_sync_queue_depth')).toBe(0);
      // A run waiting to execute, as another instance would leave it in the shared database.
      const runs = createRunStore(database);
      const queued = await runs.createRun({ flows: ['contacts'], mode: 'FULL', dryRun: false });
      samples = await samplesNow();
      expect(sumOf(samples, 'p2c_sync_runs', { status: 'QUEUED' })).toBe(1);
      expect(sumOf(samples, 'p2c_sync_queue_depth')).toBe(1);
      await runs.setRunStatus(queued.id, 'CANCELLED');
      samples = await samplesNow();
      expect(sumOf(samples, 'p2c_sync_queue_depth')).toBe(0);
      expect(sumOf(samples, 'p2c_sync_runs', { status: 'CANCELLED' })).toBe(1);
    });

    it('labels every series with the instance id and shows no secret and no record data', async () => {
      const { text } = await scrape();
      const samples = parseExposition(text);
      expect(samples.length).toBeGreaterThan(50);
      for (const sample of samples) expect(sample.labels['instance_id'], sample.name).toBe(instanceId);
      expect(text).not.toContain(apiKey);
      expect(text).not.toContain(defaultClient.clientSecret);
      const numbers = simulators.data.sales.accounts
        .map((account) => account['accountnumber'])
        .filter((number): number is string => typeof number === 'string');
      expect(numbers.length).toBeGreaterThan(0);
      for (const number of numbers) expect(text).not.toContain(number);
      expect(text).not.toContain(run.id);
    });
  });

  it("shows each system's bound on requests at once, and the requests sent and waiting for it", async () => {
    const inFlight = async () => {
      const samples = await samplesNow();
      return {
        limit: sumOf(samples, 'p2c_backend_concurrency_limit', { system: 'finance' }),
        sent: sumOf(samples, 'p2c_backend_requests_in_flight', { system: 'finance', state: 'sent' }),
        waiting: sumOf(samples, 'p2c_backend_requests_in_flight', { system: 'finance', state: 'waiting' }),
      };
    };
    const salesLimit = async () =>
      sumOf(await samplesNow(), 'p2c_backend_concurrency_limit', { system: 'sales' });
    // Sales answers with x-ms-dop-hint 4, the simulators' default; Finance has its fixed default of 4.
    expect(await salesLimit()).toBe(4);
    expect(await inFlight()).toEqual({ limit: 4, sent: 0, waiting: 0 });
    simulators.finance.faults.set({ latencyMs: 400 });
    try {
      const six = Promise.all(Array.from({ length: 6 }, () => connectors.finance.companies()));
      await expect
        .poll(inFlight, { interval: 20, timeout: 2_000 })
        .toEqual({ limit: 4, sent: 4, waiting: 2 });
      await six;
    } finally {
      simulators.finance.faults.set({ latencyMs: 0 });
    }
    expect(await inFlight()).toEqual({ limit: 4, sent: 0, waiting: 0 });
  });

  it('shows a system throttled: the seconds until it takes requests again, and its lowered bound', async () => {
    const throttle = async () => {
      const samples = await samplesNow();
      return {
        seconds: sumOf(samples, 'p2c_backend_throttled_seconds', { system: 'finance' }),
        limit: sumOf(samples, 'p2c_backend_concurrency_limit', { system: 'finance' }),
        sales: sumOf(samples, 'p2c_backend_throttled_seconds', { system: 'sales' }),
      };
    };
    expect(await throttle()).toEqual({ seconds: 0, limit: 4, sales: 0 });
    simulators.finance.faults.failNext(1, { status: 429, retryAfterSeconds: 2 });
    const read = connectors.finance.companies();
    await expect
      .poll(async () => (await throttle()).seconds, { interval: 20, timeout: 2_000 })
      .toBeGreaterThan(1);
    expect(await throttle()).toMatchObject({ limit: 2, sales: 0 });
    await read;
    expect(await throttle()).toMatchObject({ seconds: 0 });
  });

  it("shows each system's circuit breaker: 0 closed, 1 half-open, 2 open", async () => {
    const breakers = async () => {
      const samples = await samplesNow();
      return {
        sales: sumOf(samples, 'p2c_circuit_breaker_state', { system: 'sales' }),
        finance: sumOf(samples, 'p2c_circuit_breaker_state', { system: 'finance' }),
      };
    };
    expect(await breakers()).toEqual({ sales: 0, finance: 0 });
    simulators.finance.faults.set({ unavailableRate: 1 });
    await expect(connectors.finance.companies()).rejects.toThrow();
    expect(await breakers()).toEqual({ sales: 0, finance: 2 });
    clockMs += 60_000;
    expect(await breakers()).toEqual({ sales: 0, finance: 1 });
    simulators.finance.faults.reset();
    await connectors.finance.companies();
    expect(await breakers()).toEqual({ sales: 0, finance: 0 });
  });
});

describe('the entity set label of a back-end request', () => {
  it.each([
    ['accounts?$select=name&$top=50', 'accounts'],
    ['accounts(5f1c…)/contact_customer_accounts', 'accounts'],
    ["CustomersV3(dataAreaId='usmf',CustomerAccount='ACC-01002-PWVSFA')", 'CustomersV3'],
    ['$batch', '$batch'],
    ['$metadata', '$metadata'],
    ['/elsewhere/accounts', 'other'],
    ["'quoted'", 'other'],
  ])('names %s by its entity set only: %s', (path, label) => {
    expect(createEntitySetNamer()(path)).toBe(label);
  });

  it('stays bounded: past the limit of distinct names, any new one is other', () => {
    const entitySetOf = createEntitySetNamer(2);
    expect([entitySetOf('a'), entitySetOf('b'), entitySetOf('c'), entitySetOf('a')]).toEqual([
      'a',
      'b',
      'other',
      'a',
    ]);
  });
});
