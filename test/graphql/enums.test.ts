/**
 * Flows and systems keep one spelling each: the schema's enums name the hub's own words in capitals
 * (`ACCOUNTS` for `accounts`, `SALES` for `sales`), clients send and read those names, and resolvers take
 * and return the words of src/vocabulary.ts, the enum resolvers mapping one onto the other.
 */
import { isEnumType, type GraphQLSchema } from 'graphql';
import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import type {
  ResolversTypes,
  SyncFlowNameResolvers,
  SyncSystemResolvers,
} from '../../src/generated/resolvers-types.js';
import { createSchema } from '../../src/graphql/schema.js';
import { flowNames, systemNames, type FlowName, type SystemName } from '../../src/vocabulary.js';

let schema: GraphQLSchema;

beforeAll(() => {
  schema = createSchema();
});

/** An enum of the executable schema as `[name on the wire, value the resolvers see]`. */
function enumValues(name: string): [string, unknown][] {
  const type = schema.getType(name);
  if (!isEnumType(type)) throw new Error(`${name} is not an enum of the schema`);
  return type.getValues().map((value) => [value.name, value.value]);
}

describe.each([
  ['SyncFlowName', flowNames],
  ['SyncSystem', systemNames],
] as const)('the %s enum', (name, words) => {
  it('stands for the words of the vocabulary, each under its name in capitals', () => {
    const capitals = (word: string) => word.replace(/[A-Z]/g, (letter) => `_${letter}`).toUpperCase();
    expect(enumValues(name)).toEqual(words.map((word) => [capitals(word), word]));
  });
});

it("gives the resolvers the vocabulary's words, and the enum resolvers a name for each", () => {
  expectTypeOf<ResolversTypes['SyncFlowName']>().toEqualTypeOf<FlowName>();
  expectTypeOf<ResolversTypes['SyncSystem']>().toEqualTypeOf<SystemName>();
  expectTypeOf<keyof SyncFlowNameResolvers>().toEqualTypeOf<
    'ACCOUNTS' | 'CONTACTS' | 'PRODUCTS' | 'QUOTES' | 'ORDERS' | 'ORDER_STATUS' | 'INVOICES'
  >();
  expectTypeOf<keyof SyncSystemResolvers>().toEqualTypeOf<Uppercase<SystemName>>();
});
