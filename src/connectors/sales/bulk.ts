/**
 * Dataverse's bulk operation messages for the Sales connector: `POST <set>/Microsoft.Dynamics.CRM.<message>`
 * with `{"Targets":[{"@odata.type":"Microsoft.Dynamics.CRM.<logical name>", …}]}`, where `<message>` is
 * CreateMultiple (answers the new `Ids`), UpdateMultiple or UpsertMultiple (both answer 204, nothing per
 * record). Microsoft recommends them over `$batch` for bulk work on tables that support them ("Use bulk
 * operation messages"; "Optimize performance for bulk operations").
 *
 * Two things Microsoft documents shape this module:
 * - Not every standard table supports them ("You should test whether individual standard tables support
 *   these messages"). A table that refuses is remembered, so later writes to it go straight to the
 *   per-record path instead of paying for a refusal each time.
 * - On standard tables a bulk message is all or nothing ("All operations roll back on error"), and
 *   Microsoft suggests falling back to `$batch` when one fails. So a chunk refused with a 4xx (one bad
 *   record) is written again one record at a time by the caller's `perRecord`, which is `$batch` with
 *   continue-on-error: the bad record fails alone, with its own message, and the others are written.
 *   Transient failures (429, 5xx, timeouts) are the client's retry policy's business; when it gives up
 *   the error is thrown, never turned into a second round of writes.
 */
import { ODataError, type ODataClient } from '../odata/index.js';
import { chunk } from '../odata/records.js';
import type { UpsertResult } from './connector.js';
import { salesEntities } from './entities.js';
import type { SalesKind } from './types.js';

export type BulkMessage = 'CreateMultiple' | 'UpdateMultiple' | 'UpsertMultiple';

/**
 * Targets per bulk message. Microsoft ("Use bulk operation messages", number of records with standard
 * tables): throughput grows with the records per request and there is no set limit, but a request too
 * large hits the message size and time limits and then fails whole; "1,000 records per request is a
 * reasonable place to start if the size of the record data is small and there are no plug-ins", and a
 * client should let the number be configured lower. The hub's records are a few dozen short columns, so
 * 1,000 (`bulkSize` lowers it). A chunk that fails falls back to `$batch`, whose own limit is 1,000 too.
 */
export const defaultBulkSize = 1000;

const namespace = 'Microsoft.Dynamics.CRM';

/** Dataverse's code for an invalid argument, which it also answers for a message a table does not support. */
const invalidArgumentCode = '0x80040203';

/**
 * Whether Sales refused the message itself for this table rather than a record in it: 400 with the
 * invalid-argument code and "message is not supported for the entity", or, from a Dataverse that does
 * not know the message at all, 404 "Resource not found for the segment '…Multiple'". Both the code and
 * the text are checked, so a record refused with the same code is never taken for a refusing table.
 */
export function isBulkRefusal(error: unknown): boolean {
  if (!(error instanceof ODataError) || error.kind !== 'http') return false;
  if (error.status === 400) {
    return (
      error.code === invalidArgumentCode && /message is not supported|does not support/i.test(error.message)
    );
  }
  return error.status === 404 && /resource not found for the segment '[^']*Multiple'/i.test(error.message);
}

/**
 * A bulk message failed as a whole because of what it carried: a 4xx other than 401 (the credentials,
 * which no per-record write would fix), 408 and 429 (transient, left to the retry policy).
 */
function failedWhole(error: unknown): boolean {
  return (
    error instanceof ODataError &&
    error.kind === 'http' &&
    error.status >= 400 &&
    error.status < 500 &&
    ![401, 408, 429].includes(error.status)
  );
}

/** `Microsoft.Dynamics.CRM.account`: a table's primary key is always `<logical name>id`. */
export function bulkType(kind: SalesKind): string {
  return `${namespace}.${salesEntities[kind].key[0]!.replace(/id$/, '')}`;
}

/** How to send one table's items in one message and what to do with the answer. */
export interface BulkSend<T> {
  kind: SalesKind;
  message: BulkMessage;
  items: readonly T[];
  /** One item as a target, without `@odata.type` (added here). */
  toTarget(item: T): Record<string, unknown>;
  /** The results of a chunk Sales wrote; `ids` are CreateMultiple's `Ids` (empty for the others). */
  written(items: readonly T[], ids: readonly string[]): UpsertResult[];
  /** Writes a chunk one record at a time (`$batch`, continue-on-error); one result per item, in order. */
  perRecord(items: readonly T[]): Promise<UpsertResult[]>;
}

export interface BulkSender {
  /** Sends `items` in chunks of `bulkSize`, falling back per chunk as the module comment says. */
  send<T>(request: BulkSend<T>): Promise<UpsertResult[]>;
  /** False once the table refused bulk messages: send goes straight to `perRecord`. */
  supports(kind: SalesKind): boolean;
}

export function createBulkSender({
  client,
  bulkSize,
}: {
  client: ODataClient;
  bulkSize: number;
}): BulkSender {
  /** Entity sets that refused a bulk message, for the connector's lifetime. */
  const refusing = new Set<string>();
  const supports = (kind: SalesKind): boolean => !refusing.has(salesEntities[kind].set);

  async function sendChunk<T>(request: BulkSend<T>, items: readonly T[]): Promise<UpsertResult[]> {
    const { kind, message } = request;
    if (!supports(kind)) return request.perRecord(items);
    const type = bulkType(kind);
    try {
      const response = await client.request<{ Ids?: unknown }>({
        method: 'POST',
        path: `${salesEntities[kind].set}/${namespace}.${message}`,
        body: { Targets: items.map((item) => ({ '@odata.type': type, ...request.toTarget(item) })) },
        // Sending the same UpdateMultiple or UpsertMultiple twice leaves the same records; a second
        // CreateMultiple would create them twice.
        idempotent: message !== 'CreateMultiple',
      });
      const ids = Array.isArray(response.body?.Ids) ? response.body.Ids.map(String) : [];
      return request.written(items, ids);
    } catch (error) {
      if (isBulkRefusal(error)) {
        refusing.add(salesEntities[kind].set);
        return request.perRecord(items);
      }
      if (failedWhole(error)) return request.perRecord(items);
      throw error;
    }
  }

  async function send<T>(request: BulkSend<T>): Promise<UpsertResult[]> {
    const results: UpsertResult[] = [];
    for (const items of chunk(request.items, Math.max(1, bulkSize))) {
      results.push(...(await sendChunk(request, items)));
    }
    return results;
  }

  return { send, supports };
}
