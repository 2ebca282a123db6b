/**
 * Sync runs over GraphQL: read them, start, cancel and retry them, and follow them live. The run
 * manager does the work; these resolvers translate its errors and streams.
 */
import type {
  MutationResolvers,
  QueryResolvers,
  SubscriptionResolvers,
  SyncFailureResolvers,
  SyncRunFlowResolvers,
  SyncSystemPaceResolvers,
  SyncRunResolvers,
} from '../../generated/resolvers-types.js';
import { type RunSnapshot, SyncRequestError } from '../../sync/runs/types.js';
import { isFinal } from '../../vocabulary.js';
import { checkedText } from '../arguments.js';
import type { HubContext } from '../context.js';
import { decodeCursor, encodeCursor, pageSize } from '../cursors.js';
import { badInput, HubError } from '../errors.js';
import { requireRole } from '../principal.js';
import { eventStream } from '../streams.js';

/** A failure search longer than any message is a mistake, not a search. */
const maxSearchLength = 200;
const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);
/** A run ID argument, refused before it reaches the database when no ID can be like it (NUL, say). */
const runId = (id: string): string => checkedText('id', id);

/** The manager's refusals as client errors with a code and everything a person needs to act. */
async function manage(work: () => Promise<RunSnapshot>): Promise<RunSnapshot> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof SyncRequestError)) throw error;
    switch (error.code) {
      case 'VALIDATION_FAILED':
        // The message already lists the problems; `problems` gives them one by one.
        throw new HubError('BAD_USER_INPUT', error.message, { problems: error.problems });
      case 'SYNC_ALREADY_RUNNING':
        throw new HubError('SYNC_ALREADY_RUNNING', error.message, { runId: error.runId });
      case 'NOT_FOUND':
        throw new HubError('NOT_FOUND', error.message);
      case 'NOT_CANCELLABLE':
        throw new HubError('BAD_USER_INPUT', error.message);
      case 'UPSTREAM_UNAVAILABLE':
        throw new HubError('UPSTREAM_UNAVAILABLE', error.message, { system: error.system });
    }
  }
}

export const syncRunQueries: Pick<QueryResolvers, 'syncRun' | 'syncRuns'> = {
  syncRun: (_root, { id }, context) => context.sync.snapshot(runId(id)),
  syncRuns: async (_root, { first, after, status }, context) => {
    const size = pageSize(first);
    const afterId = after ? decodeCursor('syncRuns', after).after[1] : null;
    const page = await context.runs.listRuns({ first: size, after: afterId, status: status ?? null });
    // The listing already holds each run with its flows: a snapshot is built from it, not read again.
    const nodes = page.items.map((run) => context.sync.snapshotOf(run));
    const last = page.items.at(-1);
    return {
      nodes,
      pageInfo: {
        hasNextPage: page.hasNextPage,
        endCursor: last ? encodeCursor({ list: 'syncRuns', after: [null, last.id] }) : null,
      },
    };
  },
};

/** Every mutation changes what the sync does, so each needs the operator role; runs record who asked. */
export const Mutation: MutationResolvers = {
  startSync: (_root, { input }, context) => {
    requireRole(context, 'operator', 'startSync');
    return manage(() =>
      context.sync.start({
        ...(input.flows ? { flows: input.flows } : {}),
        mode: input.mode ?? 'INCREMENTAL',
        dryRun: input.dryRun ?? false,
        requestedBy: context.principal.name,
      }),
    );
  },
  cancelSync: (_root, { id }, context) => {
    requireRole(context, 'operator', 'cancelSync');
    return manage(() => context.sync.cancel(runId(id)));
  },
  retrySyncFailures: (_root, { id }, context) => {
    requireRole(context, 'operator', 'retrySyncFailures');
    return manage(() => context.sync.retryFailures(runId(id), context.principal.name));
  },
};

function follow(
  context: HubContext,
  runId: string | '*',
  initial?: RunSnapshot,
): AsyncIterableIterator<RunSnapshot> {
  return eventStream<RunSnapshot>((push) => context.sync.events.subscribe(runId, push), {
    ...(initial ? { initial } : {}),
    isLast: (snapshot) => runId !== '*' && isFinal(snapshot.run.status),
  });
}

export const Subscription: SubscriptionResolvers = {
  syncRunUpdated: {
    subscribe: async (_root, { id }, context) => {
      const current = await context.sync.snapshot(runId(id));
      if (!current) throw new HubError('NOT_FOUND', `No sync run has the ID ${id}.`);
      return follow(context, id, current);
    },
    resolve: (snapshot: RunSnapshot) => snapshot,
  },
  syncRunsUpdated: {
    subscribe: (_root, _args, context) => follow(context, '*'),
    resolve: (snapshot: RunSnapshot) => snapshot,
  },
};

export const SyncRun: SyncRunResolvers = {
  id: (s) => s.run.id,
  status: (s) => s.run.status,
  mode: (s) => s.run.mode,
  dryRun: (s) => s.run.dryRun,
  requestedBy: (s) => s.run.requestedBy,
  trigger: (s) => ({ kind: s.run.triggerKind, name: s.run.triggerName }),
  createdAt: (s) => s.run.createdAt.toISOString(),
  startedAt: (s) => iso(s.run.startedAt),
  finishedAt: (s) => iso(s.run.finishedAt),
  flows: (s) =>
    s.run.flows.map((record) => ({
      record,
      recordsPerSecond: s.rates[record.flow]?.recordsPerSecond ?? null,
      etaSeconds: s.rates[record.flow]?.etaSeconds ?? null,
      systems: s.rates[record.flow]?.systems ?? [],
    })),
  totals: (s) => s.run.totals,
  error: (s) => s.run.error,
  notes: (s) => s.run.notes,
  executedBy: (s) => (isFinal(s.run.status) ? null : s.run.ownerInstance),
  failures: async (s, { first, after, flow, search }, context) => {
    const size = pageSize(first);
    let afterId: number | null = null;
    if (after) {
      afterId = Number(decodeCursor('syncFailures', after).after[1]);
      if (!Number.isSafeInteger(afterId)) throw badInput('after', 'not a cursor of this failure listing.');
    }
    const filter = {
      flow: flow ?? null,
      // Blank is no filter; NUL and text no key could hold are refused.
      search: search?.trim() ? checkedText('search', search.trim(), maxSearchLength) : null,
    };
    const [page, totalCount] = await Promise.all([
      context.runs.failures(s.run.id, { first: size, after: afterId, ...filter }),
      context.runs.countFailures(s.run.id, filter),
    ]);
    const last = page.items.at(-1);
    return {
      nodes: page.items,
      pageInfo: {
        hasNextPage: page.hasNextPage,
        endCursor: last ? encodeCursor({ list: 'syncFailures', after: [null, String(last.id)] }) : null,
      },
      totalCount,
    };
  },
};

export const SyncRunFlow: SyncRunFlowResolvers = {
  flow: (f) => f.record.flow,
  status: (f) => f.record.status,
  counters: (f) => f.record.counters,
  estimatedTotal: (f) => f.record.estimatedTotal,
  error: (f) => f.record.error,
  notes: (f) => f.record.notes,
  skips: (f) => f.record.skips,
  systems: (f) => f.systems,
};

export const SyncSystemPace: SyncSystemPaceResolvers = {
  throttled: (p) => p.throttledUntil !== null && p.throttledUntil.getTime() > Date.now(),
  resumesAt: (p) =>
    p.throttledUntil !== null && p.throttledUntil.getTime() > Date.now()
      ? p.throttledUntil.toISOString()
      : null,
};

export const SyncFailure: SyncFailureResolvers = {
  key: (f) => f.recordKey,
  at: (f) => f.at.toISOString(),
};
