/**
 * What a simulator was asked: every HTTP request and every part inside a `$batch`, with counters per
 * method and entity set. Tests assert request counts from it ("one request for 50 keys"); benchmarks read it.
 * It also keeps how many HTTP requests are in flight (received, response not yet finished) and the peak of
 * that number, so a test can assert a client never exceeds a concurrency bound.
 */

export interface LoggedRequest {
  method: string;
  /** Path and query as received, relative to the server (parts: as written in the batch). */
  url: string;
  entitySet?: string;
  /** True for a part inside a `$batch` request (the `$batch` POST itself is logged too). */
  inBatch: boolean;
  status: number;
  at: number;
}

export interface RequestLog {
  readonly entries: readonly LoggedRequest[];
  add(entry: LoggedRequest): void;
  /** Count by `METHOD set` (e.g. `GET accounts`, `POST $batch`, `PATCH CustomersV3`). Batch parts included. */
  counts(): Record<string, number>;
  /** Number of HTTP requests (batch parts not counted), optionally filtered. */
  httpRequests(filter?: { method?: string; entitySet?: string }): number;
  /** HTTP requests received whose response has not finished yet. */
  readonly inFlight: number;
  /** The most HTTP requests in flight at once since the log was created or last reset. */
  readonly peakInFlight: number;
  /** Called by the server when a request arrives; returns the call that marks it finished (idempotent). */
  requestStarted(): () => void;
  /** Starts a new peak from the requests in flight now. */
  resetPeakInFlight(): void;
  /** Forgets entries and counters, and resets the peak. */
  clear(): void;
}

/** `maxEntries` bounds memory in long benchmark runs; counters keep counting past it. */
export function createRequestLog({ maxEntries = 10_000 }: { maxEntries?: number } = {}): RequestLog {
  let entries: LoggedRequest[] = [];
  let counters = new Map<string, number>();
  let http = new Map<string, number>();
  let inFlight = 0;
  let peakInFlight = 0;
  return {
    get entries() {
      return entries;
    },
    add(entry) {
      entries.push(entry);
      if (entries.length > maxEntries) entries = entries.slice(-maxEntries);
      const label = `${entry.method} ${entry.entitySet ?? '-'}`;
      counters.set(label, (counters.get(label) ?? 0) + 1);
      if (!entry.inBatch) http.set(label, (http.get(label) ?? 0) + 1);
    },
    counts: () => Object.fromEntries(counters),
    httpRequests(filter = {}) {
      let total = 0;
      for (const [label, n] of http) {
        const [method, set] = label.split(' ');
        if (filter.method && filter.method !== method) continue;
        if (filter.entitySet && filter.entitySet !== set) continue;
        total += n;
      }
      return total;
    },
    get inFlight() {
      return inFlight;
    },
    get peakInFlight() {
      return peakInFlight;
    },
    requestStarted() {
      inFlight += 1;
      peakInFlight = Math.max(peakInFlight, inFlight);
      let finished = false;
      return () => {
        if (finished) return;
        finished = true;
        inFlight -= 1;
      };
    },
    resetPeakInFlight() {
      peakInFlight = inFlight;
    },
    clear() {
      entries = [];
      counters = new Map();
      http = new Map();
      peakInFlight = inFlight;
    },
  };
}
