/** The OData client shared by the Sales and Finance connectors: import from here. */
export {
  createODataClient,
  defaultHeadersFor,
  type BatchOptions,
  type ODataClient,
  type ODataClientHealth,
  type ODataClientOptions,
  type ODataRequest,
  type ODataRequestEvent,
  type ODataResponse,
  type Page,
  type PagesOptions,
} from './client.js';
export {
  batchPartNotRunCode,
  changeSetRolledBackCode,
  flattenBatchResults,
  type BatchOperation,
  type BatchPartResult,
} from './batch.js';
export {
  createCircuitBreaker,
  isUnavailability,
  type CircuitBreaker,
  type CircuitBreakerOptions,
  type CircuitHealth,
  type CircuitState,
} from './circuit-breaker.js';
export {
  CircuitOpenError,
  infologText,
  networkError,
  ODataError,
  parseErrorBody,
  parseRetryAfter,
  TimeoutError,
  type ODataErrorDetails,
  type ODataErrorKind,
  type ParsedErrorBody,
  type SystemName,
} from './errors.js';
export { decimal, decimalText, isDecimal, parseJson, stringifyJson, type Decimal } from './json.js';
export {
  enumLiteral,
  formatLiteral,
  isGuid,
  keyPredicate,
  quoteString,
  type ODataLiteral,
} from './literals.js';
export type { BatchItem } from './multipart.js';
export {
  and,
  anyOf,
  buildQuery,
  chunkByUrlLength,
  crmIn,
  encodeQueryComponent,
  eq,
  ge,
  gt,
  le,
  lt,
  ne,
  not,
  or,
  type QueryOptions,
} from './query.js';
export {
  createRetryPolicy,
  defaultRetryPolicy,
  isIdempotentMethod,
  noRetryPolicy,
  type RetryPolicy,
  type RetryPolicyOptions,
  type RetryRequest,
} from './retry.js';
export { createTokenProvider, TokenError, type TokenProvider, type TokenProviderOptions } from './tokens.js';
export {
  CertificateError,
  readClientCertificate,
  type ClientCertificate,
  type Credential,
} from './credentials.js';
