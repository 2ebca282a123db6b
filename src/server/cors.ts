/**
 * Which web pages may call the hub from a browser. Browsers send `Origin` with cross-origin requests and
 * enforce the answer; only origins on the allow-list (`HUB_CORS_ORIGINS`) get the CORS headers, so by
 * default no other site's script can read the hub's answers. Credentials are bearer tokens, never cookies,
 * so `Access-Control-Allow-Credentials` is never sent.
 *
 * WebSockets have no CORS: a page of any origin may open one, and the browser sends its `Origin`. The
 * same allow-list (and the hub's own origin) decides which upgrades are accepted, so a page on another
 * site cannot open a socket to a hub that runs without authentication on the user's machine.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Headers a browser client may send: the GraphQL-over-HTTP ones, Apollo's CSRF ones and the token. */
const allowedHeaders = [
  'authorization',
  'content-type',
  'accept',
  'apollo-require-preflight',
  'x-apollo-operation-name',
].join(', ');
/** Browsers may cache a preflight answer this long. */
const preflightMaxAgeSeconds = 600;

export interface CorsPolicy {
  /**
   * Adds the CORS headers an allowed origin gets; answers a preflight (OPTIONS with
   * `Access-Control-Request-Method`) itself. Returns true when the request has been answered.
   */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  /** Whether a WebSocket upgrade from this `Origin` (undefined: not a browser) may proceed. */
  allowsUpgrade(req: IncomingMessage): boolean;
}

/** `origins`: exact origins (`https://app.contoso.com`), or `*` for any. */
export function createCorsPolicy(origins: readonly string[]): CorsPolicy {
  const any = origins.includes('*');
  const allowed = (origin: string) => any || origins.includes(origin);
  return {
    handle(req, res) {
      const origin = req.headers.origin;
      if (origin === undefined) return false;
      const preflight =
        req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
      res.setHeader('Vary', 'Origin');
      if (!allowed(origin)) {
        if (!preflight) return false;
        res.writeHead(403, { 'Content-Type': 'application/json' });
        res.end(
          JSON.stringify({
            errors: [
              {
                message: `Origin ${origin} may not call this hub; add it to HUB_CORS_ORIGINS.`,
                extensions: { code: 'FORBIDDEN' },
              },
            ],
          }),
        );
        return true;
      }
      res.setHeader('Access-Control-Allow-Origin', any ? '*' : origin);
      if (!preflight) return false;
      res.writeHead(204, {
        'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
        'Access-Control-Allow-Headers': allowedHeaders,
        'Access-Control-Max-Age': String(preflightMaxAgeSeconds),
      });
      res.end();
      return true;
    },
    allowsUpgrade(req) {
      const origin = req.headers.origin;
      if (origin === undefined) return true;
      if (allowed(origin)) return true;
      // The hub's own pages (the Sandbox) connect from the hub's origin.
      try {
        return new URL(origin).host === req.headers.host;
      } catch {
        return false;
      }
    },
  };
}
