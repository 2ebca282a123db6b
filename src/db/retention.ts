/** How long finished sync runs are kept: a leaf, so that the configuration reads the default from here. */

/** How long finished runs are kept, in days, unless configured otherwise (`SYNC_RETENTION_DAYS`). */
export const defaultRetentionDays = 45;
