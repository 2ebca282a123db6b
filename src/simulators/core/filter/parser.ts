/**
 * The `$filter` grammar: a recursive-descent parser that type-checks against the entity set as it goes,
 * so a connector's mistakes come back as the 400s the real services give.
 *
 * Precedence follows Microsoft.OData.Core's UriQueryExpressionParser, which both Dataverse and F&O run:
 * `or` < `and` < comparison (`eq ne gt ge lt le`, left-associative) < `add sub` < `mul div mod` <
 * unary (`not`) < primary. So `not` binds to the operand right after it, exactly as upstream:
 * `not name eq 'x'` is `(not name) eq 'x'` and fails to type-check; write `not (name eq 'x')`.
 */
import type { EntitySetDef, Value } from '../model.js';
import {
  type ArithmeticOperator,
  booleanType,
  type ComparisonOperator,
  type FilterExpr,
  type FunctionName,
} from './ast.js';
import { crmNamespace, parseCrmCall } from './crm-functions.js';
import { TokenCursor } from './cursor.js';
import { type FilterDialect, systemLabel } from './dialects.js';
import { QueryOptionError, syntaxError, unsupportedOperator } from './errors.js';
import { checkArguments, requireFunction } from './functions.js';
import { describe, type Token, tokenize } from './lexer.js';
import { numberType } from './literals.js';
import { bindArithmetic, bindComparison, comparisonOperators, operatorKinds } from './operators.js';
import { categoryOf, enumNamespace, requireProperty, typeName, typeOfProperty } from './typing.js';

/** Longest `$filter` accepted: Dataverse caps whole URLs at 32 KB, so nothing legitimate is longer. */
export const maxFilterLength = 32_768;
/**
 * Deepest nesting accepted (parentheses, `not`, function arguments and chained operators each count a
 * level). Keeps recursion far from the stack limit whatever the input; real filters stay under ten.
 */
export const maxFilterDepth = 100;

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
  return new FilterParser(new TokenCursor(tokenize(text)), set, dialect).parse();
}

class FilterParser {
  private depth = 0;

  constructor(
    private readonly cursor: TokenCursor,
    private readonly set: EntitySetDef,
    private readonly dialect: FilterDialect,
  ) {}

  parse(): FilterExpr {
    const expr = this.parseLogical('or');
    const next = this.cursor.peek();
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
    const operands = [{ pos: this.cursor.peek().pos, expr: operand() }];
    while (this.cursor.peek().kind === 'name' && this.cursor.peek().text === op) {
      this.cursor.advance();
      operands.push({ pos: this.cursor.peek().pos, expr: operand() });
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
      const token = this.cursor.peek();
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
      this.cursor.advance();
      const right = this.parseAdditive();
      left = bindComparison(token.text as ComparisonOperator, left, right, token.pos, this.dialect);
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
      const token = this.cursor.peek();
      if (token.kind !== 'name' || !(ops as readonly string[]).includes(token.text)) break;
      if (!this.dialect.arithmetic) {
        throw unsupportedOperator(
          token.text,
          token.pos,
          `${systemLabel[this.dialect.system]} does not support arithmetic operators in $filter.`,
        );
      }
      this.enter(token.pos);
      this.cursor.advance();
      const right = operand();
      left = bindArithmetic(token.text as ArithmeticOperator, left, right, token.pos);
    }
    this.depth = startDepth;
    return left;
  }

  private parseUnary(): FilterExpr {
    const token = this.cursor.peek();
    if (token.kind !== 'name' || token.text !== 'not') return this.parsePrimary();
    this.cursor.advance();
    const operand = this.nested(token.pos, () => this.parseUnary());
    const category = categoryOf(operand.type);
    if (category === 'boolean' || category === 'null') return { kind: 'not', type: booleanType, operand };
    const next = this.cursor.peek();
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
    const token = this.cursor.advance();
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
    const previous = this.cursor.before(token);
    const after = previous ? ` after ${describe(previous)}` : '';
    return syntaxError(token.pos, `expected a value${after}, found ${describe(token)}`);
  }

  private parseName(token: Token): FilterExpr {
    if (token.text === 'true' || token.text === 'false') {
      return { kind: 'literal', type: booleanType, value: token.text === 'true' };
    }
    if (token.text === 'null') return { kind: 'literal', type: { edm: 'null' }, value: null };
    const next = this.cursor.peek();
    if (next.kind === 'punct' && next.text === '(') return this.parseCall(token);
    if (reservedWords.has(token.text)) throw this.expectedValue(token);
    const def = requireProperty(this.set, token.text, token.pos);
    return { kind: 'property', type: typeOfProperty(def), name: token.text };
  }

  private parseGroup(open: Token): FilterExpr {
    return this.nested(open.pos, () => {
      const expr = this.parseLogical('or');
      this.cursor.expectPunct(')', `expected ')' to close the '(' at position ${open.pos}`);
      return expr;
    });
  }

  private parseCall(name: Token): FilterExpr {
    if (name.text.startsWith(crmNamespace)) return parseCrmCall(this.cursor, name, this.set, this.dialect);
    const spec = requireFunction(name, this.dialect);
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
    this.cursor.expectPunct('(', `expected '(' after '${name.text}'`);
    const args: { pos: number; expr: FilterExpr }[] = [];
    if (this.cursor.acceptPunct(')')) return args;
    do {
      const pos = this.cursor.peek().pos;
      args.push({ pos, expr: this.nested(pos, () => this.parseLogical('or')) });
    } while (this.cursor.acceptPunct(','));
    this.cursor.expectPunct(')', `expected ',' or ')' in the arguments of '${name.text}'`);
    return args;
  }

  /** The OData `in` operator: `Name in ('a','b')`. Only reached when a dialect allows it. */
  private parseIn(left: FilterExpr, token: Token): FilterExpr {
    if (!this.dialect.inOperator) throw unsupportedIn(left, token.pos, this.dialect);
    this.cursor.advance();
    this.cursor.expectPunct('(', "expected '(' after 'in'");
    const values: Value[] = [];
    do {
      const pos = this.cursor.peek().pos;
      const value = this.parsePrimary();
      if (value.kind !== 'literal') throw syntaxError(pos, "the list after 'in' holds literals only");
      bindComparison('eq', left, value, pos, this.dialect);
      values.push(value.value);
    } while (this.cursor.acceptPunct(','));
    this.cursor.expectPunct(')', "expected ',' or ')' in the list after 'in'");
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

function unsupportedIn(left: FilterExpr, pos: number, dialect: FilterDialect): QueryOptionError {
  const property = left.kind === 'property' ? left.name : 'Property';
  const hint = dialect.crmFunctions
    ? `${systemLabel[dialect.system]} does not support the OData 'in' operator; use Microsoft.Dynamics.CRM.In(PropertyName='${property}',PropertyValues=['A','B']).`
    : `${systemLabel[dialect.system]} has no 'in' operator; chain 'or' comparisons instead: ${property} eq 'A' or ${property} eq 'B'.`;
  return unsupportedOperator('in', pos, hint);
}
