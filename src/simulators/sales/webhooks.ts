/**
 * What a Dataverse service endpoint does on the simulator's own changes: after each create, update or
 * delete of an account, contact, quote, quote line, sales order or order line through the Web API (in a `$batch` too), it posts a
 * RemoteExecutionContext to the configured webhook, asynchronously, as a step registered in asynchronous
 * mode would. A call that fails is dropped (Dataverse's asynchronous service retries; the hub treats the
 * call as a hint anyway).
 */
import { parseResourcePath } from '../core/resource-path.js';
import type { SimRequest, SimResponse } from '../core/service.js';
import { salesEntitySets } from './entities.js';

/** Where the simulator posts its changes, and the headers it adds (the HttpHeader authentication). */
export interface SalesWebhook {
  url: string;
  headers?: Record<string, string>;
}

const watched = new Set(['account', 'contact', 'quote', 'quotedetail', 'salesorder', 'salesorderdetail']);
const messages: Record<string, string> = { POST: 'Create', PATCH: 'Update', DELETE: 'Delete' };

/** Calls the webhook, if any, about the change `request` made (when it made one). */
export function notifyChange(webhook: SalesWebhook | null, request: SimRequest, response: SimResponse): void {
  const message = messages[request.method.toUpperCase()];
  if (!webhook || !message || response.status < 200 || response.status >= 300) return;
  let entitySet: string;
  try {
    const path = parseResourcePath(request.resource);
    // A bulk message (bulk.ts) changes many records in one call: not notified (yet), rather than
    // notified as one Create without a record id.
    if (path.action) return;
    entitySet = path.entitySet;
  } catch {
    return;
  }
  const set = salesEntitySets.find((candidate) => candidate.name === entitySet);
  if (!set || !watched.has(set.entityType)) return;
  // The record's id: from OData-EntityId (`…/accounts(<guid>)`) when the answer has it, else from the path.
  const id =
    /\(([0-9a-f-]{36})\)$/i.exec(response.headers?.['OData-EntityId'] ?? request.resource)?.[1] ?? null;
  const body = {
    MessageName: response.status === 201 ? 'Create' : message,
    PrimaryEntityName: set.entityType,
    PrimaryEntityId: id,
    OrganizationName: 'simulator',
    Depth: 1,
    Mode: 1,
    Stage: 40,
    OperationCreatedOn: `/Date(${Date.now()})/`,
    InputParameters: [],
    OutputParameters: [],
  };
  void fetch(webhook.url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...webhook.headers },
    body: JSON.stringify(body),
  })
    .then((answer) => answer.body?.cancel())
    .catch(() => undefined);
}
