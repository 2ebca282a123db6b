/**
 * Whether Sales and Finance answer, over GraphQL, as the minute's look last found them
 * (src/alerts/availability.ts); readers may read it. The alerts raised are `alertDeliveries`
 * (sync-schedules.ts).
 */
import type { QueryResolvers, SyncSystem } from '../../generated/resolvers-types.js';

const systemNames = { sales: 'SALES', finance: 'FINANCE' } as const satisfies Record<string, SyncSystem>;

export const availabilityQueries: Pick<QueryResolvers, 'systemAvailability'> = {
  systemAvailability: async (_root, _args, context) =>
    (await context.alerts.systemAvailability()).map((row) => ({
      system: systemNames[row.system],
      available: row.downSince === null,
      downSince: row.downSince?.toISOString() ?? null,
      lastCheckedAt: row.lastCheckedAt.toISOString(),
      lastError: row.lastError,
      alertedAt: row.alertedAt?.toISOString() ?? null,
    })),
};
