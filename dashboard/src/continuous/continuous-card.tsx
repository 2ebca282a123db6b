import { useState } from 'react';
import type { ContinuousStatusFragment, ContinuousSyncState, SyncSystem } from '../generated/graphql';
import { paths } from '../routing/paths';
import { Link } from '../routing/router';
import { flowLabel, formatAge, formatDateTime } from '../ui/format';
import { useNow } from '../ui/hooks';
import { StatusText, Time } from '../ui/values';
import { ContinuousSwitch, IntervalForm } from './continuous-controls';

/** What each state means, under it. */
const stateWords: Record<ContinuousSyncState, (status: ContinuousStatusFragment) => string> = {
  OFF: () => 'Switched off: the flow syncs only in runs started by hand, by a schedule or by a webhook.',
  WATCHING: ({ intervalSeconds }) => `Looking for changes every ${intervalSeconds} s.`,
  RUNNING: () => 'A run it started is under way; the next look waits for its end.',
  BACKING_OFF: () => 'Its last looks failed: looking less often until one succeeds.',
};

/**
 * Continuous sync of one flow: its state, how long ago it last saw a change (counting every second), when
 * it last looked and the last run it started; `onChanged` (operators only) adds the switch and the
 * interval, and is called after each save. A save's answer is shown at once, until the hub's next status
 * is newer. `source`, the system the flow reads, explains the interval once known.
 */
export function ContinuousCard({
  status: polled,
  source,
  onChanged,
}: {
  status: ContinuousStatusFragment;
  source?: SyncSystem;
  onChanged?: () => void;
}) {
  const [saved, setSaved] = useState<ContinuousStatusFragment>();
  const status = newest(polled, saved);
  const name = flowLabel(status.flow);
  const onSaved = (answer: ContinuousStatusFragment) => {
    setSaved(answer);
    onChanged?.();
  };
  return (
    <section className="card continuous-card" aria-label={`Continuous sync of ${name}`}>
      <div className="card-head">
        <h3>{name}</h3>
        <StatusText status={status.state} />
      </div>
      {onChanged && <ContinuousSwitch status={status} onSaved={onSaved} />}
      <p className="hint">{stateWords[status.state](status)}</p>
      {status.state === 'BACKING_OFF' && (
        <p className="problem backing-off">
          {status.failures} failed {status.failures === 1 ? 'look' : 'looks'} in a row
          {status.lastError !== null && <>: {status.lastError}</>}
        </p>
      )}
      <dl className="facts continuous-facts">
        <div>
          <dt>Last change seen</dt>
          <dd>
            {status.lastChangeSeenAt === null ? (
              <span className="blank">No change seen yet</span>
            ) : (
              <Lag since={status.lastChangeSeenAt} />
            )}
          </dd>
        </div>
        <div>
          <dt>Last look</dt>
          <dd>
            {status.lastCheckedAt === null ? (
              <span className="blank">Not looked yet</span>
            ) : (
              <Time iso={status.lastCheckedAt} />
            )}
          </dd>
        </div>
        {status.nextCheckAt !== null && (
          <div>
            <dt>Next look</dt>
            <dd>
              <Time iso={status.nextCheckAt} />
            </dd>
          </div>
        )}
        <div>
          <dt>Last run it started</dt>
          <dd>
            {status.lastRun === null ? (
              <span className="blank">None yet</span>
            ) : (
              <>
                <Link to={paths.run(status.lastRun.id)} className="run-id">
                  {status.lastRun.id}
                </Link>{' '}
                <StatusText status={status.lastRun.status} />
              </>
            )}
          </dd>
        </div>
        {!onChanged && (
          <div>
            <dt>Looks every</dt>
            <dd>{status.intervalSeconds} s</dd>
          </div>
        )}
        {status.updatedAt !== null && (
          <div>
            <dt>Last switched</dt>
            <dd>
              {status.enabled ? 'On' : 'Off'}
              {status.updatedBy !== null && <> by {status.updatedBy}</>}, <Time iso={status.updatedAt} />
            </dd>
          </div>
        )}
      </dl>
      {onChanged && <IntervalForm status={status} source={source} onSaved={onSaved} />}
    </section>
  );
}

/** The time since `since`, counted on the browser's clock and shown anew every second. */
function Lag({ since }: { since: string }) {
  const now = useNow(1000, true);
  return (
    <time className="lag" dateTime={since} title={formatDateTime(since)}>
      {formatAge(now - Date.parse(since))}
    </time>
  );
}

/**
 * The polled status, or the answer to a save when that is newer (switched after it): the switch and the
 * interval show what was saved at once, not after the next look at the hub.
 */
function newest(
  polled: ContinuousStatusFragment,
  saved: ContinuousStatusFragment | undefined,
): ContinuousStatusFragment {
  if (saved?.updatedAt == null) return polled;
  return polled.updatedAt === null || saved.updatedAt > polled.updatedAt ? saved : polled;
}
