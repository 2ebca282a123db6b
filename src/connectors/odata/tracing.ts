/**
 * Back-end requests as OpenTelemetry spans (src/tracing): one CLIENT span per request the client sends,
 * named `<System> <METHOD> <entity set>` (`Sales GET accounts`, `Finance POST $batch`), covering its
 * retries and a token renewal; each failed attempt is an event on it. A token fetched on the way is a
 * `token` span inside it.
 *
 * What a span may carry is what the client's errors may show: the system, the method, the entity set,
 * the path with its keys left out (`/api/data/v9.2/accounts(…)`: keys are records' data) and never the
 * query (filter values), a header, a token or the client secret.
 */
import { type Attributes, type Span, SpanKind, trace } from '@opentelemetry/api';
import { failSpan, tracer } from '../../tracing/tracer.js';
import { systemLabels } from '../../vocabulary.js';
import { ODataError, type SystemName } from './errors.js';
import type { Call, RawResponse } from './transport.js';

/**
 * Sends `call` with `send` inside its span. `path` is its service-relative path (for the entity set);
 * `batchSize` the operations of a `$batch`. Call it only when `tracingEnabled`.
 */
export function traceRequest(
  system: SystemName,
  call: Call,
  path: string,
  send: (call: Call) => Promise<RawResponse>,
  batchSize: number | undefined,
): Promise<RawResponse> {
  const label = systemLabels[system];
  const entitySet = entitySetOf(path);
  const url = new URL(call.url);
  const attributes: Attributes = {
    'p2c.system': label,
    'http.request.method': call.method,
    'server.address': url.hostname,
    'server.port': Number(url.port) || (url.protocol === 'https:' ? 443 : 80),
    'url.path': withoutKeys(url.pathname),
  };
  if (entitySet !== '') attributes['p2c.entity_set'] = entitySet;
  if (batchSize !== undefined) attributes['p2c.batch_size'] = batchSize;
  const name = `${label} ${call.method} ${entitySet || 'request'}`;
  return tracer().startActiveSpan(name, { kind: SpanKind.CLIENT, attributes }, async (span) => {
    try {
      const response = await send(call);
      span.setAttribute('http.response.status_code', response.status);
      return response;
    } catch (error) {
      requestFailed(span, error, call.signal?.aborted === true);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** An attempt of the request in progress failed (it may be retried): an event on its span. */
export function noteFailedAttempt(error: ODataError, attempt: number): void {
  trace.getActiveSpan()?.addEvent('attempt failed', {
    'p2c.attempt': attempt,
    'error.type': errorTypeOf(error),
    ...(error.status > 0 && { 'http.response.status_code': error.status }),
  });
}

/**
 * Fetches a token with `fetchToken` inside a `token` span: the authority's host and path (the tenant),
 * never the form sent (the client secret) or the token. Call it only when `tracingEnabled`.
 */
export function traceTokenRequest(endpoint: string, fetchToken: () => Promise<string>): Promise<string> {
  const url = new URL(endpoint);
  const attributes: Attributes = {
    'http.request.method': 'POST',
    'server.address': url.hostname,
    'url.path': url.pathname,
  };
  return tracer().startActiveSpan('token', { kind: SpanKind.CLIENT, attributes }, async (span) => {
    try {
      return await fetchToken();
    } catch (error) {
      // A TokenError (not imported: tokens.ts imports this module): Entra's `error` code and the status.
      const { code, status } = error as { code?: unknown; status?: unknown };
      if (typeof status === 'number' && status > 0) span.setAttribute('http.response.status_code', status);
      const type = typeof code === 'string' ? code : 'error';
      failSpan(span, type, `The token authority did not issue a token (${type}).`);
      throw error;
    } finally {
      span.end();
    }
  });
}

function requestFailed(span: Span, error: unknown, cancelled: boolean): void {
  if (error instanceof ODataError) {
    if (error.status > 0) span.setAttribute('http.response.status_code', error.status);
    if (error.code !== '') span.setAttribute('p2c.error_code', error.code);
    // The summary names the system, method, entity set, outcome and code: no query, no record.
    failSpan(span, errorTypeOf(error), error.summary());
  } else if (cancelled) {
    failSpan(
      span,
      'cancelled',
      'The request was cancelled (the operation ran out of time, or the run stopped).',
    );
  } else {
    const type = error instanceof Error ? error.name : 'error';
    failSpan(span, type, `The request failed (${type}).`);
  }
}

/** `error.type` as OpenTelemetry's HTTP conventions write it: the status, or what kept an answer away. */
function errorTypeOf(error: ODataError): string {
  return error.kind === 'http' ? String(error.status) : error.kind;
}

/** `accounts` of `accounts?$filter=…`, `accounts(…)`; `$batch`; empty for a path outside the service. */
function entitySetOf(path: string): string {
  return path.split(/[?(/]/, 1)[0] ?? '';
}

/**
 * The path with the inside of every key predicate left out, quotes respected (a key may hold `)`):
 * `/data/CustomersV3(dataAreaId='usmf',CustomerAccount='US-001')` is `/data/CustomersV3(…)`.
 */
export function withoutKeys(path: string): string {
  let kept = '';
  let depth = 0;
  let quoted = false;
  for (const char of path) {
    if (depth === 0) {
      kept += char;
      if (char === '(') {
        depth = 1;
        kept += '…';
      }
    } else if (char === "'") {
      quoted = !quoted;
    } else if (!quoted && char === '(') {
      depth += 1;
    } else if (!quoted && char === ')') {
      depth -= 1;
      if (depth === 0) kept += ')';
    }
  }
  return kept;
}
