/**
 * Whether a database error means the database could not be reached or dropped the connection — an outage
 * that passes (a failover, a restart, a network blip) — rather than a query the hub got wrong. Readers
 * answer around an outage (a record's sync state becomes UNKNOWN); a wrong query is a bug and surfaces.
 */

/** Node's socket errors for a server that is gone or unreachable. */
const networkCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * SQLSTATE classes and codes of an unavailable server: 08 connection exceptions, 53 insufficient resources
 * (too many connections), 57P01–57P03 admin shutdown, crash shutdown, cannot connect now.
 */
const unavailableStates = /^(08|53)|^57P0[1-3]$/;

/**
 * What node-postgres says, without a code, when a connection dies or cannot be had; and PostgreSQL's own
 * word for a database closed to connections (its code, 55000, is too general to go by).
 */
const connectionMessages =
  /Connection terminated|connection error|timeout exceeded when trying to connect|Cannot use a pool after calling end|Client was closed|is not currently accepting connections/i;

/** True when `error`, or any error in its `cause` chain (drizzle wraps driver errors), is an outage. */
export function isDatabaseOutage(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 10; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && (networkCodes.has(code) || unavailableStates.test(code))) return true;
    if (connectionMessages.test(current.message)) return true;
    if (current instanceof AggregateError && current.errors.some(isDatabaseOutage)) return true;
    current = current.cause;
  }
  return false;
}
