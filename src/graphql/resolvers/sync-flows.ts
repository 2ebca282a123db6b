/**
 * `syncFlows` and `syncValueMaps`: the flow definitions of src/sync/flows rendered as data for admins.
 * Nothing here interprets a flow; it only shows the same definitions the sync and the drift use.
 */
import type {
  QueryResolvers,
  SyncChildRecordsResolvers,
  SyncConstantResolvers,
  SyncEntityResolvers,
  SyncFieldMappingResolvers,
  SyncFlowResolvers,
  SyncRouteResolvers,
  SyncRuleResolvers,
} from '../../generated/resolvers-types.js';
import { flows, type Condition, type FlowName, type Scalar, type Transform } from '../../sync/flows/index.js';
import type { SyncCursorRecord } from '../../db/run-types.js';
import { describePosition, positionOf } from '../../sync/engine/read.js';
import type { FlowFilterSettings } from '../../sync/reference.js';
import type { HubContext } from '../context.js';

const text = (value: Scalar | undefined): string | null =>
  value === undefined || value === null ? null : String(value);

/**
 * A condition as a person reads it: `accountnumber is not blank`, `statecode = 1`, and for a setting
 * the values configured now (`customertypecode is one of 3, 9 (accountRelationshipTypes)`).
 */
export function describeCondition(condition: Condition, settings: FlowFilterSettings = {}): string {
  switch (condition.test) {
    case 'always':
      return 'always';
    case 'notBlank':
      return `${condition.field} is not blank`;
    case 'blank':
      return `${condition.field} is blank`;
    case 'settingIncludes': {
      const values = settings[condition.setting] ?? [];
      const includes = values.length === 0 ? condition.byDefault : values.includes(condition.value);
      const now = values.length === 0 ? 'not set' : values.join(', ');
      return `${condition.setting} includes ${condition.value} (${includes ? 'yes' : 'no'}: ${now})`;
    }
    case 'anyOf':
      return condition.conditions.map((each) => describeCondition(each, settings)).join(', or ');
    case 'equals':
      return `${condition.field} = ${String(condition.value)}`;
    case 'notEquals':
      return `${condition.field} ≠ ${String(condition.value)}`;
    case 'resolves':
      return `${condition.field} resolves through ${condition.lookup}`;
    case 'inSetting': {
      const values = settings[condition.setting] ?? [];
      return values.length === 0
        ? `${condition.field}: any value (${condition.setting} is not set)`
        : `${condition.field} is one of ${values.join(', ')} (${condition.setting})`;
    }
  }
}

function transformDetail(transform: Transform): string | null {
  switch (transform.kind) {
    case 'truncate':
      return String(transform.length);
    case 'valueMap':
    case 'unitSymbol':
    case 'unitId':
      return transform.map;
    case 'lookup':
      return transform.lookup;
    case 'perUnit':
    case 'lineTotal':
      return transform.quantity;
    default:
      return null;
  }
}

export const syncFlowQueries: Pick<QueryResolvers, 'syncFlows' | 'syncValueMaps'> = {
  syncFlows: () => Object.values(flows),
  syncValueMaps: (_root, _args, context) =>
    Object.entries(context.valueMaps).map(([name, map]) => ({
      name,
      entries: Object.entries(map).map(([from, to]) => ({ from, to: String(to) })),
    })),
};

export const SyncFlow: SyncFlowResolvers = {
  direction: (flow) => (flow.direction === 'salesToFinance' ? 'SALES_TO_FINANCE' : 'FINANCE_TO_SALES'),
  unroutedReason: (flow) => flow.unrouted,
  children: (flow) => flow.children ?? null,
  cursor: async (flow, _args, context) => {
    const cursor = (await flowStates(context)).cursors.get(flow.name);
    if (!cursor) return null;
    const position = positionOf(cursor.checkpoint);
    return {
      updatedAt: cursor.updatedAt.toISOString(),
      changeTracking: cursor.deltaLink !== null,
      resumesAt: position ? describePosition(position) : null,
      lastRunId: cursor.lastRunId,
    };
  },
  lastRun: async (flow, _args, context) => {
    const id = (await flowStates(context)).lastRunIds.get(flow.name);
    return id ? context.runSnapshots.load(id) : null;
  },
};

/**
 * Every flow's cursor and newest run, read once per operation however many flows are asked for (two
 * queries instead of two per flow).
 */
const flowStatesOf = new WeakMap<
  HubContext,
  Promise<{ cursors: Map<FlowName, SyncCursorRecord>; lastRunIds: Map<FlowName, string> }>
>();
function flowStates(context: HubContext) {
  let states = flowStatesOf.get(context);
  if (!states) {
    states = Promise.all([context.runs.listCursors(), context.runs.lastRunIds()]).then(
      ([cursors, lastRunIds]) => ({
        cursors: new Map(cursors.map((cursor) => [cursor.flow, cursor])),
        lastRunIds,
      }),
    );
    flowStatesOf.set(context, states);
  }
  return states;
}

export const SyncEntity: SyncEntityResolvers = {
  entitySet: (entity) => entity.entity,
};

export const SyncRule: SyncRuleResolvers = {
  condition: (rule, _args, context) => describeCondition(rule.require, context.flowSettings),
};
export const SyncRoute: SyncRouteResolvers = { condition: (route) => describeCondition(route.when) };

export const SyncFieldMapping: SyncFieldMappingResolvers = {
  transform: (field) => field.transform.kind,
  transformDetail: (field) => transformDetail(field.transform),
  default: (field) => text(field.default),
  defaultFrom: (field) => field.defaultFrom ?? null,
  apply: (field) => (field.apply === 'onCreate' ? 'ON_CREATE' : 'ALWAYS'),
  description: (field) => field.description ?? null,
};

export const SyncConstant: SyncConstantResolvers = {
  value: (constant) => text(constant.value),
  apply: (constant) => (constant.apply === 'always' ? 'ALWAYS' : 'ON_CREATE'),
  description: (constant) => constant.description ?? null,
};

export const SyncChildRecords: SyncChildRecordsResolvers = {};
