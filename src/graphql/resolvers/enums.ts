/**
 * The enum resolvers: the schema's names for flows and systems (`ACCOUNTS`, `SALES`) stand for the hub's
 * own words (`accounts`, `sales`, src/vocabulary.ts). Codegen's `enumValues` (codegen.yml) gives the
 * resolvers the hub's words to take and return; these maps are how GraphQL turns one into the other on
 * the way in and out. The schema names each word in capitals, so the maps follow from the vocabulary.
 */
import type { SyncFlowNameResolvers, SyncSystemResolvers } from '../../generated/resolvers-types.js';
import { flowNames, systemNames } from '../../vocabulary.js';

/** Each word under its name in capitals: `{ ACCOUNTS: 'accounts', … }`. */
type ByCapitals<Word extends string> = { [W in Word as Uppercase<W>]: W };

function byCapitals<const Word extends string>(words: readonly Word[]): ByCapitals<Word> {
  return Object.fromEntries(words.map((word) => [word.toUpperCase(), word])) as ByCapitals<Word>;
}

// `Required`: the compiler refuses a map that leaves out a value of the schema's enum.
export const SyncFlowName = byCapitals(flowNames) satisfies Required<SyncFlowNameResolvers>;
export const SyncSystem = byCapitals(systemNames) satisfies Required<SyncSystemResolvers>;
