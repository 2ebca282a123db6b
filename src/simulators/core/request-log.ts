/**
 * What a simulator was asked: every HTTP request and every part inside a `$batch`, with counters per
 * method and entity set. Tests assert request counts from it ("one request for 50 keys"); benchmarks read it.
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
  clear(): void;
}

/** `maxEntries` bounds memory in long benchmark runs; counters keep counting past it. */
export function createRequestLog({ maxEntries = 10_000 }: { maxEntries?: number } = {}): RequestLog {
  let entries: LoggedRequest[] = [];
  let counters = new Map<string, number>();
  let http = new Map<string, number>();
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
    clear() {
      entries = [];
      counters = new Map();
      http = new Map();
    },
  };
}
