/**
 * Documents that cost little to send and much to expand: fragments that spread the next one twice, so a
 * kilobyte of them has a billion fields written out.
 */
import * as graphql from 'graphql';
import { defaultLimits } from '../../src/server/limits.js';

/** `{ ...G0 }`, each fragment spreading the next twice, the last one holding `leaf`: 2^(count-1) leaves. */
export function fanOut(count: number, leaf: string, root: 'query' | 'mutation' = 'query'): string {
  const type = root === 'query' ? 'Query' : 'Mutation';
  const fragments = Array.from(
    { length: count - 1 },
    (_, i) => `fragment G${i} on ${type} { ...G${i + 1} ...G${i + 1} }`,
  );
  return `${root} { ...G0 } ${fragments.join(' ')} fragment G${count - 1} on ${type} { ${leaf} }`;
}

/** Lexical tokens, as the hub counts them against its limit. */
export function tokenCount(source: string): number {
  const lexer = new graphql.Lexer(new graphql.Source(source));
  let count = 0;
  while (lexer.advance().kind !== graphql.TokenKind.EOF) count += 1;
  return count;
}

/** The most fragments a fan-out of `leaf` can have within the default token limit. */
export function largestFanOut(leaf: string, root: 'query' | 'mutation' = 'query'): number {
  let count = 2;
  while (tokenCount(fanOut(count + 1, leaf, root)) <= defaultLimits.maxTokens) count += 1;
  return count;
}
