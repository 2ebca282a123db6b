/**
 * What the traced code paths share: whether tracing is on, the tracer, and how a span ends. Only the
 * OpenTelemetry API is loaded here (a few kilobytes, no SDK); the SDK comes with `startTracing`.
 *
 * Every hook tests `tracingEnabled` first and, when it is false, calls what it wraps and nothing else:
 * no attributes built, no closure made, no span, so a hub without tracing pays one boolean test per
 * operation, back-end request and sync page.
 *
 * The spans and their attributes (documented in docs/operations.md#tracing):
 * - `query AccountPage` (SERVER): one GraphQL operation (src/server/tracing-plugin.ts);
 * - `Sales GET accounts` (CLIENT): one request to Sales or Finance, retries included
 *   (src/connectors/odata/tracing.ts), and `token` (CLIENT) for a token from the authority;
 * - `sync accounts` and `sync page` (INTERNAL): one flow of a sync run and each of its pages
 *   (src/sync/engine/tracing.ts).
 */
import { type Span, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';

/** The instrumentation scope of every span the hub makes. */
export const tracerName = 'p2c-hub';

/** True from `startTracing` until its `shutdown`; read by every hook before anything else. */
export let tracingEnabled = false;

let current: Tracer = trace.getTracer(tracerName);

/** The hub's tracer: the SDK's once tracing is on. */
export function tracer(): Tracer {
  return current;
}

/** Turns the hooks on with the SDK's tracer (`startTracing`), or off again (`shutdown`). */
export function setTracer(given: Tracer | null): void {
  current = given ?? trace.getTracer(tracerName);
  tracingEnabled = given !== null;
}

/**
 * Marks `span` failed: ERROR status with `message`, and `error.type` (the OpenTelemetry attribute for
 * what kind of failure it was). The message must be one anyone may read: never a request's query, a
 * record's values or a credential.
 */
export function failSpan(span: Span, errorType: string, message: string): void {
  span.setAttribute('error.type', errorType);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}
