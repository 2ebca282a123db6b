/**
 * The contract between the generic simulator server (HTTP, auth, faults, logging, `$batch`) and a
 * system's behaviour (Sales or Finance): the system handles one parsed request at a time, synchronously,
 * against its in-memory store, which keeps `$batch` change sets atomic without locks.
 */
import type { ServiceError } from './errors.js';
import type { ThrottleLimit } from './faults.js';

export interface SimRequest {
  method: string;
  /** Path relative to the service root, still percent-encoded: `accounts(accountnumber='A%261')`. */
  resource: string;
  query: URLSearchParams;
  /** The query string as received (without `?`), for building next links verbatim. */
  rawQuery: string;
  /** Header names lower-cased. */
  headers: Record<string, string>;
  body: string;
  inBatch: boolean;
  /** Absolute service root with a trailing slash, e.g. `http://127.0.0.1:5001/api/data/v9.2/`. */
  serviceRoot: string;
}

export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface SystemBehaviour {
  system: 'sales' | 'finance';
  /** Service root path with slashes: `/api/data/v9.2/` or `/data/`. */
  rootPath: string;
  handle(request: SimRequest): SimResponse;
  renderError(error: ServiceError): SimResponse;
  /** A 429; `limit`, when the request-count limit refused it, is the limit to name. */
  renderThrottle(retryAfterSeconds: number, limit?: ThrottleLimit): SimResponse;
  metadata(serviceRoot: string): string;
  batch: {
    /** F&O runs every part regardless; Dataverse stops at the first failure unless asked to continue. */
    continueOnErrorByDefault: boolean;
    maxOperations: number;
    /**
     * The outer status of a batch stopped at a failed part: Dataverse answers 400 Bad Request, its body
     * still the multipart answer of the parts it ran, the failing one last ("Execute batch operations
     * using the Web API", handling errors).
     */
    stoppedStatus: number;
  };
  transaction<T>(work: () => T): T;
  /** Headers added to every response under the service root (Dataverse: `x-ms-dop-hint`). */
  responseHeaders?: Readonly<Record<string, string>>;
}

export const jsonHeaders = (extra: Record<string, string> = {}): Record<string, string> => ({
  'Content-Type': 'application/json; odata.metadata=minimal',
  'OData-Version': '4.0',
  ...extra,
});
