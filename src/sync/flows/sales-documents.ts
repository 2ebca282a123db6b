/**
 * Sales documents with lines (an order, an invoice) as the Finance → Sales flows read them: the headers
 * of a page's keys in one batched read, then their lines in one more, matched to their header by id.
 */
import type { Connectors } from '../../connectors/index.js';
import type { SalesKind } from '../../connectors/sales/types.js';
import { matchKey } from '../../vocabulary.js';

export type SalesRow = Readonly<Record<string, unknown>>;

/** A Sales header with its lines, as a Finance → Sales target's `existing` holds it. */
export interface SalesDocument {
  header: SalesRow;
  lines: readonly SalesRow[];
}

export interface SalesDocumentKinds {
  header: SalesKind;
  /** The header's business key column (`ordernumber`) and id column (`salesorderid`). */
  key: string;
  id: string;
  line: SalesKind;
  /** The lines' lookup column holding the header's id (`_salesorderid_value`). */
  parent: string;
}

/** The documents of `keys` by `matchKey(key)`: two batched requests (none for lines when no header exists). */
export async function readSalesDocuments(
  connectors: Connectors,
  kinds: SalesDocumentKinds,
  keys: readonly string[],
): Promise<Map<string, SalesDocument>> {
  const { sales } = connectors;
  const headers = await sales.getByValues(kinds.header, kinds.key, keys);
  const ids = [...headers.values()].flatMap(([row]) => {
    const id = row ? (row as unknown as SalesRow)[kinds.id] : undefined;
    return typeof id === 'string' ? [id] : [];
  });
  const lines =
    ids.length === 0 ? new Map<string, object[]>() : await sales.getByValues(kinds.line, kinds.parent, ids);
  const documents = new Map<string, SalesDocument>();
  for (const [key, [row]] of headers) {
    if (!row) continue;
    const header = row as unknown as SalesRow;
    const ofHeader = (lines.get(matchKey(String(header[kinds.id]))) ?? []) as SalesRow[];
    documents.set(key, { header, lines: ofHeader });
  }
  return documents;
}

/** The Sales id of a document `existing` holds, or null. */
export function documentId(existing: object | undefined, idColumn: string): string | null {
  const id = (existing as SalesDocument | undefined)?.header[idColumn];
  return typeof id === 'string' ? id : null;
}
