/**
 * Each system's bound on requests in flight (concurrency.ts), as settings: a leaf, so the configuration
 * can name the defaults without loading a connector.
 */
import type { SystemName } from '../../vocabulary.js';

export interface ConcurrencyOptions {
  /** The most requests in flight at once, whatever the system hints. */
  max: number;
  /** The bound before the first hint (default `max`); at most `max`. */
  initial?: number;
  /** The response header (lower-case) whose whole number, when given, becomes the bound. */
  hintHeader?: string;
}

/**
 * Sales: Dataverse's service protection allows 52 concurrent requests per user, and each answer's
 * `x-ms-dop-hint` says how many of them to use; 4 until the first answer. Finance: F&O documents no
 * figure, and its priority-based throttling answers 429 when the environment is loaded; 4 keeps a sync
 * and a few queries from crowding other integrations out.
 */
export const maxConcurrency: Readonly<Record<SystemName, Readonly<ConcurrencyOptions>>> = {
  sales: { max: 52, initial: 4, hintHeader: 'x-ms-dop-hint' },
  finance: { max: 4 },
};
