/**
 * GraphQL operations as OpenTelemetry spans (src/tracing): one SERVER span per query or mutation, over
 * HTTP and over WebSocket, named as OpenTelemetry's GraphQL conventions say (`query AccountPage`,
 * `mutation`; `GraphQL Operation` until the operation is known), with the hub's request id. The back-end
 * requests made while it resolves are its children: the span is the active one while Apollo (or
 * graphql-ws) executes. An operation answered with errors ends in ERROR, its error codes listed.
 *
 * Over HTTP, `executeOperation` opens the span around Apollo's execution (a caller's W3C `traceparent`
 * makes it part of the caller's trace) and `tracingPlugin` names it and sets its outcome from Apollo's
 * hooks. Subscriptions are not traced: they last as long as a dashboard stays open.
 *
 * Never the document, the variables, the result or a header other than `traceparent` on a span.
 */
import type { IncomingMessage } from 'node:http';
import type { ApolloServer, ApolloServerPlugin, BaseContext, HTTPGraphQLResponse } from '@apollo/server';
import { type Attributes, context, propagation, type Span, SpanKind, trace } from '@opentelemetry/api';
import * as graphql from 'graphql';
import type { ExecutionArgs, ExecutionResult, GraphQLError } from 'graphql';
import { failSpan, tracer, tracingEnabled } from '../tracing/tracer.js';
import { errorCodesOf } from './operation-log.js';
import { requestIdOf } from './request-id.js';

/** The name of an operation's span before its type is known (a document that did not parse, say). */
const unknownOperation = 'GraphQL Operation';

/** The spans `executeOperation` opened, so that the plugin touches no one else's. */
const operationSpans = new WeakSet<Span>();

type ExecuteRequest<TContext extends BaseContext> = Parameters<
  ApolloServer<TContext>['executeHTTPGraphQLRequest']
>[0];

/** `apollo.executeHTTPGraphQLRequest(request)` for `req`, inside the operation's span when tracing is on. */
export function executeOperation<TContext extends BaseContext>(
  apollo: ApolloServer<TContext>,
  request: ExecuteRequest<TContext>,
  req: IncomingMessage,
): Promise<HTTPGraphQLResponse> {
  if (!tracingEnabled) return apollo.executeHTTPGraphQLRequest(request);
  const parent = propagation.extract(context.active(), req.headers);
  const attributes: Attributes = {
    'p2c.request_id': requestIdOf(req),
    'p2c.transport': 'http',
    'http.request.method': request.httpGraphQLRequest.method,
  };
  return tracer().startActiveSpan(
    unknownOperation,
    { kind: SpanKind.SERVER, attributes },
    parent,
    async (span) => {
      operationSpans.add(span);
      try {
        const response = await apollo.executeHTTPGraphQLRequest(request);
        span.setAttribute('http.response.status_code', response.status ?? 200);
        return response;
      } catch (error) {
        failSpan(span, error instanceof Error ? error.name : 'error', 'The operation failed unexpectedly.');
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/**
 * Names the operation's span and sets its outcome. Register it only when tracing is on: without a span
 * from `executeOperation` it does nothing.
 */
export function tracingPlugin<TContext extends BaseContext>(): ApolloServerPlugin<TContext> {
  return {
    // A caller refused before any operation ran (no token, a wrong one): the refusal's code.
    async contextCreationDidFail({ error }) {
      const span = operationSpan();
      if (span) fail(span, [codeOf(error as GraphQLError)]);
    },
    async requestDidStart() {
      const span = operationSpan();
      if (span === undefined) return;
      return {
        async didResolveOperation({ operation, operationName }) {
          if (operation) describeOperation(span, operation.operation, operationName ?? undefined);
        },
        async willSendResponse({ response }) {
          const result = response.body.kind === 'single' ? response.body.singleResult : undefined;
          const codes = errorCodesOf(result?.errors);
          if (codes.length > 0) fail(span, codes);
        },
      };
    },
  };
}

/**
 * graphql-ws's `execute` (queries and mutations), each operation inside its span. Wrap only when tracing
 * is on, so that a hub without it runs `execute` as it is.
 */
export function traceWebSocketExecute(
  execute: (args: ExecutionArgs) => Promise<ExecutionResult>,
): (args: ExecutionArgs) => Promise<ExecutionResult> {
  return (args) => {
    if (!tracingEnabled) return execute(args);
    const operation = graphql.getOperationAST(args.document, args.operationName);
    const requestId = (args.contextValue as { requestId?: unknown } | undefined)?.requestId;
    const attributes: Attributes = { 'p2c.transport': 'websocket' };
    if (typeof requestId === 'string') attributes['p2c.request_id'] = requestId;
    return tracer().startActiveSpan(unknownOperation, { kind: SpanKind.SERVER, attributes }, async (span) => {
      if (operation) describeOperation(span, operation.operation, operation.name?.value);
      try {
        const result = await execute(args);
        const codes = [...new Set((result.errors ?? []).map(codeOf))];
        if (codes.length > 0) fail(span, codes);
        return result;
      } catch (error) {
        failSpan(span, error instanceof Error ? error.name : 'error', 'The operation failed unexpectedly.');
        throw error;
      } finally {
        span.end();
      }
    });
  };
}

/** The active span, when it is an operation's. */
function operationSpan(): Span | undefined {
  const span = trace.getActiveSpan();
  return span !== undefined && operationSpans.has(span) ? span : undefined;
}

/** The span's name and attributes by OpenTelemetry's GraphQL conventions: `query AccountPage`. */
function describeOperation(span: Span, type: string, name: string | undefined): void {
  span.updateName(name ? `${type} ${name}` : type);
  span.setAttribute('graphql.operation.type', type);
  if (name) span.setAttribute('graphql.operation.name', name);
}

function fail(span: Span, codes: string[]): void {
  span.setAttribute('p2c.error_codes', codes);
  failSpan(span, codes[0]!, `The operation was answered with errors: ${codes.join(', ')}`);
}

/** An error's code as the client gets it: its own, or INTERNAL_SERVER_ERROR for one the hub did not mean. */
function codeOf(error: GraphQLError): string {
  const code = error.extensions?.['code'];
  if (typeof code === 'string') return code;
  return error.originalError ? 'INTERNAL_SERVER_ERROR' : 'GRAPHQL_ERROR';
}
