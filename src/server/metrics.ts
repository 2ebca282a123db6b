/**
 * `GET /metrics`: the Prometheus exposition of this instance, answered like `/readyz` — before
 * authentication and never logged, as it holds nothing secret and no record data: counts, durations and
 * states, labelled by bounded sets (operation type, outcome, system, method, status, entity set, flow,
 * run status) and the instance id. Scrapers reach it where probes do; keep it off the public internet as
 * you would `/readyz`.
 *
 * `HEAD` answers the same status without a body; other methods get 405.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OperationLogRecord } from './operation-log.js';
import { requestUrl } from './request-url.js';

export const metricsPath = '/metrics';

/** What the server tells the metrics as operations run. Each call is cheap and never throws. */
export interface OperationMetrics {
  /** One GraphQL operation ended (either transport), a refused one included. */
  operation(record: OperationLogRecord): void;
  /** A graphql-ws subscription began streaming. */
  subscriptionOpened(): void;
  /** A subscription counted by `subscriptionOpened` ended (completed, failed, or its socket closed). */
  subscriptionClosed(): void;
}

/** The metrics the server records and exposes. */
export interface ServerMetrics extends OperationMetrics {
  /** The exposition text and its content type (`text/plain; version=0.0.4; charset=utf-8`). */
  scrape(): Promise<{ contentType: string; text: string }>;
}

/**
 * Answers `req` when it is for `/metrics` and returns true; returns false, touching nothing, for any
 * other path.
 */
export function createMetricsHandler(
  metrics: Pick<ServerMetrics, 'scrape'>,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    if (requestUrl(req)?.pathname !== metricsPath) return false;
    const method = (req.method ?? 'GET').toUpperCase();
    if (method !== 'GET' && method !== 'HEAD') {
      res.writeHead(405, { 'Content-Type': 'application/json', Allow: 'GET, HEAD' });
      res.end(JSON.stringify({ error: `${metricsPath} answers GET and HEAD only.` }));
      return true;
    }
    metrics.scrape().then(
      ({ contentType, text }) => send(res, 200, contentType, method === 'HEAD' ? undefined : text),
      () =>
        send(
          res,
          500,
          'application/json',
          method === 'HEAD' ? undefined : JSON.stringify({ error: 'The metrics could not be collected.' }),
        ),
    );
    return true;
  };
}

function send(res: ServerResponse, status: number, contentType: string, body: string | undefined): void {
  if (res.headersSent) return;
  // A scrape must see the values now, not a cached answer from a proxy.
  res.writeHead(status, { 'Content-Type': contentType, 'Cache-Control': 'no-store' });
  res.end(body);
}
