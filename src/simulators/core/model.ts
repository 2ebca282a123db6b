/**
 * The data model the simulators serve: entity sets described by typed properties, keys and lookups.
 * Both simulators declare their entity sets with these types; the query engine, the store, the JSON
 * serializer and the `$metadata` generator all read the same declarations.
 *
 * Values inside the simulators (a `Row`) are plain JSON-able values:
 * - `Edm.String`, `Edm.Guid` (lower-case), enums (member name, F&O style) → string
 * - `Edm.Decimal` → string holding the exact decimal text (e.g. "2500.00"); serialized as a JSON number
 * - `Edm.Int32`, `Edm.Int64`, `Edm.Double` → number
 * - `Edm.Boolean` → boolean
 * - `Edm.DateTimeOffset` → ISO 8601 string with `Z`; `Edm.Date` → `YYYY-MM-DD`
 * - absent value → null
 */

export type EdmType =
  | 'Edm.String'
  | 'Edm.Guid'
  | 'Edm.Decimal'
  | 'Edm.Int32'
  | 'Edm.Int64'
  | 'Edm.Double'
  | 'Edm.Boolean'
  | 'Edm.DateTimeOffset'
  | 'Edm.Date';

export type Value = string | number | boolean | null;
export type Row = Record<string, Value>;

export interface PropertyDef {
  type: EdmType;
  /** F&O enum type name (e.g. `NoYes`); values are member names and filter literals look like `Microsoft.Dynamics.DataEntities.NoYes'Yes'`. */
  enumType?: string;
  /** Allowed enum members, in declaration order. */
  enumMembers?: readonly string[];
  nullable?: boolean;
  maxLength?: number;
  /** Computed or assigned by the system: ignored (Sales) or rejected (Finance) when written. */
  readOnly?: boolean;
}

/** A Dataverse single-valued navigation property (a lookup), read as `_<name>_value`. */
export interface LookupDef {
  /** Column holding the GUID, e.g. `_parentcustomerid_value`. */
  column: string;
  /** Navigation property names accepted in `<nav>@odata.bind`, each with the entity set it points to. */
  navigations: Record<string, string>;
}

export interface EntitySetDef {
  /** Entity-set name as it appears in URLs (`accounts`, `CustomersV3`). */
  name: string;
  /** Entity type name for `$metadata` and `@odata.context` (`account`, `CustomerV3`). */
  entityType: string;
  /** Key properties in URL order (`['accountid']`, `['dataAreaId', 'CustomerAccount']`). */
  key: readonly string[];
  /** Alternate keys, each a list of properties (Dataverse `accounts(accountnumber='A-1')`). */
  alternateKeys?: readonly (readonly string[])[];
  properties: Record<string, PropertyDef>;
  lookups?: readonly LookupDef[];
  /** One-level `$expand` targets: navigation name → how to join. */
  expansions?: Record<string, ExpansionDef>;
}

export interface ExpansionDef {
  /** Target entity set. */
  target: string;
  /** `one`: a lookup from this row; `many`: rows of the target pointing back at this row. */
  cardinality: 'one' | 'many';
  /** Property on this row (`one`) or on the target rows (`many`) holding the reference. */
  via: string;
  /** Properties that must also match between the two rows (F&O: `dataAreaId`). */
  alsoMatch?: readonly string[];
  /** Property on the referenced side the reference points at (default: the target's single key). */
  references?: string;
}
