/**
 * The `$filter` engine both simulators answer queries with: a tokenizer (`lexer.ts`), a recursive-descent
 * parser that type-checks against the entity set (`parser.ts`, so a connector's mistakes come back as the
 * 400s the real services give), and an evaluator over simulator rows (`evaluate.ts`). Pure functions, no
 * HTTP.
 *
 * Semantics: string comparisons are case-insensitive and accent-sensitive, like the SQL Server collation
 * behind both systems (`compare.ts`); `null` and `and`/`or`/`not` follow OData's three-valued logic and a
 * row matches only when the whole filter is true (`evaluate.ts`). Per-system differences live in a
 * FilterDialect (`dialects.ts`).
 */
export type {
  ArithmeticOperator,
  ComparisonOperator,
  CrmFunctionName,
  ExprType,
  FilterExpr,
  FunctionName,
  ValueCategory,
} from './ast.js';
export { compareValues } from './compare.js';
export { type FilterDialect, financeDialect, salesDialect } from './dialects.js';
export { QueryOptionError } from './errors.js';
export { evaluateFilter } from './evaluate.js';
export { maxFilterDepth, maxFilterLength, parseFilter } from './parser.js';
export { categoryOf, requireProperty, typeOfProperty } from './typing.js';
