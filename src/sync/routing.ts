/**
 * Decides what happens to one source record: skipped (with the reason an admin reads in the run
 * history) or mapped with a particular mapping. Eligibility rules come first, then the children's rules
 * (one write-in line skips the whole quote), then the routes in order.
 */
import type { Condition, FlowDefinition, Route, TargetMapping } from './flows/types.js';
import { findMapping } from './mapping.js';
import { isBlank } from './normalise.js';
import type { ReferenceData } from './reference.js';
import { readField } from './transforms.js';

/**
 * The outcome of routing one record. A skip's `reason` is what an admin reads about this record (naming
 * the child that failed a rule, e.g. `write-in line (line 3)`); its `rule` is the reason of the rule
 * alone, as `syncFlows` lists it (`write-in line`), the same for every record the rule skips, so that a
 * run counts its skips by it.
 */
export type RouteDecision =
  { action: 'map'; mapping: TargetMapping; route: Route } | { action: 'skip'; reason: string; rule: string };

/**
 * Whether `condition` holds for `record`. A `resolves` condition needs its lookup in `reference`; a
 * missing lookup is a programming error (the engine always provides the lookups its flows use), so it throws
 * rather than silently skipping records.
 */
export function conditionHolds(condition: Condition, record: object, reference: ReferenceData): boolean {
  switch (condition.test) {
    case 'always':
      return true;
    case 'notBlank':
      return !isBlank(readField(record, condition.field));
    case 'blank':
      return isBlank(readField(record, condition.field));
    case 'settingIncludes': {
      const values = reference.settings?.[condition.setting];
      return values === undefined || values.length === 0
        ? condition.byDefault
        : values.includes(condition.value);
    }
    case 'anyOf':
      return condition.conditions.some((each) => conditionHolds(each, record, reference));
    case 'equals':
      return readField(record, condition.field) === condition.value;
    case 'notEquals':
      return readField(record, condition.field) !== condition.value;
    case 'inSetting': {
      const allowed = reference.settings?.[condition.setting];
      if (!allowed || allowed.length === 0) return true;
      return allowed.includes(readField(record, condition.field) as string | number);
    }
    case 'resolves': {
      const lookup = reference.lookups?.[condition.lookup];
      if (!lookup)
        throw new Error(`The reference data has no ${condition.lookup} lookup, which a rule needs`);
      const id = readField(record, condition.field);
      return !isBlank(id) && lookup(String(id)) !== undefined;
    }
  }
}

/**
 * What the flow does with `record`: skip it with a reason, or map it with the mapping of the first route
 * that matches. `children` are the record's child rows (a quote's lines); flows without children ignore them.
 */
export function routeRecord(
  flow: FlowDefinition,
  record: object,
  reference: ReferenceData,
  children: readonly object[] = [],
): RouteDecision {
  for (const rule of flow.eligibility) {
    if (!conditionHolds(rule.require, record, reference)) {
      return { action: 'skip', reason: rule.reason, rule: rule.reason };
    }
  }
  if (flow.children) {
    const { label, eligibility, mapping } = flow.children;
    const keyField = findMapping(flow, mapping).key.source;
    for (const child of children) {
      const failed = eligibility.find((rule) => !conditionHolds(rule.require, child, reference));
      if (failed) {
        const key = readField(child, keyField);
        return { action: 'skip', reason: `${failed.reason} (${label} ${String(key)})`, rule: failed.reason };
      }
    }
  }
  const route = flow.routes.find((r) => conditionHolds(r.when, record, reference));
  if (!route) {
    const reason = flow.unrouted ?? 'no route matches';
    return { action: 'skip', reason, rule: reason };
  }
  return { action: 'map', mapping: findMapping(flow, route.mapping), route };
}
