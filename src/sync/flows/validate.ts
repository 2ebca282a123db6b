/**
 * Checks that flow definitions are complete and unambiguous, the way the Data Integrator refuses a
 * duplicate or incomplete mapping before a run. Built-in flows pass (a test holds them to it); overrides
 * read from a file later go through the same checks.
 */
import { lookupNames, settingNames } from '../reference.js';
import type { Condition, FlowDefinition, FlowName, TargetMapping, Transform } from './types.js';
import { valueMapNames, type ValueMapName } from './value-maps.js';

const knownMaps = new Set<string>(valueMapNames);
const knownLookups = new Set<string>(lookupNames);

/** Every problem of `flow`, as sentences naming the flow, mapping and field; empty when it is sound. */
export function validateFlow(flow: FlowDefinition): string[] {
  const problems: string[] = [];
  const mappingNames = new Set<string>();
  for (const mapping of flow.mappings) {
    if (mappingNames.has(mapping.name))
      problems.push(`${flow.name}: mapping ${mapping.name} is defined twice`);
    mappingNames.add(mapping.name);
    problems.push(...mappingProblems(`${flow.name}.${mapping.name}`, mapping));
  }
  for (const route of flow.routes) {
    if (!mappingNames.has(route.mapping))
      problems.push(`${flow.name}: a route goes to unknown mapping ${route.mapping}`);
    problems.push(...conditionProblems(flow.name, route.when));
  }
  if (flow.routes.length === 0) problems.push(`${flow.name}: no routes, so every record would be skipped`);
  const lastAlways = flow.routes.at(-1)?.when.test === 'always';
  if (flow.unrouted === null && !lastAlways) {
    problems.push(`${flow.name}: records no route matches need a skip reason (unrouted)`);
  }
  if (flow.children && !mappingNames.has(flow.children.mapping)) {
    problems.push(`${flow.name}: children use unknown mapping ${flow.children.mapping}`);
  }
  for (const rule of [...flow.eligibility, ...(flow.children?.eligibility ?? [])]) {
    if (rule.reason.trim() === '') problems.push(`${flow.name}: an eligibility rule has no reason`);
    problems.push(...conditionProblems(flow.name, rule.require));
  }
  return problems;
}

/** Problems of every flow, plus dependencies that are unknown or do not run before their dependant. */
export function validateFlows(flows: Readonly<Record<FlowName, FlowDefinition>>): string[] {
  const problems: string[] = [];
  const seen = new Set<FlowName>();
  for (const [name, flow] of Object.entries(flows) as [FlowName, FlowDefinition][]) {
    if (flow.name !== name) problems.push(`${name}: the definition is named ${flow.name}`);
    problems.push(...validateFlow(flow));
    for (const dependency of flow.dependsOn) {
      if (!seen.has(dependency))
        problems.push(`${name}: depends on ${dependency}, which does not run before it`);
    }
    seen.add(name);
  }
  return problems;
}

function mappingProblems(where: string, mapping: TargetMapping): string[] {
  const problems: string[] = [];
  const targets = new Set<string>();
  const fields = new Set<string>();
  const claim = (target: string, field: string): void => {
    if (targets.has(target)) problems.push(`${where}: target ${target} is mapped twice`);
    if (fields.has(field)) problems.push(`${where}: field name ${field} is used twice`);
    targets.add(target);
    fields.add(field);
  };
  for (const field of mapping.fields) {
    claim(field.target, field.field);
    if (field.source.trim() === '') problems.push(`${where}.${field.field}: no source field`);
    problems.push(...transformProblems(`${where}.${field.field}`, field.transform));
  }
  for (const constant of mapping.constants) claim(constant.target, constant.field);
  if (!mapping.fields.some((f) => f.source === mapping.key.source && f.target === mapping.key.target)) {
    problems.push(`${where}: the key ${mapping.key.source} → ${mapping.key.target} is not among the fields`);
  }
  return problems;
}

function transformProblems(where: string, transform: Transform): string[] {
  switch (transform.kind) {
    case 'truncate':
      return Number.isSafeInteger(transform.length) && transform.length > 0
        ? []
        : [`${where}: truncate length must be a whole number above 0, got ${transform.length}`];
    case 'valueMap':
    case 'unitSymbol':
    case 'unitId':
      return mapProblems(where, transform.map);
    case 'lookup':
      return knownLookups.has(transform.lookup) ? [] : [`${where}: unknown lookup ${transform.lookup}`];
    case 'perUnit':
    case 'lineTotal':
      return transform.quantity.trim() === '' ? [`${where}: ${transform.kind} needs a quantity field`] : [];
    case 'copy':
    case 'decimal':
    case 'date':
    case 'currencyIso':
    case 'currencyId':
      return [];
  }
}

const mapProblems = (where: string, map: ValueMapName): string[] =>
  knownMaps.has(map) ? [] : [`${where}: unknown value map ${map}`];

function conditionProblems(where: string, condition: Condition): string[] {
  if (condition.test === 'anyOf')
    return condition.conditions.flatMap((each) => conditionProblems(where, each));
  if (condition.test === 'settingIncludes' && !settingNames.includes(condition.setting)) {
    return [`${where}: a condition uses unknown setting ${condition.setting}`];
  }
  if (condition.test === 'resolves' && !knownLookups.has(condition.lookup)) {
    return [`${where}: a condition uses unknown lookup ${condition.lookup}`];
  }
  if (condition.test === 'inSetting' && !settingNames.includes(condition.setting)) {
    return [`${where}: a condition uses unknown setting ${condition.setting}`];
  }
  return [];
}
