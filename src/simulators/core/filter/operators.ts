/**
 * Binding binary operators: checks that the operands of a comparison or arithmetic operator fit, in ODL's
 * words when they do not, and builds the typed node.
 */
import {
  type ArithmeticOperator,
  booleanType,
  type ComparisonOperator,
  type ExprType,
  type FilterExpr,
  type Literal,
} from './ast.js';
import type { FilterDialect } from './dialects.js';
import { QueryOptionError } from './errors.js';
import { categoryOf, isStringLiteral, typeName } from './typing.js';

/** The comparison operators, as written in `$filter`. */
export const comparisonOperators: readonly string[] = ['eq', 'ne', 'gt', 'ge', 'lt', 'le'];

/** ODL's operator kind names, which its messages quote. */
export const operatorKinds: Record<ComparisonOperator | ArithmeticOperator | 'and' | 'or', string> = {
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

/** `left op right` as a comparison (or, under `wildcardEquals`, a wildcard match); `pos` is the operator's. */
export function bindComparison(
  op: ComparisonOperator,
  left: FilterExpr,
  right: FilterExpr,
  pos: number,
  dialect: FilterDialect,
): FilterExpr {
  const wildcard = dialect.wildcardEquals ? wildcardMatch(op, left, right) : undefined;
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

/** `left op right` on numbers; the result has the wider operand type (Double > Decimal > Int64 > Int32). */
export function bindArithmetic(
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
