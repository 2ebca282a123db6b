/** Shorthands for declaring entity properties; keep the entity files readable as tables. */
import type { PropertyDef } from './model.js';

export const str = (maxLength?: number, extra: Partial<PropertyDef> = {}): PropertyDef => ({
  type: 'Edm.String',
  nullable: true,
  ...(maxLength === undefined ? {} : { maxLength }),
  ...extra,
});
export const required = (def: PropertyDef): PropertyDef => ({ ...def, nullable: false });
export const readOnly = (def: PropertyDef): PropertyDef => ({ ...def, readOnly: true });
export const guid = (extra: Partial<PropertyDef> = {}): PropertyDef => ({
  type: 'Edm.Guid',
  nullable: true,
  ...extra,
});
export const decimal = (extra: Partial<PropertyDef> = {}): PropertyDef => ({
  type: 'Edm.Decimal',
  nullable: true,
  ...extra,
});
export const int32 = (extra: Partial<PropertyDef> = {}): PropertyDef => ({
  type: 'Edm.Int32',
  nullable: true,
  ...extra,
});
export const int64 = (extra: Partial<PropertyDef> = {}): PropertyDef => ({
  type: 'Edm.Int64',
  nullable: true,
  ...extra,
});
export const bool = (extra: Partial<PropertyDef> = {}): PropertyDef => ({
  type: 'Edm.Boolean',
  nullable: true,
  ...extra,
});
export const dateTime = (extra: Partial<PropertyDef> = {}): PropertyDef => ({
  type: 'Edm.DateTimeOffset',
  nullable: true,
  ...extra,
});
export const date = (extra: Partial<PropertyDef> = {}): PropertyDef => ({
  type: 'Edm.Date',
  nullable: true,
  ...extra,
});
/** An F&O enum, serialized by member name. */
export const enumOf = (
  enumType: string,
  members: readonly string[],
  extra: Partial<PropertyDef> = {},
): PropertyDef => ({
  type: 'Edm.String',
  enumType,
  enumMembers: members,
  nullable: true,
  ...extra,
});
