/**
 * The `$batch` parts of the client: operations become multipart request parts, and the multipart answer
 * is laid back onto the caller's items one for one, so every operation gets a result.
 *
 * Why the mapping is not a plain zip of requests and responses:
 * - A change set that fails answers with one response (the failing part's) instead of one per part, and
 *   none of its parts was kept.
 * - Without `Prefer: odata.continue-on-error` Dataverse stops at the first failure and answers only what
 *   it ran; the rest must be reported as not run, not silently dropped.
 * - F&O answers 200 on the outside whatever happened inside; only the parts tell.
 */
import { ODataError, httpError, type SystemName } from './errors.js';
import { parseJson } from './json.js';
import type { BatchItem, BatchRequest, BatchResponse } from './multipart.js';
import type { QueryOptions } from './query.js';

/** One operation of a batch. */
export interface BatchOperation {
  method: string;
  /** Service-relative (`accounts(…)`), absolute under the service root, or `$n` for an earlier Content-ID. */
  path: string;
  query?: string | QueryOptions;
  headers?: Record<string, string>;
  /** A JSON value, serialized like `request()` bodies (`decimal()` values as numbers). */
  body?: unknown;
  /** Lets a later part of the same change set refer to this one as `$<contentId>`. */
  contentId?: string;
}

/** What became of one operation. `error` is set whenever `status` is not 2xx; nothing throws. */
export interface BatchPartResult<T = unknown> {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON when the part answered with a JSON body. */
  body: T | undefined;
  error?: ODataError;
  /** The Content-ID the caller gave the operation, if any. */
  contentId?: string;
}

/** The error code of a part the server never ran because the batch stopped at an earlier failure. */
export const batchPartNotRunCode = 'BatchPartNotRun';
/** The error code of a change-set part undone because another part of its change set failed. */
export const changeSetRolledBackCode = 'ChangeSetRolledBack';

/**
 * 424 Failed Dependency is what OData 4.01 JSON batches answer for requests that depend on a failed one;
 * used here for parts not run or rolled back, so a caller can tell them from parts that failed themselves.
 */
const failedDependencyStatus = 424;

export interface PartContext {
  system: SystemName;
  /** Service-relative path of a part, for errors. */
  pathOf(operation: BatchOperation): string;
}

/** Builds the multipart parts; change-set members get Content-IDs (OData requires them) when missing. */
export function toBatchRequests(
  items: readonly BatchItem<BatchOperation>[],
  partUrl: (operation: BatchOperation) => string,
  serialize: (body: unknown) => string,
): BatchItem<BatchRequest>[] {
  const used = new Set(items.flatMap((item) => partsOf(item).map((part) => part.contentId)));
  let next = 1;
  const freshId = (): string => {
    while (used.has(String(next))) next++;
    used.add(String(next));
    return String(next);
  };
  const toRequest = (operation: BatchOperation, inChangeSet: boolean): BatchRequest => {
    const headers: Record<string, string> = {};
    if (operation.body !== undefined) headers['Content-Type'] = 'application/json';
    Object.assign(headers, operation.headers);
    const contentId = operation.contentId ?? (inChangeSet ? freshId() : undefined);
    return {
      method: operation.method.toUpperCase(),
      url: partUrl(operation),
      headers,
      ...(operation.body === undefined ? {} : { body: serialize(operation.body) }),
      ...(contentId === undefined ? {} : { contentId }),
    };
  };
  return items.map((item) =>
    item.kind === 'single'
      ? { kind: 'single', part: toRequest(item.part, false) }
      : { kind: 'changeset', parts: item.parts.map((part) => toRequest(part, true)) },
  );
}

/** Lays the decoded answer onto the caller's items; see the module comment. */
export function matchBatchResults(
  operations: readonly BatchItem<BatchOperation>[],
  sent: readonly BatchItem<BatchRequest>[],
  answered: readonly BatchItem<BatchResponse>[],
  context: PartContext,
): BatchItem<BatchPartResult>[] {
  return operations.map((item, index) => {
    const response = answered[index];
    const sentItem = sent[index]!;
    if (item.kind === 'single') {
      const part = response === undefined ? undefined : partsOf(response)[0];
      return { kind: 'single', part: part ? toResult(item.part, part, context) : notRun(item.part, context) };
    }
    const sentParts = partsOf(sentItem);
    if (response === undefined) {
      return { kind: 'changeset', parts: item.parts.map((part) => notRun(part, context)) };
    }
    if (response.kind === 'changeset' && response.parts.length === item.parts.length) {
      return {
        kind: 'changeset',
        parts: item.parts.map((part, i) => toResult(part, response.parts[i]!, context)),
      };
    }
    return {
      kind: 'changeset',
      parts: failedChangeSet(item.parts, sentParts, partsOf(response)[0]!, context),
    };
  });
}

/**
 * A change set answered with a single response: the part it names by Content-ID failed, the others were
 * rolled back. When it names none, every part carries the failure.
 */
function failedChangeSet(
  operations: readonly BatchOperation[],
  sentParts: readonly BatchRequest[],
  response: BatchResponse,
  context: PartContext,
): BatchPartResult[] {
  const failing = sentParts.findIndex(
    (part) => part.contentId !== undefined && part.contentId === response.contentId,
  );
  if (failing < 0) return operations.map((operation) => toResult(operation, response, context));
  const failure = toResult(operations[failing]!, response, context);
  const culprit = `${failure.error?.method ?? ''} ${failure.error?.path ?? ''}`.trim();
  const reason = `${culprit} failed: ${failure.error?.message ?? `HTTP ${response.status}`}`;
  return operations.map((operation, i) =>
    i === failing
      ? failure
      : synthetic(
          operation,
          context,
          changeSetRolledBackCode,
          `Not applied: its change set was rolled back because part ${failing + 1} (${reason})`,
        ),
  );
}

function toResult(operation: BatchOperation, response: BatchResponse, context: PartContext): BatchPartResult {
  const headers = Object.fromEntries(Object.entries(response.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const ok = response.status >= 200 && response.status < 300;
  const request = {
    system: context.system,
    method: operation.method.toUpperCase(),
    path: context.pathOf(operation),
  };
  return {
    status: response.status,
    headers,
    body: ok ? parsePartBody(response.body, headers['content-type']) : undefined,
    ...(ok ? {} : { error: httpError(request, { status: response.status, headers, body: response.body }) }),
    ...(operation.contentId === undefined ? {} : { contentId: operation.contentId }),
  };
}

function notRun(operation: BatchOperation, context: PartContext): BatchPartResult {
  return synthetic(
    operation,
    context,
    batchPartNotRunCode,
    'Not run: the server stopped the batch at an earlier failed part (continueOnError runs every part).',
  );
}

function synthetic(
  operation: BatchOperation,
  context: PartContext,
  code: string,
  message: string,
): BatchPartResult {
  const error = new ODataError({
    system: context.system,
    method: operation.method.toUpperCase(),
    path: context.pathOf(operation),
    status: failedDependencyStatus,
    code,
    message,
  });
  return {
    status: failedDependencyStatus,
    headers: {},
    body: undefined,
    error,
    ...(operation.contentId === undefined ? {} : { contentId: operation.contentId }),
  };
}

function parsePartBody(text: string, contentType: string | undefined): unknown {
  if (text.trim() === '') return undefined;
  if (contentType !== undefined && !/json/i.test(contentType)) return text;
  try {
    return parseJson(text);
  } catch {
    return text;
  }
}

function partsOf<T>(item: BatchItem<T>): T[] {
  return item.kind === 'single' ? [item.part] : item.parts;
}

/** Every result in order, change sets flattened: handy when the structure does not matter. */
export function flattenBatchResults<T>(results: readonly BatchItem<T>[]): T[] {
  return results.flatMap((item) => partsOf(item));
}
