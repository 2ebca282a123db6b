/**
 * What an operation may cost before it runs: an upper bound of the objects it can return. Every field of
 * an object type (or interface or union) counts 1 for each time it can occur, that is, times the `first`
 * of every list around it; scalar fields count nothing. `first` comes from the operation (a literal or a
 * variable's value) or else from the schema's default (`first: Int = 50`), so a nested list nobody sized
 * still multiplies by 50. A federation gateway's `_entities` counts 1 for each representation it sends,
 * plus what is asked under it. Lists without `first` (a quote's or an order's lines, an order's invoices, the flows) do not multiply: their
 * size is the data's, not the caller's. Introspection (`__schema`, `__type`) costs nothing.
 *
 * For example, `accounts(first: 5) { nodes { sync { state } } pageInfo { hasNextPage } }` costs
 * 1 (accounts) + 5 (nodes) + 5 (sync) + 5 (pageInfo) = 16.
 *
 * The same walk refuses a `first` outside 1 to `maxFirst` with the resolvers' own BAD_USER_INPUT
 * (`pageSize`), before any back end is asked. It runs on a validated document.
 */
import * as graphql from 'graphql';
import type {
  DocumentNode,
  FieldNode,
  GraphQLField,
  GraphQLNamedType,
  GraphQLSchema,
  OperationDefinitionNode,
  SelectionNode,
  SelectionSetNode,
  ValueNode,
} from 'graphql';
import { pageSize } from './cursors.js';
import { maxPageSize } from './page-size.js';
import { fragmentsOf, saturatingAdd, shapeCeiling } from './operation-shape.js';

/** The highest cost reported: an operation at the ceiling may return this many objects or more. */
export const costCeiling = shapeCeiling;

export interface CostOptions {
  /** The largest `first` accepted; default 500 (`maxPageSize`, the resolvers' own ceiling). */
  maxFirst?: number;
  /** Called once for every selection visited: what a test counts to bound the work. */
  onVisit?: (selection: SelectionNode) => void;
}

/**
 * The cost of `operation` (see above) with these variable values (as sent: `first` is read when it is an
 * integer, otherwise the variable's or the schema's default is used and coercion reports the rest).
 * Throws BAD_USER_INPUT for a `first` below 1 or above `maxFirst`. At most `costCeiling`; one visit of each
 * selection in the document, whatever its fragments.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>> | null | undefined,
  { maxFirst = maxPageSize, onVisit }: CostOptions = {},
): number {
  const fragments = fragmentsOf(document);
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

  /**
   * How many entities a federation gateway's `_entities(representations: …)` asks for (a literal list or
   * a variable's value, as gateways send it); undefined for any other field.
   */
  const representationsOf = (node: FieldNode, field: GraphQLField<unknown, unknown>): number | undefined => {
    if (field.name !== '_entities') return undefined;
    const argument = node.arguments?.find((arg) => arg.name.value === 'representations');
    if (!argument) return undefined;
    if (argument.value.kind === graphql.Kind.LIST) return argument.value.values.length;
    if (argument.value.kind !== graphql.Kind.VARIABLE) return undefined;
    const given = variables?.[argument.value.name.value];
    return Array.isArray(given) ? given.length : undefined;
  };

  // The cost of a selection set is proportional to the multiplier around it (every term is), so each
  // selection set is costed once at multiplier 1 and scaled: a fragment's cost is kept and reused at
  // every spread of it. A fragment spread twice in each of 30 fragments is costed in 60 visits, not 2^30.
  const fragmentCosts = new Map<string, number | 'costing'>();

  const fragmentCost = (name: string, type: GraphQLNamedType): number => {
    const fragment = fragments.get(name);
    if (!fragment) return 0;
    const condition = schema.getType(fragment.typeCondition.name.value) ?? type;
    const key = `${name} on ${condition.name}`;
    const known = fragmentCosts.get(key);
    // Validation refuses fragment cycles; this only keeps an unvalidated document finite.
    if (known === 'costing') return 0;
    if (known !== undefined) return known;
    fragmentCosts.set(key, 'costing');
    const cost = setCost(fragment.selectionSet, condition);
    fragmentCosts.set(key, cost);
    return cost;
  };

  const setCost = (set: SelectionSetNode, type: GraphQLNamedType): number => {
    let cost = 0;
    for (const selection of set.selections) {
      onVisit?.(selection);
      if (selection.kind === graphql.Kind.FIELD) {
        if (selection.name.value.startsWith('__')) continue; // __typename, introspection
        if (!graphql.isObjectType(type) && !graphql.isInterfaceType(type)) continue;
        const field = type.getFields()[selection.name.value];
        if (!field) continue;
        const named = graphql.getNamedType(field.type);
        const entities = representationsOf(selection, field);
        if (!graphql.isCompositeType(named) || !selection.selectionSet) continue;
        if (entities !== undefined) {
          // Each entity counts itself, as a connection's node does, and what is asked under it.
          const inner = saturatingAdd(1, setCost(selection.selectionSet, named));
          cost = saturatingAdd(cost, saturatingAdd(1, Math.min(entities * inner, costCeiling)));
          continue;
        }
        const first = firstOf(selection, field);
        const inner = setCost(selection.selectionSet, named);
        cost = saturatingAdd(cost, saturatingAdd(1, Math.min((first ?? 1) * inner, costCeiling)));
      } else if (selection.kind === graphql.Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition && schema.getType(selection.typeCondition.name.value);
        cost = saturatingAdd(cost, setCost(selection.selectionSet, condition ?? type));
      } else {
        cost = saturatingAdd(cost, fragmentCost(selection.name.value, type));
      }
    }
    return cost;
  };

  const root = schema.getRootType(operation.operation);
  return root ? setCost(operation.selectionSet, root) : 0;
}

/** An integer literal's value; null for `null`; undefined for anything else (a variable, a string). */
function literal(value: ValueNode | undefined): number | null | undefined {
  if (value?.kind === graphql.Kind.INT) return Number(value.value);
  if (value?.kind === graphql.Kind.NULL) return null;
  return undefined;
}
