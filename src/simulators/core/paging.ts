/**
 * Opaque paging tokens and next links. Both systems say: follow the link verbatim, never build it. The
 * token is base64url JSON so a client cannot depend on its inside, and a tampered token is a clear 400.
 */
import { ServiceError } from './errors.js';

export interface PageState {
  /** Rows already returned. */
  offset: number;
  /** For change tracking: the row version the read started at. */
  version?: number;
}

export function encodePageToken(state: PageState): string {
  return Buffer.from(JSON.stringify(state)).toString('base64url');
}

export function decodePageToken(token: string | null): PageState | undefined {
  if (token === null) return undefined;
  try {
    const state = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<PageState>;
    if (typeof state.offset === 'number' && Number.isInteger(state.offset) && state.offset >= 0) {
      return {
        offset: state.offset,
        ...(typeof state.version === 'number' ? { version: state.version } : {}),
      };
    }
  } catch {
    // fall through to the error below
  }
  throw new ServiceError(
    400,
    '',
    'The $skiptoken is not valid. Follow the @odata.nextLink exactly as returned.',
  );
}

/** The request's own URL with some query parameters replaced (others kept in their order and encoding). */
export function linkWith(
  serviceRoot: string,
  resource: string,
  rawQuery: string,
  replace: Record<string, string | null>,
): string {
  const kept = rawQuery
    .split('&')
    .filter((pair) => pair !== '' && !(decodeURIComponent(pair.split('=')[0]!) in replace));
  for (const [name, value] of Object.entries(replace)) {
    if (value !== null) kept.push(`${name}=${encodeURIComponent(value)}`);
  }
  return `${serviceRoot}${resource}${kept.length > 0 ? `?${kept.join('&')}` : ''}`;
}

/** `Prefer: a, b=1` → Map { a → '', b → '1' } (names lower-cased). */
export function parsePrefer(header: string | undefined): Map<string, string> {
  const prefs = new Map<string, string>();
  for (const part of (header ?? '').split(',')) {
    const [name, value] = part.split('=').map((s) => s.trim());
    if (name) prefs.set(name.toLowerCase(), (value ?? '').replace(/^"|"$/g, ''));
  }
  return prefs;
}
