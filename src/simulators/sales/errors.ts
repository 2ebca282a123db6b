/**
 * Dataverse error bodies: `{"error":{"code":"0x…","message":"…"}}`. Codes are Dataverse's hex error
 * codes where one is documented for the case; otherwise a default per status.
 */
import type { ServiceError } from '../core/errors.js';
import { jsonHeaders, type SimResponse } from '../core/service.js';
import type { ThrottleLimit } from '../core/faults.js';

const defaultCodes: Record<number, string> = {
  400: '0x80060888', // a malformed query or payload
  401: '',
  404: '0x80040217', // object does not exist
  405: '0x80060888',
  412: '0x80060882', // concurrency / version mismatch
  413: '0x80048d19',
  500: '0x80040216', // unexpected
  503: '0x80040216',
};

export const salesCodes = {
  doesNotExist: '0x80040217',
  duplicateRecord: '0x80040237',
  versionMismatch: '0x80060882',
  requestsExceeded: '0x80072322',
  deltaTokenExpired: '0x80044352',
  invalidArgument: '0x80040203',
} as const;

export function renderSalesError(error: ServiceError): SimResponse {
  const code = error.code || defaultCodes[error.status] || '';
  return {
    status: error.status,
    headers: jsonHeaders(error.options.headers),
    body: JSON.stringify({ error: { code, message: error.message } }),
  };
}

/**
 * Service-protection limit answer: 429, Retry-After, and Dataverse's message for the request-count limit,
 * naming the limit it enforced (Dataverse's default, 6,000 in 300 s, for a scripted 429).
 */
export function renderSalesThrottle(
  retryAfterSeconds: number,
  { maxRequests, windowSeconds }: ThrottleLimit = { maxRequests: 6000, windowSeconds: 300 },
): SimResponse {
  return {
    status: 429,
    headers: {
      'Content-Type': 'application/json',
      'Retry-After': String(retryAfterSeconds),
      'OData-Version': '4.0',
    },
    body: JSON.stringify({
      error: {
        code: salesCodes.requestsExceeded,
        message: `Number of requests exceeded the limit of ${maxRequests} over time window of ${windowSeconds} seconds.`,
      },
    }),
  };
}
