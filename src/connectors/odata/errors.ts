/**
 * Upstream failures reduced to one typed error: `{ system, method, path, status, code, message }`. The
 * message is the part a person can act on (for F&O the infolog text, not "An error has occurred."); the
 * path is service-relative and never carries headers or tokens, so the error is safe to log and to show.
 *
 * Body shapes understood:
 * - Dataverse: `{"error":{"code":"0x80040217","message":"..."}}`
 * - F&O: `{"error":{"code":"","message":"An error has occurred.","innererror":{"message":"... Infolog: ...","type":"..."}}}`
 * - plain text (F&O's 429) and HTML (gateways, IIS): the text, or the HTML title.
 */
import { systemLabels, type SystemName } from '../../vocabulary.js';

export type { SystemName };

/**
 * - `http`: the server answered with a non-2xx status.
 * - `timeout`: no complete answer within the client's `timeoutMs` (status 0).
 * - `network`: the connection failed (refused, reset, DNS); status 0.
 * - `unavailable`: not sent, because the system's circuit breaker is open (`CircuitOpenError`); status 0.
 * - `invalid-request`: not sent, because it cannot be formed (a URL over the system's length limit, a
 *   body value that has no JSON form); status 0, code `UrlTooLong` or `InvalidRequest`.
 */
export type ODataErrorKind = 'http' | 'timeout' | 'network' | 'unavailable' | 'invalid-request';

export interface ODataErrorDetails {
  system: SystemName;
  method: string;
  /** Service-relative path and query, e.g. `accounts?$select=name`. */
  path: string;
  /** HTTP status; 0 when no answer arrived (timeout, network). */
  status: number;
  /** The system's error code (`0x80040217`), often empty on F&O. */
  code: string;
  /** What a person should read: the most specific message the system gave. */
  message: string;
  /** F&O `innererror.message` (or Dataverse's, when sent) in full. */
  innerMessage?: string;
  /** Wait the server asked for (`Retry-After`), in milliseconds. */
  retryAfterMs?: number;
  kind?: ODataErrorKind;
}

/**
 * A failed request to Sales or Finance. `message` is for people; `code` and `status` are for code
 * (`0x80040217` not found, 412 stale ETag, 429 throttled). `toJSON()` is safe to log or store.
 */
export class ODataError extends Error {
  override name = 'ODataError';
  readonly kind: ODataErrorKind;
  readonly system: SystemName;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly code: string;
  readonly innerMessage: string | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(details: ODataErrorDetails, options?: { cause?: unknown }) {
    super(redactSecrets(details.message), options);
    this.kind = details.kind ?? 'http';
    this.system = details.system;
    this.method = details.method;
    this.path = details.path;
    this.status = details.status;
    this.code = details.code;
    this.innerMessage = details.innerMessage === undefined ? undefined : redactSecrets(details.innerMessage);
    this.retryAfterMs = details.retryAfterMs;
  }

  /** One line for logs: `finance POST CustomersV3 → 500: The value '99' …`. */
  describe(): string {
    const outcome = this.kind === 'http' ? String(this.status) : this.kind;
    const code = this.code ? ` [${this.code}]` : '';
    return `${this.system} ${this.method} ${this.path} → ${outcome}${code}: ${this.message}`;
  }

  /**
   * One sentence anyone may read, a reader of the hub included: the system, the operation (method and
   * entity set: no query, no keys), the outcome and the system's error code. The request's query and the
   * system's message may name records, so they stay in `describe()`, for operators and logs.
   */
  /** A network failure's socket error code (`ECONNREFUSED`, `ECONNRESET`, …); undefined for any other. */
  get socketCode(): string | undefined {
    if (this.kind !== 'network') return undefined;
    const reason = transportFailureReason(this.cause);
    return reason !== undefined && /^E[A-Z]+$/.test(reason) ? reason : undefined;
  }

  summary(): string {
    const system = systemLabels[this.system];
    const operation = `${this.method} ${entitySetOf(this.path)}`;
    switch (this.kind) {
      case 'timeout':
        return `${system} did not answer ${operation} in time.`;
      case 'network': {
        const code = this.socketCode;
        return `${system} could not be reached for ${operation}${code ? ` (${code})` : ''}.`;
      }
      case 'unavailable':
        return `${system} was not sent ${operation}: it failed repeatedly, and the hub tries it again ${this.retryAfterMs ? `in ${Math.ceil(this.retryAfterMs / 1000)} s` : 'shortly'}.`;
      case 'http':
        return `${system} answered HTTP ${this.status}${this.code ? ` (code ${this.code})` : ''} to ${operation}.`;
      case 'invalid-request':
        return `The hub could not form ${operation} for ${system} (${this.code}).`;
    }
  }

  toJSON(): ODataErrorDetails {
    return {
      kind: this.kind,
      system: this.system,
      method: this.method,
      path: this.path,
      status: this.status,
      code: this.code,
      message: this.message,
      ...(this.innerMessage === undefined ? {} : { innerMessage: this.innerMessage }),
      ...(this.retryAfterMs === undefined ? {} : { retryAfterMs: this.retryAfterMs }),
    };
  }
}

/** The request got no answer within the client's timeout. Always `kind: 'timeout'`, status 0. */
export class TimeoutError extends ODataError {
  override name = 'TimeoutError';
  readonly timeoutMs: number;

  constructor(request: { system: SystemName; method: string; path: string }, timeoutMs: number) {
    super({
      ...request,
      kind: 'timeout',
      status: 0,
      code: 'Timeout',
      message: `No answer from ${request.system} within ${timeoutMs} ms`,
    });
    this.timeoutMs = timeoutMs;
  }
}

/** `CustomersV3` of `CustomersV3?$filter=…` or `CustomersV3(dataAreaId='usmf',CustomerAccount='…')`. */
function entitySetOf(path: string): string {
  return path.split(/[?(/]/, 1)[0] || path.split('?', 1)[0]!;
}

/**
 * The request was not sent: the system failed too many requests in a row and its circuit breaker is
 * open. Always `kind: 'unavailable'`, status 0; `retryAfterMs` says how long until the next trial.
 */
export class CircuitOpenError extends ODataError {
  override name = 'CircuitOpenError';
  /** When the breaker lets a trial request through. */
  readonly nextTryAt: Date;

  /** `breaker` is the refusing breaker's health (`CircuitHealth`), `now` the time by its clock. */
  constructor(
    request: { system: SystemName; method: string; path: string },
    breaker: { consecutiveFailures: number; nextTryAt: Date | null; lastFailure: string | null },
    now: number,
  ) {
    const nextTryAt = breaker.nextTryAt ?? new Date(now);
    const waitMs = Math.max(0, nextTryAt.getTime() - now);
    const last = breaker.lastFailure ? `, the last with ${breaker.lastFailure.replace(/\.?$/, '')}` : '';
    const next =
      waitMs > 0
        ? `the hub will try it again at ${nextTryAt.toISOString()} (in ${Math.ceil(waitMs / 1000)} s)`
        : 'a trial request found it still unavailable';
    super({
      ...request,
      kind: 'unavailable',
      status: 0,
      code: 'CircuitOpen',
      message:
        `${systemLabels[request.system]} is unavailable: ${breaker.consecutiveFailures} requests in a row ` +
        `failed${last}; ${next}.`,
      retryAfterMs: waitMs,
    });
    this.nextTryAt = nextTryAt;
  }
}

/** A failed connection (refused, reset, DNS): `kind: 'network'`, status 0, the cause's code in the message. */
export function networkError(
  request: { system: SystemName; method: string; path: string },
  cause: unknown,
): ODataError {
  const detail = transportFailureReason(cause);
  return new ODataError(
    {
      ...request,
      kind: 'network',
      status: 0,
      code: 'NetworkError',
      message: `Could not reach ${request.system}${detail ? `: ${detail}` : ''}`,
    },
    { cause },
  );
}

/** The most telling short reason for a failed fetch: the socket error's code (`ECONNREFUSED`), else the message. */
export function transportFailureReason(error: unknown): string | undefined {
  // undici wraps the socket error: TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }).
  for (let current = error, depth = 0; current instanceof Error && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = current.cause;
  }
  return error instanceof Error ? error.message : undefined;
}

/** The error for a non-2xx answer: body parsed, `Retry-After` read. */
export function httpError(
  request: { system: SystemName; method: string; path: string },
  response: { status: number; headers: Record<string, string>; body: string },
): ODataError {
  const parsed = parseErrorBody(response.body, response.status, response.headers['content-type']);
  const retryAfterMs = parseRetryAfter(response.headers['retry-after']);
  return new ODataError({
    ...request,
    status: response.status,
    ...parsed,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

/** What an HTTP answer told about the failure, before the request context is added. */
export interface ParsedErrorBody {
  code: string;
  message: string;
  innerMessage?: string;
}

/**
 * Reads an error body of either system (or plain text / HTML) into code, message and inner message.
 * `status` fills the message when the body says nothing.
 */
export function parseErrorBody(text: string, status: number, contentType = ''): ParsedErrorBody {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    const parsed = parseJsonError(trimmed);
    if (parsed) return parsed;
  }
  if (/html/i.test(contentType) || /^<(!doctype|html)/i.test(trimmed)) {
    const title = /<title>([^<]*)<\/title>/i.exec(trimmed)?.[1]?.trim();
    return { code: '', message: title || fallbackMessage(status) };
  }
  return { code: '', message: trimmed ? truncate(trimmed) : fallbackMessage(status) };
}

interface JsonErrorShape {
  error?: { code?: unknown; message?: unknown; innererror?: { message?: unknown } };
  /** ASP.NET Web API's own shape, e.g. F&O's 404 for an unknown route. */
  Message?: unknown;
}

function parseJsonError(text: string): ParsedErrorBody | undefined {
  let body: JsonErrorShape;
  try {
    body = JSON.parse(text) as JsonErrorShape;
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null) return undefined;
  if (typeof body.Message === 'string' && !body.error) return { code: '', message: truncate(body.Message) };
  const error = body.error;
  if (typeof error !== 'object' || error === null) return undefined;
  const code = typeof error.code === 'string' ? error.code : '';
  const outer = typeof error.message === 'string' ? error.message.trim() : '';
  const inner = typeof error.innererror?.message === 'string' ? error.innererror.message.trim() : undefined;
  return {
    code,
    message: truncate(usefulMessage(outer, inner)),
    ...(inner ? { innerMessage: inner } : {}),
  };
}

/** F&O puts the real reason in innererror; its outer message is a fixed "An error has occurred." */
function usefulMessage(outer: string, inner: string | undefined): string {
  if (inner) {
    const infolog = infologText(inner);
    if (infolog) return infolog;
    if (!outer || genericMessages.has(outer.toLowerCase())) return inner;
  }
  return outer || inner || 'The service reported an error without a message.';
}

const genericMessages = new Set(['an error has occurred.', 'an error has occurred', 'internal server error']);

/**
 * `Write failed for table row of type 'X'. Infolog: Warning: The value '99' … table 'Customer groups'.`
 * → `The value '99' … table 'Customer groups'.` Several infolog entries (`…; Error: …`) are kept, each
 * without its severity label, which says nothing to a reader of a sync failure.
 */
export function infologText(innerMessage: string): string | undefined {
  const index = innerMessage.indexOf('Infolog:');
  if (index < 0) return undefined;
  const entries = innerMessage
    .slice(index + 'Infolog:'.length)
    .split(/;\s*(?=(?:Error|Warning|Info|Information)\s*:)/i)
    .map((entry) => entry.replace(/^\s*(?:Error|Warning|Info|Information)\s*:\s*/i, '').trim())
    .filter((entry) => entry !== '');
  return entries.length > 0 ? entries.join(' ') : undefined;
}

function fallbackMessage(status: number): string {
  return `The service answered HTTP ${status} without an error message.`;
}

/** Messages end up in GraphQL errors and the database: keep them readable, never megabytes. */
function truncate(text: string, max = 2_000): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** Belt and braces: should a server echo a bearer token or a client secret, it goes no further. */
export function redactSecrets(text: string): string {
  return text
    .replace(/\bBearer\s+[A-Za-z0-9._~+/=-]+/g, 'Bearer [redacted]')
    .replace(/(client_secret=)[^&\s]+/gi, '$1[redacted]');
}

/**
 * `Retry-After` as milliseconds: delta-seconds (`30`) or an HTTP date. Undefined when absent or
 * unreadable; never negative.
 */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
