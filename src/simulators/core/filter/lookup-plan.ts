/**
 * Which index lookups can stand in for a scan: the analysis behind indexed collection reads. Clients look
 * rows up by key in batches (`p eq 'a' or p eq 'b' …`, `Microsoft.Dynamics.CRM.In(...)`, often inside
 * `dataAreaId eq 'usmf' and (…)`); real Dataverse and F&O answer those from indexes, and so can the
 * simulators, as long as the rows the index yields are a superset of the rows the filter can match. The
 * reader then still evaluates the whole filter on each candidate, so the answer stays exact.
 *
 * A plan is a list of probes whose union holds every matching row:
 * - `p eq 'literal'` (either side) and `In`/the OData `in` operator on `p` give one probe on `p`;
 * - an `or` needs a plan for every operand and takes their union;
 * - an `and` needs one operand with a plan and takes the cheapest (any conjunct bounds the matches);
 * - anything else (`ne`, ranges, `not`, functions, F&O wildcards, which the parser turns into `wildcard`
 *   nodes, comparisons of two properties…) has no plan, and neither does an `or` with such an operand.
 *
 * Only string and GUID comparisons with printable-ASCII literals qualify: between two such texts, equality
 * under the systems' collation is equality after lower-casing, which is how the store's indexes are keyed,
 * and the store adds every row whose stored value is not printable ASCII (`Store.candidates`), the other
 * half of that guarantee. Other literals (ß, ligatures, full-width letters: a collator equates some with
 * ASCII text) and other types (Edm.Decimal 1.0 equals 1; enums compare by member) are left to the scan.
 */
import type { Value } from '../model.js';
import type { FilterExpr, ValueCategory } from './ast.js';

/** Rows whose `property` equals (under the collation) one of `values`. */
export interface LookupProbe {
  property: string;
  values: string[];
}

/** Printable ASCII: where case-insensitive, accent-sensitive collation is exactly lower-case equality. */
const plainText = /^[\x20-\x7e]*$/;

/**
 * Probes whose union holds every row `expr` can match, or undefined when no index lookup is sure to.
 * `cost` estimates a probe's candidate rows; it decides which operand of an `and` drives the lookup.
 */
export function planLookup(
  expr: FilterExpr,
  cost: (probe: LookupProbe) => number,
): LookupProbe[] | undefined {
  switch (expr.kind) {
    case 'compare':
      return equalityProbe(expr);
    case 'in':
      return membershipProbe(expr);
    case 'logical':
      return expr.op === 'or' ? unionOf(expr.operands, cost) : cheapestOf(expr.operands, cost);
    default:
      return undefined;
  }
}

/** `or`: every operand must be bounded by a lookup; probes on the same property are merged. */
function unionOf(
  operands: readonly FilterExpr[],
  cost: (probe: LookupProbe) => number,
): LookupProbe[] | undefined {
  const byProperty = new Map<string, string[]>();
  for (const operand of operands) {
    const probes = planLookup(operand, cost);
    if (!probes) return undefined;
    for (const { property, values } of probes) {
      const merged = byProperty.get(property);
      if (merged) merged.push(...values);
      else byProperty.set(property, [...values]);
    }
  }
  return [...byProperty].map(([property, values]) => ({ property, values }));
}

/** `and`: any operand with a plan bounds the matches; the one with the fewest candidates wins. */
function cheapestOf(
  operands: readonly FilterExpr[],
  cost: (probe: LookupProbe) => number,
): LookupProbe[] | undefined {
  let best: { probes: LookupProbe[]; cost: number } | undefined;
  for (const operand of operands) {
    const probes = planLookup(operand, cost);
    if (!probes) continue;
    const total = probes.reduce((sum, probe) => sum + cost(probe), 0);
    if (!best || total < best.cost) best = { probes, cost: total };
  }
  return best?.probes;
}

function equalityProbe(expr: Extract<FilterExpr, { kind: 'compare' }>): LookupProbe[] | undefined {
  if (expr.op !== 'eq' || !indexable(expr.category)) return undefined;
  const [property, literal] =
    expr.left.kind === 'property' ? [expr.left, expr.right] : [expr.right, expr.left];
  if (property.kind !== 'property' || literal.kind !== 'literal' || !plainLiteral(literal.value)) {
    return undefined;
  }
  return [{ property: property.name, values: [literal.value] }];
}

function membershipProbe(expr: Extract<FilterExpr, { kind: 'in' }>): LookupProbe[] | undefined {
  if (expr.negated || expr.target.kind !== 'property' || !indexable(expr.category)) return undefined;
  // A null in the list matches nothing (In is unknown for it), so it needs no probe.
  const values = expr.values.filter((value) => value !== null);
  if (!values.every(plainLiteral)) return undefined;
  return [{ property: expr.target.name, values }];
}

/** String and GUID equality only: GUIDs compare lower-cased, strings by the collator. */
const indexable = (category: ValueCategory): boolean => category === 'string' || category === 'guid';

const plainLiteral = (value: Value): value is string => typeof value === 'string' && plainText.test(value);
