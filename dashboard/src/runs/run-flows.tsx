import type { RunDetailFragment } from '../generated/graphql';
import { flowLabel, formatCount } from '../ui/format';
import { TableScroll } from '../ui/table-scroll';
import { StatusText } from '../ui/values';
import { FlowProgress } from './flow-progress';

type RunFlow = RunDetailFragment['flows'][number];
type Counter = keyof RunDetailFragment['totals'];

/** The counters in the order a record meets them, with their headers for a run and for a dry run. */
const counters: { key: Counter; header: string; dryRunHeader: string }[] = [
  { key: 'read', header: 'Read', dryRunHeader: 'Read' },
  { key: 'created', header: 'Created', dryRunHeader: 'Would be created' },
  { key: 'updated', header: 'Updated', dryRunHeader: 'Would be updated' },
  { key: 'unchanged', header: 'Unchanged', dryRunHeader: 'Unchanged' },
  { key: 'skipped', header: 'Skipped', dryRunHeader: 'Would be skipped' },
  { key: 'failed', header: 'Failed', dryRunHeader: 'Would fail' },
];

/** Each flow of the run: its progress, what became of its records, why some were skipped, its notes. */
export function RunFlows({ run }: { run: RunDetailFragment }) {
  return (
    <section aria-labelledby="run-flows">
      <h2 id="run-flows">Flows</h2>
      <div className="flow-cards">
        {run.flows.map((flow) => (
          <FlowCard key={flow.flow} flow={flow} />
        ))}
      </div>
      <TableScroll
        caption={run.dryRun ? 'Records per flow: what the dry run would have done' : 'Records per flow'}
      >
        <thead>
          <tr>
            <th scope="col">Flow</th>
            {counters.map(({ key, header, dryRunHeader }) => (
              <th scope="col" key={key} className="number">
                {run.dryRun ? dryRunHeader : header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {run.flows.map((flow) => (
            <tr key={flow.flow}>
              <th scope="row">{flowLabel(flow.flow)}</th>
              {counters.map(({ key }) => (
                <td key={key} className="number">
                  {formatCount(flow.counters[key])}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">Total</th>
            {counters.map(({ key }) => (
              <td key={key} className="number">
                {formatCount(run.totals[key])}
              </td>
            ))}
          </tr>
        </tfoot>
      </TableScroll>
    </section>
  );
}

function FlowCard({ flow }: { flow: RunFlow }) {
  return (
    <article className="card">
      <div className="card-head">
        <h3>{flowLabel(flow.flow)}</h3>
        <StatusText status={flow.status} />
      </div>
      <FlowProgress flow={flow} />
      {flow.error && <p className="problem">{flow.error}</p>}
      {flow.skips.length > 0 && (
        <>
          <h4>Skipped</h4>
          <ul className="plain">
            {flow.skips.map((skip) => (
              <li key={skip.reason}>
                {skip.reason}: {formatCount(skip.count)}
              </li>
            ))}
          </ul>
        </>
      )}
      {flow.notes.length > 0 && (
        <>
          <h4>Notes</h4>
          <ul>
            {flow.notes.map((note) => (
              <li key={note}>{note}</li>
            ))}
          </ul>
        </>
      )}
    </article>
  );
}
