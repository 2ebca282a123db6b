/**
 * The flow runner: reads a flow's source page by page, processes each page and commits its outcomes
 * (counters, failures, links and, on the last page, the cursor) in one transaction, so a crash resumes
 * from the last committed page. It never throws: every end is a `FlowRunResult`.
 */
import { ODataError } from '../../connectors/odata/index.js';
import type { Counters } from '../../db/runs.js';
import type { FlowRunDependencies, FlowRunnerFactory, FlowRunRequest, FlowRunResult } from './types.js';
import { failedLinks } from './failed-links.js';
import { addCounters, emptyOutcome } from './outcomes.js';
import { processPage, type PageContext } from './page.js';
import { flowPlans, type FlowPlan } from './plans.js';
import { readSource } from './read.js';
import { loadReferenceData } from './reference-data.js';

/** Records per source page unless the dependencies say otherwise. */
export const defaultPageSize = 500;

/**
 * Creates the engine's `FlowRunner` over injected connectors, run store, link store and value maps
 * (`pageSize` default 500). It runs all four flows: accounts, products, contacts and quotes.
 */
export const createFlowRunner: FlowRunnerFactory = (dependencies) => async (request) => {
  try {
    return await runFlow(dependencies, flowPlans[request.flow], request);
  } catch (error) {
    return { status: 'failed', error: describeFailure(request.flow, error) };
  }
};

async function runFlow(
  dependencies: FlowRunDependencies,
  plan: FlowPlan,
  request: FlowRunRequest,
): Promise<FlowRunResult> {
  const { connectors, runs, links, valueMaps, pageSize = defaultPageSize } = dependencies;
  const { runId, flow, mode, dryRun, onlyKeys, signal, onProgress } = request;
  if (signal.aborted) return { status: 'cancelled' };
  const notes: string[] = [];
  const cursor = plan.source.system === 'sales' && !onlyKeys ? await runs.getCursor(flow) : null;
  const reference = await loadReferenceData(connectors);
  const context: PageContext = {
    flow: plan.flow,
    reference,
    valueMaps,
    targets: plan.targets(connectors),
    runId,
    dryRun,
    link: { entity: plan.linkEntity, salesId: plan.salesId, financeCompany: connectors.finance.company },
    ...(plan.unchangedByHash && mode === 'INCREMENTAL'
      ? { storedLinks: (keys: readonly string[]) => links.findMany(plan.linkEntity, keys) }
      : {}),
    seenKeys: new Map(),
  };
  const process = plan.processPage ? plan.processPage(connectors) : processPage;
  const totals: Counters = emptyOutcome().counters;
  const estimatedTotal = onlyKeys ? onlyKeys.length : null;
  const pages = readSource({
    connectors,
    source: plan.source,
    mode,
    pageSize,
    deltaLink: cursor?.deltaLink ?? null,
    ...(onlyKeys ? { onlyKeys } : {}),
    note: (text) => notes.push(text),
  });
  for await (const page of pages) {
    const pageReference = plan.lookups ? await plan.lookups(connectors, page.rows, reference) : reference;
    const outcome = await process({ ...context, reference: pageReference }, page.rows);
    // The cursor moves only with the last page, so a crash before it re-reads the uncommitted changes.
    const advance = !dryRun && page.deltaLink !== undefined ? { cursor: { deltaLink: page.deltaLink } } : {};
    // A dry run records no links: it reports, it never records what it did not write (commitPage refuses).
    const links = dryRun
      ? []
      : [
          ...outcome.links,
          ...(await failedLinks(dependencies.links, plan.linkEntity, runId, outcome.failures)),
        ];
    await runs.commitPage({ runId, flow, ...outcome, links, ...advance });
    addCounters(totals, outcome.counters);
    onProgress({ counters: { ...totals }, estimatedTotal });
    if (signal.aborted) return { status: 'cancelled' };
  }
  if (plan.afterRead && !onlyKeys)
    notes.push(...(await plan.afterRead(connectors, new Set(context.seenKeys.keys()))));
  if (dryRun) notes.push('Dry run: nothing was written to Sales or Finance.');
  return { status: 'completed', notes };
}

const systemNames = { sales: 'Sales', finance: 'Finance' } as const;

/** A one-line reason naming the system that failed, without secrets (ODataError redacts them). */
function describeFailure(flow: string, error: unknown): string {
  if (error instanceof ODataError) {
    return `The ${flow} flow stopped: ${systemNames[error.system]} failed (${error.describe()})`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return `The ${flow} flow stopped: ${message}`;
}
