/**
 * Where alerts go, and what the hub may say about its alert settings (`alertSettings` in GraphQL, readers
 * included): whether a webhook is configured, the receiver's origin, and how long an outage lasts before it
 * alerts. The rest of the webhook URL (a path or query may carry a token, and the URL may name a user and
 * password) and the signing secret never leave the configuration: only this summary is handed to the API.
 * A leaf, so that the configuration can read its default from here.
 */

/** An outgoing webhook alerts are posted to. */
export interface AlertTarget {
  url: string;
  secret: string;
}

/** How long a system stays unavailable before its alert, unless configured (`HUB_ALERT_UNAVAILABLE_MINUTES`). */
export const defaultUnavailableMinutes = 5;

export interface AlertSettings {
  /** True when a webhook is configured: alerts are raised and posted to it. */
  configured: boolean;
  /** The receiver's origin (`https://hooks.example.com`); null without a webhook. */
  destination: string | null;
  /** Minutes Sales or Finance may not answer before `system.unavailable`. */
  unavailableMinutes: number;
}

/** The shareable summary of `target`; `unavailableMinutes` defaults as the availability watch's does (5). */
export function describeAlertSettings(
  target: AlertTarget | null,
  unavailableMinutes: number = defaultUnavailableMinutes,
): AlertSettings {
  return {
    configured: target !== null,
    destination: target === null ? null : originOf(target.url),
    unavailableMinutes,
  };
}

/**
 * The scheme, host and port of `url`, without user, password, path, query or fragment. The configuration
 * accepts only absolute URLs; anything else (a URL given straight to `startHub`) reads as "unknown"
 * rather than being echoed.
 */
function originOf(url: string): string {
  try {
    const { origin } = new URL(url);
    return origin === 'null' ? 'unknown' : origin;
  } catch {
    return 'unknown';
  }
}
