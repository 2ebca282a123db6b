/**
 * The hub's health endpoints, answered before authentication (they show nothing secret) and never logged:
 *
 * - `GET /healthz`: 200 `{ "status": "ok" }` while the process serves HTTP at all (liveness);
 * - `GET /readyz`: 200 when the database, Sales and Finance all answer, else 503, with each component's
 *   status, latency, breaker state and, when down, a sentence saying what failed (`readiness.ts`).
 *
 * `HEAD` answers the same status without a body; other methods get 405.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readiness } from './readiness.js';
import { requestUrl } from './request-url.js';

export const livenessPath = '/healthz';
export const readinessPath = '/readyz';

/**
 * Answers `req` when it is for a health endpoint and returns true; returns false, touching nothing,
 * for any other path. Without `readiness`, `/readyz` reports ready (no components to check).
 */
export function createHealthHandler(
  readiness?: () => Promise<Readiness>,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    const path = requestUrl(req)?.pathname;
    if (path !== livenessPath && path !== readinessPath) return false;
    const method = (req.method ?? 'GET').toUpperCase();
    if (method !== 'GET' && method !== 'HEAD') {
      send(res, 405, { error: `${path} answers GET and HEAD only.` }, method, { Allow: 'GET, HEAD' });
      return true;
    }
    if (path === livenessPath) {
      send(res, 200, { status: 'ok' }, method);
      return true;
    }
    if (!readiness) {
      send(res, 200, { status: 'ready', components: {} }, method);
      return true;
    }
    readiness().then(
      (answer) => send(res, answer.status === 'ready' ? 200 : 503, answer, method),
      () => send(res, 503, { status: 'not ready', error: 'The readiness check failed.' }, method),
    );
    return true;
  };
}

/**
 * The request target's path, or undefined when `new URL` cannot read it: a target such as `//` or
 * `http://[` makes it throw, and thrown here, in the server's 'request' listener, it would end the process.
 */
function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  method: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  // Probes must see the state now, not a cached answer from a proxy.
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers });
  res.end(method === 'HEAD' ? undefined : JSON.stringify(body));
}
