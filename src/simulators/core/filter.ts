/**
 * The `$filter` engine both simulators answer queries with: a tokenizer, a recursive-descent parser that
 * type-checks against the entity set (so a connector's mistakes come back as the 400s the real services
 * give), and an evaluator over simulator rows. Pure functions, no HTTP.
 *
 * Precedence follows Microsoft.OData.Core's UriQueryExpressionParser, which both Dataverse and F&O run:
 * `or` < `and` < comparison (`eq ne gt ge lt le`, left-associative) < `add sub` < `mul div mod` <
 * unary (`not`) < primary. So `not` binds to the operand right after it, exactly as upstream:
 * `not name eq 'x'` is `(not name) eq 'x'` and fails to type-check; write `not (name eq 'x')`.
 *
 * Semantics: string comparisons are case-insensitive and accent-sensitive, like the SQL Server collation
 * behind both systems; `null` follows OData (`null eq null` is true, `x ne 'a'` is true for a null `x`,
 * ordering comparisons with null are false, functions of null are null); `and`/`or`/`not` use
 * three-valued logic and a row matches only when the whole filter is true. Per-system differences live in
 * a FilterDialect.
 */
import { isGuid } from '../../connectors/odata/literals.js';
import { addDecimals, compareDecimals, multiplyDecimals, subtractDecimals } from './decimal.js';
import type { EdmType, EntitySetDef, PropertyDef, Row, Value } from './model.js';

/** What one system accepts in `$filter`. */
export interface FilterDialect {
  system: 'sales' | 'finance';
  /** Sales: Microsoft.Dynamics.CRM.In(PropertyName='accountnumber',PropertyValues=['A','B']) and other CRM query functions are allowed; Finance: not. */
  crmFunctions: boolean;
  /** Finance: `Name eq '*abc*'` / 'abc*' / '*abc' are wildcard matches (contains/startswith/endswith); Sales: a literal '*'. */
  wildcardEquals: boolean;
  /** Finance rejects contains()/startswith()/endswith() (its documented way is eq with wildcards); Sales allows them. */
  stringFunctions: boolean;
  /** OData `in` operator: rejected by both (Dataverse wants CRM.In, F&O has no `in`); keep the flag for clarity. */
  inOperator: boolean;
  /** Arithmetic (add sub mul div mod): Finance yes; Sales no. */
  arithmetic: boolean;
}

/** Dataverse Web API v9.2. */
export const salesDialect: FilterDialect = {
  system: 'sales',
  crmFunctions: true,
  wildcardEquals: false,
  stringFunctions: true,
  inOperator: false,
  arithmetic: false,
};

/** Finance and Operations OData at `/data`. */
export const financeDialect: FilterDialect = {
  system: 'finance',
  crmFunctions: false,
  wildcardEquals: true,
  stringFunctions: false,
  inOperator: false,
  arithmetic: true,
};

/** Longest `$filter` accepted: Dataverse caps whole URLs at 32 KB, so nothing legitimate is longer. */
export const maxFilterLength = 32_768;
/**
 * Deepest nesting accepted (parentheses, `not`, function arguments and chained operators each count a
 * level). Keeps recursion far from the stack limit whatever the input; real filters stay under ten.
 */
export const maxFilterDepth = 100;

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

/** `$filter` comparison operators (both systems). */
export type ComparisonOperator = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
/** `$filter` arithmetic operators (Finance only). */
export type ArithmeticOperator = 'add' | 'sub' | 'mul' | 'div' | 'mod';
/** The OData canonical functions the simulators evaluate. */
export type FunctionName =
  | 'contains'
  | 'startswith'
  | 'endswith'
  | 'tolower'
  | 'toupper'
  | 'trim'
  | 'length'
  | 'concat'
  | 'year'
  | 'month'
  | 'day';
/** The Dataverse query functions the simulator knows, under `Microsoft.Dynamics.CRM.`. */
export type CrmFunctionName = 'In' | 'NotIn' | 'Between' | 'NotBetween';
/** How two values compare: EDM types grouped by comparison rules. */
export type ValueCategory = 'string' | 'number' | 'boolean' | 'guid' | 'temporal' | 'enum' | 'null';

/** The static type of an expression: an EDM primitive, an F&O enum (`enumType` set), or the `null` literal. */
export interface ExprType {
  edm: EdmType | 'null';
  enumType?: string;
  enumMembers?: readonly string[];
}

/** A parsed, type-checked `$filter` expression. Numeric literals keep their exact text. */
export type FilterExpr =
  | { kind: 'literal'; type: ExprType; value: Value }
  | { kind: 'property'; type: ExprType; name: string }
  | { kind: 'logical'; type: ExprType; op: 'and' | 'or'; operands: FilterExpr[] }
  | { kind: 'not'; type: ExprType; operand: FilterExpr }
  | {
      kind: 'compare';
      type: ExprType;
      op: ComparisonOperator;
      left: FilterExpr;
      right: FilterExpr;
      category: ValueCategory;
      enumMembers?: readonly string[];
    }
  | { kind: 'wildcard'; type: ExprType; negated: boolean; target: FilterExpr; pattern: string }
  | { kind: 'arithmetic'; type: ExprType; op: ArithmeticOperator; left: FilterExpr; right: FilterExpr }
  | { kind: 'call'; type: ExprType; name: FunctionName; args: FilterExpr[] }
  | {
      kind: 'in';
      type: ExprType;
      negated: boolean;
      target: FilterExpr;
      values: Value[];
      category: ValueCategory;
      enumMembers?: readonly string[];
    }
  | {
      kind: 'between';
      type: ExprType;
      negated: boolean;
      target: FilterExpr;
      low: Value;
      high: Value;
      category: ValueCategory;
    };

const booleanType: ExprType = { edm: 'Edm.Boolean' };
const enumNamespace = 'Microsoft.Dynamics.DataEntities.';
const crmNamespace = 'Microsoft.Dynamics.CRM.';
const systemLabel = { sales: 'Dataverse', finance: 'Finance and Operations' } satisfies Record<
  FilterDialect['system'],
  string
>;

// ---------------------------------------------------------------------------------------------------
// Types and comparison rules (shared with $orderby)
// ---------------------------------------------------------------------------------------------------

/** The static type of a property. */
export function typeOfProperty(def: PropertyDef): ExprType {
  return def.enumType !== undefined
    ? { edm: def.type, enumType: def.enumType, enumMembers: def.enumMembers }
    : { edm: def.type };
}

/** The comparison rules a type follows. */
export function categoryOf(type: ExprType): ValueCategory {
  if (type.edm === 'null') return 'null';
  if (type.enumType !== undefined) return 'enum';
  switch (type.edm) {
    case 'Edm.String':
      return 'string';
    case 'Edm.Guid':
      return 'guid';
    case 'Edm.Boolean':
      return 'boolean';
    case 'Edm.DateTimeOffset':
    case 'Edm.Date':
      return 'temporal';
    case 'Edm.Decimal':
    case 'Edm.Int32':
    case 'Edm.Int64':
    case 'Edm.Double':
      return 'number';
  }
}

function typeName(type: ExprType): string {
  if (type.enumType !== undefined) return `${enumNamespace}${type.enumType}`;
  return type.edm;
}

// SQL Server's default collations (…_CI_AS) ignore case but not accents; an ICU collator at "accent"
// strength is the closest match and also orders the way those collations do.
const collator = new Intl.Collator('en', { sensitivity: 'accent' });
const fold = (text: string): string => text.toLowerCase();
const plainDecimalPattern = /^-?\d+(?:\.\d+)?$/;

function plainDecimal(value: Value): string | undefined {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : undefined;
  return text !== undefined && plainDecimalPattern.test(text) ? text : undefined;
}

/** Exact when both sides are plain decimal text (Edm.Decimal rows, literals); via Number otherwise. */
function compareNumbers(a: Value, b: Value): number {
  const x = plainDecimal(a);
  const y = plainDecimal(b);
  if (x !== undefined && y !== undefined) return compareDecimals(x, y);
  return Math.sign(Number(a) - Number(b));
}

function compareNonNull(a: Value, b: Value, category: ValueCategory, members?: readonly string[]): number {
  switch (category) {
    case 'number':
      return compareNumbers(a, b);
    case 'temporal':
      // Edm.Date text parses as UTC midnight, so dates and date-times compare on one time line.
      return Math.sign(Date.parse(String(a)) - Date.parse(String(b)));
    case 'boolean':
      return Number(a) - Number(b);
    case 'guid': {
      const [x, y] = [fold(String(a)), fold(String(b))];
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case 'enum': {
      // F&O compares enums by their integer values, which follow declaration order.
      const [x, y] = [members?.indexOf(String(a)) ?? -1, members?.indexOf(String(b)) ?? -1];
      if (x >= 0 && y >= 0) return Math.sign(x - y);
      return collator.compare(String(a), String(b));
    }
    default:
      return collator.compare(String(a), String(b));
  }
}

/**
 * Orders two row values the way the systems' SQL does: nulls first, Edm.Decimal text by value, strings
 * case-insensitively. Without a `def`, the category is guessed from the JavaScript values (strings compare
 * as text then, so pass the def for Edm.Decimal columns).
 */
export function compareValues(a: Value, b: Value, def?: PropertyDef): number {
  if (a === null || b === null) return a === null ? (b === null ? 0 : -1) : 1;
  const type = def ? typeOfProperty(def) : undefined;
  const category = type
    ? categoryOf(type)
    : typeof a === 'number' && typeof b === 'number'
      ? 'number'
      : typeof a === 'boolean' && typeof b === 'boolean'
        ? 'boolean'
        : 'string';
  const order = compareNonNull(a, b, category, type?.enumMembers);
  return Number.isNaN(order) ? 0 : order;
}

/**
 * The definition of `name` on `set`. Names are case-sensitive in both systems; a near miss in case gets a
 * hint, since that is the usual mistake (`Name` on Sales, `customeraccount` on Finance).
 */
export function requireProperty(set: EntitySetDef, name: string, position?: number): PropertyDef {
  const def = Object.hasOwn(set.properties, name) ? set.properties[name] : undefined;
  if (def) return def;
  const near = Object.keys(set.properties).find((p) => p.toLowerCase() === name.toLowerCase());
  const hint = near ? ` Property names are case-sensitive: did you mean '${near}'?` : '';
  throw new QueryOptionError(
    `Could not find a property named '${name}' on type '${set.entityType}'.${hint}`,
    position,
  );
}

// ---------------------------------------------------------------------------------------------------
// Tokenizer
// ---------------------------------------------------------------------------------------------------

type Punctuation = '(' | ')' | ',' | '[' | ']' | '=';
type Token =
  | { kind: 'string'; pos: number; text: string; value: string }
  | { kind: 'number' | 'guid' | 'datetime' | 'date' | 'name'; pos: number; text: string }
  | { kind: 'enum'; pos: number; text: string; typeName: string; member: string }
  | { kind: 'punct'; pos: number; text: Punctuation }
  | { kind: 'end'; pos: number; text: '' };

// Sticky patterns, all constant: user text is only ever matched, never compiled into a pattern.
const guidToken = /[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/y;
const temporalToken = /\d{4}-\d{2}-\d{2}(?:T[\d:.]*(?:Z|[+-]\d{2}:\d{2})?)?/y;
const numberToken = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const nameToken = /[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*/y;
const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;
const dateTimePattern =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,7})?)?(?:Z|[+-](\d{2}):(\d{2}))$/;
const localDateTimePattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?$/;
const punctuation = new Set<string>(['(', ')', ',', '[', ']', '=']);

function syntaxError(pos: number, detail: string): QueryOptionError {
  return new QueryOptionError(`Syntax error at position ${pos} in '$filter': ${detail}.`, pos);
}

function matchAt(pattern: RegExp, text: string, pos: number): string | undefined {
  pattern.lastIndex = pos;
  return pattern.exec(text)?.[0];
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  for (;;) {
    while (pos < text.length && ' \t\r\n'.includes(text[pos]!)) pos++;
    if (pos >= text.length) {
      tokens.push({ kind: 'end', pos, text: '' });
      return tokens;
    }
    const token = readToken(text, pos);
    tokens.push(token);
    pos += token.text.length;
  }
}

function readToken(text: string, pos: number): Token {
  const ch = text[pos]!;
  if (punctuation.has(ch)) return { kind: 'punct', pos, text: ch as Punctuation };
  if (ch === "'") {
    const { raw, value } = readQuoted(text, pos);
    return { kind: 'string', pos, text: raw, value };
  }
  const guid = matchAt(guidToken, text, pos);
  if (guid !== undefined) return literalToken(text, { kind: 'guid', pos, text: guid });
  const temporal = matchAt(temporalToken, text, pos);
  if (temporal !== undefined)
    return literalToken(text, { kind: temporalKind(temporal, pos), pos, text: temporal });
  const number = matchAt(numberToken, text, pos);
  if (number !== undefined) return literalToken(text, { kind: 'number', pos, text: number });
  const name = matchAt(nameToken, text, pos);
  if (name === undefined) throw unexpectedCharacter(ch, pos);
  if (text[pos + name.length] !== "'") return { kind: 'name', pos, text: name };
  // A qualified name glued to a quoted string is a typed literal: F&O enums, NoYes'Yes'.
  const quoted = readQuoted(text, pos + name.length);
  return { kind: 'enum', pos, text: name + quoted.raw, typeName: name, member: quoted.value };
}

/** A literal must end at a delimiter: `10abc` or a GUID with a 13th hex digit is one bad token, not two. */
function literalToken<T extends Token>(text: string, token: T): T {
  const next = text[token.pos + token.text.length];
  if (next !== undefined && /[\w.:-]/.test(next)) {
    const rest = matchAt(/[\w.:+-]*/y, text, token.pos) ?? token.text;
    throw syntaxError(token.pos, `'${rest}' is not a valid literal`);
  }
  return token;
}

/** Reads `'...'` with `''` standing for one quote. */
function readQuoted(text: string, start: number): { raw: string; value: string } {
  let value = '';
  let pos = start + 1;
  for (;;) {
    const quote = text.indexOf("'", pos);
    if (quote < 0)
      throw syntaxError(start, 'unterminated string literal (a quote inside a literal is written twice)');
    value += text.slice(pos, quote);
    if (text[quote + 1] !== "'") return { raw: text.slice(start, quote + 1), value };
    value += "'";
    pos = quote + 2;
  }
}

function temporalKind(text: string, pos: number): 'date' | 'datetime' {
  const kind = classifyTemporal(text);
  if (kind === 'local') {
    throw syntaxError(
      pos,
      `the DateTimeOffset literal '${text}' needs a time zone: 'Z' or an offset such as +01:00 (encode '+' as %2B in a URL)`,
    );
  }
  if (kind === undefined) throw syntaxError(pos, `'${text}' is not a valid date or DateTimeOffset literal`);
  return kind;
}

/** `date` (YYYY-MM-DD), `datetime` (with a zone), `local` (no zone), or undefined when not a valid value. */
function classifyTemporal(text: string): 'date' | 'datetime' | 'local' | undefined {
  const date = datePattern.exec(text);
  if (date) return validDate(date) ? 'date' : undefined;
  const dateTime = dateTimePattern.exec(text);
  if (dateTime) {
    const [hour, minute, second, offsetHours, offsetMinutes] = [4, 5, 6, 7, 8].map((i) =>
      Number(dateTime[i] ?? 0),
    );
    const timeOk =
      hour! <= 23 && minute! <= 59 && second! <= 59 && offsetHours! <= 14 && offsetMinutes! <= 59;
    return validDate(dateTime) && timeOk ? 'datetime' : undefined;
  }
  return localDateTimePattern.test(text) ? 'local' : undefined;
}

function validDate(match: RegExpExecArray): boolean {
  const [year, month, day] = [1, 2, 3].map((i) => Number(match[i]));
  const leap = year! % 4 === 0 && (year! % 100 !== 0 || year! % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month! - 1];
  return days !== undefined && day! >= 1 && day! <= days;
}

function unexpectedCharacter(ch: string, pos: number): QueryOptionError {
  const hints: Record<string, string> = {
    '/': "navigation paths and lambda operators ('/') are not supported by the simulator",
    '"': 'string literals are enclosed in single quotes',
    '-': "'-' is only allowed in negative numbers; subtraction is written 'sub'",
    $: "'$it', '$root' and parameter aliases are not supported",
  };
  const operatorHint = '<>!&|+*'.includes(ch)
    ? `unexpected character '${ch}'; operators are words: eq ne gt ge lt le and or not`
    : undefined;
  return syntaxError(pos, hints[ch] ?? operatorHint ?? `unexpected character '${ch}'`);
}

function describe(token: Token): string {
  if (token.kind === 'end') return 'end of input';
  const text = token.text.length > 40 ? `${token.text.slice(0, 40)}…` : token.text;
  // String and enum literals already carry their quotes.
  return token.kind === 'string' || token.kind === 'enum' ? text : `'${text}'`;
}

// ---------------------------------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------------------------------

interface FunctionSpec {
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

const crmFunctions: readonly CrmFunctionName[] = ['In', 'NotIn', 'Between', 'NotBetween'];
const comparisonOperators: readonly string[] = ['eq', 'ne', 'gt', 'ge', 'lt', 'le'];
const operatorKinds: Record<ComparisonOperator | ArithmeticOperator | 'and' | 'or', string> = {
  eq: 'Equal',
  ne: 'NotEqual',
  gt: 'GreaterThan',
  ge: 'GreaterThanOrEqual',
  lt: 'LessThan',
  le: 'LessThanOrEqual',
  add: 'Add',
  sub: 'Subtract',
  mul: 'Multiply',
  div: 'Divide',
  mod: 'Modulo',
  and: 'And',
  or: 'Or',
};
const reservedWords = new Set([...Object.keys(operatorKinds), 'not', 'in', 'has', 'true', 'false', 'null']);

/**
 * Parses and type-checks `$filter` text against `set` under `dialect`.
 * @throws QueryOptionError with a message a person can act on (position, expected token, hint).
 */
export function parseFilter(text: string, set: EntitySetDef, dialect: FilterDialect): FilterExpr {
  if (text.length > maxFilterLength) {
    throw new QueryOptionError(
      `The $filter expression is ${text.length} characters long; the limit is ${maxFilterLength}.`,
    );
  }
  if (text.trim() === '') throw new QueryOptionError('The $filter expression is empty.', 0);
  return new FilterParser(tokenize(text), set, dialect).parse();
}

/** True when `row` satisfies `expr` (null, i.e. unknown, does not match). */
export function evaluateFilter(expr: FilterExpr, row: Row): boolean {
  return evaluate(expr, row) === true;
}

class FilterParser {
  private index = 0;
  private depth = 0;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly set: EntitySetDef,
    private readonly dialect: FilterDialect,
  ) {}

  parse(): FilterExpr {
    const expr = this.parseLogical('or');
    const next = this.peek();
    if (next.kind !== 'end') {
      const lower = next.text.toLowerCase();
      const hint =
        next.kind === 'name' && lower !== next.text && reservedWords.has(lower)
          ? ` (operators are lower-case: '${lower}')`
          : next.kind === 'punct' && next.text === '='
            ? ' (operators are words: eq ne gt ge lt le and or not)'
            : '';
      throw syntaxError(
        next.pos,
        `expected an operator or the end of the expression, found ${describe(next)}${hint}`,
      );
    }
    if (categoryOf(expr.type) !== 'boolean') {
      throw new QueryOptionError(
        `The $filter expression must evaluate to Edm.Boolean, but it evaluates to ${typeName(expr.type)}.`,
        0,
      );
    }
    return expr;
  }

  private peek(): Token {
    return this.tokens[this.index]!;
  }

  private advance(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.index++;
    return token;
  }

  private acceptPunct(text: Punctuation): boolean {
    const token = this.peek();
    if (token.kind !== 'punct' || token.text !== text) return false;
    this.index++;
    return true;
  }

  private expectPunct(text: Punctuation, expected: string): void {
    const token = this.peek();
    if (!this.acceptPunct(text)) throw syntaxError(token.pos, `${expected}, found ${describe(token)}`);
  }

  /** Counts one level of nesting; past the limit the filter is refused rather than recursed into. */
  private enter(pos: number): void {
    this.depth++;
    if (this.depth > maxFilterDepth) {
      throw new QueryOptionError(
        `The $filter expression is nested more than ${maxFilterDepth} levels deep (at position ${pos}).`,
        pos,
      );
    }
  }

  private nested<T>(pos: number, parse: () => T): T {
    this.enter(pos);
    const result = parse();
    this.depth--;
    return result;
  }

  private parseLogical(op: 'and' | 'or'): FilterExpr {
    const operand = (): FilterExpr => (op === 'or' ? this.parseLogical('and') : this.parseComparison());
    const operands = [{ pos: this.peek().pos, expr: operand() }];
    while (this.peek().kind === 'name' && this.peek().text === op) {
      this.index++;
      operands.push({ pos: this.peek().pos, expr: operand() });
    }
    if (operands.length === 1) return operands[0]!.expr;
    // Chains stay flat (n-ary), so a long F&O `or` chain of key lookups costs no depth.
    for (const { pos, expr } of operands) {
      const category = categoryOf(expr.type);
      if (category !== 'boolean' && category !== 'null') {
        throw new QueryOptionError(
          `The '${op}' operator needs Edm.Boolean operands, but the operand at position ${pos} is ${typeName(expr.type)}.`,
          pos,
        );
      }
    }
    return { kind: 'logical', type: booleanType, op, operands: operands.map((o) => o.expr) };
  }

  private parseComparison(): FilterExpr {
    let left = this.parseAdditive();
    const startDepth = this.depth;
    for (;;) {
      const token = this.peek();
      if (token.kind !== 'name') break;
      if (token.text === 'has') {
        throw unsupportedOperator('has', token.pos, 'Compare enum values with eq instead.');
      }
      if (token.text === 'in') {
        this.enter(token.pos);
        left = this.parseIn(left, token);
        continue;
      }
      if (!comparisonOperators.includes(token.text)) break;
      this.enter(token.pos);
      this.index++;
      const right = this.parseAdditive();
      left = this.bindComparison(token.text as ComparisonOperator, left, right, token.pos);
    }
    this.depth = startDepth;
    return left;
  }

  private parseAdditive(): FilterExpr {
    return this.parseArithmetic(['add', 'sub'], () =>
      this.parseArithmetic(['mul', 'div', 'mod'], () => this.parseUnary()),
    );
  }

  private parseArithmetic(ops: readonly ArithmeticOperator[], operand: () => FilterExpr): FilterExpr {
    let left = operand();
    const startDepth = this.depth;
    for (;;) {
      const token = this.peek();
      if (token.kind !== 'name' || !(ops as readonly string[]).includes(token.text)) break;
      if (!this.dialect.arithmetic) {
        throw unsupportedOperator(
          token.text,
          token.pos,
          `${systemLabel[this.dialect.system]} does not support arithmetic operators in $filter.`,
        );
      }
      this.enter(token.pos);
      this.index++;
      const right = operand();
      left = bindArithmetic(token.text as ArithmeticOperator, left, right, token.pos);
    }
    this.depth = startDepth;
    return left;
  }

  private parseUnary(): FilterExpr {
    const token = this.peek();
    if (token.kind !== 'name' || token.text !== 'not') return this.parsePrimary();
    this.index++;
    const operand = this.nested(token.pos, () => this.parseUnary());
    const category = categoryOf(operand.type);
    if (category === 'boolean' || category === 'null') return { kind: 'not', type: booleanType, operand };
    const next = this.peek();
    const hint =
      next.kind === 'name' && comparisonOperators.includes(next.text)
        ? " 'not' applies to the operand right after it: write not (a eq b)."
        : '';
    throw new QueryOptionError(
      `A unary operator with an incompatible type was detected. Found operand type '${typeName(operand.type)}' for operator kind 'Not' at position ${token.pos}.${hint}`,
      token.pos,
    );
  }

  private parsePrimary(): FilterExpr {
    const token = this.advance();
    switch (token.kind) {
      case 'string':
        return { kind: 'literal', type: { edm: 'Edm.String' }, value: token.value };
      case 'number':
        return { kind: 'literal', type: { edm: numberType(token.text) }, value: token.text };
      case 'guid':
        return { kind: 'literal', type: { edm: 'Edm.Guid' }, value: token.text.toLowerCase() };
      case 'datetime':
        return { kind: 'literal', type: { edm: 'Edm.DateTimeOffset' }, value: token.text };
      case 'date':
        return { kind: 'literal', type: { edm: 'Edm.Date' }, value: token.text };
      case 'enum':
        return enumLiteral(token);
      case 'name':
        return this.parseName(token);
      case 'punct':
        if (token.text === '(') return this.parseGroup(token);
    }
    throw this.expectedValue(token);
  }

  private expectedValue(token: Token): QueryOptionError {
    const previous = this.tokens[this.tokens.indexOf(token) - 1];
    const after = previous ? ` after ${describe(previous)}` : '';
    return syntaxError(token.pos, `expected a value${after}, found ${describe(token)}`);
  }

  private parseName(token: Token): FilterExpr {
    if (token.text === 'true' || token.text === 'false') {
      return { kind: 'literal', type: booleanType, value: token.text === 'true' };
    }
    if (token.text === 'null') return { kind: 'literal', type: { edm: 'null' }, value: null };
    const next = this.peek();
    if (next.kind === 'punct' && next.text === '(') return this.parseCall(token);
    if (reservedWords.has(token.text)) throw this.expectedValue(token);
    const def = requireProperty(this.set, token.text, token.pos);
    return { kind: 'property', type: typeOfProperty(def), name: token.text };
  }

  private parseGroup(open: Token): FilterExpr {
    return this.nested(open.pos, () => {
      const expr = this.parseLogical('or');
      this.expectPunct(')', `expected ')' to close the '(' at position ${open.pos}`);
      return expr;
    });
  }

  private parseCall(name: Token): FilterExpr {
    if (name.text.startsWith(crmNamespace)) return this.parseCrmCall(name);
    const spec: FunctionSpec | undefined = Object.hasOwn(functionSpecs, name.text)
      ? functionSpecs[name.text as FunctionName]
      : undefined;
    if (!spec) throw new QueryOptionError(unknownFunctionMessage(name.text, this.dialect), name.pos);
    if (spec.stringMatch && !this.dialect.stringFunctions) {
      throw new QueryOptionError(
        `The function '${name.text}' is not supported by ${systemLabel[this.dialect.system]} at position ${name.pos}; ` +
          "use eq with wildcards instead: Name eq '*text*' (contains), Name eq 'text*' (startswith), Name eq '*text' (endswith).",
        name.pos,
      );
    }
    const args = this.parseArguments(name);
    checkArguments(name, spec, args);
    return {
      kind: 'call',
      type: { edm: spec.result },
      name: name.text as FunctionName,
      args: args.map((a) => a.expr),
    };
  }

  private parseArguments(name: Token): { pos: number; expr: FilterExpr }[] {
    this.expectPunct('(', `expected '(' after '${name.text}'`);
    const args: { pos: number; expr: FilterExpr }[] = [];
    if (this.acceptPunct(')')) return args;
    do {
      const pos = this.peek().pos;
      args.push({ pos, expr: this.nested(pos, () => this.parseLogical('or')) });
    } while (this.acceptPunct(','));
    this.expectPunct(')', `expected ',' or ')' in the arguments of '${name.text}'`);
    return args;
  }

  private parseCrmCall(name: Token): FilterExpr {
    const fn = name.text.slice(crmNamespace.length);
    if (!this.dialect.crmFunctions) {
      throw new QueryOptionError(
        `The function '${name.text}' at position ${name.pos} is a Dataverse query function; ` +
          `${systemLabel[this.dialect.system]} does not support it. Chain 'or' comparisons instead: Property eq 'A' or Property eq 'B'.`,
        name.pos,
      );
    }
    if (!(crmFunctions as readonly string[]).includes(fn)) {
      throw new QueryOptionError(
        `The query function '${name.text}' at position ${name.pos} is not supported by the simulator. ` +
          `Supported: ${crmFunctions.map((f) => crmNamespace + f).join(', ')}.`,
        name.pos,
      );
    }
    return this.bindCrmCall(fn as CrmFunctionName, this.parseNamedParameters(name), name);
  }

  private parseNamedParameters(name: Token): CrmParameters {
    this.expectPunct('(', `expected '(' after '${name.text}'`);
    const params: CrmParameters = new Map();
    do {
      const key = this.advance();
      if (key.kind !== 'name')
        throw syntaxError(key.pos, `expected a parameter name such as PropertyName, found ${describe(key)}`);
      this.expectPunct('=', `expected '=' after '${key.text}'`);
      const pos = this.peek().pos;
      const value = this.acceptPunct('[') ? this.parseStringList() : this.expectString(`'${key.text}='`);
      if (params.has(key.text)) throw syntaxError(key.pos, `the parameter '${key.text}' is given twice`);
      params.set(key.text, { pos, value });
    } while (this.acceptPunct(','));
    this.expectPunct(')', `expected ',' or ')' in the parameters of '${name.text}'`);
    return params;
  }

  private parseStringList(): string[] {
    const values: string[] = [];
    if (this.acceptPunct(']')) return values;
    do values.push(this.expectString('a list item'));
    while (this.acceptPunct(','));
    this.expectPunct(']', "expected ',' or ']' in the list");
    return values;
  }

  private expectString(after: string): string {
    const token = this.advance();
    if (token.kind !== 'string') {
      throw syntaxError(token.pos, `expected a string literal for ${after}, found ${describe(token)}`);
    }
    return token.value;
  }

  private bindCrmCall(fn: CrmFunctionName, params: CrmParameters, name: Token): FilterExpr {
    const { property, list } = requireCrmParameters(params, name);
    const def = requireProperty(this.set, property.value, property.pos);
    const type = typeOfProperty(def);
    const target: FilterExpr = { kind: 'property', type, name: property.value };
    const values = list.value.map((v) => convertText(v, property.value, def, list.pos));
    const common = { type: booleanType, target, category: categoryOf(type) };
    if (fn === 'In' || fn === 'NotIn') {
      if (values.length === 0) {
        throw new QueryOptionError(`${name.text} needs at least one value in PropertyValues.`, list.pos);
      }
      return { kind: 'in', ...common, negated: fn === 'NotIn', values, enumMembers: def.enumMembers };
    }
    if (values.length !== 2) {
      throw new QueryOptionError(
        `${name.text} needs exactly two PropertyValues (low and high), got ${values.length}.`,
        list.pos,
      );
    }
    return { kind: 'between', ...common, negated: fn === 'NotBetween', low: values[0]!, high: values[1]! };
  }

  /** The OData `in` operator: `Name in ('a','b')`. Only reached when a dialect allows it. */
  private parseIn(left: FilterExpr, token: Token): FilterExpr {
    if (!this.dialect.inOperator) throw unsupportedIn(left, token.pos, this.dialect);
    this.index++;
    this.expectPunct('(', "expected '(' after 'in'");
    const values: Value[] = [];
    do {
      const pos = this.peek().pos;
      const value = this.parsePrimary();
      if (value.kind !== 'literal') throw syntaxError(pos, "the list after 'in' holds literals only");
      this.bindComparison('eq', left, value, pos);
      values.push(value.value);
    } while (this.acceptPunct(','));
    this.expectPunct(')', "expected ',' or ')' in the list after 'in'");
    const members = left.type.enumMembers;
    return {
      kind: 'in',
      type: booleanType,
      negated: false,
      target: left,
      values,
      category: categoryOf(left.type),
      enumMembers: members,
    };
  }

  private bindComparison(
    op: ComparisonOperator,
    left: FilterExpr,
    right: FilterExpr,
    pos: number,
  ): FilterExpr {
    const wildcard = this.dialect.wildcardEquals ? wildcardMatch(op, left, right) : undefined;
    if (wildcard) return wildcard;
    const type = comparisonType(op, left, right, pos);
    const members = type.enumMembers;
    return {
      kind: 'compare',
      type: booleanType,
      op,
      left,
      right,
      category: categoryOf(type),
      enumMembers: members,
    };
  }
}

/** Named parameters of a CRM query function, each with the position of its value. */
type CrmParameters = Map<string, { pos: number; value: string | string[] }>;

function requireCrmParameters(
  params: CrmParameters,
  name: Token,
): { property: { pos: number; value: string }; list: { pos: number; value: string[] } } {
  for (const key of params.keys()) {
    if (key !== 'PropertyName' && key !== 'PropertyValues') {
      throw new QueryOptionError(
        `Unknown parameter '${key}' for ${name.text}; expected PropertyName and PropertyValues.`,
        name.pos,
      );
    }
  }
  const property = params.get('PropertyName');
  const list = params.get('PropertyValues');
  if (typeof property?.value !== 'string' || !Array.isArray(list?.value)) {
    throw new QueryOptionError(
      `${name.text} at position ${name.pos} needs PropertyName='<property>' and PropertyValues=['<value>',...].`,
      name.pos,
    );
  }
  return {
    property: { pos: property.pos, value: property.value },
    list: { pos: list.pos, value: list.value },
  };
}

function numberType(text: string): EdmType {
  if (/[eE]/.test(text)) return 'Edm.Double';
  if (text.includes('.')) return 'Edm.Decimal';
  return Math.abs(Number(text)) <= 2_147_483_647 ? 'Edm.Int32' : 'Edm.Int64';
}

function enumLiteral(token: Extract<Token, { kind: 'enum' }>): FilterExpr {
  if (!token.typeName.startsWith(enumNamespace) || token.typeName.length === enumNamespace.length) {
    throw syntaxError(
      token.pos,
      `unknown typed literal ${describe(token)}; enum values are written ${enumNamespace}<EnumType>'<Member>'`,
    );
  }
  return {
    kind: 'literal',
    type: { edm: 'Edm.String', enumType: token.typeName.slice(enumNamespace.length) },
    value: token.member,
  };
}

function unsupportedOperator(op: string, pos: number, hint: string): QueryOptionError {
  return new QueryOptionError(
    `The query parameter $filter has an unsupported operator '${op}' at position ${pos}. ${hint}`,
    pos,
  );
}

function unsupportedIn(left: FilterExpr, pos: number, dialect: FilterDialect): QueryOptionError {
  const property = left.kind === 'property' ? left.name : 'Property';
  const hint = dialect.crmFunctions
    ? `${systemLabel[dialect.system]} does not support the OData 'in' operator; use Microsoft.Dynamics.CRM.In(PropertyName='${property}',PropertyValues=['A','B']).`
    : `${systemLabel[dialect.system]} has no 'in' operator; chain 'or' comparisons instead: ${property} eq 'A' or ${property} eq 'B'.`;
  return unsupportedOperator('in', pos, hint);
}

function unknownFunctionMessage(name: string, dialect: FilterDialect): string {
  const supported = (Object.keys(functionSpecs) as FunctionName[]).filter(
    (f) => dialect.stringFunctions || !('stringMatch' in functionSpecs[f]),
  );
  const hint = name === 'substringof' ? " substringof is OData v3; use contains(Property,'text')." : '';
  return `Unknown function '${name}' in $filter. Supported: ${supported.join(', ')}.${hint}`;
}

function checkArguments(
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

type Literal = Extract<FilterExpr, { kind: 'literal' }>;

const isStringLiteral = (e: FilterExpr): e is Literal & { value: string } =>
  e.kind === 'literal' && typeof e.value === 'string' && categoryOf(e.type) === 'string';

/** F&O: `eq`/`ne` against a string literal holding `*` is a wildcard match (`*` = any run of characters). */
function wildcardMatch(op: ComparisonOperator, left: FilterExpr, right: FilterExpr): FilterExpr | undefined {
  if (op !== 'eq' && op !== 'ne') return undefined;
  const isPattern = (e: FilterExpr): e is Literal & { value: string } =>
    isStringLiteral(e) && e.value.includes('*');
  const [target, pattern] = isPattern(right) ? [left, right] : isPattern(left) ? [right, left] : [];
  if (!target || !pattern || target.kind === 'literal' || categoryOf(target.type) !== 'string')
    return undefined;
  return { kind: 'wildcard', type: booleanType, negated: op === 'ne', target, pattern: pattern.value };
}

/** The type both operands are compared as; throws the ODL-style message when they do not fit. */
function comparisonType(op: ComparisonOperator, left: FilterExpr, right: FilterExpr, pos: number): ExprType {
  const [lc, rc] = [categoryOf(left.type), categoryOf(right.type)];
  if (lc === 'null') return right.type;
  if (rc === 'null') return left.type;
  if (lc !== rc) throw incompatibleOperands(op, left, right, pos);
  if (lc !== 'enum') return left.type;
  if (left.type.enumType !== right.type.enumType) {
    throw new QueryOptionError(
      `Cannot compare '${typeName(left.type)}' with '${typeName(right.type)}' at position ${pos}: an enum literal must name the property's enum type.`,
      pos,
    );
  }
  const members = left.type.enumMembers ?? right.type.enumMembers;
  for (const side of [left, right]) {
    if (members && side.kind === 'literal' && !members.includes(String(side.value))) {
      throw new QueryOptionError(
        `'${String(side.value)}' is not a member of enum '${typeName(side.type)}' (members: ${members.join(', ')}).`,
        pos,
      );
    }
  }
  return { ...left.type, enumMembers: members };
}

function incompatibleOperands(
  op: ComparisonOperator | ArithmeticOperator,
  left: FilterExpr,
  right: FilterExpr,
  pos: number,
): QueryOptionError {
  const base =
    `A binary operator with incompatible types was detected. Found operand types '${typeName(left.type)}' and ` +
    `'${typeName(right.type)}' for operator kind '${operatorKinds[op]}' at position ${pos}.`;
  return new QueryOptionError(base + quotingHint(left, right), pos);
}

/** The usual cause of a type mismatch is a quoted non-string literal; say how to write it instead. */
function quotingHint(left: FilterExpr, right: FilterExpr): string {
  const quoted = [left, right].find(isStringLiteral);
  if (!quoted) return '';
  const other = quoted === left ? right : left;
  switch (categoryOf(other.type)) {
    case 'guid':
      return ' Write GUIDs without quotes, e.g. 00000000-0000-0000-0000-000000000000.';
    case 'enum':
      return ` Write enum values as ${typeName(other.type)}'${quoted.value.replaceAll("'", "''")}'.`;
    case 'number':
      return ' Write numbers without quotes.';
    case 'boolean':
      return ' Write true or false without quotes.';
    case 'temporal':
      return ' Write dates without quotes, e.g. 2024-01-01 or 2024-01-01T00:00:00Z.';
    default:
      return '';
  }
}

function bindArithmetic(
  op: ArithmeticOperator,
  left: FilterExpr,
  right: FilterExpr,
  pos: number,
): FilterExpr {
  const edms = [left.type.edm, right.type.edm];
  for (const side of [left, right]) {
    const category = categoryOf(side.type);
    if (category !== 'number' && category !== 'null') throw incompatibleOperands(op, left, right, pos);
  }
  const widest =
    (['Edm.Double', 'Edm.Decimal', 'Edm.Int64'] as const).find((t) => edms.includes(t)) ?? 'Edm.Int32';
  return { kind: 'arithmetic', type: { edm: widest }, op, left, right };
}

/** A CRM function's PropertyValues are strings; they are read as the property's type. */
function convertText(text: string, property: string, def: PropertyDef, pos: number): Value {
  const type = typeOfProperty(def);
  const invalid = (): QueryOptionError =>
    new QueryOptionError(
      `The value '${text}' in PropertyValues is not a valid ${typeName(type)} for '${property}'.`,
      pos,
    );
  switch (categoryOf(type)) {
    case 'number': {
      const integer = def.type === 'Edm.Int32' || def.type === 'Edm.Int64';
      if (!(integer ? /^-?\d+$/ : plainDecimalPattern).test(text)) throw invalid();
      return text;
    }
    case 'guid':
      if (!isGuid(text)) throw invalid();
      return text.toLowerCase();
    case 'boolean':
      if (text !== 'true' && text !== 'false') throw invalid();
      return text === 'true';
    case 'temporal': {
      const kind = classifyTemporal(text);
      if (kind !== 'date' && kind !== 'datetime') throw invalid();
      return text;
    }
    case 'enum':
      if (!def.enumMembers?.includes(text)) throw invalid();
      return text;
    default:
      return text;
  }
}

// ---------------------------------------------------------------------------------------------------
// Evaluator
// ---------------------------------------------------------------------------------------------------

function evaluate(expr: FilterExpr, row: Row): Value {
  switch (expr.kind) {
    case 'literal':
      return expr.value;
    case 'property':
      return row[expr.name] ?? null;
    case 'logical':
      return evaluateLogical(expr.op, expr.operands, row);
    case 'not': {
      const value = evaluate(expr.operand, row);
      return value === null ? null : value !== true;
    }
    case 'compare':
      return compareWith(
        expr.op,
        evaluate(expr.left, row),
        evaluate(expr.right, row),
        expr.category,
        expr.enumMembers,
      );
    case 'wildcard': {
      const value = evaluate(expr.target, row);
      return value === null ? expr.negated : matchesWildcard(String(value), expr.pattern) !== expr.negated;
    }
    case 'arithmetic':
      return arithmetic(expr.op, expr.type, evaluate(expr.left, row), evaluate(expr.right, row));
    case 'call':
      return callFunction(
        expr.name,
        expr.args.map((arg) => evaluate(arg, row)),
      );
    case 'in': {
      const value = evaluate(expr.target, row);
      if (value === null) return null;
      const found = expr.values.some(
        (v) => v !== null && compareNonNull(value, v, expr.category, expr.enumMembers) === 0,
      );
      return found !== expr.negated;
    }
    case 'between': {
      const value = evaluate(expr.target, row);
      if (value === null || expr.low === null || expr.high === null) return null;
      const inside =
        compareNonNull(value, expr.low, expr.category) >= 0 &&
        compareNonNull(value, expr.high, expr.category) <= 0;
      return inside !== expr.negated;
    }
  }
}

/** Three-valued: `false and null` is false, `true or null` is true, otherwise null wins over the rest. */
function evaluateLogical(op: 'and' | 'or', operands: readonly FilterExpr[], row: Row): Value {
  const decisive = op === 'or';
  let unknown = false;
  for (const operand of operands) {
    const value = evaluate(operand, row);
    if (value === null) unknown = true;
    else if (value === decisive) return decisive;
  }
  return unknown ? null : !decisive;
}

function compareWith(
  op: ComparisonOperator,
  a: Value,
  b: Value,
  category: ValueCategory,
  members?: readonly string[],
): boolean {
  if (a === null || b === null) {
    const both = a === null && b === null;
    return op === 'eq' ? both : op === 'ne' ? !both : false;
  }
  const order = compareNonNull(a, b, category, members);
  switch (op) {
    case 'eq':
      return order === 0;
    case 'ne':
      return order !== 0;
    case 'gt':
      return order > 0;
    case 'ge':
      return order >= 0;
    case 'lt':
      return order < 0;
    case 'le':
      return order <= 0;
  }
}

/** Glob match with `*` only, case-insensitive; literal pieces are found with indexOf, never a RegExp. */
function matchesWildcard(value: string, pattern: string): boolean {
  const text = fold(value);
  const pieces = fold(pattern).split('*');
  const first = pieces[0]!;
  const last = pieces[pieces.length - 1]!;
  if (!text.startsWith(first)) return false;
  let at = first.length;
  for (const piece of pieces.slice(1, -1)) {
    const found = text.indexOf(piece, at);
    if (found < 0) return false;
    at = found + piece.length;
  }
  return text.length - last.length >= at && text.endsWith(last);
}

const exactArithmetic = { add: addDecimals, sub: subtractDecimals, mul: multiplyDecimals };

function arithmetic(op: ArithmeticOperator, type: ExprType, a: Value, b: Value): Value {
  if (a === null || b === null) return null;
  const [x, y] = [plainDecimal(a), plainDecimal(b)];
  if (x !== undefined && y !== undefined && (op === 'add' || op === 'sub' || op === 'mul')) {
    return exactArithmetic[op](x, y);
  }
  const [p, q] = [Number(a), Number(b)];
  const integer = type.edm === 'Edm.Int32' || type.edm === 'Edm.Int64';
  switch (op) {
    case 'add':
      return p + q;
    case 'sub':
      return p - q;
    case 'mul':
      return p * q;
    // Division by zero is an error upstream; here it simply matches nothing, so evaluation never throws.
    case 'div':
      return q === 0 ? null : integer ? Math.trunc(p / q) : p / q;
    case 'mod':
      return q === 0 ? null : p % q;
  }
}

function callFunction(name: FunctionName, args: readonly Value[]): Value {
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
