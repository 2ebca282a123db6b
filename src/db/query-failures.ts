/**
 * What the sync tells its readers when the hub's own database fails it: one sentence with the driver's
 * reason and code. Never the statement: drizzle puts the whole SQL and its parameters (record keys and
 * values) in its message, and the driver's error, its cause, says what went wrong. Nor where the database
 * is: operators find that in the log line of the connection that failed.
 */
import { DrizzleQueryError } from 'drizzle-orm/errors';
import { describeError, errorCode, rootCause } from './driver-errors.js';
import { isDatabaseOutage } from './outages.js';

/**
 * `the hub's database was unavailable (<reason>, <code>)` for an outage (a dropped or refused
 * connection; a socket error by its code alone), `the hub's database refused a query (<reason>, <code>)`
 * for any other failed statement, or null when `error` did not come from the database.
 */
export function describeDatabaseFailure(error: unknown): string | null {
  const outage = isDatabaseOutage(error);
  if (!outage && !fromQuery(error)) return null;
  const root = rootCause(error);
  const code = errorCode(root);
  // Node's socket errors name the address in their message ("connect ECONNREFUSED 10.0.0.5:5432"):
  // their code says enough.
  const reason =
    code !== undefined && isSocketError(root)
      ? code
      : describeError(root) + (code !== undefined ? `, ${code}` : '');
  return `the hub's database ${outage ? 'was unavailable' : 'refused a query'} (${reason})`;
}

function isSocketError(error: unknown): boolean {
  return error instanceof AggregateError || (error instanceof Error && 'syscall' in error);
}

function fromQuery(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 10; depth += 1) {
    if (current instanceof DrizzleQueryError) return true;
    current = current.cause;
  }
  return false;
}
