/**
 * Query strings and `$filter` expressions for both systems. Literals are formatted by `literals.ts`;
 * this file composes them and percent-encodes the result once, so a value like `O'Brien & Sons #1`
 * cannot end a parameter (`&`), cut the URL (`#`) or turn into a space (`+`, which ASP.NET reads as one).
 *
 * Batched key lookups: Sales uses `Microsoft.Dynamics.CRM.In`, Finance (no `in` operator) an `or` chain;
 * both are bounded by the URL length, and `chunkByUrlLength` splits a key list to stay within it.
 */
import { formatLiteral, quoteString, type ODataLiteral } from './literals.js';

export interface QueryOptions {
  /** `$select`: property names. */
  select?: readonly string[];
  /** `$filter`: an expression built with the helpers below (literals already formatted). */
  filter?: string;
  /** `$orderby`: `'name asc'` or several. */
  orderby?: string | readonly string[];
  top?: number;
  /** Finance only: Dataverse rejects `$skip` (it pages by nextLink). */
  skip?: number;
  /** `$count=true`: the body carries `@odata.count`. */
  count?: boolean;
  /** `$expand`: `'primarycontactid($select=fullname)'` or several. */
  expand?: string | readonly string[];
  /** Finance: `cross-company=true`, read other companies than the caller's default one. */
  crossCompany?: boolean;
  /** Any other parameters, in order; `undefined` values are left out. */
  extra?: Record<string, string | number | boolean | undefined>;
}

/**
 * The query string, without `?`, `''` when empty. Parameter order is fixed (cross-company, $select,
 * $filter, $expand, $orderby, $top, $skip, $count, extra), so equal options give equal URLs.
 */
export function buildQuery(options: QueryOptions = {}): string {
  const { select, filter, orderby, top, skip, count, expand, crossCompany, extra = {} } = options;
  const params: [string, string | number | boolean | undefined][] = [
    ['cross-company', crossCompany ? true : undefined],
    ['$select', select && select.length > 0 ? select.join(',') : undefined],
    ['$filter', filter || undefined],
    ['$expand', joinList(expand)],
    ['$orderby', joinList(orderby)],
    ['$top', checkCount('$top', top)],
    ['$skip', checkCount('$skip', skip)],
    ['$count', count === undefined ? undefined : count],
    ...Object.entries(extra),
  ];
  return params
    .filter((entry): entry is [string, string | number | boolean] => entry[1] !== undefined)
    .map(([name, value]) => `${encodeQueryComponent(name)}=${encodeQueryComponent(String(value))}`)
    .join('&');
}

function joinList(value: string | readonly string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  const list = typeof value === 'string' ? [value] : value;
  return list.length > 0 ? list.join(',') : undefined;
}

function checkCount(name: string, value: number | undefined): number | undefined {
  if (value !== undefined && !(Number.isInteger(value) && value >= 0)) {
    throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
  }
  return value;
}

/**
 * Percent-encodes one query name or value. Stricter than needed where it matters (`& # + %`, spaces as
 * `%20`, `[ ]`) and readable where it is safe: `( ) , : / @ $ = *` are legal in a query (RFC 3986
 * §3.4) and OData servers read them literally.
 */
export function encodeQueryComponent(text: string): string {
  // `'` is encoded here because fetch's URL parser encodes it in a query anyway (WHATWG query
  // percent-encode set): doing it ourselves keeps the length we measure equal to what goes on the wire.
  return encodeURIComponent(text)
    .replace(/%(2C|3A|2F|40|24|3D)/gi, (escaped) => decodeURIComponent(escaped))
    .replaceAll("'", '%27');
}

// ------------------------------------------------------------------------------------------ filter helpers

type ComparisonOperator = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';

function compare(operator: ComparisonOperator): (property: string, value: ODataLiteral) => string {
  return (property, value) => `${property} ${operator} ${formatLiteral(value)}`;
}

/** `eq('name', "O'Brien")` → `name eq 'O''Brien'`. */
export const eq = compare('eq');
export const ne = compare('ne');
export const gt = compare('gt');
export const ge = compare('ge');
export const lt = compare('lt');
export const le = compare('le');

/**
 * Clauses joined with `and`; empty ones dropped. No parentheses are needed: `and` binds tighter than
 * `or`, and `or()` parenthesizes its own result. A hand-written clause containing `or` must come in
 * parentheses.
 */
export function and(...clauses: (string | undefined)[]): string {
  return clauses.filter((clause): clause is string => !!clause).join(' and ');
}

/** Clauses joined with `or`, in parentheses when there are several, so the result nests safely. */
export function or(...clauses: (string | undefined)[]): string {
  const kept = clauses.filter((clause): clause is string => !!clause);
  return kept.length > 1 ? `(${kept.join(' or ')})` : (kept[0] ?? '');
}

/** `not (…)`. */
export function not(clause: string): string {
  return `not (${clause})`;
}

/** Finance's key lookup: `(p eq 'a' or p eq 'b')`. F&O has no `in` operator. */
export function anyOf(property: string, values: readonly ODataLiteral[]): string {
  return or(...values.map((value) => eq(property, value)));
}

/**
 * Dataverse's batched lookup:
 * `Microsoft.Dynamics.CRM.In(PropertyName='accountnumber',PropertyValues=['A','B'])`. PropertyValues is
 * a collection of strings whatever the column type, so numbers and GUIDs are quoted too.
 */
export function crmIn(property: string, values: readonly (string | number | { guid: string })[]): string {
  if (values.length === 0) throw new RangeError(`crmIn(${property}) needs at least one value`);
  const list = values.map((value) =>
    quoteString(typeof value === 'object' ? formatLiteral(value) : String(value)),
  );
  return `Microsoft.Dynamics.CRM.In(PropertyName=${quoteString(property)},PropertyValues=[${list.join(',')}])`;
}

/**
 * Splits `values` into consecutive groups, each as large as possible while `render(group).length` stays
 * within `budget`. `render` returns the whole URL for a group (see `ODataClient.urlFor`), so the limit
 * checked is the real one. Rendered lengths must grow with the group, which every filter here does;
 * that lets each group be found with a few renders (from a guess by average length) instead of one per key.
 * Throws a RangeError when a single value does not fit.
 */
export function chunkByUrlLength<T>(
  values: readonly T[],
  render: (group: readonly T[]) => string,
  budget: number,
): T[][] {
  const groups: T[][] = [];
  let start = 0;
  while (start < values.length) {
    const size = largestFittingSize(values, start, render, budget);
    if (size === 0) {
      const length = render(values.slice(start, start + 1)).length;
      throw new RangeError(`One key alone makes a URL of ${length} characters, over the limit of ${budget}`);
    }
    groups.push(values.slice(start, start + size));
    start += size;
  }
  return groups;
}

function largestFittingSize<T>(
  values: readonly T[],
  start: number,
  render: (group: readonly T[]) => string,
  budget: number,
): number {
  const remaining = values.length - start;
  const length = (size: number) => render(values.slice(start, start + size)).length;
  const whole = length(remaining);
  if (whole <= budget) return remaining;
  // Values are alike in length, so the share of the whole that fits is a close first guess; gallop from
  // it to bracket the answer between `low` (fits) and `high` (does not), then bisect. A few renders
  // where starting from one value took twice the logarithm of the group's size.
  const guess = Math.max(1, Math.min(remaining - 1, Math.floor((remaining * budget) / whole)));
  let low = 0;
  let high = remaining;
  if (length(guess) <= budget) {
    low = guess;
    for (let step = 1; low + step < high; step *= 2) {
      if (length(low + step) > budget) {
        high = low + step;
        break;
      }
      low += step;
    }
  } else {
    high = guess;
    for (let step = 1; high - step > low; step *= 2) {
      if (length(high - step) <= budget) {
        low = high - step;
        break;
      }
      high -= step;
    }
  }
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (length(middle) <= budget) low = middle;
    else high = middle;
  }
  return low;
}
