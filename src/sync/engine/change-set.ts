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
import { comparable } from '../normalise.js';
import { readField } from '../transforms.js';
import { holdsMapped, type Comparison, type TargetAdapter, type TargetWrite } from './write.js';

type Row = Record<string, unknown>;

/** A Finance header as read with its lines: what `readCurrent` gives and `existing` holds. */
interface CurrentWithLines {
  header: Row;
  lines: readonly Row[];
  /** The lines' charges of the flow's `lineCharge` code. */
  charges: readonly Row[];
}

export interface ChangeSetTargetOptions {
  /** The Finance column that identifies one line for PATCH and DELETE (`InventoryLotId`). */
  lineId: string;
  /** What a person calls the record in a failure ("quotation"). */
  label: string;
  /**
   * A charge some lines carry with them (the discount rounding charge of an order line), written in the
   * same change set as its line: `amount` gives a source line's charge, null for none.
   */
  lineCharge?: LineCharge;
  /**
   * Whether Finance's record has moved on so far that it is Finance's alone (an order Finance has
   * confirmed): the flow then leaves it as it is, counted unchanged.
   */
  lockedWhen?: (header: Readonly<Row>) => boolean;
}

/** A charge a line carries in its own entity, keyed by the header's key, the line's key and a code. */
export interface LineCharge {
  kind: FinanceKind;
  code: string;
  description: string;
  amount: (line: object) => string | null;
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
  { lineId, label, lineCharge, lockedWhen }: ChangeSetTargetOptions,
): TargetAdapter {
  const { finance } = connectors;
  if (!flow.children) throw new TypeError(`The ${flow.name} flow declares no children`);
  const headerMapping = findMapping(flow, header);
  const lineMapping = findMapping(flow, flow.children.mapping);
  const headerKind = financeKind(headerMapping);
  const lineKind = financeKind(lineMapping);
  const headerKey = headerMapping.key.target;
  const lineParent = flow.children.parent.target;
  if (lineParent === undefined) throw new TypeError(`The ${flow.name} flow's lines name no parent column`);
  const lineKey = lineMapping.key;

  /** The operations that bring Finance's record to the mapped state; empty when it already is. */
  function changeSet(record: TargetWrite, comparison: Comparison): FinanceOperation[] {
    const current = record.existing as CurrentWithLines | undefined;
    if (current && lockedWhen?.(current.header)) return [];
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
    if (lineCharge) operations.push(...chargeOperations(record, lineCharge, current?.charges ?? []));
    return operations;
  }

  /**
   * The operations that bring the lines' charges to what the source lines need: a new charge posted
   * after its line, a changed amount patched, a charge no longer needed (or of a line gone) deleted.
   */
  function chargeOperations(
    record: TargetWrite,
    charge: LineCharge,
    existing: readonly Row[],
  ): FinanceOperation[] {
    const operations: FinanceOperation[] = [];
    const chargeKey = (line: string) => ({
      [headerKey]: record.key,
      [lineKey.target]: Number(line),
      SalesChargeCode: charge.code,
    });
    const byLine = new Map(existing.map((row) => [String(row[lineKey.target]), row]));
    for (const child of record.children ?? []) {
      const line = String(readField(child.source, lineKey.source));
      const amount = charge.amount(child.source);
      const found = byLine.get(line);
      byLine.delete(line);
      if (amount === null) {
        if (found) operations.push({ method: 'DELETE', kind: charge.kind, key: chargeKey(line) });
      } else if (!found) {
        operations.push({
          method: 'POST',
          kind: charge.kind,
          body: { ...chargeKey(line), FixedChargeAmount: amount, ChargeDescription: charge.description },
        });
      } else if (comparable(found['FixedChargeAmount'], 'decimal') !== comparable(amount, 'decimal')) {
        operations.push({
          method: 'PATCH',
          kind: charge.kind,
          key: chargeKey(line),
          body: { FixedChargeAmount: amount },
        });
      }
    }
    for (const line of byLine.keys())
      operations.push({ method: 'DELETE', kind: charge.kind, key: chargeKey(line) });
    return operations;
  }

  return {
    async readCurrent(keys) {
      // Headers, lines and charges are independent reads of the same keys: one request for all.
      const [headers, lines, charges] = await finance.getByValuesTogether([
        { kind: headerKind, property: headerKey, values: keys },
        { kind: lineKind, property: lineParent, values: keys },
        ...(lineCharge ? [{ kind: lineCharge.kind, property: headerKey, values: keys }] : []),
      ]);
      const current = new Map<string, object>();
      for (const key of keys) {
        const found = headers?.get(matchKey(key))?.[0] as Row | undefined;
        if (!found) continue;
        const rows = (read: Map<string, object[]> | undefined) => (read?.get(matchKey(key)) ?? []) as Row[];
        const ofCode = rows(charges).filter((row) => row['SalesChargeCode'] === lineCharge?.code);
        current.set(matchKey(key), {
          header: found,
          lines: rows(lines),
          charges: ofCode,
        } satisfies CurrentWithLines);
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
