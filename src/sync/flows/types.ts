/**
 * The shape of a declarative flow definition. A flow is data, not code paths: which source entity, which
 * mappings (source field → target field, transform, default), which constants, which records are skipped
 * and why, and which mapping a record is routed to. The engine, the drift computation and the `syncFlows`
 * query all read the same definitions, so what an admin reviews is what runs.
 */
import type { FinanceKind } from '../../connectors/finance/types.js';
import type { SalesKind } from '../../connectors/sales/types.js';
import type { LookupName, SettingName } from '../reference.js';
import type { FlowName } from '../../vocabulary.js';
import type { ValueMapName } from './value-maps.js';

export type { FlowName, SystemName } from '../../vocabulary.js';

/** Which way a flow copies records; every flow is one-way. */
export type FlowDirection = 'salesToFinance' | 'financeToSales';

/** A plain value a definition may hold: constants, defaults, condition operands. */
export type Scalar = string | number | boolean | null;

/**
 * An entity of one system: `entity` is the OData entity set a person recognises (`accounts`,
 * `CustomersV3`), `kind` the connector's name for it.
 */
export type EntityRef =
  | { system: 'sales'; entity: string; kind: SalesKind }
  | { system: 'finance'; entity: string; kind: FinanceKind };

/** How a source value becomes a target value. A closed set, so every consumer can switch over it. */
export type Transform =
  /** As is. */
  | { kind: 'copy' }
  /** Text cut to the target column's maximum length (F&O columns are often shorter than Dataverse's). */
  | { kind: 'truncate'; length: number }
  /** Exact decimal text (money, quantities); compared by numeric value. */
  | { kind: 'decimal' }
  /** An ISO 8601 instant; compared by instant. */
  | { kind: 'date' }
  /** Through a named value map (country name → ISO code, product type → type code). */
  | { kind: 'valueMap'; map: ValueMapName }
  /** Sales `transactioncurrencyid` → ISO currency code, through the Sales currencies. */
  | { kind: 'currencyIso' }
  /** ISO currency code → Sales `transactioncurrencyid`, through the Sales currencies. */
  | { kind: 'currencyId' }
  /** Sales `uomid` → unit name (Sales units) → Finance unit symbol (value map `map`). */
  | { kind: 'unitSymbol'; map: ValueMapName }
  /** Finance unit symbol → Sales unit name (value map `map`) → Sales `uomid` (Sales units). */
  | { kind: 'unitId'; map: ValueMapName }
  /** The id of a record another flow owns → a value of it (its business number, its party number). */
  | { kind: 'lookup'; lookup: LookupName }
  /**
   * A line total → an amount per unit, divided by the source field `quantity` and rounded to cents
   * (a Sales line discount → Finance's per-unit line discount; the rest goes in a rounding charge).
   */
  | { kind: 'perUnit'; quantity: string }
  /**
   * An amount per unit → a line total to cents, multiplied by the source field `quantity` (Finance's per-unit
   * line discount → the Sales line's discount).
   */
  | { kind: 'lineTotal'; quantity: string };

/** The transform kinds, for exhaustive switches and validation. */
export type TransformKind = Transform['kind'];

/**
 * One target field and where its value comes from. `S` and `T` narrow the field names to the columns of
 * the source and target rows where a definition is written (see `defineMapping`); consumers see strings.
 */
export interface FieldMapping<S extends string = string, T extends string = string> {
  /** The unified field name a person understands (`phone`, `creditLimit`, `address.country`); drift reports it. */
  field: string;
  source: S;
  target: T;
  transform: Transform;
  /** The target value when the source is blank (Data Integrator's "Default"); in target terms ('USA'). */
  default?: Scalar;
  /** When the source is blank, take this other source field (transformed the same way) before `default`. */
  defaultFrom?: S;
  /**
   * When the field is written: on every write (`always`, the default), or only when the target record is
   * created (`onCreate`: an order created in Finance arrives whole in Sales; afterwards only its progress).
   * Drift does not compare `onCreate` fields, as it does not compare `onCreate` constants.
   */
  apply?: 'onCreate' | 'always';
  description?: string;
}

/**
 * A target value the flow sets without a source. `onCreate` constants are defaults Finance (or Sales) owns
 * afterwards, like the customer group; `always` constants are asserted on every write, like the flag that
 * marks a record as mastered in the other system.
 */
export interface ConstantMapping<T extends string = string> {
  /** Unified field name, as on `FieldMapping`. */
  field: string;
  target: T;
  value: Scalar;
  apply: 'onCreate' | 'always';
  description?: string;
}

/** The business key: the source column ↔ the target column that identify the same record. */
export interface BusinessKey<S extends string = string, T extends string = string> {
  source: S;
  target: T;
}

/** One field list: how a source record becomes a record of one target entity. */
export interface TargetMapping<S extends string = string, T extends string = string> {
  /** Names the mapping within its flow (`customer`, `contactPerson`, `quotationLine`). */
  name: MappingName;
  description: string;
  source: EntityRef;
  target: EntityRef;
  key: BusinessKey<S, T>;
  fields: readonly FieldMapping<S, T>[];
  constants: readonly ConstantMapping<T>[];
}

/** Every mapping of the seven flows, by name. */
export type MappingName =
  | 'customer'
  | 'contactPerson'
  | 'personCustomer'
  | 'product'
  | 'quotationHeader'
  | 'quotationLine'
  | 'orderHeader'
  | 'orderLine'
  | 'orderStatus'
  | 'orderLineStatus'
  | 'invoiceHeader'
  | 'invoiceLine';

/** A test on one source record; data, so it can be shown and overridden. */
export type Condition<S extends string = string> =
  | { test: 'always' }
  | { test: 'notBlank'; field: S }
  | { test: 'blank'; field: S }
  | { test: 'equals'; field: S; value: Scalar }
  | { test: 'notEquals'; field: S; value: Scalar }
  /** The field holds an id the named lookup resolves (a product that came from Finance). */
  | { test: 'resolves'; field: S; lookup: LookupName }
  /**
   * The field holds one of the values the named setting lists (configuration, e.g. which relationship
   * types of accounts to sync); holds for every record while the setting lists nothing.
   */
  | { test: 'inSetting'; field: S; setting: SettingName }
  /**
   * The named setting lists `value` (configuration, e.g. which invoice types to sync); `byDefault` is
   * whether it holds while the setting is not configured.
   */
  | { test: 'settingIncludes'; setting: SettingName; value: string; byDefault: boolean }
  /** Holds when one of `conditions` holds. */
  | { test: 'anyOf'; conditions: readonly Condition<S>[] };

/** A record that fails `require` is skipped, and reported as skipped with `reason`. */
export interface EligibilityRule<S extends string = string> {
  require: Condition<S>;
  reason: string;
}

/** Sends a record that meets `when` to the mapping `mapping`; a flow's routes are tried in order. */
export interface Route<S extends string = string> {
  when: Condition<S>;
  mapping: MappingName;
  description: string;
}

/** Child records written with their parent (quote lines), each checked by its own rules. */
export interface ChildRecords<S extends string = string, T extends string = string> {
  /** What a person calls one child ('line'), for skip reasons such as "write-in line (line 3)". */
  label: string;
  mapping: MappingName;
  /**
   * Child column holding the parent's id ↔ target column holding the parent's business key; no target
   * column when the target's children name their parent by id only (a Sales order line), which the
   * flow's target adapter binds.
   */
  parent: { source: S; target?: T };
  /** A parent with one ineligible child is skipped as a whole, with the child's reason and key. */
  eligibility: readonly EligibilityRule<S>[];
}

/** A flow: one direction, one source entity, its rules and its mappings. */
export interface FlowDefinition {
  name: FlowName;
  description: string;
  direction: FlowDirection;
  /** Flows whose records this one refers to; they run first. */
  dependsOn: readonly FlowName[];
  source: EntityRef;
  /** Checked in order; the first rule a record fails gives the skip reason. */
  eligibility: readonly EligibilityRule[];
  /** Tried in order; the first that matches picks the mapping. */
  routes: readonly Route[];
  /** Skip reason of an eligible record no route matches; null when the last route always matches. */
  unrouted: string | null;
  mappings: readonly TargetMapping[];
  /** Child records written with each record (quote lines); absent for flat flows. */
  children?: ChildRecords;
}

/**
 * Checks a mapping's field names against the source row type `S` and target row type `T` where it is
 * written, and hands it on as plain data.
 */
export function defineMapping<S, T>(
  mapping: TargetMapping<keyof S & string, keyof T & string>,
): TargetMapping {
  return mapping;
}

/** Checks child rules' field names against the child row type `S` and target row type `T`. */
export function defineChildren<S, T>(
  children: ChildRecords<keyof S & string, keyof T & string>,
): ChildRecords {
  return children;
}

/** Checks eligibility rules' field names against the source row type `S`. */
export function defineRules<S>(
  rules: readonly EligibilityRule<keyof S & string>[],
): readonly EligibilityRule[] {
  return rules;
}

/** Checks routes' field names against the source row type `S`. */
export function defineRoutes<S>(routes: readonly Route<keyof S & string>[]): readonly Route[] {
  return routes;
}
