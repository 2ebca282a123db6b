/**
 * How often continuous sync looks, by default and at most and least: a Sales flow's change feed costs one
 * request to look at, so every few seconds; products, which Finance offers no change feed for, take a run
 * that compares every product by hash, so minutes apart. A leaf, so that the configuration
 * (`HUB_CONTINUOUS_INTERVAL_SECONDS`, `HUB_CONTINUOUS_PRODUCTS_INTERVAL_SECONDS`) and `setContinuousSync`
 * hold the intervals to the same bounds.
 */

export interface ContinuousIntervals {
  /** Seconds between looks at a Sales flow's change feed. Default 5. */
  salesSeconds: number;
  /** Seconds between the products' runs. Default 300. */
  productsSeconds: number;
  /** The longest wait between looks while backing off. Default 300. */
  maxBackoffSeconds: number;
}

/** The two intervals a flow follows: a Sales flow's, or the products'. */
export type FlowInterval = 'salesSeconds' | 'productsSeconds';

export const defaultContinuousIntervals: Readonly<ContinuousIntervals> = {
  salesSeconds: 5,
  productsSeconds: 300,
  maxBackoffSeconds: 300,
};

/** The range each interval may take, in whole seconds, whether configured as the default or set per flow. */
export const continuousIntervalBounds: Readonly<Record<FlowInterval, { min: number; max: number }>> = {
  salesSeconds: { min: 1, max: 3_600 },
  productsSeconds: { min: 30, max: 86_400 },
};
