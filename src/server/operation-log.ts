/**
 * One log line per GraphQL operation, over HTTP (an Apollo plugin) and over WebSocket (graphql-ws hooks):
 * the request id, the transport, the operation's name and type, the caller, how long it took, the outcome
 * and the error codes the client got. Never the query's variables, the result or any header.
 *
 * The level says who should look: `info` for answers (including the caller's own mistakes, such as a bad
 * argument or a refused token), `warn` when a back-end system was unavailable, `error` when the hub
 * failed unexpectedly (the error, masked for the client, is logged here with its stack). A WebSocket
 * subscription that ends without an error is routine and logged at `debug`.
 */
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { GraphQLError, GraphQLFormattedError } from 'graphql';
import type { Logger } from '../logging.js';

export type OperationOutcome = 'ok' | 'error' | 'refused';

export interface OperationLogRecord {
  requestId: string | undefined;
  transport: 'http' | 'websocket';
  /** The graphql-ws subscription id, on a WebSocket. */
  operationId?: string;
  operation: string | null;
  operationType: string | null;
  caller: { name: string | null; role: string } | undefined;
  durationMs: number;
  outcome: OperationOutcome;
  errorCodes: string[];
  /** The HTTP status, over HTTP. */
  status?: number;
}

/** Told of every operation as it is logged, e.g. to count it for `/metrics`. Must not throw. */
export type OperationObserver = (record: OperationLogRecord) => void;

const internalCode = 'INTERNAL_SERVER_ERROR';
const upstreamCode = 'UPSTREAM_UNAVAILABLE';

/**
 * Writes one operation's line; `failures` are the raw errors, logged when the hub itself failed.
 * `okLevel`: the level of a line without an error code (default `info`); `observe` is told of the record.
 */
export function logOperation(
  logger: Logger,
  record: OperationLogRecord,
  failures: readonly unknown[] = [],
  { okLevel = 'info', observe }: { okLevel?: 'info' | 'debug'; observe?: OperationObserver } = {},
): void {
  observe?.(record);
  // Always in this order, so lines read alike whichever transport wrote them.
  const { requestId, transport, operationId, operation, operationType, caller, outcome, errorCodes } = record;
  const line = {
    requestId,
    transport,
    ...(operationId !== undefined && { operationId }),
    operation,
    operationType,
    ...(caller !== undefined && { caller }),
    durationMs: Math.round(record.durationMs * 10) / 10,
    outcome,
    errorCodes,
    ...(record.status !== undefined && { status: record.status }),
  };
  if (record.errorCodes.includes(internalCode)) {
    const cause = failures.map(rootOf).find((error) => isUnexpected(error));
    logger.error({ ...line, ...(cause !== undefined ? { err: cause } : {}) }, 'graphql operation failed');
  } else if (record.errorCodes.includes(upstreamCode)) {
    logger.warn(line, 'graphql operation');
  } else if (record.errorCodes.length === 0) {
    logger[okLevel](line, 'graphql operation');
  } else {
    logger.info(line, 'graphql operation');
  }
}

/** The distinct codes of the errors a client got, in order; `GRAPHQL_ERROR` for one without a code. */
export function errorCodesOf(errors: readonly GraphQLFormattedError[] | undefined): string[] {
  const codes = (errors ?? []).map((error) => {
    const code = error.extensions?.['code'];
    return typeof code === 'string' ? code : 'GRAPHQL_ERROR';
  });
  return [...new Set(codes)];
}

/** What the context tells about the caller, read loosely: a server may be given any context. */
function contextFields(context: unknown): Pick<OperationLogRecord, 'requestId' | 'caller'> {
  const value = (context ?? {}) as { requestId?: unknown; principal?: { name?: unknown; role?: unknown } };
  const principal = value.principal;
  return {
    requestId: typeof value.requestId === 'string' ? value.requestId : undefined,
    caller:
      principal && typeof principal.role === 'string'
        ? { name: typeof principal.name === 'string' ? principal.name : null, role: principal.role }
        : undefined,
  };
}

/** The error a resolver or a stream threw, out of the GraphQLErrors wrapped around it. */
function rootOf(error: unknown): unknown {
  let current = error;
  while (current instanceof Error && (current as Partial<GraphQLError>).originalError instanceof Error)
    current = (current as GraphQLError).originalError;
  return current;
}

/** An error the formatter masks: not one the code raised on purpose, nor GraphQL's request errors. */
function isUnexpected(error: unknown): boolean {
  if (!(error instanceof Error)) return true;
  const extensions = (error as Partial<GraphQLError>).extensions;
  return extensions?.['code'] === undefined || extensions['code'] === internalCode;
}

/** The Apollo plugin logging every HTTP operation once its response is ready (and telling `observe`). */
export function operationLogPlugin<TContext extends BaseContext>(
  logger: Logger,
  observe?: OperationObserver,
): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      const startedAt = performance.now();
      return {
        async willSendResponse({ contextValue, operation, operationName, request, response, errors }) {
          const result = response.body.kind === 'single' ? response.body.singleResult : undefined;
          const errorCodes = errorCodesOf(result?.errors);
          logOperation(
            logger,
            {
              ...contextFields(contextValue),
              transport: 'http',
              operation: operationName ?? request.operationName ?? null,
              operationType: operation?.operation ?? null,
              durationMs: performance.now() - startedAt,
              outcome: errorCodes.length > 0 ? 'error' : 'ok',
              errorCodes,
              status: response.http.status ?? 200,
            },
            errors ?? [],
            observe ? { observe } : {},
          );
        },
      };
    },
  };
}

interface WebSocketOperation {
  startedAt: number;
  operation: string | null;
  operationType: string | null;
  codes: Set<string>;
  failures: unknown[];
}

/**
 * Follows a WebSocket connection's operations from subscribe to complete and logs each once: when it
 * completes (a query or mutation after its result, a subscription when it ends), or when it is refused
 * before running (a validation error, which graphql-ws never completes).
 */
export interface WebSocketOperationLog {
  subscribed(operationId: string, operationName: string | null | undefined): void;
  /** The operation is about to run: its type (query, mutation, subscription) and its name in the document. */
  resolved(operationId: string, operationType: string, operationName: string | null): void;
  /** A result about to be sent, with its formatted errors and the raw ones they came from. */
  result(
    operationId: string,
    formatted: readonly GraphQLFormattedError[] | undefined,
    raw: readonly unknown[] | undefined,
  ): void;
  /**
   * The operation ends with errors: it was not valid (GRAPHQL_VALIDATION_FAILED), or its stream failed
   * (INTERNAL_SERVER_ERROR unless the error has a code of its own).
   */
  failed(operationId: string, errors: readonly GraphQLError[], context: unknown): void;
  completed(operationId: string, context: unknown): void;
}

export function createWebSocketOperationLog(
  logger: Logger,
  requestId: string,
  observe?: OperationObserver,
): WebSocketOperationLog {
  const operations = new Map<string, WebSocketOperation>();
  const end = (id: string, context: unknown) => {
    const state = operations.get(id);
    if (!state) return;
    operations.delete(id);
    const errorCodes = [...state.codes];
    logOperation(
      logger,
      {
        ...contextFields(context),
        requestId,
        transport: 'websocket',
        operationId: id,
        operation: state.operation,
        operationType: state.operationType,
        durationMs: performance.now() - state.startedAt,
        outcome: errorCodes.length > 0 ? 'error' : 'ok',
        errorCodes,
      },
      state.failures,
      // A dashboard subscribes and completes all day long: a subscription that ended well is routine,
      // logged at debug; one with an error, and every query and mutation, at info as over HTTP.
      { okLevel: state.operationType === 'subscription' ? 'debug' : 'info', ...(observe && { observe }) },
    );
  };
  return {
    subscribed(id, operationName) {
      operations.set(id, {
        startedAt: performance.now(),
        operation: operationName ?? null,
        operationType: null,
        codes: new Set(),
        failures: [],
      });
    },
    resolved(id, operationType, operationName) {
      const state = operations.get(id);
      if (!state) return;
      state.operationType = operationType;
      state.operation ??= operationName;
    },
    result(id, formatted, raw) {
      const state = operations.get(id);
      if (!state) return;
      for (const code of errorCodesOf(formatted)) state.codes.add(code);
      state.failures.push(...(raw ?? []));
    },
    failed(id, errors, context) {
      const state = operations.get(id);
      if (!state) return;
      for (const error of errors) {
        const code = error.extensions?.['code'];
        state.codes.add(
          typeof code === 'string' ? code : error.originalError ? internalCode : 'GRAPHQL_VALIDATION_FAILED',
        );
      }
      state.failures.push(...errors);
      end(id, context);
    },
    completed: (id, context) => end(id, context),
  };
}
