/**
 * The enum resolvers: the schema's names for flows and systems (`ACCOUNTS`, `SALES`) stand for the hub's
 * own words (`accounts`, `sales`, src/vocabulary.ts). Codegen's `enumValues` (codegen.yml) gives the
 * resolvers the hub's words to take and return; these maps are how GraphQL turns one into the other on
 * the way in and out. The schema names each word in capitals, so the maps follow from the vocabulary.
 */
import type { SyncFlowNameResolvers, SyncSystemResolvers } from '../../generated/resolvers-types.js';
import { flowNames, systemNames } from '../../vocabulary.js';

/** A camel-case word in capitals, an underscore before each inner capital: `orderStatus` → `ORDER_STATUS`. */
type Capitals<W extends string> = W extends `${infer Head}${infer Tail}`
  ? `${Head extends Lowercase<Head> ? Uppercase<Head> : `_${Head}`}${Capitals<Tail>}`
  : W;

/** Each word under its name in capitals: `{ ACCOUNTS: 'accounts', ORDER_STATUS: 'orderStatus', … }`. */
type ByCapitals<Word extends string> = { [W in Word as Capitals<W>]: W };

const capitals = (word: string): string => word.replace(/[A-Z]/g, (letter) => `_${letter}`).toUpperCase();

function byCapitals<const Word extends string>(words: readonly Word[]): ByCapitals<Word> {
  return Object.fromEntries(words.map((word) => [capitals(word), word])) as ByCapitals<Word>;
}

// `Required`: the compiler refuses a map that leaves out a value of the schema's enum.
export const SyncFlowName = byCapitals(flowNames) satisfies Required<SyncFlowNameResolvers>;
export const SyncSystem = byCapitals(systemNames) satisfies Required<SyncSystemResolvers>;
