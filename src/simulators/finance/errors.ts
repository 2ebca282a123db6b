/**
 * F&O error bodies. Query and protocol errors carry the message at the top level; business validation
 * failures are `500` with "An error has occurred." on top and the useful infolog text in
 * `innererror.message`, exactly the shape connectors must dig into.
 */
import { ServiceError } from '../core/errors.js';
import { jsonHeaders, type SimResponse } from '../core/service.js';

const writeExceptionType = 'Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataWriteException';

/** Entity → the table the infolog names (`Write failed for table row of type '<entity>'`). */
export const financeTableNames: Record<string, { entity: string; table: string }> = {
  CustomersV3: { entity: 'CustCustomerV3Entity', table: 'Customers (CustTable)' },
  ContactPersons: { entity: 'ContactPersonEntity', table: 'Contact persons (ContactPerson)' },
  SalesQuotationHeadersV2: {
    entity: 'SalesQuotationHeaderV2Entity',
    table: 'Quotations (SalesQuotationTable)',
  },
  SalesQuotationLines: { entity: 'SalesQuotationLineEntity', table: 'Quotation lines (SalesQuotationLine)' },
  SellableReleasedProducts: {
    entity: 'EcoResSellableReleasedProductEntity',
    table: 'Released products (InventTable)',
  },
  CustomerGroups: { entity: 'CustCustomerGroupEntity', table: 'Customer groups (CustGroup)' },
  LegalEntities: { entity: 'OMLegalEntity', table: 'Legal entities (CompanyInfo)' },
};

/** A business validation failure as F&O reports it: 500, infolog text inside. */
export function writeFailed(set: string, infolog: string): ServiceError {
  const entity = financeTableNames[set]?.entity ?? set;
  return new ServiceError(500, '', 'An error has occurred.', {
    inner: `Write failed for table row of type '${entity}'. Infolog: ${infolog}`,
    innerType: writeExceptionType,
  });
}

export function renderFinanceError(error: ServiceError): SimResponse {
  const body: Record<string, unknown> = { code: error.code, message: error.message };
  if (error.options.inner) {
    body['innererror'] = {
      message: error.options.inner,
      type: error.options.innerType ?? writeExceptionType,
      stacktrace: '',
    };
  }
  return {
    status: error.status,
    headers: jsonHeaders(error.options.headers),
    body: JSON.stringify({ error: body }),
  };
}

/** Resource-based throttling: 429, Retry-After, and a plain-text body. */
export function renderFinanceThrottle(retryAfterSeconds: number): SimResponse {
  return {
    status: 429,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Retry-After': String(retryAfterSeconds) },
    body: `This request could not be processed at this time due to system experiencing high resource utilization. Retry the request after ${retryAfterSeconds} seconds`,
  };
}
