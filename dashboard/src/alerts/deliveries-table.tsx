import type { AlertsOverviewQuery } from '../generated/graphql';
import { paths } from '../routing/paths';
import { Link } from '../routing/router';
import { useViewer } from '../session/viewer-context';
import { TableScroll } from '../ui/table-scroll';
import { StatusText, Time, Value } from '../ui/values';

type AlertDelivery = AlertsOverviewQuery['alertDeliveries'][number];

/** The events the hub raises, in words (an event it adds later is shown by its name alone). */
const eventWords: Record<string, string> = {
  'sync.run.finished': 'A run failed or ended with errors',
  'sync.schedule.skipped': 'A schedule was skipped three due times in a row',
  'system.unavailable': 'Sales or Finance stopped answering',
  'system.available': 'Sales or Finance answers again',
};

/** The latest alerts, newest first: what each was about, and how its delivery to the receiver went. */
export function DeliveriesTable({ deliveries }: { deliveries: AlertDelivery[] }) {
  return (
    <TableScroll
      caption={`The latest ${deliveries.length} alerts, newest first`}
      className="deliveries-table"
    >
      <thead>
        <tr>
          <th scope="col">Raised</th>
          <th scope="col">Event</th>
          <th scope="col">About</th>
          <th scope="col">Delivery</th>
          <th scope="col" className="number">
            Attempts
          </th>
          <th scope="col">Last answer</th>
          <th scope="col">Delivered</th>
        </tr>
      </thead>
      <tbody>
        {deliveries.map((delivery) => (
          <DeliveryRow key={delivery.id} delivery={delivery} />
        ))}
      </tbody>
    </TableScroll>
  );
}

function DeliveryRow({ delivery }: { delivery: AlertDelivery }) {
  const words = eventWords[delivery.event];
  return (
    <tr data-delivery={delivery.id}>
      <th scope="row">
        <Time iso={delivery.createdAt} />
      </th>
      <td>
        <code>{delivery.event}</code>
        {words !== undefined && <div className="hint">{words}</div>}
      </td>
      <td>
        <About delivery={delivery} />
      </td>
      <td>
        <StatusText status={delivery.status} />
      </td>
      <td className="number">{delivery.attempts}</td>
      <td className="message-cell">
        {delivery.lastStatus !== null && <div>HTTP {delivery.lastStatus}</div>}
        {delivery.lastError !== null && <div className="muted">{delivery.lastError}</div>}
        {delivery.lastStatus === null && delivery.lastError === null && <Value value={null} />}
      </td>
      <td>{delivery.deliveredAt === null ? <Value value={null} /> : <Time iso={delivery.deliveredAt} />}</td>
    </tr>
  );
}

/** The run the alert is about (a link to it), or its schedule; a dash for a system's alert. */
function About({ delivery }: { delivery: AlertDelivery }) {
  const viewer = useViewer();
  if (delivery.run !== null)
    return (
      <>
        run{' '}
        <Link to={paths.run(delivery.run.id)} className="run-id">
          {delivery.run.id}
        </Link>{' '}
        <StatusText status={delivery.run.status} />
      </>
    );
  if (delivery.scheduleId !== null)
    // Readers cannot open a schedule's form; the list shows them every schedule.
    return (
      <Link to={viewer.canOperate ? paths.schedule(delivery.scheduleId) : paths.schedules}>a schedule</Link>
    );
  if (delivery.event === 'sync.run.finished') return <span className="muted">its run is no longer kept</span>;
  return <Value value={null} />;
}
