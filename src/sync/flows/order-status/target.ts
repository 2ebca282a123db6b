/**
 * The order status flow's Sales target: the Sales order and its lines, written together in one change
 * set. An order Sales has is updated with what differs from Finance's values (its fields applied `onCreate`
 * left out), with one rule on top: the processing status only moves forward. A Sales order that stands
 * further on than Finance's status (invoiced by the invoices flow while Finance's header still says
 * Delivered, or a stale read) keeps its status; Cancelled always shows, and a cancelled order stays
 * cancelled. A line Finance added is created on it.
 *
 * An order Sales does not have was created in Finance: it is created whole, header (by its number, never
 * over an existing one) and lines in one change set, so Sales never holds half an order.
 */
import type { Connectors } from '../../../connectors/index.js';
import type { SalesOperation } from '../../../connectors/sales/connector.js';
import { salesOrderStatus } from '../../../connectors/sales/types.js';
import { sameValue, type Comparison as ValueComparison } from '../../normalise.js';
import { salesBody, type TargetAdapter, type TargetWrite } from '../../engine/write.js';
import { findMapping } from '../../mapping.js';
import { comparisonOf, readField } from '../../transforms.js';
import { readSalesDocuments, type SalesDocument } from '../sales-documents.js';
import type { FlowDefinition, TargetMapping } from '../types.js';

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

/** The target columns `mapping` writes only when it creates a record (fields and constants). */
const onCreateColumns = (mapping: TargetMapping): ReadonlySet<string> =>
  new Set([
    ...mapping.fields.filter((field) => field.apply === 'onCreate').map((field) => field.target),
    ...mapping.constants.filter((constant) => constant.apply === 'onCreate').map((c) => c.target),
  ]);

/** `values` without `columns`. */
function without(values: Values, columns: ReadonlySet<string>): Values {
  return Object.fromEntries(Object.entries(values).filter(([column]) => !columns.has(column)));
}

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
  const headerOnCreate = onCreateColumns(header);
  const lineOnCreate = onCreateColumns(line);

  /** A new line of the order `orderNumber` (bound by its number) or of the order with id `orderId`. */
  const newLine = (values: Values, order: { number: string } | { id: string }): SalesOperation => ({
    method: 'POST',
    kind: 'orderLine',
    body: {
      ...salesBody(connectors, values),
      'salesorderid@odata.bind': sales.bind('order', 'number' in order ? order.number : { id: order.id }),
    },
  });

  /** The order created in Finance, created in Sales with its lines. */
  function creation(record: TargetWrite): SalesOperation[] {
    const { ordernumber: _key, ...values } = record.values;
    return [
      {
        method: 'PATCH',
        kind: 'order',
        key: record.key,
        body: salesBody(connectors, values),
        only: 'create',
      },
      ...(record.children ?? []).map((child) => newLine(child.values, { number: record.key })),
    ];
  }

  /**
   * The writes that bring the Sales order to Finance's: empty when it is there already; `refusal` says why
   * a line Finance added cannot be created in Sales (its create-only fields did not map), if one cannot.
   */
  function changeSet(record: TargetWrite): { operations: SalesOperation[]; refusal?: string } {
    const current = record.existing as SalesDocument | undefined;
    if (!current) return { operations: creation(record) };
    const { ordernumber: _key, ...values } = without(record.values, headerOnCreate);
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
    const bySequence = new Map(current.lines.map((row) => [String(row[line.key.target]), row]));
    let refusal: string | undefined;
    for (const child of record.children ?? []) {
      const existing = bySequence.get(String(readField(child.source, line.key.source)));
      if (!existing) {
        if (child.createFailure) refusal ??= child.createFailure;
        else operations.push(newLine(child.values, { id: orderId }));
        continue;
      }
      const { sequencenumber: _line, ...lineValues } = without(child.values, lineOnCreate);
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
    return { operations, ...(refusal !== undefined && { refusal }) };
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
    holds: (record) => {
      const { operations, refusal } = changeSet(record);
      return operations.length === 0 && refusal === undefined;
    },
    async write(records, _comparison: unknown) {
      const plans = records.map((record) => changeSet(record));
      const groups = plans.map((plan) => plan.operations);
      const results = await sales.writeChangeSets(groups.filter((group) => group.length > 0));
      let next = 0;
      return records.map((record, index) => {
        const outcome = record.existing ? 'updated' : 'created';
        const parts = groups[index]!.length === 0 ? [] : results[next++]!;
        const refused = parts.find((result) => result.outcome === 'failed');
        if (refused) {
          const fallback = record.existing ? 'Sales refused the order update' : 'Sales refused the order';
          return { outcome: 'failed', message: refused.error?.message ?? fallback };
        }
        const { refusal } = plans[index]!;
        if (refusal) return { outcome: 'failed', message: refusal };
        const id = record.existing ? undefined : parts[0]?.id;
        return { outcome, ...(id ? { id } : {}) };
      });
    },
  };
}
