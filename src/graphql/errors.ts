/**
 * The hub's errors as clients see them. Errors the code means to raise are `HubError`s with a code from
 * one closed set; anything else is masked as INTERNAL_SERVER_ERROR ("Unexpected error.") with details
 * only in development. Upstream failures name the system and say what a person can do, never headers,
 * tokens or stack traces.
 */
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { CircuitOpenError, ODataError, TokenError } from '../connectors/odata/index.js';
import { systemLabels } from '../vocabulary.js';

export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'UPSTREAM_UNAVAILABLE'
  | 'SYNC_ALREADY_RUNNING'
  // The request limits (src/server/limits.ts): refused before anything runs.
  | 'DOCUMENT_TOO_LARGE'
  | 'TOO_MANY_TOKENS'
  | 'QUERY_TOO_DEEP'
  | 'TOO_MANY_ALIASES'
  | 'TOO_MANY_DIRECTIVES'
  | 'QUERY_TOO_COSTLY'
  | 'REQUEST_TOO_LARGE'
  | 'OPERATION_TIMEOUT'
  | 'RATE_LIMITED'
  | 'TOO_MANY_SUBSCRIPTIONS'
  | 'INTERNAL_SERVER_ERROR';

/** HTTP status a whole-request failure with this code maps to (partial data still answers 200). */
export const httpStatusOf = {
  BAD_USER_INPUT: 400,
  NOT_FOUND: 404,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  UPSTREAM_UNAVAILABLE: 503,
  SYNC_ALREADY_RUNNING: 409,
  DOCUMENT_TOO_LARGE: 400,
  TOO_MANY_TOKENS: 400,
  QUERY_TOO_DEEP: 400,
  TOO_MANY_ALIASES: 400,
  TOO_MANY_DIRECTIVES: 400,
  QUERY_TOO_COSTLY: 400,
  REQUEST_TOO_LARGE: 413,
  // The hub is a gateway to Sales and Finance; an operation runs out of time mostly waiting for them.
  OPERATION_TIMEOUT: 504,
  RATE_LIMITED: 429,
  // Only over WebSocket, where it is an error message on the one operation: the connection stays open.
  TOO_MANY_SUBSCRIPTIONS: 429,
  INTERNAL_SERVER_ERROR: 500,
} as const satisfies Record<ErrorCode, number>;

export class HubError extends GraphQLError {
  constructor(
    readonly code: ErrorCode,
    message: string,
    extensions: Record<string, unknown> = {},
  ) {
    super(message, { extensions: { code, ...extensions } });
  }
}

/** A bad argument, named so the caller knows what to fix. */
export function badInput(argument: string, message: string): HubError {
  return new HubError('BAD_USER_INPUT', `Invalid argument "${argument}": ${message}`, { argument });
}

/**
 * Turns a connector failure into what the client should see: the system is down, slow or refusing
 * (UPSTREAM_UNAVAILABLE, with the system named), or the hub asked something wrong (a bug: internal).
 */
export function fromUpstream(error: unknown): Error {
  if (error instanceof TokenError && error.system) {
    return new HubError(
      'UPSTREAM_UNAVAILABLE',
      `${systemLabels[error.system]} is unavailable: the hub could not sign in to it (its token authority answered ${error.code}; check the hub's credentials). Try again later.`,
      { system: error.system },
    );
  }
  if (!(error instanceof ODataError)) return error instanceof Error ? error : new Error(String(error));
  if (error.kind === 'invalid-request') return error;
  const unavailable =
    error.kind !== 'http' ||
    error.status === 401 ||
    error.status === 403 ||
    error.status === 429 ||
    error.status >= 500;
  if (!unavailable) return error;
  const system = systemLabels[error.system];
  const reason =
    error.kind === 'timeout'
      ? 'it did not answer in time'
      : error.kind === 'network'
        ? 'it could not be reached'
        : error instanceof CircuitOpenError
          ? `it failed repeatedly, so the hub tries it again at ${error.nextTryAt.toISOString()}`
          : error.status === 429
            ? 'it is throttling requests'
            : error.status === 401 || error.status === 403
              ? 'the hub was refused access (check its credentials)'
              : `it answered HTTP ${error.status}`;
  return new HubError('UPSTREAM_UNAVAILABLE', `${system} is unavailable: ${reason}. Try again later.`, {
    system: error.system,
  });
}

/**
 * By shape rather than `instanceof`: a test runner may load graphql both as ESM and CommonJS, and Apollo
 * re-creates request errors as its own subclasses (UserInputError, …); all of them must be recognised.
 */
function isGraphQLError(error: unknown): error is GraphQLError {
  return error instanceof Error && 'extensions' in error && 'locations' in error;
}

export interface ErrorFormatterOptions {
  /**
   * Strip GraphQL's "Did you mean …?" suggestions from every message, so a caller cannot learn the
   * schema's fields, arguments and enum values by typos (on when introspection is off). Apollo's own
   * `hideSchemaDetailsFromClientErrors` covers validation over HTTP only; variables and the WebSocket
   * transport pass through here too.
   */
  hideSuggestions?: boolean;
}

/**
 * Apollo's formatError (and the WebSocket transport's): our own errors and GraphQL's parse, validation
 * and variable errors pass as they are (without suggestions when `hideSuggestions`); anything else becomes
 * "Unexpected error." — with the original message only when `development` is true.
 */
export function createErrorFormatter(
  development: boolean,
  { hideSuggestions = false }: ErrorFormatterOptions = {},
) {
  const format = createMasking(development);
  if (!hideSuggestions) return format;
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const masked = format(formatted, error);
    return { ...masked, message: withoutSuggestions(masked.message) };
  };
}

/** GraphQL's suggestion ends a message: ` Did you mean "flows"?`, `… the enum value "ACCOUNTS"?`. */
export function withoutSuggestions(message: string): string {
  return message.replace(/ ?Did you mean .+?\?$/s, '');
}

function createMasking(development: boolean) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof HubError) {
      return { ...formatted, message: original.message, extensions: publicExtensions(original) };
    }
    // Request-level errors (parse, validation, variable coercion) carry no path: GraphQL and Apollo wrote
    // them for the client. Errors inside the response (with a path) pass only when they are ours.
    if (isGraphQLError(original)) {
      if (original.originalError instanceof HubError) {
        return {
          ...formatted,
          message: original.originalError.message,
          extensions: publicExtensions(original.originalError),
        };
      }
      if (!original.path) return formatted;
    }
    return {
      message:
        development && original instanceof Error
          ? `Unexpected error: ${original.message}`
          : 'Unexpected error.',
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}

/** A HubError's extensions as the client sees them: `http` (status and headers for Apollo) stays inside. */
export function publicExtensions(error: HubError): Record<string, unknown> {
  const { http: _http, ...extensions } = error.extensions;
  return extensions;
}
