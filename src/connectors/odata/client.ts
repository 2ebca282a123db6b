/**
 * The OData client both connectors stand on.
 *
 * Protocol: OData 4.0 over HTTPS with JSON bodies — Dataverse Web API v9.2 (Sales, `…/api/data/v9.2/`)
 * and Finance and Operations OData (Finance, `…/data/`). Auth: OAuth 2.0 bearer tokens from Entra ID
 * client credentials (`tokens.ts`); a 401 invalidates the token and the request is sent once more with a
 * fresh one. Limits: URLs up to 32 KB on Dataverse, 8 KB assumed on F&O (see `maxUrlLength`); pages of
 * at most 5,000 (Dataverse) / 10,000 (F&O) rows followed by `@odata.nextLink`; `$batch` multipart only;
 * service protection answers 429 with Retry-After, honoured by the retry policy (`retry.ts`).
 *
 * Everything that leaves the hub for either system goes through `request`, `pages` or `batch`; each
 * HTTP attempt has its own timeout, and failures surface as `ODataError` (never with headers or tokens).
 * One circuit breaker per client (`circuit-breaker.ts`) sees every request of all three, each page and
 * each `$batch` included: when the system keeps failing, requests fail at once with a `CircuitOpenError`
 * until a trial request gets an answer again; `health()` shows where it stands.
 */
import {
  type BatchOperation,
  type BatchPartResult,
  flattenBatchResults,
  matchBatchResults,
  toBatchRequests,
} from './batch.js';
import { type CircuitBreakerOptions, type CircuitHealth, createCircuitBreaker } from './circuit-breaker.js';
import { createRequestSlots, type Pace } from './concurrency.js';
import { type ConcurrencyOptions, maxConcurrency } from './concurrency-settings.js';
import { CircuitOpenError, ODataError, type SystemName } from './errors.js';
import { defaultHeadersFor, headerValue, mergeHeaders, withPreference } from './headers.js';
import { stringifyJson } from './json.js';
import {
  type BatchItem,
  type BatchResponse,
  decodeBatchResponse,
  encodeBatchRequest,
  MultipartError,
  newBoundary,
} from './multipart.js';
import { buildQuery, type QueryOptions } from './query.js';
import { invalidResponse, type Page, parseBody, toPage } from './response.js';
import { defaultRetryPolicy, isIdempotentMethod, type RetryPolicy } from './retry.js';
import type { TokenProvider } from './tokens.js';
import { traceRequest } from './tracing.js';
import { type AttemptEvent, type Call, createTransport } from './transport.js';
import { tracingEnabled } from '../../tracing/tracer.js';

export { defaultHeadersFor } from './headers.js';
export type { Page } from './response.js';

export interface ODataClientOptions {
  /** Which system this client speaks to; it names the system in errors and metrics. */
  system: SystemName;
  /** Service root with or without trailing slash: `https://org.crm.dynamics.com/api/data/v9.2/`, `https://env.operations.dynamics.com/data/`. */
  serviceRoot: string;
  /** Bearer tokens; absent → no Authorization header (simulators with auth off). */
  tokens?: TokenProvider;
  /** When and how long to wait before retrying. Default `defaultRetryPolicy`. */
  retry?: RetryPolicy;
  /** Per HTTP attempt, headers and body included. Default 30 s. */
  timeoutMs?: number;
  /** Sent with every request; per-request headers win. Default `defaultHeadersFor(system)`. */
  defaultHeaders?: Record<string, string>;
  /**
   * Longest URL the client builds (whole URL, encoded). Default: Sales 32,768 (Dataverse's documented
   * limit); Finance 8,192 — F&O documents none, and it runs behind IIS/http.sys whose stock limits
   * (16 KB request line, 4 KB path) vary by layer, so 8 KB leaves a wide margin while still fitting an
   * `or` chain of a hundred-odd keys.
   */
  maxUrlLength?: number;
  /** Called after every HTTP attempt (retries included), for metrics and logs. Must not throw. */
  onRequest?: (event: ODataRequestEvent) => void;
  /**
   * The system's circuit breaker: opens after 5 requests in a row fail as unavailable (502/503/504,
   * timeout, no connection), for 30 s doubling up to 5 min. See `CircuitBreakerOptions` for each default.
   */
  circuitBreaker?: Omit<CircuitBreakerOptions, 'onStateChange'>;
  /** Called when the circuit breaker opens, re-opens or closes, for logs. Must not throw. */
  onCircuitChange?: (health: ODataClientHealth) => void;
  /**
   * The most requests in flight to the system at once (see concurrency.ts). Default `maxConcurrency`:
   * Sales follows Dataverse's `x-ms-dop-hint` from 4 up to 52; Finance stays at 4.
   */
  concurrency?: ConcurrencyOptions;
}

/** Where the client's circuit breaker stands, for a health endpoint. */
export interface ODataClientHealth extends CircuitHealth {
  system: SystemName;
}

/**
 * One HTTP attempt, retries included: `path` is service-relative, `attempt` 1-based (a resend after a
 * token renewal counts), `status` 0 for a timeout or network error, `error` set when it failed.
 */
export type ODataRequestEvent = AttemptEvent;

export interface ODataRequest {
  method: string;
  /** Service-relative (`accounts(…)`), or an absolute URL under the service root (a nextLink). */
  path: string;
  /** A built query string (from `buildQuery`) or the options to build one. */
  query?: string | QueryOptions;
  headers?: Record<string, string>;
  /** A JSON value, written with `stringifyJson` (`decimal()` values as JSON numbers). */
  body?: unknown;
  /** Overrides the method's idempotency for retries of timeouts and network errors. */
  idempotent?: boolean;
  /**
   * False: one attempt only, the failure as it came (an expired token is still renewed once). For a probe
   * that wants the system's state now: retried, a 429 would wait out its Retry-After and a refused
   * connection its backoff. Default: the client's retry policy.
   */
  retry?: false;
  /** Cancels the request and any retry wait. */
  signal?: AbortSignal;
}

export interface ODataResponse<T = unknown> {
  status: number;
  /** Lower-cased names. */
  headers: Record<string, string>;
  /** Parsed JSON (`parseJson`), the text for non-JSON answers (`$count`), undefined when empty. */
  body: T | undefined;
}

export interface PagesOptions {
  /** Sent with every page, e.g. `Prefer: odata.maxpagesize=500` or `odata.track-changes`. */
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface BatchOptions {
  /** Sends `Prefer: odata.continue-on-error`, so Dataverse runs every part despite failures. */
  continueOnError?: boolean;
  headers?: Record<string, string>;
  /** Whether a timed-out batch may be resent; default true only when every part is a GET. */
  idempotent?: boolean;
  signal?: AbortSignal;
}

export interface ODataClient {
  readonly system: SystemName;
  /** Always ends with `/`. */
  readonly serviceRoot: string;
  readonly maxUrlLength: number;
  /** The absolute URL `request` would call: what `chunkByUrlLength` should measure. */
  urlFor(path: string, query?: string | QueryOptions): string;
  /** One request; throws `ODataError` unless the answer is 2xx (or 304). */
  request<T = unknown>(request: ODataRequest): Promise<ODataResponse<T>>;
  /** A collection read, page by page, following `@odata.nextLink` until there is none. */
  pages<T = Record<string, unknown>>(
    path: string,
    query?: string | QueryOptions,
    options?: PagesOptions,
  ): AsyncIterable<Page<T>>;
  /** A `$batch`: one result per operation, in the same structure; failed parts never throw. */
  batch(
    items: readonly BatchItem<BatchOperation>[],
    options?: BatchOptions,
  ): Promise<BatchItem<BatchPartResult>[]>;
  /** The circuit breaker's state: closed, open (until `nextTryAt`) or half-open. */
  health(): ODataClientHealth;
  /** The bound on requests in flight now (Sales: as last hinted), and how many are in flight and waiting. */
  concurrency(): ODataClientConcurrency;
}

export interface ODataClientConcurrency {
  /** The bound now: the hint or maximum, halved after a 429 and climbing back with good answers. */
  limit: number;
  /** What the bound climbs back to. */
  ceiling: number;
  inFlight: number;
  waiting: number;
  /** Until when the system holds every request back after a 429; null when it is not throttled. */
  throttledUntil: Date | null;
  /** The pace 429s taught: at most `requests` start in any `windowMs` (concurrency.ts); null for none. */
  pace: Pace | null;
}

const defaultMaxUrlLength: Record<SystemName, number> = { sales: 32_768, finance: 8_192 };

export function createODataClient(options: ODataClientOptions): ODataClient {
  const {
    system,
    tokens,
    retry = defaultRetryPolicy,
    timeoutMs = 30_000,
    defaultHeaders = defaultHeadersFor(options.system),
    maxUrlLength = defaultMaxUrlLength[options.system],
    onRequest,
    circuitBreaker,
    onCircuitChange,
    concurrency = maxConcurrency[options.system],
  } = options;
  const serviceRoot = options.serviceRoot.endsWith('/') ? options.serviceRoot : `${options.serviceRoot}/`;
  const rootOrigin = new URL(serviceRoot).origin;

  function urlFor(path: string, query?: string | QueryOptions): string {
    const base = /^https?:\/\//i.test(path) ? path : `${serviceRoot}${path.replace(/^\/+/, '')}`;
    return appendQuery(base, query);
  }

  /** Service-relative path and query, for errors and metrics. */
  function pathOf(url: string): string {
    if (url.startsWith(serviceRoot)) return url.slice(serviceRoot.length);
    const parsed = new URL(url);
    return `${parsed.pathname}${parsed.search}`;
  }

  const slots = createRequestSlots(concurrency);
  const transport = createTransport({
    system,
    tokens,
    retry,
    timeoutMs,
    onAttempt: onRequest,
    pathOf,
    slots,
  });
  const breaker = createCircuitBreaker({
    ...circuitBreaker,
    ...(onCircuitChange ? { onStateChange: (health) => onCircuitChange({ system, ...health }) } : {}),
  });

  /** `sendNow`, inside a span when tracing is on; `batchSize`: the operations of a `$batch`. */
  function send(call: Call, batchSize?: number): ReturnType<typeof transport> {
    return tracingEnabled ? traceRequest(system, call, pathOf(call.url), sendNow, batchSize) : sendNow(call);
  }

  /** One request and its retries, unless the breaker is open: then it fails at once, unsent. */
  function sendNow(call: Call): ReturnType<typeof transport> {
    return breaker.run(
      () => transport(call),
      (health, now) =>
        new CircuitOpenError({ system, method: call.method, path: pathOf(call.url) }, health, now),
    );
  }

  /**
   * The bearer token goes only to the service root's origin, whatever a nextLink says: a link elsewhere
   * (or no URL at all) is refused as the connectors' typed error, with the request that led to it when a
   * link did (`answer`), else as the caller's mistake (status 0, nothing sent).
   */
  function checkOrigin(url: string, answer?: { method: string; path: string; status: number }): void {
    const origin = URL.canParse(url) ? new URL(url).origin : null;
    if (origin === rootOrigin) return;
    const message =
      origin === null
        ? `Refusing to send a ${system} request to '${url.slice(0, 200)}': not a URL`
        : `Refusing to send a ${system} request to ${origin}: not the origin of ${serviceRoot}`;
    throw new ODataError({
      system,
      method: answer?.method ?? 'GET',
      path: answer?.path ?? url.slice(0, 200),
      status: answer?.status ?? 0,
      code: 'OriginRefused',
      message,
    });
  }

  function prepare(request: ODataRequest): Call {
    const method = request.method.toUpperCase();
    const refuse = (code: string, message: string, cause?: unknown) =>
      new ODataError(
        {
          kind: 'invalid-request',
          system,
          method,
          path: request.path.slice(0, 200),
          status: 0,
          code,
          message,
        },
        { cause },
      );
    let url: string;
    try {
      url = urlFor(request.path, request.query);
    } catch (error) {
      throw refuse('InvalidRequest', `The request cannot be formed: ${reasonOf(error)}`, error);
    }
    checkOrigin(url);
    if (url.length > maxUrlLength) {
      throw refuse(
        'UrlTooLong',
        `The ${system} URL is ${url.length} characters, over the limit of ${maxUrlLength}: ` +
          'split the key list with chunkByUrlLength',
      );
    }
    const headers = mergeHeaders(defaultHeaders, request.headers);
    let body: string | undefined;
    try {
      body = request.body === undefined ? undefined : stringifyJson(request.body);
    } catch (error) {
      throw refuse('InvalidRequest', `The request body cannot be written: ${reasonOf(error)}`, error);
    }
    if (body !== undefined && headerValue(headers, 'content-type') === undefined) {
      headers['Content-Type'] = 'application/json';
    }
    return {
      method,
      url,
      headers,
      ...(body === undefined ? {} : { body }),
      idempotent: request.idempotent ?? isIdempotentMethod(method),
      ...(request.retry === false ? { retry: false as const } : {}),
      ...(request.signal ? { signal: request.signal } : {}),
    };
  }

  async function request<T>(request: ODataRequest): Promise<ODataResponse<T>> {
    const call = prepare(request);
    const response = await send(call);
    const body = parseBody(response, { system, method: call.method, path: pathOf(call.url) });
    return { status: response.status, headers: response.headers, body: body as T | undefined };
  }

  async function* pages<T>(
    path: string,
    query?: string | QueryOptions,
    { headers, signal }: PagesOptions = {},
  ): AsyncGenerator<Page<T>> {
    let call = prepare({
      method: 'GET',
      path,
      query,
      ...(headers ? { headers } : {}),
      ...(signal ? { signal } : {}),
    });
    for (;;) {
      const response = await send(call);
      const context = { system, method: 'GET', path: pathOf(call.url) };
      const page = toPage<T>(parseBody(response, context), response.status, context, call.url);
      yield page;
      if (page.nextLink === undefined) return;
      if (page.nextLink === call.url) {
        throw invalidResponse(
          context,
          response.status,
          'The server answered with a nextLink to the same page',
        );
      }
      // Verbatim: the link is opaque ($skiptoken) and may exceed what we would build; the same headers
      // (Prefer: odata.maxpagesize, odata.track-changes) go with it, as both systems require.
      checkOrigin(page.nextLink, { ...context, status: response.status });
      call = { ...call, url: page.nextLink };
    }
  }

  async function batch(
    items: readonly BatchItem<BatchOperation>[],
    { continueOnError = false, headers, idempotent, signal }: BatchOptions = {},
  ): Promise<BatchItem<BatchPartResult>[]> {
    if (items.length === 0) return [];
    // `$n` refers to an earlier part's result and stays relative; every other URL is absolute (F&O wants it).
    const partUrl = (operation: BatchOperation): string =>
      operation.path.startsWith('$')
        ? appendQuery(operation.path, operation.query)
        : urlFor(operation.path, operation.query);
    const partPath = (operation: BatchOperation): string =>
      operation.path.startsWith('$') ? partUrl(operation) : pathOf(partUrl(operation));
    const sent = toBatchRequests(items, partUrl, stringifyJson);
    const parts = flattenBatchResults(sent);
    const onlyReads = parts.every((part) => part.method === 'GET');
    const boundary = newBoundary('batch');
    const call = prepare({
      method: 'POST',
      path: '$batch',
      headers: {
        // The answer is multipart whatever the default Accept says (OData 4.0 part 1 §11.7).
        Accept: 'multipart/mixed',
        ...headers,
        'Content-Type': `multipart/mixed; boundary=${boundary}`,
        ...(continueOnError ? { Prefer: withPreference(headers, 'odata.continue-on-error') } : {}),
      },
      idempotent: idempotent ?? onlyReads,
      ...(signal ? { signal } : {}),
    });
    const response = await send(
      {
        ...call,
        body: encodeBatchRequest(sent, boundary),
        // Without continue-on-error Dataverse answers 400 when it stopped at a failed part, the body still
        // the multipart answer of the parts it ran: read it, and the parts after are reported as not run.
        readsAnswer: (answer) =>
          answer.status === 400 && /^multipart\/mixed/i.test(answer.headers['content-type'] ?? ''),
      },
      parts.length,
    );
    let answered: BatchItem<BatchResponse>[];
    try {
      answered = decodeBatchResponse(response.text, response.headers['content-type']);
    } catch (error) {
      if (!(error instanceof MultipartError)) throw error;
      const context = { system, method: 'POST', path: '$batch' };
      throw invalidResponse(
        context,
        response.status,
        `The $batch answer could not be read: ${error.message}`,
        error,
      );
    }
    return matchBatchResults(items, sent, answered, { system, pathOf: partPath });
  }

  const health = (): ODataClientHealth => ({ system, ...breaker.health() });

  const concurrencyNow = (): ODataClientConcurrency => {
    const { limit, ceiling, active, waiting, pausedUntil, pace } = slots.state();
    return {
      limit,
      ceiling,
      inFlight: active,
      waiting,
      throttledUntil: pausedUntil === null ? null : new Date(pausedUntil),
      pace,
    };
  };

  return {
    system,
    serviceRoot,
    maxUrlLength,
    urlFor,
    request,
    pages,
    batch,
    health,
    concurrency: concurrencyNow,
  };
}

function appendQuery(base: string, query: string | QueryOptions | undefined): string {
  const search = typeof query === 'string' ? query.replace(/^\?/, '') : buildQuery(query);
  return search ? `${base}${base.includes('?') ? '&' : '?'}${search}` : base;
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
