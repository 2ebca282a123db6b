/**
 * The simpler query options both simulators read: `$select`, `$orderby`, `$top` and `$skip`. Parsing
 * validates against the entity set so a typo in a connector's URL is a 400 with a usable message, as it is
 * upstream; `compareRows` orders rows the way the systems' SQL Server does. Pure functions, no HTTP.
 */
import { compareValues, QueryOptionError, requireProperty } from './filter/index.js';
import type { EntitySetDef, PropertyDef, Row } from './model.js';

/** One `$orderby` item. `def` carries the property's type so Edm.Decimal text sorts by value, not as text. */
export interface OrderItem {
  property: string;
  descending: boolean;
  def?: PropertyDef;
}

const propertyName = /^[A-Za-z_]\w*$/;

interface ListItem {
  text: string;
  pos: number;
}

/** Splits a comma-separated option into trimmed items with their positions; empty items are errors. */
function splitList(option: '$select' | '$orderby', text: string): ListItem[] {
  if (text.trim() === '') throw new QueryOptionError(`The ${option} option is empty.`, 0);
  const items: ListItem[] = [];
  let start = 0;
  for (const part of text.split(',')) {
    const lead = part.length - part.trimStart().length;
    if (part.trim() === '') {
      throw new QueryOptionError(
        `Syntax error at position ${start} in '${option}': expected a property name.`,
        start,
      );
    }
    items.push({ text: part.trim(), pos: start + lead });
    start += part.length + 1;
  }
  return items;
}

function requireName(option: '$select' | '$orderby', item: ListItem, set: EntitySetDef): string {
  if (!propertyName.test(item.text)) {
    const hint = item.text.includes('/')
      ? ' Related rows are read with $expand.'
      : item.text.includes('(')
        ? ` Only property names are supported in ${option}.`
        : '';
    throw new QueryOptionError(
      `Syntax error at position ${item.pos} in '${option}': '${item.text}' is not a property name.${hint}`,
      item.pos,
    );
  }
  requireProperty(set, item.text, item.pos);
  return item.text;
}

/**
 * `$select=name,accountnumber` → the property names, validated, duplicates dropped, in request order.
 * Returns undefined when the option is absent or `*` (all properties).
 * @throws QueryOptionError for an empty option, an empty item, a path or an unknown property.
 */
export function parseSelect(text: string | undefined, set: EntitySetDef): string[] | undefined {
  if (text === undefined) return undefined;
  const items = splitList('$select', text);
  if (items.length === 1 && items[0]!.text === '*') return undefined;
  const names: string[] = [];
  for (const item of items) {
    if (item.text === '*') {
      throw new QueryOptionError("'*' must be the only item in $select.", item.pos);
    }
    const name = requireName('$select', item, set);
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

/**
 * `$orderby=name desc, accountnumber` → order items (ascending unless `desc`). Absent → `[]`.
 * @throws QueryOptionError for an unknown property, a direction other than `asc`/`desc`, an expression,
 *   or a property named twice (OData forbids it).
 */
export function parseOrderBy(text: string | undefined, set: EntitySetDef): OrderItem[] {
  if (text === undefined) return [];
  const order: OrderItem[] = [];
  for (const item of splitList('$orderby', text)) {
    const [name = '', direction, ...extra] = item.text.split(/\s+/);
    const property = requireName('$orderby', { text: name, pos: item.pos }, set);
    if (extra.length > 0 || (direction !== undefined && direction !== 'asc' && direction !== 'desc')) {
      const found = item.text.slice(name.length).trim();
      const pos = item.pos + item.text.indexOf(found, name.length);
      throw new QueryOptionError(
        `Syntax error at position ${pos} in '$orderby': expected 'asc' or 'desc' after '${name}', found '${found}'.`,
        pos,
      );
    }
    if (order.some((o) => o.property === property)) {
      throw new QueryOptionError(
        `Duplicate property named '${property}' is not supported in '$orderby'.`,
        item.pos,
      );
    }
    order.push({ property, descending: direction === 'desc', def: set.properties[property]! });
  }
  return order;
}

/**
 * A row comparator for `order`: nulls first when ascending and last when descending (SQL Server), strings
 * case-insensitive, Edm.Decimal by value when the item carries its `def`. Ties return 0, so callers append
 * the key to make paging stable.
 */
export function compareRows(order: readonly OrderItem[]): (a: Row, b: Row) => number {
  return (a, b) => {
    for (const { property, descending, def } of order) {
      const result = compareValues(a[property] ?? null, b[property] ?? null, def);
      if (result !== 0) return descending ? -result : result;
    }
    return 0;
  };
}

/**
 * `$top` / `$skip` as a non-negative integer; undefined when absent.
 * @throws QueryOptionError in OData's words for anything else (signs, spaces, decimals, huge values).
 */
export function parseNonNegativeInt(name: '$top' | '$skip', text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value)) {
    throw new QueryOptionError(
      `Invalid value '${text}' for ${name} query option found. The ${name} query option requires a non-negative integer value.`,
    );
  }
  return value;
}
