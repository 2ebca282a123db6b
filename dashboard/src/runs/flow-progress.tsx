import type { FlowProgressFragment } from '../generated/graphql';
import { enumLabel, flowLabel, formatCount, formatDuration, formatRate } from '../ui/format';
import { useNow } from '../ui/hooks';
import { hasEnded } from './run-status';

/**
 * How far a flow of a run has read: a bar of records read against the flow's estimate (full once the flow
 * has ended; moving without a position while the total is unknown), and while it runs its rate, the
 * time left at that rate, and each system's pace: how many requests at once, or that it is throttled and
 * when it resumes.
 */
export function FlowProgress({ flow }: { flow: FlowProgressFragment }) {
  const { read } = flow.counters;
  const ended = hasEnded(flow.status);
  const running = flow.status === 'RUNNING';
  const total = ended ? read : flow.estimatedTotal;
  // Records read (aria-valuenow) and the bar's width; both left out while the total is unknown.
  let now: number | undefined;
  let percent: number | undefined;
  if (flow.status === 'QUEUED') [now, percent] = [0, 0];
  else if (total !== null) {
    now = Math.min(read, total);
    percent = total === 0 ? 100 : (100 * now) / total;
  }
  const amount =
    total === null
      ? `${formatCount(read)} records read`
      : `${formatCount(now ?? 0)} of ${formatCount(total)} records`;
  return (
    <div className="flow-progress">
      <div
        role="progressbar"
        aria-label={`${flowLabel(flow.flow)} progress`}
        aria-valuemin={0}
        aria-valuemax={total ?? undefined}
        aria-valuenow={now}
        aria-valuetext={`${enumLabel(flow.status)}: ${amount}`}
        className={percent === undefined ? 'progress progress-unknown' : 'progress'}
      >
        {percent !== undefined && <div className="progress-done" style={{ width: `${percent}%` }} />}
      </div>
      <p className="progress-text">
        <span>{amount}</span>
        {running && (
          <>
            <span>{flow.recordsPerSecond === null ? '–' : formatRate(flow.recordsPerSecond)} records/s</span>
            <span>ETA {flow.etaSeconds === null ? 'unknown' : formatDuration(flow.etaSeconds * 1000)}</span>
          </>
        )}
      </p>
      {running && flow.systems.length > 0 && <SystemsPace systems={flow.systems} />}
    </div>
  );
}

/** "Sales: 4 requests at once · Finance throttled, resuming in 12 s", counting down each second. */
function SystemsPace({ systems }: { systems: FlowProgressFragment['systems'] }) {
  const throttled = systems.some((pace) => pace.throttled);
  const now = useNow(1000, throttled);
  return (
    <p className="progress-text system-pace" aria-label="Systems' pace">
      {systems.map((pace) => {
        const name = enumLabel(pace.system);
        const resumesIn = pace.resumesAt === null ? 0 : Date.parse(pace.resumesAt) - now;
        const text =
          pace.throttled && resumesIn > 0
            ? `${name} throttled, resuming in ${formatDuration(resumesIn)}`
            : `${name}: ${pace.concurrency} of ${pace.maxConcurrency} requests at once`;
        return <span key={pace.system}>{text}</span>;
      })}
    </p>
  );
}
