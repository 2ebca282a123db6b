/**
 * The flow runner: reads a flow's source page by page, processes each page and commits its outcomes
 * (counters, failures, links and, on the last page, the cursor) in one transaction, so a crash resumes
 * from the last committed page. It never throws: every end is a `FlowRunResult`.
 */
import { ODataError, TokenError } from '../../connectors/odata/index.js';
import { describeDatabaseFailure } from '../../db/query-failures.js';
import type { Counters, CursorAdvance } from '../../db/runs.js';
import { silentLogger } from '../../logging.js';
import { matchKey } from '../../vocabulary.js';
import type { FlowRunDependencies, FlowRunnerFactory, FlowRunRequest, FlowRunResult } from './types.js';
import { readChildren } from './children.js';
import { failedLinks } from './failed-links.js';
import { commitPageThroughOutage } from './commit.js';
import { defaultDatabaseRetry, retryThroughOutage, type DatabaseRetryOptions } from './database-retry.js';
import { addCounters, emptyOutcome } from './outcomes.js';
import { claimPage, settlePage, type PageContext } from './page.js';
import type { PageOutcome } from './outcomes.js';
import type { FlowPlan } from './plan.js';
import { estimateTotal, positionOf, readSource, type ReadRequest, type SourcePage } from './read.js';
import { loadReferenceData } from './reference-data.js';
import { traceFlowRuns, tracePage } from './tracing.js';
import { defaultPagesInFlight } from './pages-in-flight.js';

/** Records per source page unless the dependencies say otherwise. */
export const defaultPageSize = 500;

export { defaultPagesInFlight };

/**
 * Creates the engine's `FlowRunner` over injected flow plans, connectors, run store, link store and value
 * maps (`pageSize` default 500).
 */
export const createFlowRunner: FlowRunnerFactory = (dependencies) =>
  traceFlowRuns(async (request) => {
    try {
      return await runFlow(dependencies, dependencies.plans[request.flow], request);
    } catch (error) {
      return { status: 'failed', ...describeFailure(request.flow, error) };
    }
  });

async function runFlow(
  dependencies: FlowRunDependencies,
  plan: FlowPlan,
  request: FlowRunRequest,
): Promise<FlowRunResult> {
  const { connectors, runs, links, valueMaps } = dependencies;
  // A page size given to the engine (tests, `syncPageSize`) holds for every flow; else the flow's own.
  const pageSize = dependencies.pageSize ?? plan.pageSize ?? defaultPageSize;
  const pagesInFlight = Math.max(1, dependencies.pagesInFlight ?? defaultPagesInFlight);
  const { runId, flow, mode, dryRun, onlyKeys, signal, onProgress, owner } = request;
  if (signal.aborted) return { status: 'cancelled' };
  const notes: string[] = [];
  const retry = databaseRetry(dependencies, request);
  // A retry reads its keys only, so it neither resumes nor moves the flow's cursor.
  const cursor = onlyKeys ? null : await retryThroughOutage(() => runs.getCursor(flow), retry);
  // FULL re-reads everything, so only an INCREMENTAL run goes on where a cut-off read stopped, and a run
  // taken over goes on where its own read stopped.
  const ownRead = request.resume === true && cursor?.lastRunId === runId;
  const resumeAt = mode === 'INCREMENTAL' || ownRead ? positionOf(cursor?.checkpoint ?? null) : null;
  // Its own last page committed (the position cleared with it) but the flow not ended when it was taken
  // over (during the check for vanished products, say): its read is complete, and is not done again.
  const readComplete = ownRead && cursor?.checkpoint === null;
  if (resumeAt || readComplete) {
    notes.push(
      ownRead
        ? 'Went on after the last page this run committed before it was taken over: those records were not read again.'
        : `Resumed the read where ${cursor?.lastRunId ? `run ${cursor.lastRunId}` : 'an earlier run'} stopped: ` +
            'the records it committed were not read again.',
    );
  }
  // Rules read the configured settings (e.g. which account relationship types to sync) from here.
  const reference = { ...(await loadReferenceData(connectors)), settings: dependencies.flowSettings ?? {} };
  // The keys this flow run has claimed live in the run store, asked for a page (or a batch) at a time, so
  // the run's memory does not grow with the number of records it reads.
  const claimedKeys = (keys: readonly string[]) =>
    retryThroughOutage(() => runs.claimedKeys(runId, flow, keys), retry);
  const context: PageContext = {
    flow: plan.flow,
    reference,
    valueMaps,
    targets: plan.targets(connectors),
    runId,
    dryRun,
    link: { entity: plan.linkEntity, salesId: plan.salesId, financeCompany: connectors.finance.company },
    ...(plan.unchangedByHash && mode === 'INCREMENTAL'
      ? {
          storedLinks: (keys: readonly string[]) =>
            retryThroughOutage(() => links.findMany(plan.linkEntity, keys), retry),
        }
      : {}),
    claimedKeys,
  };
  const totals: Counters = emptyOutcome().counters;
  // The attempt each retried key failed at last, so that failing again records the next one.
  const attempts = new Map(onlyKeys?.map(({ recordKey, attempt }) => [matchKey(recordKey), attempt]));
  const read: ReadRequest = {
    connectors,
    source: plan.source,
    mode,
    pageSize,
    deltaLink: cursor?.deltaLink ?? null,
    resumeAt,
    ...(onlyKeys ? { onlyKeys: onlyKeys.map(({ recordKey }) => recordKey) } : {}),
    note: (text) => notes.push(text),
  };
  // Reported with every page's progress, so a dashboard's bar and ETA have a scale.
  const estimatedTotal = await estimateTotal(read);
  const pages = readComplete ? noPages() : readSource(read);
  // Whether the stored cursor holds a position inside a read that this run has not finished.
  let positionStored = resumeAt !== null;
  const movesCursor = !dryRun && !onlyKeys;
  /**
   * A page's reads from the source system: its records (from the read), their children and the page's
   * lookups. They depend on nothing earlier pages write, so the next page's go out while this one's are
   * processed and committed.
   */
  const readPage = async (page: SourcePage): Promise<ReadPage> => {
    const children = await readChildren(connectors, plan, page.rows);
    const pageReference = plan.lookups
      ? await plan.lookups(connectors, page.rows, reference, children?.flat() ?? [])
      : reference;
    return { page, children, reference: pageReference };
  };
  /**
   * Claims of pages claimed but not committed yet (`matchKey` → identity): with those of the run store,
   * what a page's records are checked against, so pages in flight see each other's claims.
   */
  const uncommitted = new Map<string, string>();
  const pageContext: PageContext = {
    ...context,
    async claimedKeys(keys) {
      const found = await claimedKeys(keys);
      for (const key of keys) {
        const holder = uncommitted.get(matchKey(key));
        if (holder !== undefined && !found.has(matchKey(key))) found.set(matchKey(key), holder);
      }
      return found;
    },
  };
  /** A page's first part, one page at a time in order: its records routed, claimed and mapped. */
  const claim = async ({ page, children, reference: pageReference }: ReadPage) => {
    const claimed = await claimPage({ ...pageContext, reference: pageReference }, page.rows, children);
    // A record a page in flight also holds (the same record read twice) must not be compared before
    // that page's write: such a page waits for the pages before it to commit.
    const overlaps = claimed.candidates.some((candidate) => uncommitted.has(matchKey(candidate.key)));
    for (const { key, claimedBy } of claimed.outcome.claims) uncommitted.set(matchKey(key), claimedBy);
    return { ...claimed, reference: pageReference, overlaps };
  };
  /** A page's outcomes, links and read position committed in one transaction. */
  const commitOutcome = async (page: SourcePage, outcome: PageOutcome): Promise<Counters> => {
    // Each page commits where the read goes on after it, so a crash resumes after the last committed
    // page; the delta link replaces the position only with the last page.
    const advance = movesCursor ? { cursor: cursorAfter(page) } : {};
    // A dry run records no links: it reports, it never records what it did not write (commitPage refuses).
    const links = dryRun
      ? []
      : [
          ...outcome.links,
          ...(await retryThroughOutage(
            () => failedLinks(dependencies.links, plan.linkEntity, runId, outcome.failures),
            retry,
          )),
        ];
    const failures = outcome.failures.map((failure) => ({
      ...failure,
      attempt: (attempts.get(matchKey(failure.recordKey)) ?? 0) + 1,
    }));
    const commit = {
      runId,
      flow,
      ...outcome,
      failures,
      links,
      ...advance,
      ...(owner !== undefined && { owner }),
    };
    await commitPageThroughOutage(runs, commit, { ...totals }, retry);
    // Committed: the run store holds the page's claims now.
    for (const { key } of outcome.claims) uncommitted.delete(matchKey(key));
    if (movesCursor) positionStored = page.resumeAt !== undefined;
    addCounters(totals, outcome.counters);
    onProgress({ counters: { ...totals }, estimatedTotal });
    return outcome.counters;
  };
  // Pipelined: the next page is read while pages are processed, and up to `pagesInFlight` pages compare
  // and write at once. A page's claims are decided one page at a time, in order, and pages commit in
  // order, each after the one before it: a page sees the claims of every page before it, and a crash
  // resumes after the last committed page exactly as without the overlap. A page written but not
  // committed when the process died is read again and found written (unchanged), as after any crash
  // between a write and its commit.
  const ahead = readAhead(pages, readPage);
  const window: Promise<Counters>[] = [];
  let lastCommit: Promise<unknown> = Promise.resolve();
  try {
    let pageNumber = 0;
    for (let next = await ahead.next(); next && !signal.aborted; next = await ahead.next()) {
      pageNumber += 1;
      // Claimed here, in read order, before the next page is; compared, written and committed in flight.
      const page = await claim(next);
      const before = lastCommit;
      const handled = tracePage(request, pageNumber, next, async (read) => {
        if (page.overlaps) await before;
        const outcome = await settlePage({ ...pageContext, reference: page.reference }, page);
        await before;
        return commitOutcome(read.page, outcome);
      });
      handled.catch(() => undefined);
      lastCommit = handled;
      window.push(handled);
      while (window.length >= pagesInFlight) await window.shift();
    }
    while (window.length > 0) await window.shift();
    if (signal.aborted) return { status: 'cancelled' };
  } finally {
    // A page that failed fails the flow, once the pages still in flight have settled (those before it
    // committed), so nothing of this flow run happens after it returns.
    await Promise.allSettled(window);
    ahead.close();
  }
  // A resumed read that found nothing more has no last page to clear the position with.
  if (movesCursor && positionStored) {
    await retryThroughOutage(
      () =>
        runs.commitPage({ runId, flow, cursor: { checkpoint: null }, ...(owner !== undefined && { owner }) }),
      retry,
    );
  }
  if (context.storedLinks && totals.read > 0) {
    // Said, because it is the cost of an INCREMENTAL run with nothing to do: Finance's entity has no
    // change feed over OData and no modified date to ask for less (see docs/sync.md).
    notes.push(
      `Finance has no change feed for ${plan.flow.source.entity} and the entity no modified date, so all ` +
        `${totals.read.toLocaleString('en-US')} records were read again and compared by their content hash; ` +
        `${totals.unchanged.toLocaleString('en-US')} were unchanged.`,
    );
  }
  if (plan.afterRead && !onlyKeys) {
    // What vanished is what a complete read did not see; a resumed read saw only its rest.
    if (resumeAt) notes.push('Records missing from the source are checked on the next complete read.');
    else {
      const wasRead = async (keys: readonly string[]) => new Set((await claimedKeys(keys)).keys());
      notes.push(...(await plan.afterRead(connectors, wasRead, { dryRun })));
    }
  }
  if (dryRun) notes.push('Dry run: nothing was written to Sales or Finance.');
  return { status: 'completed', notes };
}

/** How the flow waits for its database: the dependencies' policy, each wait logged as a warning. */
function databaseRetry(dependencies: FlowRunDependencies, request: FlowRunRequest): DatabaseRetryOptions {
  const { databaseRetry: policy = defaultDatabaseRetry, logger = silentLogger() } = dependencies;
  const { runId, flow } = request;
  return {
    policy,
    // A cancel or a shutdown stops the waiting: the page is left for the next run, as after a crash.
    signal: request.signal,
    onRetry: (error, attempt, waitMs) =>
      logger.warn(
        { runId, flow, attempt, waitMs },
        `The ${flow} flow waits for the database: ${describeDatabaseFailure(error) ?? String(error)}; ` +
          `trying again in ${waitMs} ms`,
      ),
  };
}

/** The read of a flow whose read was complete before it was taken over. */
async function* noPages(): AsyncGenerator<SourcePage> {}

/** A source page with what was read for it besides its records. */
interface ReadPage {
  page: SourcePage;
  children: (readonly object[])[] | undefined;
  reference: PageContext['reference'];
}

/**
 * The pages of `source`, each prepared by `prepare`, one page ahead: asking for a page starts reading the
 * one after it. `close` ends the read (a read ahead that is not asked for is dropped; its failure is not
 * reported, since nothing of it was used).
 */
function readAhead<T>(
  source: AsyncIterable<SourcePage>,
  prepare: (page: SourcePage) => Promise<T>,
): { next(): Promise<T | null>; close(): void } {
  const iterator = source[Symbol.asyncIterator]();
  const fetch = async (): Promise<T | null> => {
    const step = await iterator.next();
    return step.done ? null : prepare(step.value);
  };
  let pending: Promise<T | null> | null = null;
  const start = () => {
    pending = fetch();
    // Awaited by the next `next`; until then, a failure must not count as unhandled.
    pending.catch(() => undefined);
    return pending;
  };
  return {
    async next() {
      const current = await (pending ?? start());
      if (current === null) pending = Promise.resolve(null);
      else start();
      return current;
    },
    close() {
      const last = pending ?? Promise.resolve(null);
      pending = Promise.resolve(null);
      // The generator is suspended at most at one `yield`: end it once its last read is in.
      void last.finally(() => iterator.return?.(undefined)).catch(() => undefined);
    },
  };
}

/** The cursor after a committed page: the position to go on from, or (last page) none and the delta link. */
function cursorAfter(page: SourcePage): CursorAdvance {
  if (page.resumeAt) return { checkpoint: page.resumeAt };
  return { checkpoint: null, ...(page.deltaLink !== undefined && { deltaLink: page.deltaLink }) };
}

/**
 * Why the flow stopped: a sentence for every reader of the run, and the whole story for operators. A
 * system's failure reads as its summary (system, operation, outcome, code); its request and message,
 * which may name records, are the detail. A failure of the hub's own (a bug) is not described to readers.
 */
function describeFailure(flow: string, error: unknown): { error: string; detail?: string } {
  if (error instanceof ODataError)
    return { error: `The ${flow} flow stopped: ${error.summary()}`, detail: error.describe() };
  if (error instanceof TokenError)
    return {
      error: `The ${flow} flow stopped: the token authority did not issue a token (${error.code}).`,
      detail: error.message,
    };
  const database = describeDatabaseFailure(error);
  if (database !== null) return { error: `The ${flow} flow stopped: ${database}` };
  return {
    error: `The ${flow} flow stopped: the hub failed unexpectedly; its log has the error.`,
    detail: error instanceof Error ? (error.stack ?? error.message) : String(error),
  };
}
