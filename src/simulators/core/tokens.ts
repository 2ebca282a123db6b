/**
 * A stand-in for Microsoft Entra ID's token endpoint, served by each simulator so the connectors' real
 * client-credentials code runs unchanged: `POST /{tenant}/oauth2/v2.0/token` (scope=…/.default) and the
 * v1 form `POST /{tenant}/oauth2/token` (resource=…) that F&O also accepts. Answers and errors copy
 * Entra's shapes. Tests can expire every issued token (`expireAll`) to exercise renewal on 401.
 */
import { randomBytes } from 'node:crypto';

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

export interface TokenIssuerOptions {
  clients: readonly ClientCredentials[];
  /** Lifetime of an issued token; Entra's is about an hour. */
  tokenLifetimeSeconds?: number;
  now?: () => number;
}

export interface TokenIssuer {
  /** Handles a token request body (form-encoded); returns the HTTP status and JSON body to send. */
  issue(form: URLSearchParams): { status: number; body: Record<string, unknown> };
  /** True when the Authorization header carries a live token. */
  verify(authorization: string | undefined): boolean;
  expireAll(): void;
  /** Number of tokens issued so far (tests assert caching). */
  readonly issued: number;
  /** The tokens issued and not yet expired by `expireAll` (tests look for them where none may be). */
  live(): string[];
}

export function createTokenIssuer({
  clients,
  tokenLifetimeSeconds = 3599,
  now = Date.now,
}: TokenIssuerOptions): TokenIssuer {
  const tokens = new Map<string, number>(); // token → expiry (ms)
  let issued = 0;
  const invalid = (error: string, description: string) => ({
    status: 400,
    body: {
      error,
      error_description: description,
      error_codes: [7000215],
      timestamp: new Date(now()).toISOString(),
    },
  });
  return {
    live: () => [...tokens.keys()],
    get issued() {
      return issued;
    },
    issue(form) {
      if (form.get('grant_type') !== 'client_credentials') {
        return invalid(
          'unsupported_grant_type',
          "AADSTS70003: The app requested an unsupported grant type ''.",
        );
      }
      if (!form.get('scope') && !form.get('resource')) {
        return invalid(
          'invalid_request',
          "AADSTS900144: The request body must contain the following parameter: 'scope'.",
        );
      }
      const client = clients.find((c) => c.clientId === form.get('client_id'));
      if (!client) {
        return invalid(
          'unauthorized_client',
          `AADSTS700016: Application with identifier '${form.get('client_id') ?? ''}' was not found in the directory.`,
        );
      }
      if (client.clientSecret !== form.get('client_secret')) {
        return invalid(
          'invalid_client',
          'AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.',
        );
      }
      const token = randomBytes(24).toString('base64url');
      tokens.set(token, now() + tokenLifetimeSeconds * 1000);
      issued += 1;
      return {
        status: 200,
        body: {
          token_type: 'Bearer',
          expires_in: tokenLifetimeSeconds,
          ext_expires_in: tokenLifetimeSeconds,
          access_token: token,
        },
      };
    },
    verify(authorization) {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
      const expiry = match ? tokens.get(match[1]!) : undefined;
      return expiry !== undefined && expiry > now();
    },
    expireAll() {
      tokens.clear();
    },
  };
}
