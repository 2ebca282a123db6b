/**
 * Whether Sales and Finance answer, over GraphQL, as the minute's look last found them
 * (src/alerts/availability.ts), and whether alerts are configured and where they go (the receiver's origin
 * only, src/alerts/settings.ts); readers may read both. The alerts raised are `alertDeliveries`
 * (sync-schedules.ts).
 */
import type { QueryResolvers } from '../../generated/resolvers-types.js';

export const availabilityQueries: Pick<QueryResolvers, 'systemAvailability' | 'alertSettings'> = {
  systemAvailability: async (_root, _args, context) =>
    (await context.alerts.systemAvailability()).map((row) => ({
      system: row.system,
      available: row.downSince === null,
      downSince: row.downSince?.toISOString() ?? null,
      lastCheckedAt: row.lastCheckedAt.toISOString(),
      lastError: row.lastError,
      alertedAt: row.alertedAt?.toISOString() ?? null,
    })),
  // A copy of the summary the context holds: nothing else of the alert target reaches the API.
  alertSettings: (_root, _args, { alertSettings }) => ({ ...alertSettings }),
};
