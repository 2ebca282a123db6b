/**
 * Which mapping a record belongs to, read from the flow definitions: a source record by the flow's routes
 * (the same `routeRecord` the engine runs), a target record by its shape, and so which of the target rows
 * found by a record's key is its counterpart (a contact's contact person or person customer).
 */
import { flows, type FlowDefinition, type TargetMapping } from '../flows/index.js';
import { findMapping } from '../mapping.js';
import { createReferenceData, type FlowFilterSettings, type ReferenceData } from '../reference.js';
import { routeRecord } from '../routing.js';
import { readField } from '../transforms.js';

/** The mappings records of `flow` are routed to, in route order, each once (quote lines are not among them). */
export function routedMappings(flow: FlowDefinition): TargetMapping[] {
  const names = [...new Set(flow.routes.map((route) => route.mapping))];
  return names.map((name) => findMapping(flow, name));
}

/**
 * Routing reads the configured settings and, for `resolves` conditions, lookups; never currencies or
 * units, which would cost a Sales request per query. No top-level route of the four flows resolves a
 * lookup; one that did would throw here, naming the lookup it lacks.
 */
const routingReference = (settings: FlowFilterSettings): ReferenceData => ({
  ...createReferenceData({ currencies: [], units: [] }),
  settings,
});

/**
 * The mapping `flow` sends `source` to. A record the flow skips (ineligible, or no route matches) is given
 * the last route's mapping, the flow's most general one, so that it is still shown against the row it
 * would be compared with: a contact neither active customer nor parented counts as a contact person.
 */
export function routedMapping(
  flow: FlowDefinition,
  source: object,
  settings: FlowFilterSettings,
): TargetMapping {
  const decision = routeRecord(flow, source, routingReference(settings));
  if (decision.action === 'map') return decision.mapping;
  const last = flow.routes.at(-1);
  if (!last) throw new RangeError(`The ${flow.name} flow has no route`);
  return findMapping(flow, last.mapping);
}

/**
 * The mapping of `mappings` a target row belongs to: the first, in route order, whose target key column
 * the row carries (a person customer has `CustomerAccount`, a contact person `ContactPersonId`); the
 * first mapping when none does.
 */
export function targetMappingOf(mappings: readonly TargetMapping[], row: object): TargetMapping {
  const [first] = mappings;
  if (!first) throw new RangeError('A record view needs at least one mapping');
  return mappings.find((mapping) => Object.hasOwn(row, mapping.key.target)) ?? first;
}

/**
 * The constants that tell `mapping`'s target rows from those other mappings write to the same entity:
 * each `always` constant another mapping of any flow sets to a different value in the same column.
 * Finance keeps organisation and person customers in one entity, and `PartyType` tells them apart.
 */
function distinguishingConstants(mapping: TargetMapping, all: Iterable<FlowDefinition>) {
  const sameEntity = [...all]
    .flatMap((flow) => flow.mappings)
    .filter((other) => other !== mapping && other.target.kind === mapping.target.kind);
  return mapping.constants.filter(
    (constant) =>
      constant.apply === 'always' &&
      sameEntity.some((other) =>
        other.constants.some(
          (c) => c.apply === 'always' && c.target === constant.target && c.value !== constant.value,
        ),
      ),
  );
}

/** Whether `row` holds what `mapping` asserts where another mapping into the same entity asserts otherwise. */
const belongsTo = (mapping: TargetMapping, row: object, all: Iterable<FlowDefinition>): boolean =>
  distinguishingConstants(mapping, all).every(
    (constant) => readField(row, constant.target) === constant.value,
  );

/** Options of `counterpartOf`; every one has a default. */
export interface CounterpartOptions {
  /** The configured settings routing reads. Default: none. */
  settings?: FlowFilterSettings;
  /** Every flow, to tell rows of one entity apart. Default: the hub's four. */
  allFlows?: Iterable<FlowDefinition>;
}

/**
 * Of `candidates`, the target rows found under a record's key (one per entity its mappings write, null
 * where there is none), the one that is the record's counterpart:
 * - with a `source` row, the candidate of the mapping the record is routed to, whatever else it holds;
 * - without one, the first candidate, in the order given, that belongs to its mapping (a customer row is a
 *   person customer only when its `PartyType` says Person).
 */
export function counterpartOf<T extends object>(
  flow: FlowDefinition,
  source: object | null,
  candidates: readonly (T | null)[],
  { settings = {}, allFlows = Object.values(flows) }: CounterpartOptions = {},
): T | null {
  const mappings = routedMappings(flow);
  const found = candidates.filter((row): row is T => row !== null);
  if (source) {
    const mapping = routedMapping(flow, source, settings);
    return found.find((row) => targetMappingOf(mappings, row) === mapping) ?? null;
  }
  return found.find((row) => belongsTo(targetMappingOf(mappings, row), row, allFlows)) ?? null;
}
