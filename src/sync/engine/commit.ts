/**
 * A page's commit through an outage of the hub's database. The commit is one transaction, so it landed
 * whole or not at all; but when the connection fails around COMMIT the hub cannot tell which, and a page
 * committed twice would count its records twice. So before each new attempt the flow's counters are read
 * back: still at what the flow had committed before this page, the page did not land and is committed
 * again; already past it by the page's increments, it landed and is not.
 */
import { counterNames } from '../../db/schema.js';
import type { Counters, PageCommit, RunStore } from '../../db/runs.js';
import { retryThroughOutage, type DatabaseRetryOptions } from './database-retry.js';

/**
 * Commits `page`, retrying through outages (see above). `before` is what the flow had committed before
 * this page (the sum of its earlier pages' counters); the page's counters are given in full (no
 * `failed` left to default to its failures). Resolves with the flow's counters after the page.
 */
export async function commitPageThroughOutage(
  runs: Pick<RunStore, 'commitPage' | 'getRun'>,
  page: PageCommit,
  before: Counters,
  options: DatabaseRetryOptions = {},
): Promise<Counters> {
  const after = sum(before, page.counters ?? {});
  return retryThroughOutage(async (attempt) => {
    if (attempt > 1 && !isEmpty(page.counters ?? {})) {
      const stored = await storedCounters(runs, page);
      if (equal(stored, after)) return stored;
      if (!equal(stored, before)) {
        throw new Error(
          `The ${page.flow} flow's counters changed while the database was away (expected ` +
            `${JSON.stringify(before)} or ${JSON.stringify(after)}, found ${JSON.stringify(stored)}); ` +
            'the page is not committed again',
        );
      }
    }
    return runs.commitPage(page);
  }, options);
}

async function storedCounters(runs: Pick<RunStore, 'getRun'>, page: PageCommit): Promise<Counters> {
  const run = await runs.getRun(page.runId);
  const flow = run?.flows.find((candidate) => candidate.flow === page.flow);
  if (!flow) throw new Error(`The ${page.flow} flow of run ${page.runId} is no longer in the run store`);
  return flow.counters;
}

function sum(before: Counters, increments: Partial<Counters>): Counters {
  return Object.fromEntries(
    counterNames.map((name) => [name, before[name] + (increments[name] ?? 0)]),
  ) as Counters;
}

function isEmpty(increments: Partial<Counters>): boolean {
  return counterNames.every((name) => (increments[name] ?? 0) === 0);
}

function equal(a: Counters, b: Counters): boolean {
  return counterNames.every((name) => a[name] === b[name]);
}
