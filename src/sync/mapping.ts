/**
 * Applies a flow's mapping to one source record: the target values it maps to, with transforms,
 * defaults, truncation and constants. This is what the engine writes and what drift compares against.
 */
import type { FlowDefinition, MappingName, TargetMapping } from './flows/types.js';
import { withValueMaps, type ValueMaps } from './flows/value-maps.js';
import type { ReferenceData } from './reference.js';
import { mapField, type FieldResult } from './transforms.js';

/** Options of `applyMapping`; every one has a default. */
export interface ApplyMappingOptions {
  /** Value maps replacing the defaults, by name. Default: none (the hub's default maps). */
  valueMaps?: Partial<ValueMaps>;
  /**
   * Which constants to include: `all` for a create, `always` for an update (so defaults Finance owns after
   * creation, like the customer group, are not overwritten, and fields applied `onCreate` are left out
   * too), `none` for the mapped fields only. Default `all`.
   */
  constants?: 'all' | 'always' | 'none';
}

/** A field that could not be mapped, and why. */
export interface FieldProblem {
  field: string;
  target: string;
  status: Exclude<FieldResult['status'], 'ok'>;
  message: string;
}

/** A source record that does not map: every field that failed, so one run reports all of them at once. */
export class MappingError extends Error {
  override readonly name = 'MappingError';

  constructor(
    readonly flow: string,
    readonly mapping: MappingName,
    readonly problems: readonly FieldProblem[],
  ) {
    super(`${flow} (${mapping}): ${problems.map((p) => `${p.target}: ${p.message}`).join('; ')}`);
  }

  /** True when every problem is a record of another flow missing in the target (a failed dependency). */
  get missingDependency(): boolean {
    return this.problems.every((p) => p.status === 'missingDependency');
  }
}

/** The mapping `mapping` of `flow`, or `mapping` itself; throws on a name the flow does not define. */
export function findMapping(flow: FlowDefinition, mapping: MappingName | TargetMapping): TargetMapping {
  if (typeof mapping !== 'string') return mapping;
  const found = flow.mappings.find((m) => m.name === mapping);
  if (!found) {
    const known = flow.mappings.map((m) => m.name).join(', ');
    throw new RangeError(`The ${flow.name} flow has no mapping '${mapping}' (it has ${known})`);
  }
  return found;
}

/**
 * The target values (target field → value) `sourceRecord` maps to under `mapping` of `flow`. Throws a
 * `MappingError` listing every field that does not map.
 */
export function applyMapping(
  flow: FlowDefinition,
  mapping: MappingName | TargetMapping,
  sourceRecord: object,
  reference: ReferenceData,
  { valueMaps, constants = 'all' }: ApplyMappingOptions = {},
): Record<string, unknown> {
  const target = findMapping(flow, mapping);
  const context = { reference, valueMaps: withValueMaps(valueMaps) };
  const values: Record<string, unknown> = {};
  const problems: FieldProblem[] = [];
  for (const field of target.fields) {
    if (constants === 'always' && field.apply === 'onCreate') continue;
    const result = mapField(field, sourceRecord, context);
    if (result.status === 'ok') values[field.target] = result.value;
    else
      problems.push({
        field: field.field,
        target: field.target,
        status: result.status,
        message: result.message,
      });
  }
  if (problems.length > 0) throw new MappingError(flow.name, target.name, problems);
  for (const constant of target.constants) {
    if (constants === 'all' || (constants === 'always' && constant.apply === 'always')) {
      values[constant.target] = constant.value;
    }
  }
  return values;
}
