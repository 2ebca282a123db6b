/**
 * Finance's `PostSalesOrder` action over OData: `POST SalesOrderHeadersV2(<key>)/Microsoft.Dynamics.
 * DataEntities.PostSalesOrder` with `{"step":"confirm"}` posts the order a step on (posting.ts) and
 * answers `{"value": PostingResult}`. Declared in `$metadata` with its result type.
 */
import { ServiceError } from '../core/errors.js';
import { parseObjectBody, stringifyBody } from '../core/json.js';
import type { ComplexTypeDef, EntityActionDef } from '../core/metadata.js';
import type { EntitySetDef, Row } from '../core/model.js';
import { jsonHeaders, type SimRequest, type SimResponse } from '../core/service.js';
import { SalesInvoiceHeadersV2, SalesOrderHeadersV2 } from './entities.js';
import {
  type PostingContext,
  type PostingResult,
  type PostingStep,
  postingSteps,
  postSalesOrder,
} from './posting.js';

export const namespace = 'Microsoft.Dynamics.DataEntities';

/** What `PostSalesOrder` answers, typed from the order's and the invoice's own properties. */
export const postingResultType: ComplexTypeDef = {
  name: 'SalesOrderPostingResult',
  properties: {
    SalesOrderNumber: SalesOrderHeadersV2.properties['SalesOrderNumber']!,
    SalesOrderProcessingStatus: {
      ...SalesOrderHeadersV2.properties['SalesOrderProcessingStatus']!,
      nullable: false,
    },
    // Null for every step but `invoice`.
    InvoiceNumber: { ...SalesInvoiceHeadersV2.properties['InvoiceNumber']!, nullable: true },
  } satisfies Record<keyof PostingResult, unknown>,
};

/** `POST SalesOrderHeadersV2(<key>)/Microsoft.Dynamics.DataEntities.PostSalesOrder` with `{"step":"confirm"}`. */
export const postOrderAction: EntityActionDef = {
  name: 'PostSalesOrder',
  boundTo: SalesOrderHeadersV2.name,
  parameters: { step: 'Edm.String' },
  returnType: { complexType: postingResultType.name },
};

/** Whether `action` (a path's bound action) on an entity of `set` is `PostSalesOrder`. */
export const isPostOrderAction = (set: EntitySetDef, action: string | undefined): boolean =>
  set.name === postOrderAction.boundTo && action === `${namespace}.${postOrderAction.name}`;

const isPostingStep = (value: unknown): value is PostingStep =>
  typeof value === 'string' && (postingSteps as readonly string[]).includes(value);

/**
 * Posts the step the request names on the order of `set` whose key `keyOf` reads from the path, in one
 * transaction. F&O's order of refusals: the method (405), then the key (400) and the order (404), then
 * the step (400).
 */
export function answerPostOrder(
  request: SimRequest,
  posting: PostingContext,
  set: EntitySetDef,
  keyOf: () => Row,
): SimResponse {
  if (request.method !== 'POST') throw new ServiceError(405, '', 'PostSalesOrder accepts POST only.');
  const key = keyOf();
  if (!posting.store.get(set.name, key))
    throw new ServiceError(404, '', `Resource not found for the segment '${set.name}'.`);
  const step = parseObjectBody(request.body)['step'];
  if (!isPostingStep(step)) {
    throw new ServiceError(
      400,
      '',
      `The parameter 'step' of PostSalesOrder must be one of ${postingSteps.join(', ')}; got ${JSON.stringify(step) ?? 'nothing'}.`,
    );
  }
  const result = posting.store.transaction(() =>
    postSalesOrder(posting, String(key['dataAreaId']), String(key['SalesOrderNumber']), step),
  );
  const answer = {
    '@odata.context': `${request.serviceRoot}$metadata#${namespace}.${postingResultType.name}`,
    value: result,
  };
  return { status: 200, headers: jsonHeaders(), body: stringifyBody(answer) };
}
