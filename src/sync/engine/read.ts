/**
 * Where a flow's source records come from, one page at a time. Sales sources read the change feed: from
 * the stored delta link in INCREMENTAL mode, from scratch in FULL mode or when there is no token or the
 * token has expired (reported as a note). Finance has no change feed over OData, so Finance sources are
 * read in full, a page per request, and unchanged records are told apart by content hash. A retry
 * (`onlyKeys`) reads just those records by business key.
 */
import type { Connectors } from '../../connectors/index.js';
import type { FinanceKind } from '../../connectors/finance/types.js';
import type { SalesKind } from '../../connectors/sales/types.js';
import type { Checkpoint, SyncMode } from '../../db/schema.js';

/** One page of source records; `deltaLink` only on the last page of a change-feed read. */
export interface SourcePage {
  rows: object[];
  deltaLink?: string;
  /**
   * On every page of a complete read but the last: where the read goes on after this page. Committed
   * with the page, it lets the next run resume a read that was cut off instead of starting over.
   */
  resumeAt?: ReadPosition;
}

/**
 * Where a cut-off read goes on: the next page's link of a Sales change feed (opaque, followed verbatim),
 * or the number of Finance rows already read in key order.
 */
export type ReadPosition = { nextLink: string } | { skip: number };

/** How a flow's source is read. */
export type SourceSpec =
  { system: 'sales'; kind: SalesKind; key: string } | { system: 'finance'; kind: FinanceKind; key: string };

/** What `readSource` needs. */
export interface ReadRequest {
  connectors: Connectors;
  source: SourceSpec;
  mode: SyncMode;
  pageSize: number;
  /** The stored delta link of the flow (Sales sources), or null. */
  deltaLink: string | null;
  /** Where a previous read of this flow was cut off, to go on from there; null to start afresh. */
  resumeAt: ReadPosition | null;
  onlyKeys?: readonly string[];
  /** Receives notes for the run's result (fallbacks to a full read). */
  note: (text: string) => void;
}

/**
 * How many source records the read will yield, for progress and ETA, asked with one small request before
 * it starts: the retry's keys; a Finance entity's count (less the rows a resumed read skips); a Sales
 * entity's count for a read from scratch. Null when that cannot be told up front: a Sales change-feed
 * read since a token or from a stored position (the changes are not counted in advance), a Sales set
 * larger than Dataverse counts, or a count that failed (the read itself then reports the failure).
 */
export async function estimateTotal(request: ReadRequest): Promise<number | null> {
  const { connectors, source, onlyKeys } = request;
  if (onlyKeys) return onlyKeys.length;
  try {
    if (source.system === 'finance') {
      const total = await connectors.finance.count(source.kind);
      return total === null ? null : Math.max(total - rowsSkipped(request.resumeAt), 0);
    }
    const fromToken = request.mode === 'INCREMENTAL' && request.deltaLink !== null;
    if (fromToken || request.resumeAt) return null;
    return await connectors.sales.count(source.kind);
  } catch {
    return null;
  }
}

/** The source pages of one flow run. */
export async function* readSource(request: ReadRequest): AsyncGenerator<SourcePage> {
  const { connectors, source, pageSize, onlyKeys } = request;
  if (onlyKeys) {
    // Keys come from stored failures; a key no longer in the source simply yields no record.
    for (let start = 0; start < onlyKeys.length; start += pageSize) {
      const keys = onlyKeys.slice(start, start + pageSize);
      const found =
        source.system === 'sales'
          ? await connectors.sales.getByValues(source.kind, source.key, keys)
          : await connectors.finance.getByValues(source.kind, source.key, keys);
      yield { rows: [...found.values()].flat() };
    }
    return;
  }
  if (source.system === 'finance') {
    yield* readFinancePages(connectors, source.kind, pageSize, rowsSkipped(request.resumeAt));
    return;
  }
  yield* readChangeFeed(request, source.kind);
}

async function* readChangeFeed(request: ReadRequest, kind: SalesKind): AsyncGenerator<SourcePage> {
  const { connectors, mode, pageSize, note } = request;
  const deltaLink = mode === 'INCREMENTAL' ? (request.deltaLink ?? undefined) : undefined;
  const resumeFrom =
    request.resumeAt && 'nextLink' in request.resumeAt ? request.resumeAt.nextLink : undefined;
  if (mode === 'INCREMENTAL' && !deltaLink && !resumeFrom) {
    note('No change-tracking token was stored: read every record.');
  }
  let deleted = 0;
  let restartNoted = false;
  for await (const page of connectors.sales.changes(kind, {
    pageSize,
    ...(deltaLink ? { deltaLink } : {}),
    ...(resumeFrom ? { resumeFrom } : {}),
  })) {
    if (page.restartReason && !restartNoted) {
      note(page.restartReason);
      restartNoted = true;
    }
    deleted += page.deleted.length;
    yield {
      rows: page.rows,
      ...(page.deltaLink ? { deltaLink: page.deltaLink } : {}),
      ...(page.nextLink ? { resumeAt: { nextLink: page.nextLink } } : {}),
    };
  }
  // Deleting in Finance is a business decision (customers have transactions), so deletions are reported only.
  if (deleted > 0) note(`${deleted} record(s) deleted in Sales were not deleted in Finance.`);
}

/**
 * A Finance entity in key order, one request per page of `size` rows (`$top`, `$skip`), each page but
 * the last saying how many rows the read has passed (counting the `skipped` it started after). F&O's own
 * pages are 10,000 rows: holding one whole would make the hub's memory grow with the entity up to that
 * size, twenty times the engine's page. Each request asks for one row more than a page, so a full page is
 * known not to be the last (the row is read again as the first of the next page).
 */
async function* readFinancePages(
  connectors: Connectors,
  kind: FinanceKind,
  size: number,
  skipped: number,
): AsyncGenerator<SourcePage> {
  let passed = skipped;
  for (;;) {
    const rows: object[] = [];
    const options = { top: size + 1, ...(passed > 0 ? { skip: passed } : {}) };
    for await (const part of connectors.finance.list(kind, options)) rows.push(...part);
    if (rows.length <= size) {
      if (rows.length > 0) yield { rows };
      return;
    }
    passed += size;
    yield { rows: rows.slice(0, size), resumeAt: { skip: passed } };
  }
}

/** How many Finance rows a read from this position leaves out: those a cut-off read already took. */
function rowsSkipped(position: ReadPosition | null): number {
  return position && 'skip' in position ? position.skip : 0;
}

/** A stored checkpoint as a read position; null when there is none or it is not one this engine wrote. */
export function positionOf(checkpoint: Checkpoint | null): ReadPosition | null {
  if (typeof checkpoint?.['nextLink'] === 'string') return { nextLink: checkpoint['nextLink'] };
  const skip = checkpoint?.['skip'];
  if (typeof skip === 'number' && Number.isSafeInteger(skip) && skip > 0) return { skip };
  return null;
}

/** Where a read resumes, for a person: the change feed's next page, or the rows already read. */
export function describePosition(position: ReadPosition): string {
  return 'nextLink' in position
    ? 'at the next page of the Sales change feed, after the last committed page'
    : `after the first ${position.skip.toLocaleString('en-US')} source records in key order`;
}
