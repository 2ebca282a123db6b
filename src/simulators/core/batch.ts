/**
 * Executes a `$batch` request part by part through the system's own handler, the way both Dynamics
 * systems do: change sets are atomic (all parts or none), `$n` refers to the entity created by the part
 * with Content-ID n, and each part's answer is a whole HTTP response inside a multipart body.
 */
import {
  type BatchItem,
  type BatchRequest,
  type BatchResponse,
  decodeBatchRequest,
  encodeBatchResponse,
  MultipartError,
  newBoundary,
} from '../../connectors/odata/multipart.js';
import { ServiceError } from './errors.js';
import type { SimRequest, SimResponse, SystemBehaviour } from './service.js';

export interface BatchPartRunner {
  /** Runs one part (already resolved to a service-relative request) and returns its response. */
  (request: SimRequest): SimResponse;
}

class ChangeSetFailed extends Error {
  constructor(readonly response: BatchResponse) {
    super('change set failed');
  }
}

export function executeBatch(
  request: SimRequest,
  behaviour: SystemBehaviour,
  runPart: BatchPartRunner,
): SimResponse {
  let items: BatchItem<BatchRequest>[];
  try {
    items = decodeBatchRequest(request.body, request.headers['content-type']);
  } catch (error) {
    if (error instanceof MultipartError)
      throw new ServiceError(400, '', `The batch request is malformed: ${error.message}`);
    throw error;
  }
  const operations = items.reduce((n, item) => n + (item.kind === 'single' ? 1 : item.parts.length), 0);
  if (operations > behaviour.batch.maxOperations) {
    throw new ServiceError(
      400,
      '',
      `The batch contains ${operations} operations; the maximum is ${behaviour.batch.maxOperations}.`,
    );
  }
  const preferContinue = /odata\.continue-on-error/i.test(request.headers['prefer'] ?? '');
  const continueOnError = behaviour.batch.continueOnErrorByDefault || preferContinue;
  const entityUrls = new Map<string, string>();
  const run = (part: BatchRequest): BatchResponse => {
    const response = runPart(toPartRequest(part, request, entityUrls));
    const entityUrl = response.headers?.['OData-EntityId'] ?? response.headers?.['Location'];
    if (part.contentId !== undefined && entityUrl) entityUrls.set(part.contentId, entityUrl);
    return {
      status: response.status,
      headers: response.headers ?? {},
      body: response.body ?? '',
      ...(part.contentId === undefined ? {} : { contentId: part.contentId }),
    };
  };

  const results: BatchItem<BatchResponse>[] = [];
  let stopped = false;
  for (const item of items) {
    let failed = false;
    if (item.kind === 'single') {
      const response = run(item.part);
      results.push({ kind: 'single', part: response });
      failed = response.status >= 400;
    } else {
      try {
        const parts = behaviour.transaction(() =>
          item.parts.map((part) => {
            const response = run(part);
            if (response.status >= 400) throw new ChangeSetFailed(response);
            return response;
          }),
        );
        results.push({ kind: 'changeset', parts });
      } catch (error) {
        if (!(error instanceof ChangeSetFailed)) throw error;
        // A failed change set answers with the one failing response; nothing of it was kept.
        results.push({ kind: 'single', part: error.response });
        failed = true;
      }
    }
    if (failed && !continueOnError) {
      stopped = true;
      break;
    }
  }
  const boundary = newBoundary('batchresponse');
  return {
    status: stopped ? behaviour.batch.stoppedStatus : 200,
    headers: {
      'Content-Type': `multipart/mixed; boundary=${boundary}`,
      'OData-Version': '4.0',
      ...(preferContinue ? { 'Preference-Applied': 'odata.continue-on-error' } : {}),
    },
    body: encodeBatchResponse(results, boundary),
  };
}

/** Resolves a part's URL (absolute, root-relative, or `$n…`) into a service-relative request. */
function toPartRequest(part: BatchRequest, outer: SimRequest, entityUrls: Map<string, string>): SimRequest {
  let url = part.url;
  const reference = /^\$(\w+)(.*)$/.exec(url);
  if (reference) {
    const target = entityUrls.get(reference[1]!);
    if (!target)
      throw new ServiceError(
        400,
        '',
        `The batch part refers to Content-ID ${reference[1]} which no earlier part created.`,
      );
    url = target + reference[2]!;
  }
  const root = new URL(outer.serviceRoot);
  const absolute = new URL(url, outer.serviceRoot);
  if (absolute.origin !== root.origin || !absolute.pathname.startsWith(root.pathname)) {
    throw new ServiceError(
      400,
      '',
      `The batch part URL '${part.url}' is not under the service root ${outer.serviceRoot}.`,
    );
  }
  const headers = Object.fromEntries(Object.entries(part.headers).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    method: part.method,
    resource: absolute.pathname.slice(root.pathname.length),
    query: absolute.searchParams,
    rawQuery: absolute.search.replace(/^\?/, ''),
    headers: { ...pickOuterHeaders(outer.headers), ...headers },
    body: part.body ?? '',
    inBatch: true,
    serviceRoot: outer.serviceRoot,
  };
}

/** Parts inherit the caller's identity and preferences unless they set their own. */
function pickOuterHeaders(headers: Record<string, string>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of ['authorization', 'prefer']) {
    const value = headers[name];
    if (value !== undefined && !(name === 'prefer' && /continue-on-error/.test(value))) kept[name] = value;
  }
  return kept;
}
