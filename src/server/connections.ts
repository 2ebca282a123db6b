/**
 * How long the hub's HTTP server waits for a slow client, and how many connections it holds at once.
 * Node's defaults suit none of this: headers may take 60 s, a request 300 s, an answered connection is
 * dropped after 5 s idle (before a load balancer's 60 s, so the balancer may send a request down a socket
 * the hub is closing and answer 502), a silent socket is never cut, and any number may be open.
 *
 * The defaults are for a hub behind a load balancer (which sends each request in one go and reuses its
 * connections), and still hold with clients connecting directly.
 */
import type { Server, ServerOptions } from 'node:http';

export interface ConnectionLimits {
  /**
   * A request's headers must all arrive within this long of its first byte (and a new connection's first
   * request within this long of connecting), else 408 and the connection closes (`HUB_HEADERS_TIMEOUT_MS`).
   * Default 10 s: headers are a few hundred bytes, sent at once by any honest client or balancer; a
   * client that trickles them only holds a socket. At most `requestTimeoutMs`.
   */
  headersTimeoutMs: number;
  /**
   * The whole request, body included, must arrive within this long of its first byte, else 408 and the
   * connection closes (`HUB_REQUEST_TIMEOUT_MS`). Only receiving counts: a slow operation is bounded by
   * the operation timeout instead. Default 30 s: a body of the largest size allowed (1 MiB) in that time
   * needs 35 KB/s, which any link manages.
   */
  requestTimeoutMs: number;
  /**
   * An answered connection waiting for its next request is closed after this long
   * (`HUB_KEEP_ALIVE_TIMEOUT_MS`). Default 65 s: longer than the idle timeout of common load balancers
   * (60 s for AWS ALB, nginx and Azure Application Gateway's default), so the balancer, not the hub,
   * closes an idle connection and never sends a request down one the hub is closing.
   */
  keepAliveTimeoutMs: number;
  /**
   * A connection on which nothing moves for this long, in either direction, is closed
   * (`HUB_IDLE_TIMEOUT_MS`); it catches a client that stops reading its answer. Default 120 s; it must be
   * longer than the operation timeout, as a request is silent while its operation runs. WebSockets are
   * exempt: they keep themselves alive with pings.
   */
  idleTimeoutMs: number;
  /**
   * Connections open at once, WebSockets included; one more is closed as soon as it is accepted
   * (`HUB_MAX_CONNECTIONS`). Default 4096: far more than a balancer's pool or the dashboards open, and
   * well within the file descriptors a container gives a process, leaving room for the database and the
   * back ends.
   */
  maxConnections: number;
}

export const defaultConnectionLimits: Readonly<ConnectionLimits> = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 65_000,
  idleTimeoutMs: 120_000,
  maxConnections: 4_096,
};

/** The `createServer` options that enforce the limits (all but the cap and the idle timeout). */
export function serverOptions(limits: ConnectionLimits): ServerOptions {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Node looks for connections past their header or request deadline only this often (30 s by
    // default), so a 10 s deadline could bite 40 s late: look ten times per deadline, at most once a second.
    connectionsCheckingInterval: Math.max(
      10,
      Math.min(1_000, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 10)),
    ),
  };
}

/** Applies the cap and the idle timeout to `server` (created with `serverOptions`). */
export function enforceConnectionLimits(server: Server, limits: ConnectionLimits): void {
  server.maxConnections = limits.maxConnections;
  // Node applies it to each connection while a request is in flight (the keep-alive timeout between
  // requests); ws clears it on the sockets it takes over for WebSockets.
  server.timeout = limits.idleTimeoutMs;
}
