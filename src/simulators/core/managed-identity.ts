/**
 * Stand-ins for the two managed identity endpoints msal-node's ManagedIdentityApplication calls, so a
 * hub configured for a managed identity runs unchanged against a simulator:
 * - IMDS (Azure VMs, AKS): `GET /metadata/identity/oauth2/token?api-version=2018-02-01&resource=…` with
 *   header `Metadata: true`; msal sends it to the origin in AZURE_POD_IDENTITY_AUTHORITY_HOST.
 * - App Service (and Container Apps): `GET /msi/token?api-version=2019-08-01&resource=…` with header
 *   `X-IDENTITY-HEADER`; msal sends it to IDENTITY_ENDPOINT with the secret in IDENTITY_HEADER.
 * A user-assigned identity is asked for by `client_id` (or object_id, msi_res_id / mi_res_id, none of
 * which a simulator knows). Answers copy each service's shape: every number a string, expires_on in
 * epoch seconds; IMDS errors are `{ error, error_description }`, App Service's `{ statusCode, message,
 * correlationId }` (the fields msal reads).
 */
import { randomUUID } from 'node:crypto';
import type { TokenIssuer } from './tokens.js';

export interface ManagedIdentityOptions {
  /** The secret App Service gives the app in IDENTITY_HEADER; /msi/token needs it as X-IDENTITY-HEADER. */
  identityHeader: string;
  /** Client ids of the user-assigned identities; the system-assigned identity is always there. */
  clientIds?: readonly string[];
}

export const imdsTokenPath = '/metadata/identity/oauth2/token';
export const appServiceTokenPath = '/msi/token';

export interface ManagedIdentityAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** IMDS: `headers` with lower-case names. */
export function answerImds(
  query: URLSearchParams,
  headers: Record<string, string>,
  { clientIds = [] }: ManagedIdentityOptions,
  tokens: TokenIssuer,
): ManagedIdentityAnswer {
  // IMDS takes only `Metadata: true`, which a browser cannot send cross-origin (SSRF protection).
  if (headers['metadata'] !== 'true') return imdsError('Required metadata header not specified');
  if (!query.get('api-version')) return imdsError("Required query variable 'api-version' is missing");
  const resource = query.get('resource');
  if (!resource) return imdsError("Required query variable 'resource' is missing");
  const clientId = query.get('client_id');
  if (
    query.has('object_id') ||
    query.has('msi_res_id') ||
    (clientId !== null && !clientIds.includes(clientId))
  )
    return imdsError('Identity not found');
  const { accessToken, expiresInSeconds, expiresOnSeconds } = tokens.grant();
  return {
    status: 200,
    body: {
      access_token: accessToken,
      refresh_token: '',
      ...(clientId !== null ? { client_id: clientId } : {}),
      expires_in: String(expiresInSeconds),
      expires_on: String(expiresOnSeconds),
      ext_expires_in: String(expiresInSeconds),
      not_before: String(expiresOnSeconds - expiresInSeconds),
      resource,
      token_type: 'Bearer',
    },
  };
}

/** App Service (api-version 2019-08-01): `headers` with lower-case names. */
export function answerAppService(
  query: URLSearchParams,
  headers: Record<string, string>,
  { identityHeader, clientIds = [] }: ManagedIdentityOptions,
  tokens: TokenIssuer,
): ManagedIdentityAnswer {
  if (headers['x-identity-header'] !== identityHeader) {
    return appServiceError(401, 'The X-IDENTITY-HEADER request header is missing or does not match.');
  }
  if (!query.get('api-version'))
    return appServiceError(400, "Required query parameter 'api-version' is missing.");
  const resource = query.get('resource');
  if (!resource) return appServiceError(400, "Required query parameter 'resource' is missing.");
  const clientId = query.get('client_id');
  if (
    query.has('object_id') ||
    query.has('principal_id') ||
    query.has('mi_res_id') ||
    (clientId !== null && !clientIds.includes(clientId))
  ) {
    return appServiceError(400, 'Unable to load the proper Managed Identity.');
  }
  const { accessToken, expiresOnSeconds } = tokens.grant();
  return {
    status: 200,
    body: {
      access_token: accessToken,
      expires_on: String(expiresOnSeconds),
      resource,
      token_type: 'Bearer',
      ...(clientId !== null ? { client_id: clientId } : {}),
    },
  };
}

const imdsError = (description: string): ManagedIdentityAnswer => ({
  status: 400,
  body: { error: 'invalid_request', error_description: description },
});

const appServiceError = (status: number, message: string): ManagedIdentityAnswer => ({
  status,
  body: { statusCode: status, message, correlationId: randomUUID() },
});
