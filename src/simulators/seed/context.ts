/** What every part of the seed generator shares: the seed, "today", the word pools and reference data. */
import type { SeedPools } from './pools.js';
import { createRandom, type SeededRandom } from './random.js';
import type { ReferenceData } from './reference-data.js';

/** Passed to every generator of one data set. */
export interface SeedContext {
  seed: number;
  /** The reference "now" in epoch milliseconds; every timestamp lies before it. */
  referenceMs: number;
  pools: SeedPools;
  reference: ReferenceData;
  /** The random stream of one concern (`'accounts'`, `'contacts'`, …). */
  random(stream: string): SeededRandom;
}

/** The shared context of one data set; random streams are derived from `seed` by name. */
export function createContext(
  seed: number,
  referenceMs: number,
  pools: SeedPools,
  reference: ReferenceData,
): SeedContext {
  return { seed, referenceMs, pools, reference, random: (stream) => createRandom(seed, stream) };
}
