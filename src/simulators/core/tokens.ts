/**
 * A stand-in for Microsoft Entra ID's token endpoint, served by each simulator so the connectors' real
 * client-credentials code runs unchanged: `POST /{tenant}/oauth2/v2.0/token` (scope=…/.default) and the
 * v1 form `POST /{tenant}/oauth2/token` (resource=…) that F&O also accepts. A client proves itself with
 * its secret or with a client assertion signed by a registered certificate (client-assertion.ts). Answers
 * and errors copy Entra's shapes. Tests can expire every issued token (`expireAll`) to exercise renewal
 * on 401.
 */
import { randomBytes } from 'node:crypto';
import { checkClientAssertion, registerCertificate, type AssertionRefusal } from './client-assertion.js';

/** An app registration: its client id and the credentials uploaded for it. */
export interface ClientCredentials {
  clientId: string;
  /** The client secret, when the app has one. */
  clientSecret?: string;
  /** PEM X.509 certificates uploaded to the app; an assertion signed by one's key proves the client. */
  certificates?: readonly string[];
}

export interface TokenIssuerOptions {
  clients: readonly ClientCredentials[];
  /** Lifetime of an issued token; Entra's is about an hour. */
  tokenLifetimeSeconds?: number;
  now?: () => number;
}

export interface TokenIssuer {
  /**
   * Handles a token request body (form-encoded) posted to `tokenUrl` (the endpoint's own URL, the only
   * audience a client assertion may name); returns the HTTP status and JSON body to send.
   */
  issue(form: URLSearchParams, tokenUrl: string): { status: number; body: Record<string, unknown> };
  /** A new live token for a caller proven otherwise (a managed identity); the bearer check accepts it. */
  grant(): { accessToken: string; expiresInSeconds: number; expiresOnSeconds: number };
  /** True when the Authorization header carries a live token. */
  verify(authorization: string | undefined): boolean;
  expireAll(): void;
  /** Number of tokens issued so far (tests assert caching). */
  readonly issued: number;
  /** The tokens issued and not yet expired by `expireAll` (tests look for them where none may be). */
  live(): string[];
}

const jwtBearer = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export function createTokenIssuer({
  clients,
  tokenLifetimeSeconds = 3599,
  now = Date.now,
}: TokenIssuerOptions): TokenIssuer {
  // Parsed up front, so a bad fixture fails when the simulator starts rather than on first use.
  const certificatesOf = new Map(
    clients.map((c) => [c.clientId, (c.certificates ?? []).map((pem) => registerCertificate(pem))]),
  );
  const tokens = new Map<string, number>(); // token → expiry (ms)
  let issued = 0;
  const refuse = ({ error, code, description }: AssertionRefusal) => ({
    status: 400,
    body: {
      error,
      error_description: description,
      error_codes: [code],
      timestamp: new Date(now()).toISOString(),
    },
  });
  const grant = () => {
    const accessToken = randomBytes(24).toString('base64url');
    const expiresAtMs = now() + tokenLifetimeSeconds * 1000;
    tokens.set(accessToken, expiresAtMs);
    issued += 1;
    return {
      accessToken,
      expiresInSeconds: tokenLifetimeSeconds,
      expiresOnSeconds: Math.floor(expiresAtMs / 1000),
    };
  };
  return {
    live: () => [...tokens.keys()],
    get issued() {
      return issued;
    },
    grant,
    issue(form, tokenUrl) {
      if (form.get('grant_type') !== 'client_credentials') {
        return refuse({
          error: 'unsupported_grant_type',
          code: 70003,
          description: "AADSTS70003: The app requested an unsupported grant type ''.",
        });
      }
      if (!form.get('scope') && !form.get('resource')) {
        return refuse({
          error: 'invalid_request',
          code: 900144,
          description: "AADSTS900144: The request body must contain the following parameter: 'scope'.",
        });
      }
      const client = clients.find((c) => c.clientId === form.get('client_id'));
      if (!client) {
        return refuse({
          error: 'unauthorized_client',
          code: 700016,
          description: `AADSTS700016: Application with identifier '${form.get('client_id') ?? ''}' was not found in the directory.`,
        });
      }
      const assertion = form.get('client_assertion');
      const secret = form.get('client_secret');
      if (assertion && form.get('client_assertion_type') === jwtBearer) {
        const refusal = checkClientAssertion({
          assertion,
          clientId: client.clientId,
          certificates: certificatesOf.get(client.clientId) ?? [],
          audience: tokenUrl,
          nowMs: now(),
        });
        if (refusal) return refuse(refusal);
      } else if (secret) {
        if (client.clientSecret === undefined || client.clientSecret !== secret) {
          return refuse({
            error: 'invalid_client',
            code: 7000215,
            description:
              'AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.',
          });
        }
      } else {
        return refuse({
          error: 'invalid_client',
          code: 7000218,
          description:
            "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        });
      }
      const { accessToken, expiresInSeconds } = grant();
      return {
        status: 200,
        body: {
          token_type: 'Bearer',
          expires_in: expiresInSeconds,
          ext_expires_in: expiresInSeconds,
          access_token: accessToken,
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
