/** The error every `$filter` (and `$orderby`/`$select`) problem is reported with, and its message shapes. */

/** A query option the simulator cannot accept; the simulators answer it with a 400. */
export class QueryOptionError extends Error {
  override name = 'QueryOptionError';
  /** 0-based character offset in the option text, when the problem has one place. */
  readonly position: number | undefined;
  constructor(message: string, position?: number) {
    super(message);
    this.position = position;
  }
}

/** A `$filter` syntax error at `pos`; `detail` says what was expected and what was found. */
export function syntaxError(pos: number, detail: string): QueryOptionError {
  return new QueryOptionError(`Syntax error at position ${pos} in '$filter': ${detail}.`, pos);
}

/** An operator the system does not support, in the words ODL uses, followed by how to write it instead. */
export function unsupportedOperator(op: string, pos: number, hint: string): QueryOptionError {
  return new QueryOptionError(
    `The query parameter $filter has an unsupported operator '${op}' at position ${pos}. ${hint}`,
    pos,
  );
}
