import type { SyncFlowsQuery } from '../generated/graphql';
import { paths } from '../routing/paths';
import { Link } from '../routing/router';
import { directionLabel, enumLabel, flowLabel, formatList } from '../ui/format';
import { StatusText, Time } from '../ui/values';
import { ChildRecords } from './child-records';
import { MappingTables } from './mapping-tables';

export type Flow = SyncFlowsQuery['syncFlows'][number];

/** One flow: what it reads, where its reading stands, which records it skips, and how it maps them. */
export function FlowSection({ flow }: { flow: Flow }) {
  const headingId = `flow-${flow.name.toLowerCase()}`;
  return (
    <section className="flow" aria-labelledby={headingId}>
      <h2 id={headingId}>{flowLabel(flow.name)}</h2>
      <p>{flow.description}</p>
      <dl className="facts">
        <div>
          <dt>Direction</dt>
          <dd>{directionLabel(flow.direction)}</dd>
        </div>
        <div>
          <dt>Reads</dt>
          <dd>
            {enumLabel(flow.source.system)} <code>{flow.source.entitySet}</code>
          </dd>
        </div>
        <div>
          <dt>Runs after</dt>
          <dd>{flow.dependsOn.length === 0 ? 'no other flow' : formatList(flow.dependsOn.map(flowLabel))}</dd>
        </div>
        <div>
          <dt>Last run</dt>
          <dd>
            {flow.lastRun === null ? (
              'none yet'
            ) : (
              <>
                <Link to={paths.run(flow.lastRun.id)} className="run-id">
                  {flow.lastRun.id}
                </Link>{' '}
                <StatusText status={flow.lastRun.status} />
              </>
            )}
          </dd>
        </div>
      </dl>
      <ReadingPosition cursor={flow.cursor} />

      <h3>Which records it takes</h3>
      <p>Every source record must meet these rules, in order; the first it fails is why it is skipped.</p>
      <ol>
        {flow.eligibility.map((rule) => (
          <li key={rule.condition}>
            <code>{rule.condition}</code>, else skipped as “{rule.reason}”
          </li>
        ))}
      </ol>

      <h3>Where each record goes</h3>
      <ol>
        {flow.routes.map((route) => (
          <li key={route.condition}>
            <code>{route.condition}</code> → mapping <strong>{route.mapping}</strong>: {route.description}
          </li>
        ))}
      </ol>
      {flow.unroutedReason && <p>A record no route takes is skipped as “{flow.unroutedReason}”.</p>}

      {flow.mappings.map((mapping) => (
        <MappingTables key={mapping.name} mapping={mapping} source={flow.source} />
      ))}
      {flow.children && <ChildRecords records={flow.children} />}
    </section>
  );
}

/** Where the flow's reading of its source stands between runs: what the next incremental run reads. */
function ReadingPosition({ cursor }: { cursor: Flow['cursor'] }) {
  if (cursor === null) return <p>Not read yet: its first run reads every record.</p>;
  return (
    <p>
      {cursor.changeTracking
        ? 'The next incremental run reads only what changed since the last complete read.'
        : 'The next incremental run reads every record and writes only those that changed.'}{' '}
      {cursor.resumesAt && <>An unfinished read resumes at {cursor.resumesAt}. </>}
      Position saved at <Time iso={cursor.updatedAt} />
      {cursor.lastRunId && (
        <>
          {' '}
          by run{' '}
          <Link to={paths.run(cursor.lastRunId)} className="run-id">
            {cursor.lastRunId}
          </Link>
        </>
      )}
      .
    </p>
  );
}
