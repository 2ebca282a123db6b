/** The hub's roles, a leaf of their own so that the configuration can check `HUB_API_KEYS` against them. */

/**
 * The hub's roles, weakest first: a `reader` queries and subscribes; an `operator` also starts, cancels
 * and retries sync runs. A stronger role includes every weaker one.
 */
export const roles = ['reader', 'operator'] as const;
export type Role = (typeof roles)[number];
