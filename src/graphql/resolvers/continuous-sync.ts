/**
 * Continuous sync over GraphQL: readers see every flow's setting and where it stands (with the lag the
 * dashboard shows, the time since the last change seen); operators switch a flow on or off and set how
 * often it looks. The looking itself is src/sync/continuous.
 */
import type {
  ContinuousSyncResolvers,
  MutationResolvers,
  QueryResolvers,
} from '../../generated/resolvers-types.js';
import { intervalBounds } from '../../sync/continuous/index.js';
import { badInput } from '../errors.js';
import { requireRole } from '../principal.js';

export const continuousSyncQueries: Pick<QueryResolvers, 'continuousSync'> = {
  continuousSync: (_root, _args, context) => context.continuous.list(),
};

export const continuousSyncMutations: Pick<MutationResolvers, 'setContinuousSync'> = {
  setContinuousSync: (_root, { input }, context) => {
    requireRole(context, 'operator', 'setContinuousSync');
    const { flow, intervalSeconds } = input;
    if (intervalSeconds !== undefined && intervalSeconds !== null) {
      const { min, max } = intervalBounds(flow);
      if (!Number.isInteger(intervalSeconds) || intervalSeconds < min || intervalSeconds > max)
        throw badInput(
          'input.intervalSeconds',
          `the ${flow} flow looks every ${min} to ${max} seconds, got ${intervalSeconds}.`,
        );
    }
    return context.continuous.set(flow, {
      enabled: input.enabled,
      ...(intervalSeconds !== undefined && { intervalSeconds }),
      updatedBy: context.principal.name,
    });
  },
};

const iso = (date: Date | null | undefined) => date?.toISOString() ?? null;

export const ContinuousSync: ContinuousSyncResolvers = {
  lastCheckedAt: (status) => iso(status.record?.lastCheckedAt),
  lastChangeSeenAt: (status) => iso(status.record?.lastChangeSeenAt),
  secondsSinceLastChange: (status) => {
    const seen = status.record?.lastChangeSeenAt;
    return seen ? Math.max(0, (Date.now() - seen.getTime()) / 1000) : null;
  },
  nextCheckAt: (status) => (status.enabled ? iso(status.record?.nextCheckAt) : null),
  failures: (status) => status.record?.failures ?? 0,
  lastError: (status) => status.record?.lastError ?? null,
  lastRun: (status, _args, context) =>
    status.record?.lastRunId ? context.runSnapshots.load(status.record.lastRunId) : null,
  updatedBy: (status) => status.record?.updatedBy ?? null,
  updatedAt: (status) => iso(status.record?.updatedAt),
};
