import type { RunDetailFragment } from '../generated/graphql';
import { enumLabel } from '../ui/format';
import { StatusText, Time, Value } from '../ui/values';
import { RunDuration } from './run-duration';
import { runTrigger } from './run-trigger';

/** What the run is and where it stands, in a description list. */
export function RunOverview({ run }: { run: RunDetailFragment }) {
  return (
    <>
      <dl className="facts">
        <div>
          <dt>Status</dt>
          <dd>
            <output aria-label="Run status">
              <StatusText status={run.status} />
            </output>
          </dd>
        </div>
        <div>
          <dt>Mode</dt>
          <dd>
            {enumLabel(run.mode)}
            {run.dryRun && <span className="tag">dry run</span>}
          </dd>
        </div>
        <div>
          <dt>Started by</dt>
          <dd>
            <output aria-label="Started by">
              <Value value={runTrigger(run)} />
            </output>
          </dd>
        </div>
        <div>
          <dt>Requested at</dt>
          <dd>
            <Time iso={run.createdAt} />
          </dd>
        </div>
        <div>
          <dt>Started at</dt>
          <dd>{run.startedAt === null ? <Value value={null} /> : <Time iso={run.startedAt} />}</dd>
        </div>
        <div>
          <dt>Finished at</dt>
          <dd>{run.finishedAt === null ? <Value value={null} /> : <Time iso={run.finishedAt} />}</dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd>
            <RunDuration run={run} />
          </dd>
        </div>
        {run.executedBy !== null && (
          <div>
            <dt>Executed by</dt>
            <dd>{run.executedBy}</dd>
          </div>
        )}
      </dl>
      {run.error && (
        <p className="problem">
          <strong>Error:</strong> {run.error}
        </p>
      )}
      {run.notes.length > 0 && (
        <ul className="notice" aria-label="Run notes">
          {run.notes.map((note) => (
            <li key={note}>{note}</li>
          ))}
        </ul>
      )}
      {run.dryRun && (
        <p className="notice">
          Dry run: nothing was written to Sales or Finance. The counts below say what the run would have
          created, updated, left unchanged and skipped.
        </p>
      )}
    </>
  );
}
