/** The parsed, type-checked form of a `$filter` expression: what the parser builds and the evaluator walks. */
import type { EdmType, Value } from '../model.js';

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

/** A literal node. */
export type Literal = Extract<FilterExpr, { kind: 'literal' }>;

/** The type of every predicate (comparisons, `and`/`or`/`not`, CRM functions). */
export const booleanType: ExprType = { edm: 'Edm.Boolean' };
