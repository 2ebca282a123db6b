/**
 * The target adapter of records with children in Finance (a sales quotation and its lines; sales orders
 * next): Finance must never hold half a record, so a header and its lines are written in ONE change set
 * (`writeChangeSets`), lines gone from the source deleted in the same change set. Which entities, keys and
 * columns come from the flow's declaration: the header mapping the record routes to, and the declared
 * children's mapping, whose key pairs a source child with its Finance line.
 */
import type { Connectors } from '../../connectors/index.js';
import type { FinanceOperation } from '../../connectors/finance/connector.js';
import type { FinanceKind } from '../../connectors/finance/types.js';
import { matchKey } from '../../vocabulary.js';
import { applyMapping, findMapping } from '../mapping.js';
import type { FlowDefinition, MappingName, TargetMapping } from '../flows/types.js';
import { readField } from '../transforms.js';
import { holdsMapped, type Comparison, type TargetAdapter, type TargetWrite } from './write.js';

type Row = Record<string, unknown>;

/** A Finance header as read with its lines: what `readCurrent` gives and `existing` holds. */
interface CurrentWithLines {
  header: Row;
  lines: readonly Row[];
}

export interface ChangeSetTargetOptions {
  /** The Finance column that identifies one line for PATCH and DELETE (`InventoryLotId`). */
  lineId: string;
  /** What a person calls the record in a failure ("quotation"). */
  label: string;
}

/** The Finance entity a mapping writes (a change set names each operation's entity by kind). */
function financeKind(mapping: TargetMapping): FinanceKind {
  if (mapping.target.system !== 'finance')
    throw new TypeError(`Mapping ${mapping.name} does not write to Finance`);
  return mapping.target.kind;
}

/**
 * The change-set adapter of `flow`'s header mapping `header` (which must declare children): it reads
 * headers and lines of a page together in one batched read, and writes each record's operations as one
 * change set.
 */
export function financeChangeSetTarget(
  connectors: Connectors,
  flow: FlowDefinition,
  header: MappingName,
  { lineId, label }: ChangeSetTargetOptions,
): TargetAdapter {
  const { finance } = connectors;
  if (!flow.children) throw new TypeError(`The ${flow.name} flow declares no children`);
  const headerMapping = findMapping(flow, header);
  const lineMapping = findMapping(flow, flow.children.mapping);
  const headerKind = financeKind(headerMapping);
  const lineKind = financeKind(lineMapping);
  const headerKey = headerMapping.key.target;
  const lineParent = flow.children.parent.target;
  const lineKey = lineMapping.key;

  /** The operations that bring Finance's record to the mapped state; empty when it already is. */
  function changeSet(record: TargetWrite, comparison: Comparison): FinanceOperation[] {
    const current = record.existing as CurrentWithLines | undefined;
    const operations: FinanceOperation[] = [];
    if (!current) operations.push({ method: 'POST', kind: headerKind, body: record.values });
    else if (!holdsMapped(record.source, current.header, comparison)) {
      // onCreate constants (status, language) belong to Finance once the record exists.
      const body = applyMapping(flow, headerMapping, record.source, comparison.reference, {
        valueMaps: comparison.valueMaps,
        constants: 'always',
      });
      operations.push({ method: 'PATCH', kind: headerKind, key: { [headerKey]: record.key }, body });
    }
    const lineComparison = { ...comparison, mapping: lineMapping.name };
    const byLineKey = new Map((current?.lines ?? []).map((line) => [String(line[lineKey.target]), line]));
    for (const child of record.children ?? []) {
      const childKey = String(readField(child.source, lineKey.source));
      const existing = byLineKey.get(childKey);
      byLineKey.delete(childKey);
      if (!existing) operations.push({ method: 'POST', kind: lineKind, body: child.values });
      else if (!holdsMapped(child.source, existing, lineComparison)) {
        operations.push({
          method: 'PATCH',
          kind: lineKind,
          key: { [lineId]: String(existing[lineId]) },
          body: child.values,
        });
      }
    }
    // Lines removed in the source go in the same change set, so Finance never shows a mix of old and new.
    for (const gone of byLineKey.values())
      operations.push({ method: 'DELETE', kind: lineKind, key: { [lineId]: String(gone[lineId]) } });
    return operations;
  }

  return {
    async readCurrent(keys) {
      // Headers and lines are independent reads of the same keys: one request for both.
      const [headers, lines] = await finance.getByValuesTogether([
        { kind: headerKind, property: headerKey, values: keys },
        { kind: lineKind, property: lineParent, values: keys },
      ]);
      const current = new Map<string, object>();
      for (const key of keys) {
        const found = headers.get(matchKey(key))?.[0] as Row | undefined;
        if (!found) continue;
        const ofHeader = (lines.get(matchKey(key)) ?? []) as unknown as Row[];
        current.set(matchKey(key), { header: found, lines: ofHeader } satisfies CurrentWithLines);
      }
      return current;
    },
    holds: (record, comparison) => changeSet(record, comparison).length === 0,
    async write(records, comparison) {
      const results = await finance.writeChangeSets(records.map((record) => changeSet(record, comparison)));
      return records.map((record, index) => {
        const refused = results[index]!.find((result) => result.outcome === 'failed');
        if (refused)
          return { outcome: 'failed', message: refused.error?.message ?? `Finance refused the ${label}` };
        return { outcome: record.existing ? 'updated' : 'created' };
      });
    },
  };
}
