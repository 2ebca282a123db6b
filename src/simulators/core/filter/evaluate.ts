/**
 * Evaluating a parsed `$filter` against simulator rows. `null` follows OData: `null eq null` is true,
 * `x ne 'a'` is true for a null `x`, ordering comparisons with null are false, functions of null are null;
 * `and`/`or`/`not` use three-valued logic and a row matches only when the whole filter is true.
 * Evaluation never throws: the parser has already type-checked the expression.
 */
import { addDecimals, multiplyDecimals, subtractDecimals } from '../decimal.js';
import type { Row, Value } from '../model.js';
import type { ArithmeticOperator, ComparisonOperator, ExprType, FilterExpr, ValueCategory } from './ast.js';
import { compareNonNull, fold } from './compare.js';
import { callFunction } from './functions.js';
import { plainDecimal } from './literals.js';

/** True when `row` satisfies `expr` (null, i.e. unknown, does not match). */
export function evaluateFilter(expr: FilterExpr, row: Row): boolean {
  return evaluate(expr, row) === true;
}

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
    case 'in':
    case 'between':
      return evaluateMembership(expr, row);
  }
}

/** CRM In/NotIn/Between/NotBetween (and the OData `in` operator): unknown when the target is null. */
function evaluateMembership(expr: Extract<FilterExpr, { kind: 'in' | 'between' }>, row: Row): Value {
  const value = evaluate(expr.target, row);
  if (expr.kind === 'in') {
    if (value === null) return null;
    const found =
      quickMember(expr.values, expr.category, value) ??
      expr.values.some((v) => v !== null && compareNonNull(value, v, expr.category, expr.enumMembers) === 0);
    return found !== expr.negated;
  }
  if (value === null || expr.low === null || expr.high === null) return null;
  const inside =
    compareNonNull(value, expr.low, expr.category) >= 0 &&
    compareNonNull(value, expr.high, expr.category) <= 0;
  return inside !== expr.negated;
}

/** Three-valued: `false and null` is false, `true or null` is true, otherwise null wins over the rest. */
function evaluateLogical(op: 'and' | 'or', operands: readonly FilterExpr[], row: Row): Value {
  if (op === 'or') {
    const chain = equalityChain(operands);
    if (chain) {
      const value = row[chain.property] ?? null;
      const found = value === null ? undefined : quickMember(chain.values, chain.category, value);
      if (found !== undefined) return found;
    }
  }
  const decisive = op === 'or';
  let unknown = false;
  for (const operand of operands) {
    const value = evaluate(operand, row);
    if (value === null) unknown = true;
    else if (value === decisive) return decisive;
  }
  return unknown ? null : !decisive;
}

// --- batched key lookups -------------------------------------------------------------------------------
// `Microsoft.Dynamics.CRM.In(...)` and `p eq 'a' or p eq 'b' or …` are how clients look up many keys at
// once; compared one by one they cost rows × keys collator calls. A set of case-folded keys answers the
// same question in one probe. It is exact for ASCII text (where case-insensitive, accent-sensitive
// equality is plain case folding); for any other text, or a miss on non-ASCII text, the caller falls back
// to the collator so the answer never differs from the slow path.

const memberSets = new WeakMap<readonly Value[], { folded: Set<string>; ascii: boolean }>();
const asciiOnly = /^[\x20-\x7e]*$/;

/** True/false when the fast path can decide membership exactly, undefined when the caller must compare. */
function quickMember(values: readonly Value[], category: ValueCategory, value: Value): boolean | undefined {
  if ((category !== 'string' && category !== 'guid') || typeof value !== 'string') return undefined;
  let members = memberSets.get(values);
  if (!members) {
    const texts = values.filter((v): v is string => typeof v === 'string');
    members = { folded: new Set(texts.map(fold)), ascii: texts.every((t) => asciiOnly.test(t)) };
    memberSets.set(values, members);
  }
  if (members.folded.has(fold(value))) return true;
  // A miss is only certain when neither side has text a collator could equate differently (ß and ss).
  return members.ascii && asciiOnly.test(value) ? false : undefined;
}

interface EqualityChain {
  property: string;
  category: ValueCategory;
  values: Value[];
}

const chains = new WeakMap<readonly FilterExpr[], EqualityChain | null>();

/** `p eq 'a' or p eq 'b' …` on one property with literals only, or null when the chain is anything else. */
function equalityChain(operands: readonly FilterExpr[]): EqualityChain | null {
  const cached = chains.get(operands);
  if (cached !== undefined) return cached;
  let chain: EqualityChain | null = null;
  for (const operand of operands) {
    const left = operand.kind === 'compare' && operand.op === 'eq' ? operand.left : undefined;
    const right = operand.kind === 'compare' ? operand.right : undefined;
    const category = operand.kind === 'compare' ? operand.category : undefined;
    if (
      left?.kind !== 'property' ||
      right?.kind !== 'literal' ||
      right.value === null ||
      category === undefined
    ) {
      chain = null;
      break;
    }
    if (chain && (chain.property !== left.name || chain.category !== category)) {
      chain = null;
      break;
    }
    chain ??= { property: left.name, category, values: [] };
    chain.values.push(right.value);
  }
  chains.set(operands, chain);
  return chain;
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
