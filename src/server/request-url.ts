/** The URL of a request as every handler of the hub's server reads it. */
import type { IncomingMessage } from 'node:http';

/**
 * The request target as a URL; undefined for a target `new URL` cannot read (`//`, `http://[`), which
 * is no path any handler serves.
 */
export function requestUrl(req: Pick<IncomingMessage, 'url'>): URL | undefined {
  try {
    return new URL(req.url ?? '/', 'http://localhost');
  } catch {
    return undefined;
  }
}
