/** Static types of `$filter` operands: what a property is, which comparison rules a type follows, its name. */
import type { EntitySetDef, PropertyDef } from '../model.js';
import type { ExprType, FilterExpr, Literal, ValueCategory } from './ast.js';
import { QueryOptionError } from './errors.js';

/** The namespace F&O enum types live in, as written in typed literals and messages. */
export const enumNamespace = 'Microsoft.Dynamics.DataEntities.';

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

/** The type's name as ODL writes it in messages (enums fully qualified). */
export function typeName(type: ExprType): string {
  if (type.enumType !== undefined) return `${enumNamespace}${type.enumType}`;
  return type.edm;
}

/** True for a string literal (not an enum literal, which also holds a string). */
export const isStringLiteral = (e: FilterExpr): e is Literal & { value: string } =>
  e.kind === 'literal' && typeof e.value === 'string' && categoryOf(e.type) === 'string';

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
