/**
 * The cost model: every object field counts once for each time it can occur, that is, times the `first`
 * of every list around it (the operation's value, else the schema's default), and `first` beyond the
 * maximum is refused with the resolvers' own message before anything runs.
 */
import * as graphql from 'graphql';
import { describe, expect, it } from 'vitest';
import { operationCost } from '../../src/graphql/cost.js';
import { HubError } from '../../src/graphql/errors.js';
import { createSchema } from '../../src/graphql/schema.js';

const schema = createSchema();

function cost(query: string, variables?: Record<string, unknown>, maxFirst?: number): number {
  const document = graphql.parse(query);
  expect(graphql.validate(schema, document)).toEqual([]);
  const operation = graphql.getOperationAST(document)!;
  return operationCost(schema, document, operation, variables, maxFirst ? { maxFirst } : {});
}

describe('cost', () => {
  it.each([
    ['scalars cost nothing', '{ syncFlows { name } }', 1],
    ['one object', '{ account(accountNumber: "A") { name } }', 1],
    ['nested objects', '{ account(accountNumber: "A") { finance { CustomerAccount } sync { state } } }', 3],
    [
      'a listing multiplies its children by `first`, pageInfo included',
      '{ accounts(first: 5) { nodes { sync { state } } pageInfo { hasNextPage } } }',
      1 + 5 + 5 + 5,
    ],
    [
      'an unsized list multiplies by its schema default (contacts: 50)',
      '{ account(accountNumber: "A") { contacts { account { name } } } }',
      1 + 1 + 50,
    ],
    [
      'nested lists multiply',
      '{ accounts(first: 10) { nodes { quotes(first: 3) { lines { product { name } } } } } }',
      1 + 10 + 10 + 30 + 30,
    ],
    [
      'lists without `first` do not multiply (a quote’s lines)',
      '{ quote(quoteNumber: "Q") { lines { product { name } } } }',
      3,
    ],
    ['an explicit null is the default', '{ accounts(first: null) { nodes { name } } }', 1 + 50],
    ['__typename costs nothing', '{ account(accountNumber: "A") { __typename name } }', 1],
    ['introspection costs nothing', '{ __schema { types { name fields { name } } } }', 0],
    [
      'fragments count where they are spread',
      '{ accounts(first: 4) { nodes { ...A } } } fragment A on Account { sync { state } finance { dataAreaId } }',
      1 + 4 + 4 + 4,
    ],
    [
      'both arms of a union count (an upper bound)',
      '{ contact(contactNumber: "C") { finance { ... on FinanceContactPerson { dataAreaId } ... on FinanceCustomer { dataAreaId } } } }',
      2,
    ],
  ])('%s', (_name, query, expected) => {
    expect(cost(query)).toBe(expected);
  });

  it('reads `first` from variables, then from the variable’s default, then from the schema', () => {
    const query = 'query($n: Int = 7) { accounts(first: $n) { nodes { name } } }';
    expect(cost(query, { n: 3 })).toBe(1 + 3);
    expect(cost(query, {})).toBe(1 + 7);
    expect(cost('query($n: Int) { accounts(first: $n) { nodes { name } } }', {})).toBe(1 + 50);
    // Not an integer: coercion refuses it later; the cost uses the schema's default meanwhile.
    expect(cost('query($n: Int) { accounts(first: $n) { nodes { name } } }', { n: 'ten' })).toBe(1 + 50);
  });

  it.each([
    ['{ accounts(first: 501) { nodes { name } } }', undefined, 500, 501],
    ['{ accounts(first: 0) { nodes { name } } }', undefined, 500, 0],
    [
      'query($n: Int) { account(accountNumber: "A") { contacts(first: $n) { fullName } } }',
      { n: 1000 },
      500,
      1000,
    ],
    ['{ syncRuns(first: 101) { nodes { id } } }', undefined, 100, 101],
  ])(
    'refuses %s with the resolvers’ BAD_USER_INPUT',
    (query: string, variables: Record<string, unknown> | undefined, maxFirst: number, given: number) => {
      let refusal: unknown;
      try {
        cost(query, variables, maxFirst);
      } catch (error) {
        refusal = error;
      }
      expect(refusal).toBeInstanceOf(HubError);
      expect(refusal).toMatchObject({
        message: `Invalid argument "first": must be between 1 and ${maxFirst}, got ${given}.`,
        extensions: { code: 'BAD_USER_INPUT', argument: 'first' },
      });
    },
  );
});
