import { useEffect, useEffectEvent, useId, useRef, useState } from 'react';
import { useQuery } from 'urql';
import { SyncFailuresDocument, type SyncFailuresQuery, type SyncFlowName } from '../generated/graphql';
import { ErrorAlert } from '../ui/error-alert';
import { flowLabel, formatCount } from '../ui/format';
import { useDebounced } from '../ui/hooks';
import { TableScroll } from '../ui/table-scroll';
import { Time, Value } from '../ui/values';
import { FailureDialog } from './failure-dialog';

export type Failure = NonNullable<SyncFailuresQuery['syncRun']>['failures']['nodes'][number];

const pageSize = 25;
/** Typing pauses this long before the search is sent. */
const searchDelayMs = 300;
/** While a run adds failures, the list is asked for again at most this often. */
const refreshIntervalMs = 2_000;

/**
 * The run's failures, a page at a time, narrowed to one flow or to a text in the key or message (the hub
 * filters). The list follows the run: it is asked for again as the run's count of failures grows and when
 * the run ends.
 */
export function FailuresSection({
  runId,
  flows,
  failedCount,
  ended,
}: {
  runId: string;
  flows: SyncFlowName[];
  failedCount: number;
  ended: boolean;
}) {
  const flowId = useId();
  const searchId = useId();
  const [flow, setFlow] = useState<SyncFlowName | ''>('');
  const [searchText, setSearchText] = useState('');
  const search = useDebounced(searchText.trim(), searchDelayMs);
  // The `after` cursors of the pages before the one shown, for these filters: other filters start over.
  const filters = `${flow}\n${search}`;
  const [paging, setPaging] = useState({ filters, afters: [] as string[] });
  const afters = paging.filters === filters ? paging.afters : [];
  const [opened, setOpened] = useState<Failure | null>(null);

  const [result, reexecute] = useQuery({
    query: SyncFailuresDocument,
    variables: {
      id: runId,
      first: pageSize,
      after: afters.at(-1) ?? null,
      flow: flow || null,
      search: search || null,
    },
  });
  useRefreshAsRunMoves(`${failedCount}/${ended}`, () => reexecute({ requestPolicy: 'network-only' }));

  const failures = result.data?.syncRun?.failures;
  const first = afters.length * pageSize + 1;
  return (
    <section aria-labelledby="run-failures">
      <h2 id="run-failures">Failures</h2>
      <div className="filters">
        <div className="field">
          <label htmlFor={flowId}>Flow</label>
          <select
            id={flowId}
            value={flow}
            onChange={(event) => setFlow(event.target.value as SyncFlowName | '')}
          >
            <option value="">All flows</option>
            {flows.map((name) => (
              <option key={name} value={name}>
                {flowLabel(name)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={searchId}>Search failures</label>
          <input
            id={searchId}
            type="search"
            placeholder="Record key or message"
            value={searchText}
            onChange={(event) => setSearchText(event.target.value)}
          />
        </div>
      </div>
      {result.error && (
        <ErrorAlert error={result.error} retry={() => reexecute({ requestPolicy: 'network-only' })} />
      )}
      {failures === undefined ? (
        !result.error && <p className="muted">Loading failures…</p>
      ) : failures.totalCount === 0 ? (
        <p>{flow || search ? 'No failure matches.' : 'No record failed.'}</p>
      ) : (
        <>
          <TableScroll
            caption={`Failures ${formatCount(first)}–${formatCount(first + failures.nodes.length - 1)} of ${formatCount(failures.totalCount)}`}
          >
            <thead>
              <tr>
                <th scope="col">Record key</th>
                <th scope="col">Flow</th>
                <th scope="col">Message</th>
                <th scope="col">Code</th>
                <th scope="col" className="number">
                  Attempt
                </th>
                <th scope="col">Failed at</th>
              </tr>
            </thead>
            <tbody>
              {failures.nodes.map((failure) => (
                <tr key={`${failure.flow}/${failure.key}/${failure.attempt}`}>
                  <th scope="row">
                    <button type="button" className="link-button" onClick={() => setOpened(failure)}>
                      {failure.key}
                    </button>
                  </th>
                  <td>{flowLabel(failure.flow)}</td>
                  <td>
                    <div className="message">{failure.message}</div>
                  </td>
                  <td>
                    <Value value={failure.code} />
                  </td>
                  <td className="number">{failure.attempt}</td>
                  <td>
                    <Time iso={failure.at} short />
                  </td>
                </tr>
              ))}
            </tbody>
          </TableScroll>
          <div className="pager">
            <button
              type="button"
              disabled={afters.length === 0}
              onClick={() => setPaging({ filters, afters: afters.slice(0, -1) })}
            >
              Previous page
            </button>
            <button
              type="button"
              disabled={!failures.pageInfo.hasNextPage || failures.pageInfo.endCursor === null}
              onClick={() => {
                const after = failures.pageInfo.endCursor;
                if (after !== null) setPaging({ filters, afters: [...afters, after] });
              }}
            >
              Next page
            </button>
          </div>
        </>
      )}
      {opened && <FailureDialog failure={opened} onClose={() => setOpened(null)} />}
    </section>
  );
}

/**
 * Calls `refresh` when `progress` changes, at most once per `refreshIntervalMs`: a run adding failures
 * every quarter second does not ask for the list as often.
 */
function useRefreshAsRunMoves(progress: string, refresh: () => void): void {
  const shown = useRef(progress);
  const lastRefreshAt = useRef(0);
  const onProgress = useEffectEvent(refresh);
  useEffect(() => {
    if (progress === shown.current) return;
    const timer = setTimeout(
      () => {
        shown.current = progress;
        lastRefreshAt.current = Date.now();
        onProgress();
      },
      Math.max(0, lastRefreshAt.current + refreshIntervalMs - Date.now()),
    );
    return () => clearTimeout(timer);
  }, [progress]);
}
