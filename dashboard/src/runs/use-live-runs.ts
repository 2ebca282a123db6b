import { useMemo } from 'react';
import { useQuery, useSubscription } from 'urql';
import {
  SyncRunsDocument,
  SyncRunsUpdatedDocument,
  type RunSummaryFragment,
  type SyncRunsUpdatedSubscription,
} from '../generated/graphql';
import { useOnReconnect } from '../session/hub-session-context';
import { hasEnded } from './run-status';

type RunsById = Record<string, RunSummaryFragment>;

/**
 * The newest `count` runs, kept current: the `syncRuns` page, with every `syncRunsUpdated` event laid over
 * it (new runs appear, running ones move). After a reconnection the page is asked for again, since runs
 * may have ended while no events could arrive.
 */
export function useLiveRuns(count: number) {
  const [listed, reexecute] = useQuery({ query: SyncRunsDocument, variables: { first: count } });
  const [updates] = useSubscription({ query: SyncRunsUpdatedDocument }, collect);
  const refresh = () => reexecute({ requestPolicy: 'network-only' });
  useOnReconnect(refresh);
  const nodes = listed.data?.syncRuns.nodes;
  const runs = useMemo(() => merge(nodes ?? [], updates.data ?? {}, count), [nodes, updates.data, count]);
  return {
    runs,
    loaded: nodes !== undefined,
    error: listed.error ?? updates.error,
    refresh,
  };
}

function collect(seen: RunsById = {}, event: SyncRunsUpdatedSubscription): RunsById {
  const run = event.syncRunsUpdated;
  return { ...seen, [run.id]: run };
}

function merge(listed: RunSummaryFragment[], updates: RunsById, count: number): RunSummaryFragment[] {
  const byId = new Map(listed.map((run) => [run.id, run]));
  for (const update of Object.values(updates)) {
    // An ended run never changes again, so its listed state is final; otherwise the event is newer.
    const known = byId.get(update.id);
    if (known === undefined || !hasEnded(known.status)) byId.set(update.id, update);
  }
  return [...byId.values()]
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id))
    .slice(0, count);
}
