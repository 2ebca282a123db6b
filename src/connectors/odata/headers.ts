/** Request and response header helpers. Header names are case-insensitive; these keep that true. */
import type { SystemName } from './errors.js';

/**
 * Headers sent with every request. Both systems take the OData version headers (Dataverse documents
 * them; F&O accepts them). Dataverse also documents `If-None-Match: null`, which keeps a cache between
 * the hub and the service from answering with a stale 304.
 */
export function defaultHeadersFor(system: SystemName): Record<string, string> {
  const common = { Accept: 'application/json', 'OData-MaxVersion': '4.0', 'OData-Version': '4.0' };
  return system === 'sales' ? { ...common, 'If-None-Match': 'null' } : common;
}

/** Later sources win, whatever the case of the name: a later `prefer` replaces an earlier `Prefer`. */
export function mergeHeaders(...sources: (Record<string, string> | undefined)[]): Record<string, string> {
  const merged = new Map<string, [string, string]>();
  for (const source of sources) {
    for (const [name, value] of Object.entries(source ?? {})) merged.set(name.toLowerCase(), [name, value]);
  }
  return Object.fromEntries(merged.values());
}

export function headerValue(headers: Record<string, string> | undefined, name: string): string | undefined {
  const lower = name.toLowerCase();
  return Object.entries(headers ?? {}).find(([key]) => key.toLowerCase() === lower)?.[1];
}

/** `Prefer` is a list: add a preference to whatever the caller already prefers. */
export function withPreference(headers: Record<string, string> | undefined, preference: string): string {
  const existing = headerValue(headers, 'prefer');
  return existing ? `${existing}, ${preference}` : preference;
}
