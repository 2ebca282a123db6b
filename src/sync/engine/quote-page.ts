/**
 * One page of the quotes flow. A quote is a header with lines, and Finance must never hold half a quote,
 * so each quote is decided and written as a whole: its lines are read with it (one batched read per page),
 * one ineligible line skips the quote, one unmappable line fails it, and header and lines are written in
 * ONE change set (`writeChangeSets`), with lines gone from Sales deleted in the same change set.
 */
import type { Connectors } from '../../connectors/index.js';
import type { FinanceOperation } from '../../connectors/finance/connector.js';
import type { SalesQuoteLine } from '../../connectors/sales/types.js';
import { computeDrift } from '../drift.js';
import { applyMapping, MappingError } from '../mapping.js';
import type { ReferenceData } from '../reference.js';
import { routeRecord } from '../routing.js';
import { readField } from '../transforms.js';
import { accountLookups, productLookups, valuesOf } from './lookups.js';
import { contentHash, emptyOutcome, skip, type FailureCode, type PageOutcome } from './outcomes.js';
import { claimKey, pairLink, type PageContext } from './page.js';
import { matchKey } from './write.js';

interface QuoteCandidate {
  quote: object;
  key: string;
  lines: readonly SalesQuoteLine[];
  header: Record<string, unknown>;
  lineValues: Record<string, unknown>[];
  hash: string;
}

type Row = Record<string, unknown>;
const text = (record: object, field: string): string => String(readField(record, field) ?? '');

/** The quotes page processor over `connectors` (it reads lines and products, and writes change sets). */
export function quotePageProcessor(connectors: Connectors) {
  return async (context: PageContext, rows: readonly object[]): Promise<PageOutcome> => {
    const outcome = emptyOutcome();
    outcome.counters.read = rows.length;
    const fail = (recordKey: string, message: string, code: FailureCode) => {
      outcome.counters.failed += 1;
      outcome.failures.push({ recordKey, message, code });
    };
    const quoteIds = valuesOf(rows, 'quoteid');
    const linesByQuote = await connectors.sales.getByValues('quoteLine', '_quoteid_value', quoteIds);
    const allLines = [...linesByQuote.values()].flat();
    const withAccounts = await accountLookups(
      connectors,
      valuesOf(rows, '_customerid_value'),
      context.reference,
    );
    const reference = await productLookups(connectors, valuesOf(allLines, '_productid_value'), withAccounts);

    const candidates: QuoteCandidate[] = [];
    for (const quote of rows) {
      const lines = [...(linesByQuote.get(matchKey(text(quote, 'quoteid'))) ?? [])].sort(
        (a, b) => (a.sequencenumber ?? 0) - (b.sequencenumber ?? 0),
      );
      const decision = routeRecord(context.flow, quote, reference, lines);
      if (decision.action === 'skip') {
        // Counted under the rule's reason: a quote skipped for a write-in line counts as `write-in line`,
        // whichever of its lines it was.
        skip(outcome, decision.rule);
        continue;
      }
      const key = text(quote, 'quotenumber');
      if (!claimKey(context, key, text(quote, 'quoteid'))) {
        fail(key, `The quote number '${key}' is used by more than one Sales quote`, 'DUPLICATE_KEY');
        continue;
      }
      try {
        const map = (mapping: 'quotationHeader' | 'quotationLine', record: object) =>
          applyMapping(context.flow, mapping, record, reference, { valueMaps: context.valueMaps });
        const header = map('quotationHeader', quote);
        const lineValues = lines.map((line) => ({
          ...map('quotationLine', line),
          SalesQuotationNumber: key,
        }));
        candidates.push({ quote, key, lines, header, lineValues, hash: contentHash({ header, lineValues }) });
      } catch (error) {
        if (!(error instanceof MappingError)) throw error;
        fail(key, error.message, error.missingDependency ? 'MISSING_DEPENDENCY' : 'MAPPING_FAILED');
      }
    }
    if (candidates.length === 0) return outcome;

    const numbers = candidates.map((c) => c.key);
    const [headers, financeLines] = await Promise.all([
      connectors.finance.getByValues('quoteHeader', 'SalesQuotationNumber', numbers),
      connectors.finance.getByValues('quoteLine', 'SalesQuotationNumber', numbers),
    ]);
    const writes: { candidate: QuoteCandidate; existing: boolean; group: FinanceOperation[] }[] = [];
    for (const candidate of candidates) {
      const existing = headers.get(matchKey(candidate.key))?.[0];
      const current = (financeLines.get(matchKey(candidate.key)) ?? []) as unknown as Row[];
      const group = changeSet(context, reference, candidate, existing as Row | undefined, current);
      if (group.length === 0) {
        outcome.counters.unchanged += 1;
        outcome.links.push(linkOf(context, candidate));
      } else writes.push({ candidate, existing: existing !== undefined, group });
    }
    if (writes.length === 0) return outcome;

    const results = context.dryRun
      ? writes.map(() => [])
      : await connectors.finance.writeChangeSets(writes.map((w) => w.group));
    writes.forEach(({ candidate, existing }, index) => {
      const refused = results[index]!.find((result) => result.outcome === 'failed');
      if (refused) {
        fail(candidate.key, refused.error?.message ?? 'Finance refused the quotation', 'WRITE_FAILED');
        return;
      }
      outcome.counters[existing ? 'updated' : 'created'] += 1;
      outcome.links.push(linkOf(context, candidate));
    });
    return outcome;
  };
}

/** The operations that bring Finance's quotation to the mapped state; empty when it already is. */
function changeSet(
  context: PageContext,
  reference: ReferenceData,
  candidate: QuoteCandidate,
  header: Row | undefined,
  current: readonly Row[],
): FinanceOperation[] {
  const drifts = (source: object, target: object, mapping: 'quotationHeader' | 'quotationLine') =>
    computeDrift(context.flow, source, target, reference, { mapping, valueMaps: context.valueMaps }).length >
    0;
  const operations: FinanceOperation[] = [];
  if (!header) operations.push({ method: 'POST', kind: 'quoteHeader', body: candidate.header });
  else if (drifts(candidate.quote, header, 'quotationHeader')) {
    // onCreate constants (status, language) belong to Finance once the quotation exists.
    const body = applyMapping(context.flow, 'quotationHeader', candidate.quote, reference, {
      valueMaps: context.valueMaps,
      constants: 'always',
    });
    operations.push({
      method: 'PATCH',
      kind: 'quoteHeader',
      key: { SalesQuotationNumber: candidate.key },
      body,
    });
  }
  const bySequence = new Map(current.map((line) => [String(line['LineCreationSequenceNumber']), line]));
  candidate.lines.forEach((line, index) => {
    const values = candidate.lineValues[index]!;
    const existing = bySequence.get(String(line.sequencenumber));
    bySequence.delete(String(line.sequencenumber));
    if (!existing) operations.push({ method: 'POST', kind: 'quoteLine', body: values });
    else if (drifts(line, existing, 'quotationLine')) {
      operations.push({
        method: 'PATCH',
        kind: 'quoteLine',
        key: { InventoryLotId: String(existing['InventoryLotId']) },
        body: values,
      });
    }
  });
  // Lines removed in Sales go in the same change set, so Finance never shows a mix of old and new.
  for (const gone of bySequence.values()) {
    operations.push({
      method: 'DELETE',
      kind: 'quoteLine',
      key: { InventoryLotId: String(gone['InventoryLotId']) },
    });
  }
  return operations;
}

function linkOf(context: PageContext, candidate: QuoteCandidate) {
  return pairLink(context, {
    key: candidate.key,
    salesId: text(candidate.quote, 'quoteid') || null,
    financeKey: candidate.key,
    hash: candidate.hash,
  });
}
