/** The largest page a list returns: a leaf, so that the configuration bounds `HUB_MAX_FIRST` by it. */

/**
 * The most `first` may ask for, as the schema documents. `HUB_MAX_FIRST` may lower it; the request's
 * limits refuse a larger `first` with this same error before anything runs (src/graphql/cost.ts).
 */
export const maxPageSize = 500;
