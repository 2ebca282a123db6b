/**
 * Relay connections over the back-ends with keyset paging: rows are read in (sort value, key) order and
 * the next page starts after the last row's pair. One request per page whatever its size (`$top` =
 * first + 1 tells whether another page exists), stable while rows are added, and possible on Dataverse,
 * which has no `$skip`.
 */
import { and, eq, formatLiteral, gt, ne, or, type ODataLiteral } from '../connectors/odata/index.js';
import { decodeCursor, encodeCursor, notACursorOf, pageSize } from './cursors.js';

export interface KeysetOrder {
  /** Names the listing inside its cursors, so a cursor of another listing is refused. */
  list: string;
  /** Column the listing is sorted by (may be null in rows). */
  sort: string;
  /** Unique column that breaks ties. */
  key: string;
  /** How the key is written as a literal (GUIDs bare on Dataverse). */
  keyLiteral: (value: string) => ODataLiteral;
}

export interface PageRequest {
  filter: string | undefined;
  orderby: string;
  top: number;
}

/** The `$filter`, `$orderby` and `$top` of one page; `after` is validated (BAD_USER_INPUT on a bad cursor). */
export function pageRequest(
  order: KeysetOrder,
  first: number | null | undefined,
  after: string | null | undefined,
  filter?: string,
): PageRequest {
  const size = pageSize(first);
  const keyset = after ? keysetFilter(order, position(order, after)) : undefined;
  return {
    filter: and(filter ? `(${filter})` : undefined, keyset) || undefined,
    orderby: order.sort === order.key ? `${order.key} asc` : `${order.sort} asc,${order.key} asc`,
    top: size + 1,
  };
}

/**
 * The cursor's (sort, key) pair, its key checked against the listing's key type: a cursor whose inside was
 * edited (a key that is not a GUID on Dataverse) is the caller's mistake, not an internal error.
 */
function position(order: KeysetOrder, after: string): [string | null, string] {
  const pair = decodeCursor(order.list, after).after;
  try {
    formatLiteral(order.keyLiteral(pair[1]));
  } catch {
    throw notACursorOf(order.list);
  }
  return pair;
}

/** Rows strictly after (sort, key) in the listing's order; nulls sort first, as in SQL Server. */
function keysetFilter(order: KeysetOrder, [sort, key]: [string | null, string]): string {
  const keyAfter = gt(order.key, order.keyLiteral(key));
  if (order.sort === order.key) return keyAfter;
  if (sort === null) return or(ne(order.sort, null), and(eq(order.sort, null), keyAfter));
  return or(gt(order.sort, sort), and(eq(order.sort, sort), keyAfter));
}

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  nodes: T[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** Builds the connection from the `top` rows read: the extra row only says that another page exists. */
export function toConnection<TRow extends object, TNode>(
  order: KeysetOrder,
  request: PageRequest,
  rows: TRow[],
  toNode: (row: TRow) => TNode,
): Connection<TNode> {
  const page = rows.slice(0, request.top - 1);
  const field = (row: TRow, name: string): unknown => (row as Record<string, unknown>)[name];
  const edges = page.map((row) => ({
    cursor: encodeCursor({
      list: order.list,
      after: [(field(row, order.sort) as string | null) ?? null, String(field(row, order.key))],
    }),
    node: toNode(row),
  }));
  return {
    edges,
    nodes: edges.map((edge) => edge.node),
    pageInfo: { hasNextPage: rows.length > page.length, endCursor: edges.at(-1)?.cursor ?? null },
  };
}
