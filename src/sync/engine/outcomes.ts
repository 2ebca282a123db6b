/**
 * What one page of a flow run produced: counter increments, skip counts by reason, failures, links and
 * key claims, in the shapes `RunStore.commitPage` takes, plus the content hash that tells an unchanged
 * record without a target read.
 */
import { createHash } from 'node:crypto';
import type { Counters, FailureInput, KeyClaim } from '../../db/runs.js';
import type { LinkInput } from '../../db/links.js';

/** Why a record failed, as stored with the failure (`code`). */
export type FailureCode = 'MISSING_DEPENDENCY' | 'MAPPING_FAILED' | 'DUPLICATE_KEY' | 'WRITE_FAILED';

/** One page's outcomes, ready for `commitPage`. */
export interface PageOutcome {
  counters: Counters;
  /** Skipped records by the reason of the rule that skipped them; counted with `skip`, never directly. */
  skips: Map<string, number>;
  failures: FailureInput[];
  links: LinkInput[];
  /** The business keys the page's records claimed that no earlier page of the run had. */
  claims: KeyClaim[];
}

/** A page outcome with every counter at zero. */
export function emptyOutcome(): PageOutcome {
  return {
    counters: { read: 0, created: 0, updated: 0, unchanged: 0, skipped: 0, failed: 0 },
    skips: new Map(),
    failures: [],
    links: [],
    claims: [],
  };
}

/**
 * Counts one skipped record under `reason`. The only way a page counts a skip, so the counts by reason
 * always add up to `skipped` (commitPage refuses a page where they do not).
 */
export function skip(outcome: PageOutcome, reason: string): void {
  outcome.counters.skipped += 1;
  outcome.skips.set(reason, (outcome.skips.get(reason) ?? 0) + 1);
}

/** Adds `increments` to `total` in place. */
export function addCounters(total: Counters, increments: Counters): void {
  for (const name of Object.keys(total) as (keyof Counters)[]) total[name] += increments[name];
}

/**
 * A hash of mapped target values that does not depend on key order, so the same values always hash the
 * same whatever order the mapping produced them in.
 */
export function contentHash(values: Record<string, unknown>): string {
  const sorted = Object.keys(values)
    .sort()
    .map((name) => [name, values[name] ?? null]);
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex');
}
