/**
 * Pages that compare and write at once unless the dependencies (`SYNC_PAGES_IN_FLIGHT`) say otherwise: as many as each system's
 * default bound on requests in flight (4), so a flow keeps the back ends as busy as they allow.
 */
export const defaultPagesInFlight = 4;
