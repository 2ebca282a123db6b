import type { AlertsOverviewQuery } from '../generated/graphql';
import { enumLabel } from '../ui/format';
import { TableScroll } from '../ui/table-scroll';
import { StatusText, Time, Value } from '../ui/values';

type SystemAvailability = AlertsOverviewQuery['systemAvailability'][number];

/** Each system as the hub's latest look found it: answering, or down since when, why, and whether alerted. */
export function AvailabilityTable({ systems }: { systems: SystemAvailability[] }) {
  return (
    <TableScroll caption="Whether Sales and Finance answer" className="availability-table">
      <thead>
        <tr>
          <th scope="col">System</th>
          <th scope="col">State</th>
          <th scope="col">Down since</th>
          <th scope="col">Last error</th>
          <th scope="col">Alerted at</th>
          <th scope="col">Last look</th>
        </tr>
      </thead>
      <tbody>
        {systems.map((entry) => (
          <tr key={entry.system} data-system={entry.system}>
            <th scope="row">{enumLabel(entry.system)}</th>
            <td>
              <StatusText status={entry.available ? 'AVAILABLE' : 'DOWN'} />
            </td>
            <td>{entry.downSince === null ? <Value value={null} /> : <Time iso={entry.downSince} />}</td>
            <td className="message-cell">
              <Value value={entry.lastError} />
            </td>
            <td>{entry.alertedAt === null ? <Value value={null} /> : <Time iso={entry.alertedAt} />}</td>
            <td>
              <Time iso={entry.lastCheckedAt} />
            </td>
          </tr>
        ))}
      </tbody>
    </TableScroll>
  );
}
