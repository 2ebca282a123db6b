/**
 * Sending one prepared request: each HTTP attempt under its own timeout, transport failures turned into
 * `ODataError`, the bearer token attached and renewed once on a 401, and retries as the policy says.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { httpError, networkError, ODataError, type SystemName, TimeoutError } from './errors.js';
import { type Dispatcher, request } from 'undici';
import type { RequestSlots } from './concurrency.js';
import type { RetryPolicy } from './retry.js';
import type { TokenProvider } from './tokens.js';
import { noteFailedAttempt } from './tracing.js';
import { tracingEnabled } from '../../tracing/tracer.js';

/** A request ready to send. */
export interface Call {
  method: string;
  /** Absolute. */
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** Whether a timeout or network error may be retried. */
  idempotent: boolean;
  /** False: one attempt, whatever the retry policy says (see `ODataRequest.retry`). */
  retry?: false;
  signal?: AbortSignal;
  /**
   * A non-2xx answer the caller reads itself rather than as a failure: Dataverse's `$batch` stopped at a
   * failed part answers 400 with the multipart answer of the parts it ran.
   */
  readsAnswer?: (response: RawResponse) => boolean;
}

export interface RawResponse {
  status: number;
  /** Lower-cased names. */
  headers: Record<string, string>;
  text: string;
}

export interface AttemptEvent {
  system: SystemName;
  method: string;
  path: string;
  attempt: number;
  status: number;
  durationMs: number;
  error?: ODataError;
}

export interface TransportOptions {
  system: SystemName;
  tokens: TokenProvider | undefined;
  retry: RetryPolicy;
  timeoutMs: number;
  onAttempt: ((event: AttemptEvent) => void) | undefined;
  /** Service-relative path of a URL, for errors and events. */
  pathOf(url: string): string;
  /** Bounds the attempts in flight to the system (see concurrency.ts); default: no bound. */
  slots?: RequestSlots;
}

/** 2xx, and 304 for conditional GETs (If-None-Match with an ETag). */
export function isSuccess(status: number): boolean {
  return (status >= 200 && status < 300) || status === 304;
}

/** Returns `send`: attempts until success, a failure the policy will not retry, or its last attempt. */
export function createTransport(options: TransportOptions): (call: Call) => Promise<RawResponse> {
  const { system, tokens, retry, onAttempt, pathOf, slots } = options;
  return async function send(call) {
    const context = { system, method: call.method, path: pathOf(call.url) };
    let failures = 0;
    let attempts = 0;
    let renewedToken = false;
    for (;;) {
      const token = tokens ? await tokens.getToken() : undefined;
      const started = performance.now();
      attempts += 1;
      // The token is fetched, and a retry waits, without holding a slot; the duration counts the queueing.
      const outcome = slots
        ? await slots.run(() => attempt(call, token, context, options), call.signal)
        : await attempt(call, token, context, options);
      const durationMs = performance.now() - started;
      if (!(outcome instanceof ODataError)) {
        slots?.observe(outcome.headers);
        onAttempt?.({ ...context, attempt: attempts, status: outcome.status, durationMs });
        return outcome;
      }
      const error = outcome;
      onAttempt?.({ ...context, attempt: attempts, status: error.status, durationMs, error });
      if (tracingEnabled) noteFailedAttempt(error, attempts);
      // Tokens can be revoked or expire early: renew once; a second 401 is a real refusal.
      if (error.status === 401 && tokens && !renewedToken) {
        tokens.invalidate(token);
        renewedToken = true;
        continue;
      }
      failures += 1;
      const request = { method: call.method, path: context.path, idempotent: call.idempotent };
      const retrying =
        call.retry !== false && failures < retry.maxAttempts && retry.shouldRetry(error, failures, request);
      const throttled = error.status === 429;
      const waitMs = retrying || throttled ? retry.retryWaitMs(error, failures) : 0;
      // Throttled: the whole system pauses for what it asked (and takes fewer requests at once after).
      if (throttled) slots?.throttled(waitMs, error.code, error.message);
      if (!retrying) throw error;
      if (waitMs > 0) await delay(waitMs, undefined, call.signal ? { signal: call.signal } : {});
    }
  };
}

/**
 * One HTTP attempt. Resolves to the response, or to the ODataError it amounts to.
 *
 * Sent with undici's `request` rather than `fetch`: the same HTTP client without the WHATWG layer
 * (Request/Response objects, web streams), which cost ~0.3 ms of CPU per request, as much as serving a
 * cheap GraphQL operation. It follows no redirect: OData services do not redirect, and a redirect must not
 * carry the token away.
 */
async function attempt(
  call: Call,
  token: string | undefined,
  context: { system: SystemName; method: string; path: string },
  { timeoutMs }: TransportOptions,
): Promise<RawResponse | ODataError> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = call.signal ? AbortSignal.any([call.signal, timeout]) : timeout;
  const headers = token ? { ...call.headers, Authorization: `Bearer ${token}` } : call.headers;
  let response: RawResponse;
  try {
    const answer = await request(call.url, {
      method: call.method as Dispatcher.HttpMethod,
      headers,
      body: call.body ?? null,
      signal,
    });
    // The body is read under the same signal, so a server that stalls mid-body times out too.
    response = {
      status: answer.statusCode,
      headers: headerRecord(answer.headers),
      text: await answer.body.text(),
    };
  } catch (error) {
    if (call.signal?.aborted) throw call.signal.reason; // the caller cancelled: not a failure to retry
    if (timeout.aborted) return new TimeoutError(context, timeoutMs);
    return networkError(context, error);
  }
  return isSuccess(response.status) || call.readsAnswer?.(response)
    ? response
    : httpError(context, { ...response, body: response.text });
}

/** undici's response headers (lower-case names; repeated ones as lists) as one value per name. */
function headerRecord(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const record: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined) record[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return record;
}
