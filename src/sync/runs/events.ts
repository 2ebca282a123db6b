/**
 * The in-process run event bus: one hub instance, listeners in the same process (the GraphQL
 * subscriptions). A shared bus (Redis, …) for several instances implements the same RunEventBus.
 */
import type { RunEventBus, RunSnapshot } from './types.js';

/** The key that receives every run's snapshots. */
const everyRun = '*';

type Listener = (snapshot: RunSnapshot) => void;

export interface InProcessEventBusOptions {
  /**
   * Told about a listener that threw; publishing goes on to the other listeners regardless. Default:
   * logs the error, since one broken subscription must not hide updates from the rest.
   */
  onListenerError?: (error: unknown, snapshot: RunSnapshot) => void;
}

/** A RunEventBus that can also say how many listeners it holds (for leak checks and health). */
export interface InProcessEventBus extends RunEventBus {
  /** The listeners of `runId` (or `'*'`); without an argument, of every key together. */
  listenerCount(runId?: string): number;
}

/**
 * Delivers each snapshot synchronously to the listeners of its run, then to the `'*'` listeners. A
 * listener added or removed while a snapshot is being delivered takes effect from the next snapshot.
 */
export function createInProcessEventBus(options: InProcessEventBusOptions = {}): InProcessEventBus {
  const {
    onListenerError = (error: unknown, snapshot: RunSnapshot) =>
      console.error(`A sync run listener failed on run ${snapshot.run.id}:`, error),
  } = options;
  const listeners = new Map<string, Set<Listener>>();

  function deliver(key: string, snapshot: RunSnapshot): void {
    const set = listeners.get(key);
    if (!set) return;
    // A copy, so a listener that unsubscribes (itself or another) does not disturb this delivery.
    for (const listener of [...set]) {
      try {
        listener(snapshot);
      } catch (error) {
        try {
          onListenerError(error, snapshot);
        } catch {
          // The error reporter itself failed: nothing more useful to do than to keep publishing.
        }
      }
    }
  }

  return {
    publish(snapshot) {
      deliver(snapshot.run.id, snapshot);
      deliver(everyRun, snapshot);
    },

    subscribe(runId, listener) {
      // Each subscription gets its own wrapper, so the same function subscribed twice is two
      // subscriptions and each unsubscribe removes exactly one.
      const entry: Listener = (snapshot) => listener(snapshot);
      let set = listeners.get(runId);
      if (!set) listeners.set(runId, (set = new Set()));
      set.add(entry);
      let subscribed = true;
      return () => {
        if (!subscribed) return;
        subscribed = false;
        const current = listeners.get(runId);
        current?.delete(entry);
        // Drop empty sets too: a long-lived hub sees one key per run ever subscribed to.
        if (current?.size === 0) listeners.delete(runId);
      };
    },

    listenerCount(runId) {
      if (runId !== undefined) return listeners.get(runId)?.size ?? 0;
      let count = 0;
      for (const set of listeners.values()) count += set.size;
      return count;
    },
  };
}
