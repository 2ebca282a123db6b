/**
 * A request id for every HTTP request and WebSocket connection: the caller's `X-Request-Id` when it is a
 * sane one (so a gateway's or a client's id follows the request into the hub's logs), else a new UUID.
 * HTTP answers echo it in `X-Request-Id`; the operation's context carries it as `requestId`.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export const requestIdHeader = 'x-request-id';

// Letters, digits and a few separators, as UUIDs, ULIDs and trace ids are written: nothing that could
// forge a log line or a header, and short enough to index.
const saneRequestId = /^[A-Za-z0-9._:@/+=-]{1,128}$/;
// A token pasted into the wrong header must not reach the logs through it.
const jwtShaped = /^eyJ[\w-]*\.[\w-]+\.[\w-]*$/;

/** The caller's id when it is sane (one value, at most 128 safe characters, not a JWT), else a new UUID. */
export function requestIdFrom(header: string | string[] | undefined): string {
  if (typeof header === 'string' && saneRequestId.test(header) && !jwtShaped.test(header)) return header;
  return randomUUID();
}

const assigned = new WeakMap<IncomingMessage, string>();

/** Gives the request its id and echoes it on the response; call once, before anything is written. */
export function assignRequestId(req: IncomingMessage, res: ServerResponse): string {
  const id = requestIdFrom(req.headers[requestIdHeader]);
  assigned.set(req, id);
  res.setHeader('X-Request-Id', id);
  return id;
}

/** The id `assignRequestId` gave the request; one is given now (not echoed) if it gave none. */
export function requestIdOf(req: IncomingMessage): string {
  let id = assigned.get(req);
  if (id === undefined) {
    id = requestIdFrom(req.headers[requestIdHeader]);
    assigned.set(req, id);
  }
  return id;
}
