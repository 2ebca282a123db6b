/** Reading answers: bodies into values (decimals kept exact), collections into pages. */
import { ODataError, type SystemName } from './errors.js';
import { parseJson } from './json.js';

export interface Page<T> {
  rows: T[];
  /** Link to the next page, absolute (see `toPage`), followed verbatim by `pages`. */
  nextLink?: string;
  /** On the last page of a change-tracking read (Sales): the link to read changes since, absolute. */
  deltaLink?: string;
  /** `@odata.count`, when `$count=true` was asked (Dataverse caps it at 5,000). */
  count?: number;
}

type RequestContext = { system: SystemName; method: string; path: string };

/** JSON (by Content-Type, or when none is given) through `parseJson`; other text as is; empty → undefined. */
export function parseBody(
  response: { status: number; headers: Record<string, string>; text: string },
  context: RequestContext,
): unknown {
  if (response.text.trim() === '') return undefined;
  if (!/json/i.test(response.headers['content-type'] ?? 'application/json')) return response.text;
  try {
    return parseJson(response.text);
  } catch (error) {
    throw invalidResponse(
      context,
      response.status,
      'The service answered with a body that is not valid JSON',
      error,
    );
  }
}

interface CollectionBody {
  value?: unknown;
  '@odata.context'?: unknown;
  '@odata.nextLink'?: unknown;
  '@odata.deltaLink'?: unknown;
  '@odata.count'?: unknown;
}

/**
 * A collection answer as a page. `requestUrl` (absolute) is where it was read from: the OData JSON format
 * (4.0, §4.3 "Relative URLs") lets a service send `@odata.nextLink` and `@odata.deltaLink` relative to the
 * context URL of the same object (`@odata.context`, itself resolved against the request URL), or else to
 * the request URL, as SAP CAP does (`accounts?$skiptoken=40`); both come back absolute. An absolute link
 * is kept verbatim (its `$skiptoken` is opaque). A link that is not a URL is the service's error.
 */
export function toPage<T>(
  body: unknown,
  status: number,
  context: RequestContext,
  requestUrl: string,
): Page<T> {
  const collection = body as CollectionBody | undefined;
  if (typeof collection !== 'object' || collection === null || !Array.isArray(collection.value)) {
    throw invalidResponse(context, status, 'Expected a collection ({"value": [...]}) from a collection read');
  }
  const link = (name: '@odata.nextLink' | '@odata.deltaLink'): string | undefined => {
    const value = collection[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string' || value.trim() === '') {
      throw invalidResponse(context, status, `The service answered with an ${name} that is not a URL`);
    }
    if (/^https?:\/\//i.test(value) && URL.canParse(value)) return value;
    const contextUrl = collection['@odata.context'];
    try {
      const base =
        typeof contextUrl === 'string' && URL.canParse(contextUrl, requestUrl)
          ? new URL(contextUrl, requestUrl)
          : new URL(requestUrl);
      const resolved = new URL(value, base);
      if (!/^https?:$/.test(resolved.protocol)) throw new TypeError(`${resolved.protocol} is not HTTP`);
      return resolved.href;
    } catch (error) {
      throw invalidResponse(
        context,
        status,
        `The service answered with an ${name} that is not a URL: ${value.slice(0, 200)}`,
        error,
      );
    }
  };
  const nextLink = link('@odata.nextLink');
  const deltaLink = link('@odata.deltaLink');
  const count = Number(collection['@odata.count'] ?? Number.NaN);
  return {
    rows: collection.value as T[],
    ...(nextLink !== undefined ? { nextLink } : {}),
    ...(deltaLink !== undefined ? { deltaLink } : {}),
    ...(Number.isFinite(count) ? { count } : {}),
  };
}

/** A 2xx answer the client cannot use: a server bug, reported like any other upstream failure. */
export function invalidResponse(
  context: RequestContext,
  status: number,
  message: string,
  cause?: unknown,
): ODataError {
  return new ODataError(
    { ...context, status, code: 'InvalidResponse', message },
    cause === undefined ? undefined : { cause },
  );
}
