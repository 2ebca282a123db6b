/**
 * Dataverse query functions in `$filter`: `Microsoft.Dynamics.CRM.In(PropertyName='p',PropertyValues=['A'])`
 * and its kin. Their arguments are named and every value is a string, read as the property's type.
 */
import { isGuid } from '../../../connectors/odata/literals.js';
import type { EntitySetDef, PropertyDef, Value } from '../model.js';
import { booleanType, type CrmFunctionName, type FilterExpr } from './ast.js';
import type { TokenCursor } from './cursor.js';
import { type FilterDialect, systemLabel } from './dialects.js';
import { QueryOptionError, syntaxError } from './errors.js';
import { describe, type Token } from './lexer.js';
import { classifyTemporal, plainDecimalPattern } from './literals.js';
import { categoryOf, requireProperty, typeName, typeOfProperty } from './typing.js';

/** The prefix that marks a name as a Dataverse query function. */
export const crmNamespace = 'Microsoft.Dynamics.CRM.';
const crmFunctions: readonly CrmFunctionName[] = ['In', 'NotIn', 'Between', 'NotBetween'];

/** Named parameters of a CRM query function, each with the position of its value. */
type CrmParameters = Map<string, { pos: number; value: string | string[] }>;

/**
 * Parses the call whose qualified `name` (starting with {@link crmNamespace}) was just read, and binds it
 * against `set`. Only dialects with `crmFunctions` accept it.
 */
export function parseCrmCall(
  cursor: TokenCursor,
  name: Token,
  set: EntitySetDef,
  dialect: FilterDialect,
): FilterExpr {
  const fn = name.text.slice(crmNamespace.length);
  if (!dialect.crmFunctions) {
    throw new QueryOptionError(
      `The function '${name.text}' at position ${name.pos} is a Dataverse query function; ` +
        `${systemLabel[dialect.system]} does not support it. Chain 'or' comparisons instead: Property eq 'A' or Property eq 'B'.`,
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
  return bindCrmCall(fn as CrmFunctionName, parseNamedParameters(cursor, name), name, set);
}

function parseNamedParameters(cursor: TokenCursor, name: Token): CrmParameters {
  cursor.expectPunct('(', `expected '(' after '${name.text}'`);
  const params: CrmParameters = new Map();
  do {
    const key = cursor.advance();
    if (key.kind !== 'name')
      throw syntaxError(key.pos, `expected a parameter name such as PropertyName, found ${describe(key)}`);
    cursor.expectPunct('=', `expected '=' after '${key.text}'`);
    const pos = cursor.peek().pos;
    const value = cursor.acceptPunct('[') ? parseStringList(cursor) : cursor.expectString(`'${key.text}='`);
    if (params.has(key.text)) throw syntaxError(key.pos, `the parameter '${key.text}' is given twice`);
    params.set(key.text, { pos, value });
  } while (cursor.acceptPunct(','));
  cursor.expectPunct(')', `expected ',' or ')' in the parameters of '${name.text}'`);
  return params;
}

function parseStringList(cursor: TokenCursor): string[] {
  const values: string[] = [];
  if (cursor.acceptPunct(']')) return values;
  do values.push(cursor.expectString('a list item'));
  while (cursor.acceptPunct(','));
  cursor.expectPunct(']', "expected ',' or ']' in the list");
  return values;
}

function bindCrmCall(fn: CrmFunctionName, params: CrmParameters, name: Token, set: EntitySetDef): FilterExpr {
  const { property, list } = requireCrmParameters(params, name);
  const def = requireProperty(set, property.value, property.pos);
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
