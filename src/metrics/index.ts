/**
 * The hub's Prometheus metrics (prom-client), one registry per hub so that several hubs in one process
 * (tests, benchmarks) keep their counts apart. Every series carries `instance_id` — not `instance`, which
 * Prometheus sets to the scrape target and would rename ours to `exported_instance`.
 *
 * Counted as things happen: GraphQL operations, back-end requests, sync records as pages commit, open
 * subscriptions. Read when scraped: breaker states, runs by status and the queue (from the database,
 * shared by every instance on it: take `max`, not `sum`, across instances), and Node's process metrics.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Connectors } from '../connectors/index.js';
import type { CircuitState, ODataRequestEvent } from '../connectors/odata/index.js';
import type { Database } from '../db/connection.js';
import type { ServerMetrics } from '../server/metrics.js';
import type { OperationLogRecord } from '../server/operation-log.js';
import type { FlowRunner } from '../sync/engine/types.js';
import { backendLabels, createEntitySetNamer } from './backend.js';
import { defaultInstanceId } from './instance.js';
import { countCommittedRecords, countRunsByStatus, recordOutcomes, type RunCounts } from './sync.js';
import { runStatuses } from '../vocabulary.js';

export { defaultInstanceId } from './instance.js';

export interface HubMetricsOptions {
  /** The `instance_id` label of every series (`HUB_INSTANCE_ID`). Default `<hostname>-<pid>`. */
  instanceId?: string;
  /** Node's process metrics (CPU, memory, event loop, GC) under their usual names. Default true. */
  processMetrics?: boolean;
  /** How long a scrape waits for the run counts before leaving them out. Default 2,000 ms. */
  databaseTimeoutMs?: number;
}

export interface HubMetrics extends ServerMetrics {
  readonly instanceId: string;
  readonly registry: Registry;
  /** For `createConnectors({ onRequest })`: counts and times each HTTP attempt to Sales or Finance. */
  backendRequest(event: ODataRequestEvent): void;
  /** `runner`, counting each committed page's records by flow and outcome. */
  countRecords(runner: FlowRunner): FlowRunner;
  /** Counts one look of continuous sync at a flow, by what it found (src/sync/continuous). */
  continuousLook(flow: string, outcome: string): void;
  /** Where scrapes read breaker states and run counts from; until given, those series are absent. */
  observe(sources: { connectors?: Connectors; database?: Pick<Database, 'db'> }): void;
}

/** A breaker's state as a number, so alerts can compare: worse is higher. */
export const breakerStateValue = {
  closed: 0,
  'half-open': 1,
  open: 2,
} as const satisfies Record<CircuitState, number>;

/** Seconds, from a millisecond to a minute: GraphQL operations and back-end calls alike. */
const durationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export function createHubMetrics({
  instanceId = defaultInstanceId(),
  processMetrics = true,
  databaseTimeoutMs = 2_000,
}: HubMetricsOptions = {}): HubMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ instance_id: instanceId });
  if (processMetrics) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  let connectors: Connectors | undefined;
  /** Each system's OData client, once the hub has handed its connectors over; none before. */
  const clients = () => (connectors ? [connectors.sales.client, connectors.finance.client] : []);
  let database: Pick<Database, 'db'> | undefined;

  const operations = new Counter({
    name: 'p2c_graphql_operations_total',
    help: 'GraphQL operations ended, by transport, type (query, mutation, subscription; none when refused before parsing) and outcome (ok, error, refused).',
    labelNames: ['transport', 'type', 'outcome'] as const,
    registers,
  });
  const operationSeconds = new Histogram({
    name: 'p2c_graphql_operation_duration_seconds',
    help: 'How long GraphQL operations took, by transport, type and outcome (a subscription: how long it was open).',
    labelNames: ['transport', 'type', 'outcome'] as const,
    buckets: durationBuckets,
    registers,
  });
  const subscriptions = new Gauge({
    name: 'p2c_graphql_subscriptions_open',
    help: 'GraphQL subscriptions streaming over WebSocket now.',
    registers,
  });
  const backendRequests = new Counter({
    name: 'p2c_backend_requests_total',
    help: 'HTTP attempts to Sales and Finance (retries included), by system, method, status (0: timeout or no connection) and entity set.',
    labelNames: ['system', 'method', 'status', 'entity_set'] as const,
    registers,
  });
  const backendSeconds = new Histogram({
    name: 'p2c_backend_request_duration_seconds',
    help: 'How long HTTP attempts to Sales and Finance took, by system, method and status.',
    labelNames: ['system', 'method', 'status'] as const,
    buckets: durationBuckets,
    registers,
  });
  new Gauge({
    name: 'p2c_circuit_breaker_state',
    help: "Each system's circuit breaker: 0 closed, 1 half-open (a trial request may go), 2 open (requests fail at once).",
    labelNames: ['system'] as const,
    registers,
    collect() {
      for (const client of clients())
        this.set({ system: client.system }, breakerStateValue[client.health().state]);
    },
  });
  new Gauge({
    name: 'p2c_backend_concurrency_limit',
    help: "The most requests this instance sends to each system at once: Finance's FINANCE_MAX_CONCURRENCY, Sales' x-ms-dop-hint up to SALES_MAX_CONCURRENCY; halved after a 429 and climbing back by one per round of good answers.",
    labelNames: ['system'] as const,
    registers,
    collect() {
      for (const client of clients()) this.set({ system: client.system }, client.concurrency().limit);
    },
  });
  new Gauge({
    name: 'p2c_backend_throttled_seconds',
    help: 'Seconds until each system takes requests from this instance again after a 429 (its Retry-After); 0 when it is not throttled.',
    labelNames: ['system'] as const,
    registers,
    collect() {
      for (const client of clients()) {
        const until = client.concurrency().throttledUntil;
        this.set({ system: client.system }, until ? Math.max(0, (until.getTime() - Date.now()) / 1000) : 0);
      }
    },
  });
  new Gauge({
    name: 'p2c_backend_requests_in_flight',
    help: 'Requests to each system from this instance: sent and not yet answered (state="sent"), or waiting for the bound (state="waiting").',
    labelNames: ['system', 'state'] as const,
    registers,
    collect() {
      for (const client of clients()) {
        const { inFlight, waiting } = client.concurrency();
        this.set({ system: client.system, state: 'sent' }, inFlight);
        this.set({ system: client.system, state: 'waiting' }, waiting);
      }
    },
  });
  const continuousLooks = new Counter({
    name: 'p2c_continuous_looks_total',
    help: 'Looks of continuous sync at a flow on this instance, by what they found: changes (a run started), none, busy (the flow was running), failed.',
    labelNames: ['flow', 'outcome'] as const,
    registers,
  });
  const records = new Counter({
    name: 'p2c_sync_records_total',
    help: 'Sync records by flow and outcome (created, updated, unchanged, skipped, failed), counted as their pages commit on this instance.',
    labelNames: ['flow', 'outcome'] as const,
    registers,
  });

  // One read of the run counts per scrape, shared by the two gauges below.
  let runCounts: Promise<RunCounts | null> | null = null;
  const readRunCounts = () =>
    (runCounts ??= database
      ? withTimeout(countRunsByStatus(database), databaseTimeoutMs)
      : Promise.resolve(null));
  new Gauge({
    name: 'p2c_sync_runs',
    help: 'Sync runs kept in the database, by status (the same on every instance of one database).',
    labelNames: ['status'] as const,
    registers,
    async collect() {
      const counts = await readRunCounts();
      // Absent rather than stale when the database does not answer.
      this.reset();
      if (counts) for (const status of runStatuses) this.set({ status }, counts[status]);
    },
  });
  new Gauge({
    name: 'p2c_sync_queue_depth',
    help: 'Sync runs waiting for an instance to execute them: queued, or left by an instance that went away (the same on every instance of one database).',
    registers,
    async collect() {
      const counts = await readRunCounts();
      this.reset();
      if (counts) this.set(counts.waiting);
    },
  });

  const entitySetOf = createEntitySetNamer();
  return {
    instanceId,
    registry,
    operation(record: OperationLogRecord) {
      const labels = {
        transport: record.transport,
        type: record.operationType ?? 'none',
        outcome: record.outcome,
      };
      operations.inc(labels);
      operationSeconds.observe(labels, record.durationMs / 1_000);
    },
    subscriptionOpened: () => subscriptions.inc(),
    continuousLook: (flow, outcome) => continuousLooks.inc({ flow, outcome }),
    subscriptionClosed: () => subscriptions.dec(),
    backendRequest(event) {
      const labels = backendLabels(event, entitySetOf);
      backendRequests.inc(labels);
      backendSeconds.observe(
        { system: labels.system, method: labels.method, status: labels.status },
        event.durationMs / 1_000,
      );
    },
    countRecords: (runner) =>
      countCommittedRecords(runner, (flow, increments) => {
        for (const outcome of recordOutcomes) {
          // Every outcome is counted, 0 included, so each flow's series exist from its first page.
          records.inc({ flow, outcome }, increments[outcome]);
        }
      }),
    observe(sources) {
      connectors = sources.connectors ?? connectors;
      database = sources.database ?? database;
    },
    async scrape() {
      runCounts = null;
      try {
        return { contentType: registry.contentType, text: await registry.metrics() };
      } finally {
        runCounts = null;
      }
    },
  };
}

/** `promise`'s value, or null when it fails or takes longer than `ms`. */
async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
    timer.unref();
  });
  try {
    return await Promise.race([promise.catch(() => null), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
