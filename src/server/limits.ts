/**
 * Abuse limits, the same on both transports: how large, deep, wide and costly one operation may be, how
 * long it may run, how many mutations a caller may run a minute and how many operations one WebSocket may
 * hold open. Each refusal has its own code (`extensions.code`), says the limit and what was asked
 * (`extensions.limit`, `extensions.actual`), and comes before any back end is asked.
 *
 * In the order a request meets them:
 * 1. the body's size (HTTP 413 REQUEST_TOO_LARGE; `http.ts` answers at once, at a declared length over it);
 * 2. the document's length in characters (DOCUMENT_TOO_LARGE) and then in tokens (TOO_MANY_TOKENS), before
 *    it is parsed, and in tokens again with its fragments written out where they are spread, before it is
 *    validated (`checkSource`);
 * 3. validation rules next to GraphQL's own: depth (QUERY_TOO_DEEP), aliases (TOO_MANY_ALIASES) and
 *    directives (TOO_MANY_DIRECTIVES) (`validationRules`);
 * 4. with the variables known: `first` within bounds (BAD_USER_INPUT, the resolvers' own message) and the
 *    cost (QUERY_TOO_COSTLY, see src/graphql/cost.ts), then the caller's mutation allowance (RATE_LIMITED,
 *    with `retryAfterSeconds`) (`checkOperation`);
 * 5. while it runs: the deadline (OPERATION_TIMEOUT, `withDeadline` in deadline.ts).
 *
 * Every check takes time in proportion to the document's length: fragments are measured and costed once
 * each, not once per spread (src/graphql/operation-shape.ts, src/graphql/cost.ts), so a small document
 * whose fragments spread one another twice over is refused at once. The written-out check comes before
 * GraphQL's own validation so that no rule, ours or GraphQL's, ever meets such a document.
 */
import { type ApolloServerPlugin, type BaseContext, HeaderMap } from '@apollo/server';
import * as graphql from 'graphql';
import type {
  DocumentNode,
  FragmentDefinitionNode,
  GraphQLSchema,
  OperationDefinitionNode,
  SelectionSetNode,
  ValidationRule,
} from 'graphql';
import { costCeiling, operationCost } from '../graphql/cost.js';
import { type ErrorCode, httpStatusOf, HubError } from '../graphql/errors.js';
import {
  createShapeMeter,
  fragmentsOf,
  saturatingAdd,
  shapeCeiling,
  type ShapeOptions,
} from '../graphql/operation-shape.js';
import type { Principal } from '../graphql/principal.js';
import type { RateLimiter } from './rate-limit.js';
import type { HubLimits } from './limit-settings.js';

export { defaultLimits, type HubLimits } from './limit-settings.js';

/** The messages, one place for both transports and the tests. */
export const limitMessages = {
  documentTooLarge: (limit: number, actual: number) =>
    `The document has ${actual} characters; the hub accepts at most ${limit}.`,
  tooManyTokens: (limit: number, actual: number) =>
    `The document has ${actual} tokens; the hub accepts at most ${limit}.`,
  tooManyTokensWrittenOut: (limit: number) =>
    `The document, written out with each fragment in place of its spreads, has more than ${limit} tokens; the hub accepts at most ${limit}.`,
  queryTooDeep: (limit: number, actual: number | undefined) =>
    `The operation nests fields ${actual ?? 'more than ' + limit} levels deep; the hub accepts at most ${limit}.`,
  tooManyAliases: (limit: number, actual: number | undefined) =>
    `The operation has ${actual ?? 'more than ' + limit} aliases; the hub accepts at most ${limit}.`,
  tooManyDirectives: (limit: number, actual: number | undefined) =>
    `The operation has ${actual ?? 'more than ' + limit} directives; the hub accepts at most ${limit}.`,
  queryTooCostly: (limit: number, actual: number | undefined) =>
    `The operation may return ${actual === undefined ? 'more than ' + limit : 'up to ' + actual} objects (its cost: each object field times the \`first\` of the lists around it); the hub accepts at most ${limit}. Ask for smaller pages, on nested lists especially.`,
  requestTooLarge: (limit: number, actual: number | undefined) =>
    `The request body has ${actual ?? 'more than ' + limit} bytes; the hub accepts at most ${limit}.`,
  operationTimeout: (limit: number) =>
    `The operation did not finish within ${limit} ms and was stopped; ask for less, or try again later.`,
  rateLimited: (limit: number, retryAfterSeconds: number) =>
    `Too many mutations: a caller may run ${limit} a minute; try again in ${retryAfterSeconds} s.`,
  tooManyMutations: (limit: number, actual: number) =>
    `The operation runs ${actual} mutations; a caller may run at most ${limit} a minute. Send fewer at once.`,
  tooManySubscriptions: (limit: number) =>
    `This connection already has ${limit} operations open, the most the hub allows on one connection; complete one or open another connection.`,
} as const;

/** A refusal: its code, its message, what was allowed and what was asked, and its HTTP status. */
export function limitError(
  code: ErrorCode,
  message: string,
  details: { limit: number; actual?: number | undefined; [name: string]: unknown },
  headers?: HeaderMap,
): HubError {
  const extensions = Object.fromEntries(Object.entries(details).filter(([, value]) => value !== undefined));
  return new HubError(code, message, {
    ...extensions,
    http: { status: httpStatusOf[code], ...(headers ? { headers } : {}) },
  });
}

/** How many documents that passed `checkSource` a server remembers (at most ~5 MB at the default limits). */
const passedSourcesKept = 256;

/**
 * `checkSource` for one server's limits, remembering the documents that passed: clients send the same
 * few documents again and again, and lexing each one anew cost more than Apollo's whole parse and
 * validation, which Apollo caches the same way. A refused document is checked every time (its error is
 * the request's own); the oldest remembered document makes room for a new one.
 */
export function createSourceCheck(limits: HubLimits): (source: string) => HubError | undefined {
  const passed = new Set<string>();
  return (source) => {
    if (passed.has(source)) return undefined;
    const refusal = checkSource(source, limits);
    if (refusal === undefined) {
      if (passed.size >= passedSourcesKept) passed.delete(passed.values().next().value!);
      passed.add(source);
    }
    return refusal;
  };
}

/**
 * Characters first (cheap, and it bounds the lexing), then tokens counted with GraphQL's own lexer, then
 * the fields of the document written out with each fragment in place of its spreads: each is a token at
 * least, so more of them than the token limit is a document over it, whatever its fragments save in
 * writing. A kilobyte of fragments that spread one another twice over (a billion fields written out) is
 * refused here, so neither GraphQL's validation nor anything after it that looks into fragments where they
 * are spread ever meets one. A document the lexer or the parser cannot read is left to the parser, which
 * says where it goes wrong.
 */
export function checkSource(
  source: string,
  limits: HubLimits,
  options: ShapeOptions = {},
): HubError | undefined {
  if (source.length > limits.maxDocumentChars) {
    return limitError(
      'DOCUMENT_TOO_LARGE',
      limitMessages.documentTooLarge(limits.maxDocumentChars, source.length),
      { limit: limits.maxDocumentChars, actual: source.length },
    );
  }
  const tokens = countTokens(source);
  if (tokens > limits.maxTokens) {
    return limitError('TOO_MANY_TOKENS', limitMessages.tooManyTokens(limits.maxTokens, tokens), {
      limit: limits.maxTokens,
      actual: tokens,
    });
  }
  let document: DocumentNode;
  try {
    document = graphql.parse(source, { noLocation: true });
  } catch {
    return undefined;
  }
  if (writtenOutFields(document, options) > limits.maxTokens) {
    return limitError('TOO_MANY_TOKENS', limitMessages.tooManyTokensWrittenOut(limits.maxTokens), {
      limit: limits.maxTokens,
    });
  }
  return undefined;
}

function countTokens(source: string): number {
  const lexer = new graphql.Lexer(new graphql.Source(source));
  let count = 0;
  try {
    while (lexer.advance().kind !== graphql.TokenKind.EOF) count += 1;
  } catch {
    // A syntax error: the parser reports it.
  }
  return count;
}

/** The fields of every operation in the document, fragments counted at each spread. */
function writtenOutFields(document: DocumentNode, options: ShapeOptions): number {
  const measure = createShapeMeter(document, options);
  let fields = 0;
  for (const definition of document.definitions) {
    if (definition.kind === graphql.Kind.OPERATION_DEFINITION)
      fields = saturatingAdd(fields, measure(definition).fields);
  }
  return fields;
}

/**
 * Depth, aliases and directives as one validation rule reporting our codes, each operation measured with
 * its fragments flattened (a fragment is a way of writing a selection, not a level of it) and counted at
 * every spread. `options.onVisit` sees each selection the rule visits.
 */
export function validationRules(limits: HubLimits, options: ShapeOptions = {}): ValidationRule[] {
  const checks = [
    ['QUERY_TOO_DEEP', limits.maxDepth, limitMessages.queryTooDeep, 'depth'],
    ['TOO_MANY_ALIASES', limits.maxAliases, limitMessages.tooManyAliases, 'aliases'],
    ['TOO_MANY_DIRECTIVES', limits.maxDirectives, limitMessages.tooManyDirectives, 'directives'],
  ] as const;
  const rule: ValidationRule = (context) => {
    const measure = createShapeMeter(context.getDocument(), options);
    return {
      OperationDefinition(operation) {
        const shape = measure(operation);
        for (const [code, limit, message, measured] of checks) {
          const found = shape[measured];
          if (found <= limit) continue;
          // At the ceiling the count is "this many or more": the message says "more than" the limit.
          const actual = found >= shapeCeiling ? undefined : found;
          context.reportError(limitError(code, message(limit, actual), { limit, actual }));
        }
        // Measured: nothing under the operation is for this rule to visit.
        return false;
      },
    };
  };
  return [rule];
}

export interface OperationCheck {
  schema: GraphQLSchema;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  variables: Readonly<Record<string, unknown>> | null | undefined;
  /** Who asks: mutations are counted against their allowance. */
  principal: Principal | undefined;
}

/**
 * What needs the variables or the caller: `first` within bounds, the cost, and for a mutation the caller's
 * allowance (one token per mutation field). Resolves with the refusal, or undefined to go ahead.
 */
export async function checkOperation(
  { schema, document, operation, variables, principal }: OperationCheck,
  limits: HubLimits,
  rateLimiter: RateLimiter,
): Promise<HubError | undefined> {
  let cost: number;
  try {
    cost = operationCost(schema, document, operation, variables, { maxFirst: limits.maxFirst });
  } catch (error) {
    if (error instanceof HubError) return withStatus(error);
    throw error;
  }
  if (cost > limits.maxCost) {
    const actual = cost >= costCeiling ? undefined : cost;
    return limitError('QUERY_TOO_COSTLY', limitMessages.queryTooCostly(limits.maxCost, actual), {
      limit: limits.maxCost,
      actual,
    });
  }
  if (operation.operation !== 'mutation') return undefined;
  const mutations = rootFieldCount(operation.selectionSet, fragmentsOf(document), new Map());
  if (mutations === 0) return undefined;
  const limit = rateLimiter.perMinute;
  if (mutations > limit) {
    return limitError('RATE_LIMITED', limitMessages.tooManyMutations(limit, mutations), {
      limit,
      actual: mutations,
    });
  }
  const decision = await rateLimiter.take(callerKey(principal), mutations);
  if (decision.allowed) return undefined;
  const { retryAfterSeconds } = decision;
  return limitError(
    'RATE_LIMITED',
    limitMessages.rateLimited(limit, retryAfterSeconds),
    { limit, retryAfterSeconds },
    new HeaderMap([['retry-after', String(retryAfterSeconds)]]),
  );
}

/** The caller's bucket: by name within how they signed in (an API key and a user may share a name). */
function callerKey(principal: Principal | undefined): string {
  return principal ? `${principal.via}:${principal.name ?? ''}` : 'none:';
}

/** The resolvers' BAD_USER_INPUT for `first`, answered 400 when it refuses the whole request. */
function withStatus(error: HubError): HubError {
  const { code: _code, ...extensions } = error.extensions;
  return new HubError(error.code, error.message, {
    ...extensions,
    http: { status: httpStatusOf[error.code] },
  });
}

/**
 * The fields a mutation runs (`__typename` is none), looking into fragments at its root, each fragment
 * counted once and then reused at every spread of it.
 */
function rootFieldCount(
  set: SelectionSetNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  counted: Map<string, number>,
): number {
  let count = 0;
  for (const selection of set.selections) {
    if (selection.kind === graphql.Kind.FIELD) {
      if (selection.name.value !== '__typename') count = saturatingAdd(count, 1);
    } else if (selection.kind === graphql.Kind.INLINE_FRAGMENT) {
      count = saturatingAdd(count, rootFieldCount(selection.selectionSet, fragments, counted));
    } else {
      const name = selection.name.value;
      let fragmentCount = counted.get(name);
      const fragment = fragments.get(name);
      if (fragmentCount === undefined && fragment) {
        counted.set(name, 0); // a cycle counts nothing (validation refuses it)
        fragmentCount = rootFieldCount(fragment.selectionSet, fragments, counted);
        counted.set(name, fragmentCount);
      }
      count = saturatingAdd(count, fragmentCount ?? 0);
    }
  }
  return count;
}

/**
 * The limits for Apollo Server: the validation rules go to its `validationRules`; this plugin checks
 * `first`, the cost and the mutation allowance once the operation is known, before it executes.
 */
export function limitsPlugin<TContext extends BaseContext>({
  limits,
  rateLimiter,
  principalOf,
}: {
  limits: HubLimits;
  rateLimiter: RateLimiter;
  principalOf: (context: TContext) => Principal | undefined;
}): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request, contextValue }) {
          if (!operation) return;
          const refusal = await checkOperation(
            {
              schema,
              document,
              operation,
              variables: request.variables,
              principal: principalOf(contextValue),
            },
            limits,
            rateLimiter,
          );
          if (refusal) throw refusal;
        },
      };
    },
  };
}
