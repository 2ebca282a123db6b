/**
 * One page of a flow run, from source records to outcomes: each record is routed (skipped, counted under
 * its rule's reason, or mapped), claims its business key for the run (failing when another record of the
 * run holds it; the run store keeps the claims, so a page holds only its own), is mapped with the
 * reference data (a mapping error fails the record with its message), compared with the current target
 * row (read in one batched request for the page) and then left alone (unchanged), created or updated; a
 * write the target is known to refuse (its `check`, such as a new product whose currency no price list
 * has) fails without being sent. A dry run decides every outcome and writes nothing.
 *
 * A flow that declares children (a quote's lines) decides each record with its children as a whole: one
 * ineligible child skips the record, one unmappable child fails it, and its target adapter writes record
 * and children together (change-set.ts), so the target never holds half of one.
 */
import type { LinkInput } from '../../db/links.js';
import type { LinkEntity, LinkRow } from '../../db/schema.js';
import { matchKey } from '../../vocabulary.js';
import type { FlowDefinition, MappingName, TargetMapping } from '../flows/types.js';
import type { ValueMaps } from '../flows/value-maps.js';
import { applyMapping, findMapping, MappingError } from '../mapping.js';
import type { ReferenceData } from '../reference.js';
import { routeRecord } from '../routing.js';
import { readField } from '../transforms.js';
import { contentHash, emptyOutcome, skip, type FailureCode, type PageOutcome } from './outcomes.js';
import {
  holdsMapped,
  type Comparison,
  type MappedChild,
  type TargetAdapter,
  type TargetWrite,
  type TargetWriteResult,
} from './write.js';

/** Everything a page needs that stays the same for the whole flow run. */
export interface PageContext {
  flow: FlowDefinition;
  reference: ReferenceData;
  valueMaps: ValueMaps;
  /** The target adapter of each mapping the flow routes to. */
  targets: Partial<Record<MappingName, TargetAdapter>>;
  runId: string;
  dryRun: boolean;
  link: {
    entity: LinkEntity;
    /** The Sales row id of a source record or of the current target row, when either holds it. */
    salesId: (source: object, current: object | undefined) => string | null;
    financeCompany: string;
  };
  /**
   * The stored links by `matchKey(key)`, for sources without a change feed: a record whose mapped values
   * hash the same as at its last sync is unchanged without reading the target. Absent: always compare.
   */
  storedLinks?: (keys: readonly string[]) => Promise<Map<string, LinkRow>>;
  /**
   * Which of `keys` earlier pages of this flow run claimed (`matchKey` → the identity of the source record
   * holding it; the run store's `claimedKeys`): a key used by two records is a per-record error, never a
   * merge; the same record read twice is simply processed again. Asked once per page for the page's keys,
   * so the engine holds one page's keys, never every key the run has read.
   */
  claimedKeys: (keys: readonly string[]) => Promise<Map<string, string>>;
}

/** A record a route took: its mapping, business key and identity, not yet claimed or mapped. */
interface Routed {
  source: object;
  children: readonly object[];
  mapping: TargetMapping;
  key: string;
  identity: string;
}

export interface Candidate {
  source: object;
  key: string;
  mapping: TargetMapping;
  values: Record<string, unknown>;
  children?: readonly MappedChild[];
  hash: string;
  /**
   * Why the record cannot be created, when only fields applied `onCreate` fail to map, of the record or of
   * a child (an order whose ship-to country Sales does not know): the record is updated without them if
   * the target has it, and fails with this if it does not.
   */
  createFailure?: { message: string; code: FailureCode };
}

/**
 * Processes one page of source records and returns its outcomes (not yet committed). `children` holds each
 * record's children, in order, for a flow that declares them.
 */
export async function processPage(
  context: PageContext,
  rows: readonly object[],
  children?: readonly (readonly object[])[],
): Promise<PageOutcome> {
  return settlePage(context, await claimPage(context, rows, children));
}

/** A page whose records are routed, claimed and mapped: what is left is comparing and writing them. */
export interface ClaimedPage {
  /** The outcomes so far: skips, failures, and the page's new claims. */
  outcome: PageOutcome;
  candidates: readonly Candidate[];
}

/**
 * The first part of a page, which must see every earlier page's claims and so runs one page at a time, in
 * order: routes each record (skips counted), claims its key, maps it (failures counted).
 */
export async function claimPage(
  context: PageContext,
  rows: readonly object[],
  children?: readonly (readonly object[])[],
): Promise<ClaimedPage> {
  const outcome = emptyOutcome();
  outcome.counters.read = rows.length;
  const fail = failWith(outcome);
  const routed: Routed[] = [];
  rows.forEach((source, index) => {
    const record = route(context, source, children?.[index] ?? [], outcome);
    if (record) routed.push(record);
  });
  if (routed.length === 0) return { outcome, candidates: [] };

  // What earlier pages claimed, for this page's keys only; this page's own claims join it as it goes.
  const claimed = await context.claimedKeys(routed.map((record) => record.key));
  const candidates: Candidate[] = [];
  for (const record of routed) {
    if (!claimKey(claimed, outcome, record)) {
      fail(
        record.key,
        `The business key '${record.key}' is used by more than one ${context.flow.source.entity} record`,
        'DUPLICATE_KEY',
      );
      continue;
    }
    const candidate = prepare(context, record, fail);
    if (candidate) candidates.push(candidate);
  }
  return { outcome, candidates };
}

/**
 * The second part of a page, which pages may run side by side: compares the claimed records with the
 * target (unchanged ones by hash first, where the flow allows) and writes those that differ.
 */
export async function settlePage(
  context: PageContext,
  { outcome, candidates }: ClaimedPage,
): Promise<PageOutcome> {
  if (candidates.length === 0) return outcome;
  const fail = failWith(outcome);
  const keys = candidates.map((c) => c.key);
  const stored = context.storedLinks ? await context.storedLinks(keys) : new Map<string, LinkRow>();
  const toCompare = candidates.filter((c) => {
    const link = stored.get(matchKey(c.key));
    if (!link || link.contentHash !== c.hash) return true;
    outcome.counters.unchanged += 1;
    outcome.links.push(linkFor(context, c, undefined, link.salesId));
    return false;
  });
  if (toCompare.length === 0) return outcome;

  for (const mapping of new Set(toCompare.map((c) => c.mapping.name))) {
    const target = context.targets[mapping];
    if (!target) throw new Error(`The ${context.flow.name} flow has no target for mapping ${mapping}`);
    const group = toCompare.filter((c) => c.mapping.name === mapping);
    await settle(context, mapping, target, group, outcome, fail);
  }
  return outcome;
}

/** Counts a record failure on `outcome`. */
const failWith =
  (outcome: PageOutcome) =>
  (recordKey: string, message: string, code: FailureCode): void => {
    outcome.counters.failed += 1;
    outcome.failures.push({ recordKey, message, code });
  };

/**
 * Compares candidates of one mapping with their current target rows (one batched read) and writes the
 * ones that differ, counting each outcome.
 */
async function settle(
  context: PageContext,
  mapping: MappingName,
  target: TargetAdapter,
  candidates: readonly Candidate[],
  outcome: PageOutcome,
  fail: (key: string, message: string, code: FailureCode) => void,
): Promise<void> {
  const current = await target.readCurrent(candidates.map((c) => c.key));
  const comparison: Comparison = {
    flow: context.flow,
    mapping,
    reference: context.reference,
    valueMaps: context.valueMaps,
  };
  const holds = (record: TargetWrite & { existing: object }) =>
    target.holds ? target.holds(record, comparison) : holdsMapped(record.source, record.existing, comparison);
  const writes: { candidate: Candidate; existing: object | undefined; write: TargetWrite }[] = [];
  for (const candidate of candidates) {
    const existing = current.get(matchKey(candidate.key));
    if (!existing && candidate.createFailure) {
      fail(candidate.key, candidate.createFailure.message, candidate.createFailure.code);
      continue;
    }
    const { key, source, values: allValues, children } = candidate;
    const record = { key, source, values: allValues, ...(children && { children }) };
    if (existing && holds({ ...record, existing })) {
      outcome.counters.unchanged += 1;
      outcome.links.push(linkFor(context, candidate, existing));
      continue;
    }
    // An update leaves the onCreate defaults (customer group, language) to the target, which owns them.
    const values = existing ? mapped(context, candidate.mapping.name, source, 'always') : allValues;
    writes.push({ candidate, existing, write: { ...record, values, ...(existing && { existing }) } });
  }
  if (writes.length === 0) return;

  const records = writes.map((w) => w.write);
  const refusals = target.check ? await target.check(records, context.reference) : [];
  const accepted = writes.filter(({ candidate }, index) => {
    const refusal = refusals[index];
    if (refusal) fail(candidate.key, refusal, 'MISSING_DEPENDENCY');
    return !refusal;
  });
  if (accepted.length === 0) return;

  const results: TargetWriteResult[] = context.dryRun
    ? accepted.map(({ existing }) => ({ outcome: existing ? 'updated' : 'created' }))
    : await target.write(
        accepted.map((w) => w.write),
        comparison,
      );
  results.forEach((result, index) => {
    const { candidate, existing } = accepted[index]!;
    if (result.outcome === 'failed') {
      fail(candidate.key, result.message ?? 'The target refused the write', 'WRITE_FAILED');
      return;
    }
    outcome.counters[result.outcome] += 1;
    outcome.links.push(linkFor(context, candidate, existing, result.id ?? null));
  });
}

/**
 * Routes one record with its children; null when it was skipped (counted in `outcome`). A record skipped
 * for one of its children counts under that rule's reason, whichever child it was.
 */
function route(
  context: PageContext,
  source: object,
  children: readonly object[],
  outcome: PageOutcome,
): Routed | null {
  const decision = routeRecord(context.flow, source, context.reference, children);
  if (decision.action === 'skip') {
    skip(outcome, decision.rule);
    return null;
  }
  const { mapping } = decision;
  const key = String(readField(source, mapping.key.source));
  return { source, children, mapping, key, identity: identityOf(context, source, key) };
}

/**
 * Maps one routed record with its children; null when it failed (counted through `fail`). The record and
 * each child whose only failing fields are applied `onCreate` are mapped without them, the failures kept
 * for a create (`createFailure` on the candidate and on the child).
 */
function prepare(
  context: PageContext,
  { source, children, mapping, key }: Routed,
  fail: (key: string, message: string, code: FailureCode) => void,
): Candidate | null {
  const { flow } = context;
  try {
    const header = mappedOrForUpdate(context, mapping.name, source);
    const failures = header.failure ? [header.failure] : [];
    const childRecords = flow.children;
    const mappedChildren = childRecords
      ? children.map((child): MappedChild => {
          const { values, failure } = mappedOrForUpdate(context, childRecords.mapping, child);
          if (failure) failures.push(failure);
          const parent =
            childRecords.parent.target === undefined ? {} : { [childRecords.parent.target]: key };
          return {
            source: child,
            values: { ...values, ...parent },
            ...(failure && { createFailure: failure.message }),
          };
        })
      : undefined;
    const hash = mappedChildren
      ? contentHash({ header: header.values, lineValues: mappedChildren.map((child) => child.values) })
      : contentHash(header.values);
    const createFailure =
      failures.length === 0
        ? undefined
        : { message: failures.map((failure) => failure.message).join('; '), code: failureCode(failures) };
    return {
      source,
      key,
      mapping,
      values: header.values,
      ...(mappedChildren && { children: mappedChildren }),
      hash,
      ...(createFailure && { createFailure }),
    };
  } catch (error) {
    if (!(error instanceof MappingError)) throw error;
    fail(key, error.message, failureCode([error]));
    return null;
  }
}

/** MISSING_DEPENDENCY when every failure is a record another flow has not brought yet. */
const failureCode = (errors: readonly MappingError[]): FailureCode =>
  errors.every((error) => error.missingDependency) ? 'MISSING_DEPENDENCY' : 'MAPPING_FAILED';

/**
 * `source` mapped whole; or, when only fields applied `onCreate` fail, mapped without them, with the
 * failure. Any other failure throws.
 */
function mappedOrForUpdate(
  context: PageContext,
  mapping: MappingName,
  source: object,
): { values: Record<string, unknown>; failure?: MappingError } {
  try {
    return { values: mapped(context, mapping, source, 'all') };
  } catch (error) {
    if (!(error instanceof MappingError) || !onlyOnCreate(context.flow, error)) throw error;
    return { values: mapped(context, mapping, source, 'always'), failure: error };
  }
}

/** Whether every field `error` names is applied `onCreate` only. */
function onlyOnCreate(flow: FlowDefinition, error: MappingError): boolean {
  const { fields } = findMapping(flow, error.mapping);
  return error.problems.every(
    (problem) => fields.find((field) => field.target === problem.target)?.apply === 'onCreate',
  );
}

/** The source record's identity: its Sales id when it has one (Sales sources), else its key. */
function identityOf(context: PageContext, source: object, key: string): string {
  return context.flow.direction === 'salesToFinance' ? (context.link.salesId(source, undefined) ?? key) : key;
}

/**
 * Claims the record's key for its identity in `claimed` (earlier pages' claims of this page's keys, and
 * this page's own), adding a new claim to the page's outcome; false when another record holds the key.
 */
function claimKey(claimed: Map<string, string>, outcome: PageOutcome, { key, identity }: Routed): boolean {
  const holder = claimed.get(matchKey(key));
  if (holder !== undefined) return holder === identity;
  claimed.set(matchKey(key), identity);
  outcome.claims.push({ key, claimedBy: identity });
  return true;
}

function mapped(
  context: PageContext,
  mapping: MappingName,
  source: object,
  constants: 'all' | 'always',
): Record<string, unknown> {
  return applyMapping(context.flow, mapping, source, context.reference, {
    valueMaps: context.valueMaps,
    constants,
  });
}

/**
 * The link of a record synchronised in this run. Every link names the same fields, because the link
 * store writes a page's links in one statement and a field left out would mean "keep".
 */
function linkFor(
  context: PageContext,
  candidate: Candidate,
  existing: object | undefined,
  knownSalesId: string | null = null,
): LinkInput {
  const { link, flow, runId } = context;
  const toFinance = flow.direction === 'salesToFinance';
  const financeKey = readField(
    toFinance ? candidate.values : candidate.source,
    candidate.mapping.key[toFinance ? 'target' : 'source'],
  );
  return {
    entity: link.entity,
    businessKey: candidate.key,
    salesId: link.salesId(candidate.source, existing) ?? knownSalesId,
    financeKey: financeKey === null || financeKey === undefined ? null : String(financeKey),
    financeCompany: link.financeCompany,
    lastSyncedAt: new Date(),
    contentHash: candidate.hash,
    lastRunId: runId,
    lastError: null,
    state: null,
  };
}
