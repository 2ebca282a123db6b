/**
 * Whether the hub can serve: its database answers a trivial query, and Sales and Finance each answer a
 * one-row read (`$top=1` of a small entity set) through the hub's own connectors, so the check uses the
 * same URL, token and circuit breaker as every other request.
 *
 * Cheap and gentle by design. The three checks run concurrently. A system is asked once, never retried:
 * the answer is its state now, not after a Retry-After wait or a backoff. A check may take as long as the
 * system needs up to `timeoutMs` (5 s, under a load balancer's usual probe timeout); a cut-off request is
 * cancelled, which the circuit breaker counts neither as an answer nor as a failure, so a slow check never
 * opens it. A system whose breaker is open is not asked at all: its breaker's state is the answer. One
 * result is shared by every probe for `cacheMs` after it is ready, and probes that arrive while a check
 * runs wait for that check, so any number of probes makes at most one check at a time.
 *
 * A system that answers 429 is throttling the hub, not down: it is `degraded`, with the wait it asked
 * for, and the hub stays ready — taking it out of a load balancer would not make the system answer
 * sooner, and the sync already waits as asked. Ready means every component is up or degraded.
 *
 * What a component reports is safe to show anyone: a status, a latency, the breaker's state and a
 * sentence of our own about what failed; never a URL, a message from the system, or a stack.
 */
import type { Connectors } from '../connectors/index.js';
import {
  CircuitOpenError,
  type CircuitState,
  type ODataClient,
  ODataError,
  TokenError,
} from '../connectors/odata/index.js';
import { DatabaseError, type Database } from '../db/connection.js';
import { systemLabels } from '../vocabulary.js';

export interface ComponentStatus {
  /** `degraded`: a system throttling the hub (HTTP 429); it still counts as ready. */
  status: 'up' | 'degraded' | 'down';
  /** How long the check took, in milliseconds (0 when it was not made). */
  latencyMs: number;
  /** The system's circuit breaker after the check (systems only). */
  breaker?: CircuitState;
  /** When degraded: the wait the system asked for (`Retry-After`), in seconds, when it gave one. */
  retryAfterSeconds?: number;
  /** What failed, in a sentence without internals; when degraded or down. */
  error?: string;
}

export interface Readiness {
  status: 'ready' | 'not ready';
  /** When the checks behind this answer ran (answers are shared for `cacheMs`). */
  checkedAt: string;
  components: { database: ComponentStatus; sales: ComponentStatus; finance: ComponentStatus };
  /** This instance's part in the cluster, when it has a name: the runs whose lease it holds. */
  instance?: InstanceRole;
}

/** Which instance answered, and the runs it executes (holding their leases); ids are not secret. */
export interface InstanceRole {
  id: string;
  executingRuns: string[];
}

export interface ReadinessOptions {
  database: Pick<Database, 'ping'>;
  connectors: Connectors;
  /** How long each check may take. Default 5,000 ms. */
  timeoutMs?: number;
  /** How long a result is shared before the next probe checks again. Default 1,000 ms. */
  cacheMs?: number;
  /** Monotonic clock in milliseconds, for tests. Default `performance.now`. */
  now?: () => number;
  /** This instance's role, read at each check; default: none reported. */
  role?: () => InstanceRole;
}

/** A read of one row of a small entity set, column by column the least either system can send. */
const probes = {
  sales: { name: systemLabels.sales, path: 'transactioncurrencies', select: 'transactioncurrencyid' },
  finance: { name: systemLabels.finance, path: 'LegalEntities', select: 'LegalEntityId' },
} as const;

/** How long a check may wait for an answer: under the 5–10 s probe timeouts load balancers use. */
export const defaultReadinessTimeoutMs = 5_000;

/** The readiness check described above; its promise never rejects. */
export function createReadinessCheck({
  database,
  connectors,
  timeoutMs = defaultReadinessTimeoutMs,
  cacheMs = 1_000,
  now = () => performance.now(),
  role,
}: ReadinessOptions): () => Promise<Readiness> {
  let last: { at: number; readiness: Readiness } | undefined;
  let running: Promise<Readiness> | undefined;

  async function check(): Promise<Readiness> {
    const [databaseStatus, sales, finance] = await Promise.all([
      checkDatabase(database, timeoutMs, now),
      checkSystem(connectors.sales.client, probes.sales, timeoutMs, now),
      checkSystem(connectors.finance.client, probes.finance, timeoutMs, now),
    ]);
    const components = { database: databaseStatus, sales, finance };
    const ready = Object.values(components).every((component) => component.status !== 'down');
    return {
      status: ready ? 'ready' : 'not ready',
      checkedAt: new Date().toISOString(),
      components,
      ...(role && { instance: role() }),
    };
  }

  return () => {
    if (last && now() - last.at < cacheMs) return Promise.resolve(last.readiness);
    running ??= check()
      .then((readiness) => {
        last = { at: now(), readiness };
        return readiness;
      })
      .finally(() => (running = undefined));
    return running;
  };
}

/**
 * Sales and Finance asked once each, as the readiness check asks them, without its cache and without the
 * database: the minute's look at whether they answer (src/alerts/availability.ts).
 */
export async function checkSystems(
  connectors: Connectors,
  timeoutMs = defaultReadinessTimeoutMs,
): Promise<{ sales: ComponentStatus; finance: ComponentStatus }> {
  const now = () => performance.now();
  const [sales, finance] = await Promise.all([
    checkSystem(connectors.sales.client, probes.sales, timeoutMs, now),
    checkSystem(connectors.finance.client, probes.finance, timeoutMs, now),
  ]);
  return { sales, finance };
}

async function checkDatabase(
  database: Pick<Database, 'ping'>,
  timeoutMs: number,
  now: () => number,
): Promise<ComponentStatus> {
  const started = now();
  const latency = () => Math.round(now() - started);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    // A query cannot be cancelled on either driver; the check stops waiting for it instead.
    const outcome = await Promise.race([database.ping().then(() => 'answered' as const), timedOut]);
    if (outcome === 'timeout')
      return {
        status: 'down',
        latencyMs: latency(),
        error: `The database did not answer within ${timeoutMs} ms.`,
      };
    return { status: 'up', latencyMs: latency() };
  } catch (error) {
    const code = error instanceof DatabaseError && error.code ? ` (${error.code})` : '';
    return { status: 'down', latencyMs: latency(), error: `The database could not be queried${code}.` };
  } finally {
    clearTimeout(timer);
  }
}

async function checkSystem(
  client: ODataClient,
  probe: (typeof probes)[keyof typeof probes],
  timeoutMs: number,
  now: () => number,
): Promise<ComponentStatus> {
  const before = client.health();
  if (before.state === 'open') {
    return {
      status: 'down',
      latencyMs: 0,
      breaker: 'open',
      error:
        `${probe.name} failed ${before.consecutiveFailures} requests in a row; the hub sends it nothing ` +
        `until ${before.nextTryAt?.toISOString() ?? 'its next try'}.`,
    };
  }
  const started = now();
  try {
    await client.request({
      method: 'GET',
      path: probe.path,
      query: { select: [probe.select], top: 1 },
      retry: false,
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { status: 'up', latencyMs: Math.round(now() - started), breaker: client.health().state };
  } catch (error) {
    if (error instanceof ODataError && error.kind === 'http' && error.status === 429) {
      const wait = error.retryAfterMs;
      return {
        status: 'degraded',
        latencyMs: Math.round(now() - started),
        breaker: client.health().state,
        ...(wait === undefined ? {} : { retryAfterSeconds: Math.ceil(wait / 1000) }),
        error:
          `${probe.name} is throttling the hub's requests (HTTP 429)` +
          (wait === undefined ? '.' : `; it asked for a wait of ${Math.ceil(wait / 1000)} s.`),
      };
    }
    return {
      status: 'down',
      latencyMs: Math.round(now() - started),
      breaker: client.health().state,
      error: describeFailure(probe.name, error, timeoutMs),
    };
  }
}

/** Why a system check failed, in words of our own: a system's message could echo anything. */
function describeFailure(name: string, error: unknown, timeoutMs: number): string {
  if (error instanceof CircuitOpenError)
    return `${name} is being tried again after repeated failures; the check waits for that try.`;
  if (error instanceof ODataError) {
    switch (error.kind) {
      case 'timeout':
        return `${name} did not answer in time.`;
      case 'network': {
        const code = error.socketCode;
        if (code === 'ECONNREFUSED') return `${name} refused the connection (ECONNREFUSED).`;
        return `${name} could not be reached${code ? ` (${code})` : ''}.`;
      }
      case 'unavailable':
        return `${name} is unavailable.`;
      case 'invalid-request':
        return `${name} could not be asked: the hub could not form its check (${error.code}).`;
      case 'http':
        if (error.status === 401 || error.status === 403)
          return `${name} refused the hub's credentials (HTTP ${error.status}).`;
        return `${name} answered HTTP ${error.status}.`;
    }
  }
  if (error instanceof TokenError) return `${name}'s token authority did not issue a token (${error.code}).`;
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
    return `${name} did not answer within ${timeoutMs} ms.`;
  return `${name} could not be checked.`;
}
