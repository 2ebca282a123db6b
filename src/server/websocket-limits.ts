/**
 * The request limits over graphql-ws, as over HTTP (src/server/limits.ts): a subscribe message is checked
 * in `onSubscribe` — the connection's open operations, the document's size, GraphQL's validation with the
 * limit rules, `first`, the cost and the mutation allowance — and refused with an `error` message for that
 * one operation; the connection stays open. Queries and mutations run under the same deadline.
 */
import * as graphql from 'graphql';
import type { ExecutionArgs, ExecutionResult, GraphQLError, GraphQLSchema } from 'graphql';
import type { SubscribePayload } from 'graphql-ws';
import type { Principal } from '../graphql/principal.js';
import { operationTimeoutError, timedOut, withDeadline } from './deadline.js';
import {
  checkOperation,
  checkSource,
  type HubLimits,
  limitError,
  limitMessages,
  validationRules,
} from './limits.js';
import type { RateLimiter } from './rate-limit.js';

export interface SubscribeGuardOptions {
  schema: GraphQLSchema;
  /** False: `__schema` and `__type` are refused, as over HTTP. */
  introspection: boolean;
  limits: HubLimits;
  rateLimiter: RateLimiter;
}

export interface SubscribeRequest {
  /** The operations open on the connection, this one included (graphql-ws's `ctx.subscriptions`). */
  open: number;
  principal: Principal | undefined;
  payload: SubscribePayload;
}

export interface SubscribeGuard {
  /** What graphql-ws's `onSubscribe` returns: the arguments to run, or why not. */
  admit(request: SubscribeRequest): Promise<ExecutionArgs | readonly GraphQLError[]>;
  /**
   * graphql-ws's `execute` for queries and mutations: answered OPERATION_TIMEOUT at the deadline, when
   * `abort` is called with the timeout error so the operation's own work can stop.
   */
  execute(args: ExecutionArgs, abort: (reason: unknown) => void): Promise<ExecutionResult>;
}

export function createSubscribeGuard({
  schema,
  introspection,
  limits,
  rateLimiter,
}: SubscribeGuardOptions): SubscribeGuard {
  const rules = [
    ...graphql.specifiedRules,
    ...(introspection ? [] : [graphql.NoSchemaIntrospectionCustomRule]),
    ...validationRules(limits),
  ];
  return {
    async admit({ open, principal, payload }) {
      if (open > limits.maxSubscriptionsPerConnection) {
        const limit = limits.maxSubscriptionsPerConnection;
        return [
          limitError('TOO_MANY_SUBSCRIPTIONS', limitMessages.tooManySubscriptions(limit), {
            limit,
            actual: open,
          }),
        ];
      }
      const query = typeof payload.query === 'string' ? payload.query : '';
      const tooLarge = checkSource(query, limits);
      if (tooLarge) return [tooLarge];
      let document: graphql.DocumentNode;
      try {
        document = graphql.parse(query);
      } catch (error) {
        return [withCode(error as GraphQLError, 'GRAPHQL_PARSE_FAILED')];
      }
      const invalid = graphql.validate(schema, document, rules);
      if (invalid.length > 0) return invalid.map((error) => withCode(error, 'GRAPHQL_VALIDATION_FAILED'));
      const operationName = payload.operationName ?? null;
      const variableValues = payload.variables ?? null;
      const operation = graphql.getOperationAST(document, operationName);
      // Coded as Apollo codes them over HTTP; left to `execute`, they would come back without a code.
      if (!operation) return [withCode(unresolvedOperation(operationName), 'OPERATION_RESOLUTION_FAILURE')];
      const coerced = graphql.getVariableValues(
        schema,
        operation.variableDefinitions ?? [],
        variableValues ?? {},
        { maxErrors: 50 },
      );
      if (coerced.errors) return coerced.errors.map((error) => withCode(error, 'BAD_USER_INPUT'));
      {
        const refusal = await checkOperation(
          { schema, document, operation, variables: variableValues, principal },
          limits,
          rateLimiter,
        );
        if (refusal) return [refusal];
      }
      return { schema, document, operationName, variableValues };
    },
    async execute(args, abort) {
      const result = await withDeadline(limits.operationTimeoutMs, async (signal) => {
        signal.addEventListener('abort', () => abort(signal.reason), { once: true });
        return graphql.execute(args);
      });
      return result === timedOut ? { errors: [operationTimeoutError(limits.operationTimeoutMs)] } : result;
    },
  };
}

/** graphql's own words for an operation that cannot be picked (`getOperationAST` found none). */
function unresolvedOperation(operationName: string | null): GraphQLError {
  return new graphql.GraphQLError(
    operationName === null
      ? 'Must provide operation name if query contains multiple operations.'
      : `Unknown operation named "${operationName}".`,
  );
}

/**
 * The error with `code` when it has none, as Apollo codes it over HTTP (a limit rule's error keeps its
 * own); the original stays inside, so the formatter still sees a HubError.
 */
function withCode(error: GraphQLError, code: string): GraphQLError {
  if (error.extensions['code'] !== undefined) return error;
  return new graphql.GraphQLError(error.message, {
    ...(error.nodes ? { nodes: error.nodes } : {}),
    ...(error.source ? { source: error.source } : {}),
    ...(error.positions ? { positions: error.positions } : {}),
    originalError: error,
    extensions: { ...error.extensions, code },
  });
}
