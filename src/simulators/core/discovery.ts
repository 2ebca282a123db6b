/**
 * Entra's OpenID discovery document, `GET /{tenant}/v2.0/.well-known/openid-configuration`, which
 * msal-node fetches before its first token request to any authority it has no built-in metadata for
 * (a simulator is one; listing its host in `knownAuthorities` spares msal the instance-discovery call,
 * which msal would send to login.microsoftonline.com anyway, never to the authority's own host). msal
 * needs authorization_endpoint, token_endpoint, issuer and jwks_uri; it posts to token_endpoint and
 * names that URL as the audience of its client assertions.
 */

/**
 * The document for `tenant`, its endpoints under `endpointOrigin` (the simulator's `http://` origin as
 * the client addressed it). The issuer alone is `https://`: msal accepts an issuer only when its scheme
 * and host are the authority's, and msal takes `https://` authorities only, so a client reaches a
 * simulator by naming it `https://host:port/{tenant}` and sending that to `http://` itself.
 */
export function openIdConfiguration(endpointOrigin: string, tenant: string): Record<string, unknown> {
  const base = `${endpointOrigin}/${tenant}`;
  return {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `https://${new URL(endpointOrigin).host}/${tenant}/v2.0`,
    request_uri_parameter_supported: false,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    cloud_instance_name: 'microsoftonline.com',
  };
}

/**
 * The signing keys the document points at: none, since the simulators' access tokens are opaque
 * strings that only the issuing simulator checks, not JWTs a resource would verify.
 */
export const jsonWebKeySet = { keys: [] };
