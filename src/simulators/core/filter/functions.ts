/** The OData canonical functions the simulators know: their signatures, as checked, and their evaluation. */
import type { EdmType, Value } from '../model.js';
import type { FilterExpr, FunctionName } from './ast.js';
import { fold } from './compare.js';
import { type FilterDialect, systemLabel } from './dialects.js';
import { QueryOptionError } from './errors.js';
import type { Token } from './lexer.js';
import { categoryOf, typeName } from './typing.js';

/** A function's signature. */
export interface FunctionSpec {
  params: readonly ('string' | 'temporal')[];
  result: EdmType;
  /** contains/startswith/endswith: the ones F&O replaces with wildcard `eq`. */
  stringMatch?: boolean;
}

const functionSpecs = {
  contains: { params: ['string', 'string'], result: 'Edm.Boolean', stringMatch: true },
  startswith: { params: ['string', 'string'], result: 'Edm.Boolean', stringMatch: true },
  endswith: { params: ['string', 'string'], result: 'Edm.Boolean', stringMatch: true },
  tolower: { params: ['string'], result: 'Edm.String' },
  toupper: { params: ['string'], result: 'Edm.String' },
  trim: { params: ['string'], result: 'Edm.String' },
  length: { params: ['string'], result: 'Edm.Int32' },
  concat: { params: ['string', 'string'], result: 'Edm.String' },
  year: { params: ['temporal'], result: 'Edm.Int32' },
  month: { params: ['temporal'], result: 'Edm.Int32' },
  day: { params: ['temporal'], result: 'Edm.Int32' },
} as const satisfies Record<FunctionName, FunctionSpec>;

/** The signature of the function `name` names, if `dialect` allows it; otherwise a message with the fix. */
export function requireFunction(name: Token, dialect: FilterDialect): FunctionSpec {
  const spec: FunctionSpec | undefined = Object.hasOwn(functionSpecs, name.text)
    ? functionSpecs[name.text as FunctionName]
    : undefined;
  if (!spec) throw new QueryOptionError(unknownFunctionMessage(name.text, dialect), name.pos);
  if (spec.stringMatch && !dialect.stringFunctions) {
    throw new QueryOptionError(
      `The function '${name.text}' is not supported by ${systemLabel[dialect.system]} at position ${name.pos}; ` +
        "use eq with wildcards instead: Name eq '*text*' (contains), Name eq 'text*' (startswith), Name eq '*text' (endswith).",
      name.pos,
    );
  }
  return spec;
}

function unknownFunctionMessage(name: string, dialect: FilterDialect): string {
  const supported = (Object.keys(functionSpecs) as FunctionName[]).filter(
    (f) => dialect.stringFunctions || !('stringMatch' in functionSpecs[f]),
  );
  const hint = name === 'substringof' ? " substringof is OData v3; use contains(Property,'text')." : '';
  return `Unknown function '${name}' in $filter. Supported: ${supported.join(', ')}.${hint}`;
}

/** Checks the count and types of `args` (each with its position) against `spec`. */
export function checkArguments(
  name: Token,
  spec: FunctionSpec,
  args: readonly { pos: number; expr: FilterExpr }[],
): void {
  if (args.length !== spec.params.length) {
    throw new QueryOptionError(
      `The function '${name.text}' at position ${name.pos} takes ${spec.params.length} argument(s), got ${args.length}.`,
      name.pos,
    );
  }
  spec.params.forEach((param, i) => {
    const arg = args[i]!;
    const category = categoryOf(arg.expr.type);
    if (category !== param && category !== 'null') {
      const expected = param === 'string' ? 'Edm.String' : 'Edm.DateTimeOffset or Edm.Date';
      throw new QueryOptionError(
        `The function '${name.text}' expects ${expected} as argument ${i + 1}, but the argument at position ${arg.pos} is ${typeName(arg.expr.type)}.`,
        arg.pos,
      );
    }
  });
}

/** Applies `name` to evaluated arguments; a null argument makes the result null. */
export function callFunction(name: FunctionName, args: readonly Value[]): Value {
  if (args.some((arg) => arg === null)) return null;
  const [a = '', b = ''] = args.map(String);
  switch (name) {
    case 'contains':
      return fold(a).includes(fold(b));
    case 'startswith':
      return fold(a).startsWith(fold(b));
    case 'endswith':
      return fold(a).endsWith(fold(b));
    case 'tolower':
      return a.toLowerCase();
    case 'toupper':
      return a.toUpperCase();
    case 'trim':
      return a.trim();
    case 'length':
      return a.length;
    case 'concat':
      return a + b;
    // The parts of a DateTimeOffset are those of its own offset, which is how its text is written.
    case 'year':
      return Number(a.slice(0, 4));
    case 'month':
      return Number(a.slice(5, 7));
    case 'day':
      return Number(a.slice(8, 10));
  }
}
