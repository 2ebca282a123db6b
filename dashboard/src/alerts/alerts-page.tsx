import { useQuery } from 'urql';
import { AlertsOverviewDocument, type AlertsOverviewQuery } from '../generated/graphql';
import { paths } from '../routing/paths';
import { Link } from '../routing/router';
import { useOnReconnect } from '../session/hub-session-context';
import { ErrorAlert } from '../ui/error-alert';
import { useDocumentTitle, useEvery } from '../ui/hooks';
import { AvailabilityTable } from './availability-table';
import { DeliveriesTable } from './deliveries-table';

/** How often the page asks again: alerts have no subscription, and their deliveries are retried for a minute. */
const refreshMs = 5_000;

/**
 * The alert settings: whether alerts are configured and where they go (the receiver's origin, all the hub
 * tells), whether Sales and Finance answer, and the latest alerts with how their delivery went. Readers
 * see all of it; nothing here is changed from the page (the webhook is the hub's configuration, and which
 * of a schedule's runs alert is set on the schedule).
 */
export function AlertsPage() {
  useDocumentTitle('Alerts');
  const [{ data, error }, reexecute] = useQuery({ query: AlertsOverviewDocument });
  const refresh = () => reexecute({ requestPolicy: 'network-only' });
  useOnReconnect(refresh);
  useEvery(refreshMs, refresh);
  return (
    <>
      <h1>Alerts</h1>
      <p>
        The hub posts an alert, signed, to a webhook when a run ends FAILED or COMPLETED_WITH_ERRORS, when a
        schedule is skipped three due times in a row, and when Sales or Finance stays unavailable (and once it
        answers again). E-mail or chat can hang off the receiver.
      </p>
      {error && <ErrorAlert error={error} retry={refresh} />}
      {!data && !error && <p className="muted">Loading the alert settings…</p>}
      {data && (
        <>
          <Destination settings={data.alertSettings} />
          <section aria-labelledby="alerts-systems">
            <h2 id="alerts-systems">Sales and Finance</h2>
            <p>
              The hub looks once a minute whether each answers. One that has not answered for{' '}
              {minutes(data.alertSettings.unavailableMinutes)} raises <code>system.unavailable</code>, and{' '}
              <code>system.available</code> once it answers again.
            </p>
            {data.systemAvailability.length === 0 ? (
              <p className="blank">
                Not looked at yet: the first look comes within a minute of the hub&apos;s start.
              </p>
            ) : (
              <AvailabilityTable systems={data.systemAvailability} />
            )}
          </section>
          <section aria-labelledby="alerts-latest">
            <h2 id="alerts-latest">Latest alerts</h2>
            {data.alertDeliveries.length === 0 ? (
              <p className="blank">
                {data.alertSettings.configured
                  ? 'No alert raised yet.'
                  : 'None: without a webhook the hub raises no alert.'}
              </p>
            ) : (
              <DeliveriesTable deliveries={data.alertDeliveries} />
            )}
          </section>
        </>
      )}
      <section aria-labelledby="alerts-schedules">
        <h2 id="alerts-schedules">Alerts of each schedule</h2>
        <p>
          A run a schedule started alerts only for the outcomes its schedule lists, and its skips only when it
          says so: that is set on each schedule, on the <Link to={paths.schedules}>schedules</Link> page. Runs
          started by hand, by continuous sync or by a webhook always alert when they fail or end with errors.
        </p>
      </section>
    </>
  );
}

/** Whether alerts are configured, and where they go: the origin only, since the rest may carry a token. */
function Destination({ settings }: { settings: AlertsOverviewQuery['alertSettings'] }) {
  return (
    <section aria-labelledby="alerts-destination">
      <h2 id="alerts-destination">Where alerts go</h2>
      {settings.configured ? (
        <>
          <p>
            Alerts are configured: they are posted to{' '}
            <code className="destination">{settings.destination}</code>, signed with HMAC-SHA256 (the{' '}
            <code>X-P2C-Signature-256</code> header).
          </p>
          <p className="hint">
            Only the receiver&apos;s origin is shown: the rest of its address and the signing secret stay in
            the hub&apos;s configuration (<code>HUB_ALERT_WEBHOOK_URL</code>,{' '}
            <code>HUB_ALERT_WEBHOOK_SECRET</code>).
          </p>
        </>
      ) : (
        <p className="notice">
          Alerts are not configured: the hub raises none. Setting <code>HUB_ALERT_WEBHOOK_URL</code> and{' '}
          <code>HUB_ALERT_WEBHOOK_SECRET</code> turns them on.
        </p>
      )}
    </section>
  );
}

function minutes(count: number): string {
  return count === 1 ? '1 minute' : `${count} minutes`;
}
