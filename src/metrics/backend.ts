/**
 * Back-end requests as metrics: each HTTP attempt to Sales or Finance (retries included), by system,
 * method, status and the OData entity set it addressed. A path carries record keys (`accounts(…)`) and
 * query options, so only its first segment is kept, and only while few distinct ones have been seen:
 * the label's values stay bounded whatever the paths look like.
 */
import type { ODataRequestEvent } from '../connectors/odata/index.js';

/** More distinct entity sets than the hub reads and writes; past it, every new one counts as `other`. */
const maxEntitySets = 100;

/** An OData resource name: `accounts`, `CustomersV3`, `$batch`, `$metadata`. */
const entitySetName = /^\$?[A-Za-z_][A-Za-z0-9_.]{0,63}$/;

/** The entity set of service-relative paths, bounded as above. */
export function createEntitySetNamer(limit = maxEntitySets): (path: string) => string {
  const seen = new Set<string>();
  return (path) => {
    const [first = ''] = path.split(/[(?/]/, 1);
    if (!entitySetName.test(first)) return 'other';
    if (seen.has(first)) return first;
    if (seen.size >= limit) return 'other';
    seen.add(first);
    return first;
  };
}

/** The labels of one attempt: the status as a number (0 for a timeout or a failed connection). */
export function backendLabels(
  event: ODataRequestEvent,
  entitySetOf: (path: string) => string,
): { system: string; method: string; status: string; entity_set: string } {
  return {
    system: event.system,
    method: event.method.toUpperCase(),
    status: String(event.status),
    entity_set: entitySetOf(event.path),
  };
}
