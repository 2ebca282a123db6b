/** Reading answers: bodies into values (decimals kept exact), collections into pages. */
import { ODataError, type SystemName } from './errors.js';
import { parseJson } from './json.js';

export interface Page<T> {
  rows: T[];
  /** Link to the next page, followed verbatim by `pages`. */
  nextLink?: string;
  /** On the last page of a change-tracking read (Sales): the link to read changes since. */
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
  '@odata.nextLink'?: unknown;
  '@odata.deltaLink'?: unknown;
  '@odata.count'?: unknown;
}

export function toPage<T>(body: unknown, status: number, context: RequestContext): Page<T> {
  const collection = body as CollectionBody | undefined;
  if (typeof collection !== 'object' || collection === null || !Array.isArray(collection.value)) {
    throw invalidResponse(context, status, 'Expected a collection ({"value": [...]}) from a collection read');
  }
  const nextLink = collection['@odata.nextLink'];
  const deltaLink = collection['@odata.deltaLink'];
  const count = Number(collection['@odata.count'] ?? Number.NaN);
  return {
    rows: collection.value as T[],
    ...(typeof nextLink === 'string' ? { nextLink } : {}),
    ...(typeof deltaLink === 'string' ? { deltaLink } : {}),
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
