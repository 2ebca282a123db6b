/**
 * Links of the records a page failed: marked FAILED with the reason, so reads show the record's sync
 * state. The link store writes a page's links in one statement where every link names the same fields,
 * so a failed record's link carries its stored values (ids, last sync, content hash) forward instead of
 * leaving them out. Keeping the stored content hash matters: a product that failed must not look
 * unchanged to the next run.
 */
import type { FailureInput } from '../../db/runs.js';
import type { LinkInput, LinkStore } from '../../db/links.js';
import { matchKey } from '../../vocabulary.js';
import type { LinkEntity } from '../../db/schema.js';

/** FAILED links for `failures`, each carrying the stored link's values (one batched read). */
export async function failedLinks(
  links: LinkStore,
  entity: LinkEntity,
  runId: string,
  failures: readonly FailureInput[],
): Promise<LinkInput[]> {
  if (failures.length === 0) return [];
  const stored = await links.findMany(
    entity,
    failures.map((f) => f.recordKey),
  );
  return failures.map(({ recordKey, message }) => {
    const link = stored.get(matchKey(recordKey));
    return {
      entity,
      businessKey: link?.businessKey ?? recordKey,
      salesId: link?.salesId ?? null,
      financeKey: link?.financeKey ?? null,
      financeCompany: link?.financeCompany ?? null,
      lastSyncedAt: link?.lastSyncedAt ?? null,
      contentHash: link?.contentHash ?? null,
      lastRunId: runId,
      lastError: message,
      state: 'FAILED',
    };
  });
}
