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
    const found = expr.values.some(
      (v) => v !== null && compareNonNull(value, v, expr.category, expr.enumMembers) === 0,
    );
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
