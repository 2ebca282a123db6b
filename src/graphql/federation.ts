/**
 * The hub as an Apollo Federation v2 subgraph (`HUB_FEDERATION=true`): the same SDL and resolvers as the
 * plain schema, with `@link` to the federation spec, a `@key` on each entity by its business key, and the
 * `_service { sdl }` and `_entities(representations)` fields a gateway composes and plans with.
 *
 * Keys are business keys alone, as both systems and every other subgraph know them: the Finance side of
 * an entity is always the hub's configured company (`FINANCE_COMPANY`), so no company field is part of a
 * key. A supergraph that needs several companies runs one hub (one subgraph) per company.
 *
 * `_entities` resolves every representation through the request's DataLoaders (`byKey`), so N accounts
 * cost one Sales and one Finance request, however large N is; the answer keeps the order given, with null
 * for a key neither system has and a BAD_USER_INPUT error on just the one entry whose representation is
 * wrong. Subscriptions stay on the hub's own graphql-ws endpoint: the SDL a gateway composes leaves them
 * out, since gateways need not carry them.
 */
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import * as graphql from 'graphql';
import type { DocumentNode, GraphQLSchema } from 'graphql';
import { checkedText, maxKeyLength } from './arguments.js';
import type { HubContext } from './context.js';
import { badInput } from './errors.js';
import { byKey } from './resolvers/by-key.js';
import { resolvers } from './resolvers/index.js';
import { loadTypeDefs } from './schema.js';

/** The federation spec the subgraph links to: 2.3 is what every current gateway and router composes. */
export const federationSpec = 'https://specs.apollo.dev/federation/v2.3';

/** The entities, each by the business key both systems share, and how one key resolves. */
export const entities = [
  { type: 'Account', key: 'accountNumber', resolve: byKey.account },
  { type: 'Contact', key: 'contactNumber', resolve: byKey.contact },
  { type: 'Quote', key: 'quoteNumber', resolve: byKey.quote },
  { type: 'Order', key: 'orderNumber', resolve: byKey.order },
  { type: 'Invoice', key: 'invoiceNumber', resolve: byKey.invoice },
  { type: 'Product', key: 'productNumber', resolve: byKey.product },
] as const;

type Entity = (typeof entities)[number];
const entityByType = new Map<string, Entity>(entities.map((entity) => [entity.type, entity]));
const entityList = entities.map(({ type, key }) => `${type}(${key})`).join(', ');

/** What the hub adds to its own SDL to be a subgraph. */
function federationTypeDefs(): DocumentNode {
  return graphql.parse(
    [
      `extend schema @link(url: "${federationSpec}", import: ["@key"])`,
      ...entities.map(({ type, key }) => `extend type ${type} @key(fields: "${key}")`),
    ].join('\n'),
  );
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** One representation (`{ __typename, <key> }`) as its unified record, null when neither system has it. */
async function resolveEntity(
  representation: unknown,
  index: number,
  context: HubContext,
): Promise<object | null> {
  const at = `representations[${index}]`;
  if (!isRecord(representation)) throw badInput(at, `must be an object: one of ${entityList}.`);
  const entity = entityByType.get(String(representation['__typename']));
  if (!entity) throw badInput(`${at}.__typename`, `must name one of the hub's entities: ${entityList}.`);
  const value = representation[entity.key];
  if (typeof value !== 'string' || value.length === 0) {
    throw badInput(
      `${at}.${entity.key}`,
      `must be a non-empty string: ${entity.type} is keyed by ${entity.key}.`,
    );
  }
  const model = await entity.resolve(context, checkedText(`${at}.${entity.key}`, value, maxKeyLength));
  // `_Entity` is a union: its resolveType reads the type name off the object.
  return model && { __typename: entity.type, ...model };
}

/** The SDL a gateway composes: the subgraph's own, without the Subscription type (see above). */
function composableSdl(schema: GraphQLSchema): string {
  const service = schema.getQueryType()?.getFields()['_service']?.resolve;
  const { sdl } = (service?.(null, {}, null, null as never) ?? { sdl: '' }) as { sdl: string };
  const document = graphql.parse(sdl);
  const isSubscription = (definition: graphql.DefinitionNode): boolean =>
    (definition.kind === graphql.Kind.OBJECT_TYPE_DEFINITION ||
      definition.kind === graphql.Kind.OBJECT_TYPE_EXTENSION) &&
    definition.name.value === 'Subscription';
  const definitions = document.definitions
    .filter((definition) => !isSubscription(definition))
    .map((definition) =>
      definition.kind === graphql.Kind.SCHEMA_DEFINITION
        ? {
            ...definition,
            operationTypes: definition.operationTypes.filter(({ operation }) => operation !== 'subscription'),
          }
        : definition,
    );
  return graphql.print({ ...document, definitions });
}

/** The executable subgraph schema: the hub's resolvers, `_entities` through the DataLoaders, `_service`. */
export function createSubgraphSchema(): GraphQLSchema {
  const typeDefs = graphql.concatAST([graphql.parse(loadTypeDefs().join('\n')), federationTypeDefs()]);
  const schema = buildSubgraphSchema({
    typeDefs,
    resolvers: resolvers as GraphQLResolverMap<unknown>,
  });
  const sdl = composableSdl(schema);
  const query = schema.getQueryType()!.getFields();
  query['_service']!.resolve = () => ({ sdl });
  query['_entities']!.resolve = (
    _root,
    { representations }: { representations: unknown[] },
    context: HubContext,
  ) => representations.map((representation, index) => resolveEntity(representation, index, context));
  return schema;
}
