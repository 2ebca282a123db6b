/**
 * Reading a database driver's errors: drizzle wraps them ("Failed query: <the whole SQL>", the driver's
 * error as its cause), Node reports a refused connection to a name with several addresses as an
 * AggregateError, and pg and Node put a code on them (a SQLSTATE such as `57P01`, or `ECONNREFUSED`).
 */

/** The innermost cause: the driver's own error under drizzle's "Failed query" wrapper. */
export function rootCause(error: unknown): unknown {
  let current = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current;
}

/**
 * Node reports a refused connection to a name with several addresses (localhost: ::1 and 127.0.0.1) as
 * an AggregateError with an empty message, so its parts are described instead.
 */
export function describeError(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return [...new Set(error.errors.map((part) => describeError(rootCause(part))))].join('; ');
  }
  if (error instanceof Error) return error.message || errorCode(error) || error.name;
  return String(error);
}

/** The driver's or Node's code of `error` (`ECONNREFUSED`, a SQLSTATE), when it has one. */
export function errorCode(error: unknown): string | undefined {
  if (error instanceof AggregateError && error.errors.length > 0) return errorCode(error.errors[0]);
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}
