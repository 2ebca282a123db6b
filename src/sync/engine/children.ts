/**
 * The children of a page's records (a quote's lines), read in one batched request per page from the
 * source system, by the column the flow declares as holding the parent's id, each record's in the order
 * of the children's key (a line's sequence number).
 */
import type { Connectors } from '../../connectors/index.js';
import { matchKey } from '../../vocabulary.js';
import { findMapping } from '../mapping.js';
import { readField } from '../transforms.js';
import type { FlowPlan } from './plan.js';

const byKey =
  (column: string) =>
  (a: object, b: object): number => {
    const left = readField(a, column) ?? 0;
    const right = readField(b, column) ?? 0;
    if (typeof left === 'number' && typeof right === 'number') return left - right;
    return String(left).localeCompare(String(right));
  };

/** The id a child names its parent by: the Sales id of a Sales record, the business key otherwise. */
function parentIdOf(plan: FlowPlan, row: object): string | null {
  if (plan.flow.source.system === 'sales') return plan.salesId(row, undefined);
  const value = readField(row, plan.source.key);
  return value === null || value === undefined ? null : String(value);
}

/** Each row's children, in the order of `rows`; empty lists for a flow without children. */
export async function readChildren(
  connectors: Connectors,
  plan: FlowPlan,
  rows: readonly object[],
): Promise<(readonly object[])[] | undefined> {
  const { children } = plan.flow;
  if (!children) return undefined;
  const mapping = findMapping(plan.flow, children.mapping);
  const ids = rows.map((row) => parentIdOf(plan, row));
  const wanted = [...new Set(ids.filter((id): id is string => id !== null && id !== ''))];
  const source = mapping.source;
  const found: Map<string, object[]> =
    source.system === 'sales'
      ? await connectors.sales.getByValues(source.kind, children.parent.source, wanted)
      : await connectors.finance.getByValues(source.kind, children.parent.source, wanted);
  const order = byKey(mapping.key.source);
  return ids.map((id) => (id ? [...(found.get(matchKey(id)) ?? [])].sort(order) : []));
}
