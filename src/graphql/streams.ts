/**
 * An event source as the async iterator a GraphQL subscription needs. The listener is removed as soon as
 * the client leaves (`return`), the stream ends (`isLast`) or fails, so nothing outlives a subscription.
 * A slow client does not grow memory without bound: past `maxQueued` waiting events the oldest are
 * dropped — each event is a full snapshot, so the newest always tells the current state.
 */
export interface EventStreamOptions<T> {
  /** Delivered first (the current state). */
  initial?: T;
  /** The stream completes after delivering an event for which this is true. */
  isLast?: (event: T) => boolean;
  maxQueued?: number;
}

export function eventStream<T>(
  subscribe: (push: (event: T) => void) => () => void,
  { initial, isLast = () => false, maxQueued = 100 }: EventStreamOptions<T> = {},
): AsyncIterableIterator<T> {
  const queue: T[] = initial === undefined ? [] : [initial];
  let waiting: ((result: IteratorResult<T>) => void) | undefined;
  let done = initial !== undefined && isLast(initial);
  let unsubscribe: (() => void) | undefined;

  const finish = (): IteratorResult<T> => {
    done = true;
    unsubscribe?.();
    unsubscribe = undefined;
    queue.length = 0;
    return { done: true, value: undefined };
  };

  if (!done) {
    unsubscribe = subscribe((event) => {
      if (done) return;
      if (waiting) {
        const resolve = waiting;
        waiting = undefined;
        resolve({ done: false, value: event });
        if (isLast(event)) finish();
        return;
      }
      queue.push(event);
      if (queue.length > maxQueued) queue.shift();
      if (isLast(event)) {
        done = true;
        unsubscribe?.();
        unsubscribe = undefined;
      }
    });
  }

  return {
    next(): Promise<IteratorResult<T>> {
      if (queue.length > 0) return Promise.resolve({ done: false, value: queue.shift()! });
      if (done) return Promise.resolve(finish());
      return new Promise((resolve) => (waiting = resolve));
    },
    return(): Promise<IteratorResult<T>> {
      waiting?.({ done: true, value: undefined });
      waiting = undefined;
      return Promise.resolve(finish());
    },
    throw(error?: unknown): Promise<IteratorResult<T>> {
      finish();
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
