import type { RunSummaryFragment } from '../generated/graphql';
import { paths } from '../routing/paths';
import { Link } from '../routing/router';
import { enumLabel, flowLabel, formatCount } from '../ui/format';
import { TableScroll } from '../ui/table-scroll';
import { StatusText, Time, Value } from '../ui/values';
import { FlowProgress } from './flow-progress';
import { RunDuration } from './run-duration';
import { hasEnded } from './run-status';
import { runTrigger } from './run-trigger';

const counters = ['read', 'created', 'updated', 'unchanged', 'skipped', 'failed'] as const;
/** Run, status, mode, started by, requested at, duration, and the counters. */
const columnCount = 6 + counters.length;

export function RunsTable({ runs, caption }: { runs: RunSummaryFragment[]; caption: string }) {
  return (
    <TableScroll caption={caption} className="runs-table">
      <thead>
        <tr>
          <th scope="col">Run</th>
          <th scope="col">Status</th>
          <th scope="col">Mode</th>
          <th scope="col">Started by</th>
          <th scope="col">Requested at</th>
          <th scope="col">Duration</th>
          {counters.map((counter) => (
            <th scope="col" key={counter} className="number">
              {enumLabel(counter)}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {runs.map((run) => (
          <RunRow key={run.id} run={run} />
        ))}
      </tbody>
    </TableScroll>
  );
}

function RunRow({ run }: { run: RunSummaryFragment }) {
  return (
    <>
      <tr>
        <th scope="row">
          <Link to={paths.run(run.id)} className="run-id">
            {run.id}
          </Link>
        </th>
        <td>
          <StatusText status={run.status} />
        </td>
        <td>
          {enumLabel(run.mode)}
          {run.dryRun && <span className="tag">dry run</span>}
        </td>
        <td>
          <Value value={runTrigger(run)} />
        </td>
        <td>
          <Time iso={run.createdAt} short />
        </td>
        <td>
          <RunDuration run={run} />
        </td>
        {counters.map((counter) => (
          <td key={counter} className="number">
            {formatCount(run.totals[counter])}
          </td>
        ))}
      </tr>
      {/* A run that has not ended gets a row of its own below, wide enough for a bar per flow. */}
      {!hasEnded(run.status) && (
        <tr className="progress-row">
          <td colSpan={columnCount}>
            <div className="progress-grid">
              {run.flows.map((flow) => (
                <div key={flow.flow}>
                  <span className="progress-label">{flowLabel(flow.flow)}</span>
                  <FlowProgress flow={flow} />
                </div>
              ))}
            </div>
          </td>
        </tr>
      )}
    </>
  );
}
