/**
 * Tracing: with an exporter configured by OpenTelemetry's standard variables, every GraphQL operation is
 * a span carrying the hub's request id, every request to Sales or Finance a child of it (system, entity
 * set, status, the size of a `$batch`), and every sync page a span with the run id and the flow, all
 * sent over OTLP to a real receiver (a `node:http` server on a free port). No span carries a credential.
 * Without an exporter the hub loads no OpenTelemetry SDK and sends nothing.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logging.js';
import { defaultClient } from '../../src/simulators/index.js';
import { startTracing, type Tracing } from '../../src/tracing/index.js';
import { wsClient, wsRequest } from '../support/auth.js';
import { resetSystems, startTestHub, type TestHub } from '../support/hub.js';
import { startMainProcess } from '../support/main-process.js';
import { resolveRecorderHooks } from '../support/resolve-recorder.js';

const apiKey = 'operator-key-of-the-tracing-tests-0123456789';
const wrongKey = 'not-a-key-of-this-hub-but-long-enough-9876';
const finalStatuses = ['SUCCEEDED', 'COMPLETED_WITH_ERRORS', 'FAILED', 'CANCELLED'];
/** OTLP's span kinds and status codes, as numbers on the wire. */
const kind = { internal: 1, server: 2, client: 3 } as const;
const statusCode = { unset: 0, error: 2 } as const;

// ---- A real OTLP/HTTP receiver ------------------------------------------------------------------------

interface OtlpRequest {
  contentType: string;
  body: Buffer;
}

interface ExportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
  events: { name: string; attributes: Record<string, unknown> }[];
  status: { code: number; message?: string };
  resource: Record<string, unknown>;
}

interface OtlpReceiver {
  /** The base URL, as `OTEL_EXPORTER_OTLP_ENDPOINT` takes it. */
  origin: string;
  readonly requests: readonly OtlpRequest[];
  /** Every span of every JSON request so far. */
  spans(): ExportedSpan[];
  close(): Promise<void>;
}

/** Accepts `POST /v1/traces` as a Collector does (JSON or protobuf, gzipped or not) and keeps each body. */
async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const requests: OtlpRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces') return void res.writeHead(404).end();
      const raw = Buffer.concat(chunks);
      const contentType = req.headers['content-type'] ?? '';
      requests.push({
        contentType,
        body: req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw,
      });
      // An empty ExportTraceServiceResponse: everything accepted.
      if (contentType.includes('json')) res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
      else res.writeHead(200, { 'Content-Type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    spans: () =>
      requests
        .filter((request) => request.contentType.includes('json'))
        .flatMap((request) => spansOf(JSON.parse(request.body.toString('utf8')))),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface OtlpAttribute {
  key: string;
  value: Record<string, unknown>;
}

/** An OTLP `AnyValue` as a plain value: `{ stringValue: 'a' }` is `'a'`, an array its values. */
function valueOf(value: Record<string, unknown>): unknown {
  if ('arrayValue' in value) {
    const values = (value['arrayValue'] as { values?: Record<string, unknown>[] }).values ?? [];
    return values.map(valueOf);
  }
  if ('intValue' in value) return Number(value['intValue']);
  return Object.values(value)[0];
}

const attributesOf = (list: OtlpAttribute[] | undefined): Record<string, unknown> =>
  Object.fromEntries((list ?? []).map(({ key, value }) => [key, valueOf(value)]));

/** The spans of one ExportTraceServiceRequest in OTLP/JSON, flattened. */
function spansOf(request: any): ExportedSpan[] {
  return (request.resourceSpans ?? []).flatMap((resourceSpans: any) => {
    const resource = attributesOf(resourceSpans.resource?.attributes);
    return (resourceSpans.scopeSpans ?? []).flatMap((scopeSpans: any) =>
      (scopeSpans.spans ?? []).map((span: any): ExportedSpan => ({
        traceId: span.traceId,
        spanId: span.spanId,
        parentSpanId: span.parentSpanId || undefined,
        name: span.name,
        kind: span.kind,
        attributes: attributesOf(span.attributes),
        events: (span.events ?? []).map((event: any) => ({
          name: event.name,
          attributes: attributesOf(event.attributes),
        })),
        status: { code: span.status?.code ?? 0, message: span.status?.message },
        resource,
      })),
    );
  });
}

const childrenOf = (spans: ExportedSpan[], parent: ExportedSpan) =>
  spans.filter((span) => span.traceId === parent.traceId && span.parentSpanId === parent.spanId);

/** Every string a span exported: its name, attribute and event values, its status and its resource. */
function exportedText(spans: ExportedSpan[]): string {
  return JSON.stringify(
    spans.map((span) => [span.name, span.attributes, span.events, span.status, span.resource]),
  );
}

// ---- The hub, driven as a client would --------------------------------------------------------------

async function post(url: string, query: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, body: (await response.json()) as any };
}

async function untilFinished(
  graphql: (query: string) => Promise<{ body: any }>,
  id: string,
): Promise<string> {
  for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
    const { body } = await graphql(`query Run { syncRun(id: "${id}") { status } }`);
    if (finalStatuses.includes(body.data.syncRun.status)) return body.data.syncRun.status as string;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`run ${id} did not finish`);
}

/** A query that reads Sales (the accounts) and Finance (their customers). */
const customerPage =
  'query CustomerPage { accounts(first: 3) { nodes { accountNumber name finance { CustomerAccount } } } }';

// ---- Tests ----------------------------------------------------------------------------------------------

describe('tracing configuration', () => {
  it.each([
    ['nothing', {}],
    ['a service name only', { OTEL_SERVICE_NAME: 'hub' }],
    [
      'an endpoint, with OTEL_TRACES_EXPORTER=none',
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_EXPORTER: 'none' },
    ],
    [
      'an exporter, with OTEL_SDK_DISABLED=true',
      { OTEL_TRACES_EXPORTER: 'console', OTEL_SDK_DISABLED: 'true' },
    ],
  ])('is off with %s', (_, env) => {
    expect(loadConfig(env).tracing).toBeNull();
  });

  it.each([
    [
      'an endpoint: OTLP/protobuf to its /v1/traces',
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' },
      { otlp: { url: 'http://collector:4318/v1/traces', protocol: 'http/protobuf' }, console: false },
    ],
    [
      'a traces endpoint: taken as it is',
      {
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://otlp.example/in',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://other:4318',
      },
      { otlp: { url: 'https://otlp.example/in', protocol: 'http/protobuf' }, console: false },
    ],
    [
      'otlp alone: the local default, JSON when asked',
      { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'HTTP/JSON' },
      { otlp: { url: 'http://localhost:4318/v1/traces', protocol: 'http/json' }, console: false },
    ],
    [
      'the traces protocol over the general one',
      {
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf',
      },
      { otlp: { url: 'http://localhost:4318/v1/traces', protocol: 'http/protobuf' }, console: false },
    ],
    ['console', { OTEL_TRACES_EXPORTER: 'console' }, { otlp: null, console: true }],
    [
      'both',
      { OTEL_TRACES_EXPORTER: 'otlp, console', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' },
      { otlp: { url: 'http://collector:4318/v1/traces', protocol: 'http/protobuf' }, console: true },
    ],
  ])('is on with %s', (_, env, expected) => {
    expect(loadConfig({ ...env, HUB_INSTANCE_ID: 'hub-1' }).tracing).toEqual({
      ...expected,
      serviceName: 'p2c-hub',
      serviceInstanceId: 'hub-1',
    });
  });

  it('refuses what the hub cannot do, every problem at once, saying what to write', () => {
    let problems: string[] = [];
    try {
      loadConfig({
        OTEL_TRACES_EXPORTER: 'jaeger',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'localhost:4317',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_SDK_DISABLED: 'yes',
      });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      problems = (error as ConfigError).problems;
    }
    expect(problems).toEqual([
      'OTEL_SDK_DISABLED must be true or false',
      "OTEL_TRACES_EXPORTER lists 'jaeger', which is not an exporter the hub has: use otlp, console or none (Jaeger, Zipkin and Tempo take otlp)",
      'OTEL_EXPORTER_OTLP_ENDPOINT must be an http:// or https:// URL, e.g. http://localhost:4318',
      'OTEL_EXPORTER_OTLP_PROTOCOL must be http/protobuf or http/json: the hub sends OTLP over HTTP (port 4318), not gRPC',
    ]);
    expect(() => loadConfig({ OTEL_TRACES_EXPORTER: 'none,otlp' })).toThrow(
      'OTEL_TRACES_EXPORTER lists none with other exporters: choose none or them',
    );
  });
});

describe('a hub exporting spans over OTLP', () => {
  let receiver: OtlpReceiver;
  let tracing: Tracing;
  let hub: TestHub;
  /** Every bearer token the hub sent to Sales or Finance. */
  const graphql = (query: string, headers: Record<string, string> = {}) =>
    post(hub.url, query, { Authorization: `Bearer ${apiKey}`, ...headers });

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    const config = loadConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.origin,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: 'p2c-hub-test',
      HUB_INSTANCE_ID: 'tracing-test',
      HUB_API_KEYS: `operator:ci-bot:${apiKey}`,
    });
    tracing = await startTracing(config.tracing, silentLogger());
    hub = await startTestHub({ accounts: 30, syncPageSize: 10, security: { auth: config.auth } });
  });
  afterAll(async () => {
    await hub?.close();
    await tracing?.shutdown();
    await receiver?.close();
  });

  it('traces an operation with its request id, the requests it made to both systems as its children', async () => {
    const { status, body } = await graphql(customerPage, { 'X-Request-Id': 'trace-op-1' });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    await tracing.flush();

    const spans = receiver.spans();
    const operation = spans.find((span) => span.attributes['p2c.request_id'] === 'trace-op-1')!;
    expect(operation).toMatchObject({
      name: 'query CustomerPage',
      kind: kind.server,
      parentSpanId: undefined,
      status: { code: statusCode.unset },
      attributes: {
        'graphql.operation.type': 'query',
        'graphql.operation.name': 'CustomerPage',
        'p2c.transport': 'http',
        'http.request.method': 'POST',
        'http.response.status_code': 200,
      },
      resource: { 'service.name': 'p2c-hub-test', 'service.instance.id': 'tracing-test' },
    });
    const children = childrenOf(spans, operation);
    expect(children.map((span) => span.name)).toEqual(
      expect.arrayContaining(['Sales GET accounts', 'Finance GET CustomersV3']),
    );
    for (const child of children.filter((span) => span.name !== 'token')) {
      expect(child.kind).toBe(kind.client);
      expect(child.attributes).toMatchObject({
        'p2c.system': expect.stringMatching(/^(Sales|Finance)$/),
        'http.request.method': 'GET',
        'p2c.entity_set': expect.any(String),
        'http.response.status_code': 200,
        'url.path': expect.stringMatching(/^\/(api\/data\/v9\.2|data)\/[A-Za-z]+/),
      });
    }
    const sales = children.find((span) => span.name === 'Sales GET accounts')!;
    expect(sales.attributes).toMatchObject({
      'p2c.system': 'Sales',
      'p2c.entity_set': 'accounts',
      'url.path': '/api/data/v9.2/accounts',
    });
    // Paths carry no query: no filter value, no $select.
    expect(children.map((span) => span.attributes['url.path'])).not.toContainEqual(
      expect.stringMatching(/[?$]/),
    );
  });

  it('marks an operation answered with errors failed, with its codes, and a refused caller too', async () => {
    await graphql('query Zero { accounts(first: 0) { nodes { name } } }', { 'X-Request-Id': 'trace-bad-1' });
    await post(hub.url, customerPage, {
      Authorization: `Bearer ${wrongKey}`,
      'X-Request-Id': 'trace-refused-1',
    });
    await tracing.flush();

    const spans = receiver.spans();
    expect(spans.find((span) => span.attributes['p2c.request_id'] === 'trace-bad-1')).toMatchObject({
      name: 'query Zero',
      status: { code: statusCode.error, message: 'The operation was answered with errors: BAD_USER_INPUT' },
      attributes: { 'p2c.error_codes': ['BAD_USER_INPUT'], 'error.type': 'BAD_USER_INPUT' },
    });
    expect(spans.find((span) => span.attributes['p2c.request_id'] === 'trace-refused-1')).toMatchObject({
      name: 'GraphQL Operation',
      status: { code: statusCode.error },
      attributes: { 'p2c.error_codes': ['UNAUTHENTICATED'], 'http.response.status_code': 401 },
    });
  });

  it('shows a retried request as one span with the failed attempt as an event, a failed one in ERROR', async () => {
    resetSystems(hub);
    hub.simulators.finance.faults.failNext(1, { status: 503, match: { entitySet: 'CustomersV3' } });
    await graphql(customerPage, { 'X-Request-Id': 'trace-retry-1' });
    hub.simulators.finance.faults.failNext(1, { status: 400, match: { entitySet: 'CustomersV3' } });
    await graphql(customerPage, { 'X-Request-Id': 'trace-fail-1' });
    await tracing.flush();

    const spans = receiver.spans();
    const financeRequestOf = (requestId: string) => {
      const operation = spans.find((span) => span.attributes['p2c.request_id'] === requestId)!;
      return childrenOf(spans, operation).find((span) => span.name === 'Finance GET CustomersV3')!;
    };
    expect(financeRequestOf('trace-retry-1')).toMatchObject({
      status: { code: statusCode.unset },
      attributes: { 'http.response.status_code': 200 },
      events: [
        {
          name: 'attempt failed',
          attributes: { 'p2c.attempt': 1, 'http.response.status_code': 503, 'error.type': '503' },
        },
      ],
    });
    expect(financeRequestOf('trace-fail-1')).toMatchObject({
      status: { code: statusCode.error, message: expect.stringMatching(/^Finance answered HTTP 400/) },
      attributes: { 'http.response.status_code': 400, 'error.type': '400' },
    });
  });

  it('traces each sync page with its run id and flow, its requests inside, each $batch with its size', async () => {
    resetSystems(hub);
    const started = await graphql(
      'mutation Start { startSync(input: { flows: [ACCOUNTS], mode: FULL }) { id } }',
    );
    const runId = started.body.data.startSync.id as string;
    expect(await untilFinished(graphql, runId)).toBe('SUCCEEDED');
    await tracing.flush();

    const spans = receiver.spans();
    const flow = spans.find(
      (span) => span.name === 'sync accounts' && span.attributes['p2c.run_id'] === runId,
    )!;
    expect(flow).toMatchObject({
      kind: kind.internal,
      parentSpanId: undefined,
      attributes: { 'p2c.flow': 'accounts', 'p2c.sync.mode': 'FULL', 'p2c.sync.outcome': 'completed' },
    });
    const pages = childrenOf(spans, flow).filter((span) => span.name === 'sync page');
    // 30 accounts, 10 a page.
    expect(pages.map((page) => page.attributes['p2c.sync.page']).sort()).toEqual([1, 2, 3]);
    for (const page of pages) {
      expect(page.attributes).toMatchObject({
        'p2c.run_id': runId,
        'p2c.flow': 'accounts',
        'p2c.sync.records.read': 10,
        'p2c.sync.records.created': expect.any(Number),
        'p2c.sync.records.failed': 0,
      });
    }
    // The first source page is read between the flow's start and its first page span, inside the flow.
    expect(childrenOf(spans, flow).map((span) => span.name)).toContain('Sales GET accounts');
    const batches = pages
      .flatMap((page) => childrenOf(spans, page))
      .filter((span) => span.name === 'Finance POST $batch');
    expect(batches.length).toBeGreaterThan(0);
    for (const batch of batches) {
      expect(batch.attributes).toMatchObject({
        'p2c.system': 'Finance',
        'p2c.entity_set': '$batch',
        'url.path': '/data/$batch',
        'http.response.status_code': 200,
        'p2c.batch_size': expect.any(Number),
      });
    }
    // Each $batch span's size is the number of operations Finance found in it.
    const partsReceived = hub.simulators.finance.log.entries.filter((entry) => entry.inBatch).length;
    expect(batches.reduce((sum, batch) => sum + (batch.attributes['p2c.batch_size'] as number), 0)).toBe(
      partsReceived,
    );
  });

  it('traces queries over WebSocket too, under the connection’s request id', async () => {
    const { client } = wsClient(hub.url, { authorization: `Bearer ${apiKey}` });
    try {
      const [result] = await wsRequest(client, customerPage.replace('CustomerPage', 'OverSocket'), {
        take: 1,
      });
      expect(result!.errors).toBeUndefined();
    } finally {
      await client.dispose();
    }
    await tracing.flush();
    const spans = receiver.spans();
    const operation = spans.find((span) => span.name === 'query OverSocket')!;
    expect(operation.attributes).toMatchObject({
      'p2c.transport': 'websocket',
      'p2c.request_id': expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(childrenOf(spans, operation).map((span) => span.name)).toContain('Sales GET accounts');
  });

  it('exports no credential: no client secret, API key or bearer token, in any span', async () => {
    await tracing.flush();
    const spans = receiver.spans();
    expect(spans.length).toBeGreaterThan(20);
    // The hub did fetch tokens (each simulator issued some), and each is a span.
    const tokensSent = [hub.simulators.sales, hub.simulators.finance].flatMap((sim) => sim.tokens.live());
    expect(tokensSent.length).toBeGreaterThan(0);
    expect(spans.filter((span) => span.name === 'token').length).toBeGreaterThan(0);
    const text = exportedText(spans);
    for (const secret of [defaultClient.clientSecret, apiKey, wrongKey, ...tokensSent]) {
      expect(text).not.toContain(secret);
    }
    expect(text).not.toMatch(/bearer|client_secret|authorization/i);
  });
});

describe('the hub process', () => {
  let receiver: OtlpReceiver;
  let folder: string;
  /** Whatever could turn tracing on or change it, from the machine running the tests. */
  const otelUnset = Object.fromEntries(
    [
      'OTEL_SDK_DISABLED',
      'OTEL_TRACES_EXPORTER',
      'OTEL_EXPORTER_OTLP_ENDPOINT',
      'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
      'OTEL_EXPORTER_OTLP_PROTOCOL',
      'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL',
      'OTEL_EXPORTER_OTLP_HEADERS',
      'OTEL_SERVICE_NAME',
    ].map((name) => [name, '']),
  );
  const demo = { HUB_DATA_DIR: 'memory://', SEED_ACCOUNTS: '10' };

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    folder = await mkdtemp(path.join(tmpdir(), 'hub-tracing-'));
  });
  afterAll(async () => {
    await receiver.close();
    await rm(folder, { recursive: true, force: true });
  });

  /** Node options that write down every module the process resolves, one URL a line, into `out`. */
  async function recordingImports(out: string): Promise<string[]> {
    const hooks = path.join(folder, 'hooks.mjs');
    const register = path.join(folder, 'register.mjs');
    await writeFile(hooks, resolveRecorderHooks);
    await writeFile(
      register,
      `import { register } from 'node:module';\n` +
        `register(${JSON.stringify(`file://${hooks}`)}, { data: { out: ${JSON.stringify(out)} } });\n`,
    );
    return ['--import', register];
  }

  it('without an exporter loads no OpenTelemetry SDK and sends nothing, through queries and a sync', async () => {
    const out = path.join(folder, 'imports.txt');
    const sent = receiver.requests.length;
    // The endpoint is there, but OTEL_TRACES_EXPORTER=none says no.
    const hub = await startMainProcess(
      { ...otelUnset, ...demo, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.origin, OTEL_TRACES_EXPORTER: 'none' },
      90_000,
      { nodeOptions: await recordingImports(out) },
    );
    try {
      const query = (text: string) => hub.graphql(text).then((body) => ({ body }));
      expect((await query(customerPage)).body.errors).toBeUndefined();
      const started = await query('mutation { startSync(input: { flows: [ACCOUNTS], mode: FULL }) { id } }');
      expect(await untilFinished(query, started.body.data.startSync.id)).toBe('SUCCEEDED');
      expect(await hub.stop()).toEqual({ code: 0, signal: null });
    } finally {
      hub.kill();
    }
    const resolved = (await readFile(out, 'utf8')).trim().split('\n');
    const openTelemetry = [
      ...new Set(resolved.map((url) => /@opentelemetry\/[^/]+/.exec(url)?.[0]).filter(Boolean)),
    ];
    // The API is there (the hooks test its flag), and nothing else of OpenTelemetry.
    expect(openTelemetry).toEqual(['@opentelemetry/api']);
    expect(hub.output()).not.toContain('Tracing:');
    expect(receiver.requests.length).toBe(sent);
  }, 120_000);

  it('sends spans as OTLP/protobuf by default to OTEL_EXPORTER_OTLP_ENDPOINT, the last ones as it stops', async () => {
    const sent = receiver.requests.length;
    const hub = await startMainProcess(
      {
        ...otelUnset,
        ...demo,
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.origin,
        OTEL_SERVICE_NAME: 'p2c-hub-e2e',
      },
      90_000,
    );
    try {
      expect(hub.output()).toContain(
        `Tracing: spans of service p2c-hub-e2e go to ${receiver.origin}/v1/traces over OTLP (http/protobuf)`,
      );
      const { errors } = await hub.graphql(customerPage, undefined, { requestId: 'proto-request-1' });
      expect(errors).toBeUndefined();
      // Batched every 5 s: the stop sends what is still batched.
      expect(await hub.stop()).toEqual({ code: 0, signal: null });
    } finally {
      hub.kill();
    }
    const requests = receiver.requests.slice(sent);
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.every((request) => request.contentType === 'application/x-protobuf')).toBe(true);
    // Protobuf keeps strings as they are: the service, the operation, its request id and a back-end span.
    const bodies = Buffer.concat(requests.map((request) => request.body)).toString('latin1');
    for (const text of ['p2c-hub-e2e', 'query CustomerPage', 'proto-request-1', 'Finance GET CustomersV3'])
      expect(bodies).toContain(text);
  }, 120_000);
});
