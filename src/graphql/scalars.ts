/**
 * `Decimal` keeps money and quantities exact: decimal text in and out, never a float. `DateTime` is an
 * ISO 8601 instant. Invalid input is a BAD_USER_INPUT that shows what was expected.
 */
import { GraphQLScalarType, Kind } from 'graphql';
import { HubError } from './errors.js';

const decimalPattern = /^-?\d+(\.\d+)?$/;

function decimalOf(value: unknown): string {
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  if (typeof text !== 'string' || !decimalPattern.test(text)) {
    throw new HubError(
      'BAD_USER_INPUT',
      `Decimal must be decimal text like "1234.50", got ${JSON.stringify(value)}.`,
    );
  }
  return text;
}

export const Decimal = new GraphQLScalarType({
  name: 'Decimal',
  serialize: decimalOf,
  parseValue: decimalOf,
  parseLiteral: (ast) => decimalOf(ast.kind === Kind.STRING ? ast.value : undefined),
});

function dateTimeOf(value: unknown): string {
  const time =
    typeof value === 'string' && /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/.test(value)
      ? Date.parse(value)
      : NaN;
  if (Number.isNaN(time)) {
    throw new HubError(
      'BAD_USER_INPUT',
      `DateTime must be ISO 8601 like "2026-01-31T12:00:00Z", got ${JSON.stringify(value)}.`,
    );
  }
  return new Date(time).toISOString();
}

export const DateTime = new GraphQLScalarType({
  name: 'DateTime',
  serialize: (value) => (typeof value === 'string' ? value : dateTimeOf(value)),
  parseValue: dateTimeOf,
  parseLiteral: (ast) => dateTimeOf(ast.kind === Kind.STRING ? ast.value : undefined),
});
