/**
 * `POST /webhooks/dataverse`: where a Dataverse webhook (a service endpoint with HttpHeader
 * authentication, registered on Create, Update and Delete of account, contact and quote) reports a change.
 * The key it sends in `x-p2c-webhook-key` must be `HUB_WEBHOOK_KEY` (compared in constant time); the body
 * is Dataverse's RemoteExecutionContext, of which only `PrimaryEntityName` is read: it names the flow to
 * sync. Answers 202 at once (Dataverse waits for the answer, and retries other statuses); the run follows
 * through the debounced trigger (src/sync/triggers/webhook.ts).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FlowName } from '../sync/flows/index.js';
import { requestUrl } from './request-url.js';

export const webhookPath = '/webhooks/dataverse';
export const webhookKeyHeader = 'x-p2c-webhook-key';
/** A RemoteExecutionContext is a few KB; more is not one. */
const maxBodyBytes = 256 * 1024;

/** The flow a change of each Sales table belongs to. */
const flowOfEntity: Readonly<Record<string, FlowName>> = {
  account: 'accounts',
  contact: 'contacts',
  quote: 'quotes',
  quotedetail: 'quotes',
  salesorder: 'orders',
  salesorderdetail: 'orders',
};

export interface WebhookHandlerOptions {
  /** `HUB_WEBHOOK_KEY`; null: the endpoint answers 404 saying how to turn it on. */
  key: string | null;
  /** Asks for a run of the flow (debounced). */
  request(flow: FlowName): Promise<void>;
}

/** Answers `req` when it is for the webhook path and returns true; returns false for any other path. */
export function createWebhookHandler(options: WebhookHandlerOptions) {
  const expected = options.key === null ? null : digest(options.key);
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if (requestUrl(req)?.pathname !== webhookPath) return false;
    void answer(req, res).catch(() => send(res, 500, { error: 'The webhook could not be handled.' }));
    return true;
  };

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (expected === null)
      return send(res, 404, { error: 'Webhooks are off: set HUB_WEBHOOK_KEY to turn them on.' });
    if ((req.method ?? '').toUpperCase() !== 'POST')
      return send(res, 405, { error: `${webhookPath} takes POST only.` }, { Allow: 'POST' });
    const given = req.headers[webhookKeyHeader];
    if (typeof given !== 'string' || !timingSafeEqual(digest(given), expected))
      return send(res, 401, { error: `Missing or wrong ${webhookKeyHeader} header.` });
    const text = await readBody(req);
    if (text === undefined)
      return send(res, 413, { error: `A webhook body is at most ${maxBodyBytes} bytes.` });
    let entity: unknown;
    try {
      entity = (JSON.parse(text) as { PrimaryEntityName?: unknown }).PrimaryEntityName;
    } catch {
      return send(res, 400, { error: 'The body is not JSON: send Dataverse’s RemoteExecutionContext.' });
    }
    if (typeof entity !== 'string')
      return send(res, 400, {
        error: 'The body has no PrimaryEntityName: send Dataverse’s RemoteExecutionContext.',
      });
    const flow = flowOfEntity[entity.toLowerCase()];
    // Accepted, so Dataverse does not retry a call the hub will never act on.
    if (!flow) return send(res, 202, { accepted: false, reason: `no flow syncs ${entity}` });
    await options.request(flow);
    return send(res, 202, { accepted: true, flow: flow.toUpperCase() });
  }
}

const digest = (text: string) => createHash('sha256').update(text).digest();

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) {
        resolve(undefined);
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}
