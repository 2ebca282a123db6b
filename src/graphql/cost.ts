/**
 * What an operation may cost before it runs: an upper bound of the objects it can return. Every field of
 * an object type (or interface or union) counts 1 for each time it can occur, that is, times the `first`
 * of every list around it; scalar fields count nothing. `first` comes from the operation (a literal or a
 * variable's value) or else from the schema's default (`first: Int = 50`), so a nested list nobody sized
 * still multiplies by 50. Lists without `first` (a quote's lines, the four flows) do not multiply: their
 * size is the data's, not the caller's. Introspection (`__schema`, `__type`) costs nothing.
 *
 * For example, `accounts(first: 5) { nodes { sync { state } } pageInfo { hasNextPage } }` costs
 * 1 (accounts) + 5 (nodes) + 5 (sync) + 5 (pageInfo) = 16.
 *
 * The same walk refuses a `first` outside 1 to `maxFirst` with the resolvers' own BAD_USER_INPUT
 * (`pageSize`), before any back end is asked. It runs on a validated document.
 */
import type * as GraphQL from 'graphql';
import type {
  DocumentNode,
  FieldNode,
  GraphQLField,
  GraphQLNamedType,
  GraphQLSchema,
  OperationDefinitionNode,
  SelectionSetNode,
  ValueNode,
} from 'graphql';
import { createRequire } from 'node:module';
import { maxPageSize, pageSize } from './cursors.js';

// The schema's own graphql instance (CommonJS, see src/server/websocket.ts): `isCompositeType` and
// friends check classes, and a test runner may load this file's `import 'graphql'` as the ESM build.
const graphql = createRequire(import.meta.url)('graphql') as typeof GraphQL;

export interface CostOptions {
  /** The largest `first` accepted; default 500 (`maxPageSize`, the resolvers' own ceiling). */
  maxFirst?: number;
}

/**
 * The cost of `operation` (see above) with these variable values (as sent: `first` is read when it is an
 * integer, otherwise the variable's or the schema's default is used and coercion reports the rest).
 * Throws BAD_USER_INPUT for a `first` below 1 or above `maxFirst`.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>> | null | undefined,
  { maxFirst = maxPageSize }: CostOptions = {},
): number {
  const fragments = new Map(
    document.definitions
      .filter((definition) => definition.kind === graphql.Kind.FRAGMENT_DEFINITION)
      .map((fragment) => [fragment.name.value, fragment]),
  );
  const variableDefaults = new Map(
    (operation.variableDefinitions ?? []).map((definition) => [
      definition.variable.name.value,
      definition.defaultValue,
    ]),
  );

  /** `first` as the resolver will see it; undefined when unknown until coercion (which will refuse it). */
  const firstOf = (node: FieldNode, field: GraphQLField<unknown, unknown>): number | undefined => {
    const definition = field.args.find((arg) => arg.name === 'first');
    if (!definition) return undefined;
    const fallback = typeof definition.defaultValue === 'number' ? definition.defaultValue : undefined;
    const argument = node.arguments?.find((arg) => arg.name.value === 'first');
    if (!argument) return fallback;
    let given: unknown = literal(argument.value);
    if (argument.value.kind === graphql.Kind.VARIABLE) {
      const name = argument.value.name.value;
      given =
        variables && name in variables ? variables[name] : literal(variableDefaults.get(name) ?? undefined);
    }
    if (given === null || given === undefined) return fallback;
    if (!Number.isInteger(given)) return fallback;
    return pageSize(given as number, maxFirst);
  };

  const walk = (
    set: SelectionSetNode,
    type: GraphQLNamedType,
    multiplier: number,
    seen: string[],
  ): number => {
    let cost = 0;
    for (const selection of set.selections) {
      if (selection.kind === graphql.Kind.FIELD) {
        if (selection.name.value.startsWith('__')) continue; // __typename, introspection
        if (!graphql.isObjectType(type) && !graphql.isInterfaceType(type)) continue;
        const field = type.getFields()[selection.name.value];
        if (!field) continue;
        const named = graphql.getNamedType(field.type);
        const first = firstOf(selection, field);
        if (!graphql.isCompositeType(named) || !selection.selectionSet) continue;
        const inner = multiplier * (first ?? 1);
        cost += multiplier + walk(selection.selectionSet, named, inner, seen);
      } else if (selection.kind === graphql.Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition && schema.getType(selection.typeCondition.name.value);
        cost += walk(selection.selectionSet, condition ?? type, multiplier, seen);
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        // Validation refuses fragment cycles; the guard only keeps an unvalidated document finite.
        if (!fragment || seen.includes(name)) continue;
        const condition = schema.getType(fragment.typeCondition.name.value) ?? type;
        cost += walk(fragment.selectionSet, condition, multiplier, [...seen, name]);
      }
    }
    return cost;
  };

  const root = schema.getRootType(operation.operation);
  return root ? walk(operation.selectionSet, root, 1, []) : 0;
}

/** An integer literal's value; null for `null`; undefined for anything else (a variable, a string). */
function literal(value: ValueNode | undefined): number | null | undefined {
  if (value?.kind === graphql.Kind.INT) return Number(value.value);
  if (value?.kind === graphql.Kind.NULL) return null;
  return undefined;
}
