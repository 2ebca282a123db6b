/**
 * The order status flow's Sales target: the Sales order and its lines, updated together in one change
 * set (never created: an order comes to Finance from Sales). What is written is what differs from
 * Finance's values, with one rule on top: the processing status only moves forward. A Sales order that
 * stands further on than Finance's status (invoiced by the invoices flow while Finance's header still
 * says Delivered, or a stale read) keeps its status; Cancelled always shows, and a cancelled order stays
 * cancelled.
 */
import type { Connectors } from '../../../connectors/index.js';
import type { SalesOperation } from '../../../connectors/sales/connector.js';
import { salesOrderStatus } from '../../../connectors/sales/types.js';
import { sameValue, type Comparison as ValueComparison } from '../../normalise.js';
import type { TargetAdapter, TargetWrite } from '../../engine/write.js';
import { findMapping } from '../../mapping.js';
import { comparisonOf, readField } from '../../transforms.js';
import { readSalesDocuments, type SalesDocument } from '../sales-documents.js';
import type { FlowDefinition } from '../types.js';

/** The Sales processing statuses in the order an order moves through them. */
const progress: readonly number[] = [
  salesOrderStatus.draft,
  salesOrderStatus.active,
  salesOrderStatus.confirmed,
  salesOrderStatus.partiallyPicked,
  salesOrderStatus.picked,
  salesOrderStatus.partiallyPacked,
  salesOrderStatus.packingSlip,
  salesOrderStatus.partiallyShipped,
  salesOrderStatus.shipped,
  salesOrderStatus.partiallyInvoiced,
  salesOrderStatus.invoiced,
];

/**
 * The status a Sales order at `current` takes when Finance says `next`: `next` unless that would move
 * the order back; Cancelled always wins and is final.
 */
export function forwardStatus(current: unknown, next: unknown): unknown {
  if (current === salesOrderStatus.cancelled) return current;
  if (next === salesOrderStatus.cancelled) return next;
  const from = progress.indexOf(Number(current));
  const to = progress.indexOf(Number(next));
  return to === -1 || from <= to ? next : current;
}

type Values = Record<string, unknown>;

/** The columns of `values` that `current` does not already hold, compared as the mapping compares them. */
function differing(
  values: Values,
  current: Readonly<Values>,
  kinds: ReadonlyMap<string, ValueComparison>,
): Values {
  const body: Values = {};
  for (const [column, value] of Object.entries(values)) {
    if (!sameValue(value, current[column] ?? null, kinds.get(column) ?? 'text')) body[column] = value;
  }
  return body;
}

export function salesOrderStatusTarget(connectors: Connectors, flow: FlowDefinition): TargetAdapter {
  const { sales } = connectors;
  const header = findMapping(flow, 'orderStatus');
  const line = findMapping(flow, 'orderLineStatus');
  const kindsOf = (mapping: typeof header) =>
    new Map(mapping.fields.map((field) => [field.target, comparisonOf(field.transform)] as const));
  const headerKinds = kindsOf(header);
  const lineKinds = kindsOf(line);

  /** The updates that bring the Sales order to Finance's progress; empty when it is there already. */
  function changeSet(record: TargetWrite): SalesOperation[] {
    const current = record.existing as SalesDocument | undefined;
    if (!current) return [];
    const { ordernumber: _key, ...values } = record.values;
    const status = 'msdynce_processingstatus';
    values[status] = forwardStatus(current.header[status], values[status]);
    const operations: SalesOperation[] = [];
    const body = differing(values, current.header, headerKinds);
    const orderId = String(current.header['salesorderid']);
    if (Object.keys(body).length > 0)
      operations.push({
        method: 'PATCH',
        kind: 'order',
        key: { id: orderId },
        body,
        only: 'update',
        id: orderId,
      });
    const bySequence = new Map(current.lines.map((row) => [String(row['sequencenumber']), row]));
    // A line Finance added has no Sales line to update: Sales order lines are not created from Finance.
    for (const child of record.children ?? []) {
      const existing = bySequence.get(String(readField(child.source, line.key.source)));
      if (!existing) continue;
      const { sequencenumber: _line, ...lineValues } = child.values;
      const lineBody = differing(lineValues, existing, lineKinds);
      const lineId = String(existing['salesorderdetailid']);
      if (Object.keys(lineBody).length > 0)
        operations.push({
          method: 'PATCH',
          kind: 'orderLine',
          key: { id: lineId },
          body: lineBody,
          only: 'update',
          id: lineId,
        });
    }
    return operations;
  }

  return {
    async readCurrent(keys) {
      return readSalesDocuments(
        connectors,
        {
          header: 'order',
          key: 'ordernumber',
          id: 'salesorderid',
          line: 'orderLine',
          parent: '_salesorderid_value',
        },
        keys,
      );
    },
    holds: (record) => changeSet(record).length === 0,
    async write(records, _comparison: unknown) {
      const groups = records.map((record) => changeSet(record));
      const results = await sales.writeChangeSets(groups.filter((group) => group.length > 0));
      let next = 0;
      return records.map((record, index) => {
        if (!record.existing)
          return { outcome: 'failed', message: `The Sales order ${record.key} no longer exists` };
        if (groups[index]!.length === 0) return { outcome: 'updated' };
        const refused = results[next++]!.find((result) => result.outcome === 'failed');
        return refused
          ? { outcome: 'failed', message: refused.error?.message ?? 'Sales refused the order update' }
          : { outcome: 'updated' };
      });
    },
  };
}
