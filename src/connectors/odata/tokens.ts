/**
 * Microsoft Entra ID access tokens for one system, acquired with Microsoft's own library (msal-node):
 * client credentials with a secret or a certificate (`POST {authority}/{tenant}/oauth2/v2.0/token`,
 * `scope={environment URL}/.default`), or the managed identity of the machine (the Azure instance
 * metadata service, or App Service's identity endpoint, as msal-node finds them from the environment).
 *
 * Tokens live about an hour. One is kept per provider and renewed shortly before it expires; callers
 * arriving while a request is under way share it, so a burst of requests costs one token request. The
 * hub asks msal for a new token only when it needs one (msal's own cache is skipped), so renewal and a
 * 401's invalidation behave the same for every credential.
 *
 * msal-node accepts only https authorities. A plain-http authority on loopback (the simulators, a local
 * stand-in for Entra ID) is named to msal with https and given its endpoints up front, so msal never
 * fetches a discovery document and posts to the http token endpoint; any other authority is https (the
 * configuration refuses the rest) and msal discovers it as it does Entra ID's national clouds.
 *
 * A secret, private key or client assertion never appears in an error or a log line.
 */
import {
  AuthError,
  ConfidentialClientApplication,
  type INetworkModule,
  ManagedIdentityApplication,
  type NetworkRequestOptions,
  type NetworkResponse,
  ServerError,
} from '@azure/msal-node';
import type { Credential } from './credentials.js';
import type { SystemName } from '../../vocabulary.js';
import { redactSecrets, transportFailureReason } from './errors.js';
import { traceTokenRequest } from './tracing.js';
import { tracingEnabled } from '../../tracing/tracer.js';

export interface TokenProvider {
  /** A valid access token, from the cache when it is not about to expire. */
  getToken(): Promise<string>;
  /**
   * Drops the cached token (after a 401). Pass the token that was refused: when another caller has
   * already renewed it, the new token is kept.
   */
  invalidate(token?: string): void;
}

export interface TokenProviderOptions {
  /** Whose tokens these are: named on every TokenError. */
  system?: SystemName;
  credential: Credential;
  /** e.g. `https://login.microsoftonline.com`, `https://login.microsoftonline.us`, or a simulator's origin. */
  authorityUrl: string;
  /** e.g. `https://org.crm.dynamics.com/.default` (a managed identity asks for the resource before `/.default`). */
  scope: string;
  /** Renew this long before expiry, so a token never lapses mid-request. Default 5 min. */
  renewBeforeExpiryMs?: number;
  /** Give up on the token endpoint after this long. Default 30 s. */
  timeoutMs?: number;
  /** Clock, for tests. Default Date.now. */
  now?: () => number;
}

/**
 * The authority refused or failed. `code` is Entra's `error` (`invalid_client`), `network`, or msal's
 * code; `system` the system the token was for, when the provider was told.
 */
export class TokenError extends Error {
  override name = 'TokenError';
  readonly system: SystemName | undefined;
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    options?: { cause?: unknown; system?: SystemName },
  ) {
    super(message, options);
    this.system = options?.system;
  }
}

interface CachedToken {
  value: string;
  renewAt: number;
}

interface Acquired {
  accessToken: string;
  expiresOn: Date | null;
}

export function createTokenProvider({
  system,
  credential,
  authorityUrl,
  scope,
  renewBeforeExpiryMs = 5 * 60_000,
  timeoutMs = 30_000,
  now = Date.now,
}: TokenProviderOptions): TokenProvider {
  const network = createNetwork(timeoutMs);
  const { acquire, endpoint, who } = acquirer(credential, authorityUrl, scope, network.client);
  let cached: CachedToken | undefined;
  let inFlight: Promise<string> | undefined;

  async function fetchToken(): Promise<string> {
    const requestedAt = now();
    const startedAt = Date.now();
    let result: Acquired;
    try {
      result = await acquire();
    } catch (error) {
      throw tokenError(error, {
        context: `${who} at ${endpoint}`,
        status: network.lastStatus,
        secrets: secretsOf(credential),
        ...(system && { system }),
      });
    }
    // msal states the expiry on the wall clock; the lifetime is measured against it, the renewal on `now`.
    const lifetimeMs = result.expiresOn ? Math.max(0, result.expiresOn.getTime() - startedAt) : 3_599_000;
    // With a token shorter-lived than the renewal margin, renew at half-life instead of on every call.
    const margin = Math.min(renewBeforeExpiryMs, lifetimeMs / 2);
    cached = { value: result.accessToken, renewAt: requestedAt + lifetimeMs - margin };
    return result.accessToken;
  }

  return {
    getToken() {
      if (cached && now() < cached.renewAt) return Promise.resolve(cached.value);
      inFlight ??= (tracingEnabled ? traceTokenRequest(endpoint, fetchToken) : fetchToken()).finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
    invalidate(token) {
      if (token === undefined || cached?.value === token) cached = undefined;
    },
  };
}

interface Acquirer {
  acquire: () => Promise<Acquired>;
  /** Where tokens come from, for errors and traces (never with a secret in it). */
  endpoint: string;
  /** Who asks, for errors: `client hub-client`, `the system-assigned managed identity`. */
  who: string;
}

function acquirer(
  credential: Credential,
  authorityUrl: string,
  scope: string,
  networkClient: INetworkModule,
): Acquirer {
  const system = { networkClient, disableInternalRetries: true };
  if (credential.kind === 'managed-identity') {
    const app = new ManagedIdentityApplication({
      ...(credential.clientId !== undefined && {
        managedIdentityIdParams: { userAssignedClientId: credential.clientId },
      }),
      system,
    });
    const resource = scope.replace(/\/\.default$/, '');
    return {
      // The hub keeps the token itself (see the top): msal's cache would hand back the one just refused.
      acquire: () => app.acquireToken({ resource, forceRefresh: true }),
      endpoint: `managed identity (${app.getManagedIdentitySource()})`,
      who: credential.clientId
        ? `managed identity ${credential.clientId}`
        : 'the system-assigned managed identity',
    };
  }
  const authority = msalAuthority(authorityUrl, credential.tenantId);
  const app = new ConfidentialClientApplication({
    auth: {
      clientId: credential.clientId,
      authority: authority.authority,
      ...authority.metadata,
      ...(credential.kind === 'client-secret'
        ? { clientSecret: credential.clientSecret }
        : {
            clientCertificate: {
              thumbprintSha256: credential.certificate.thumbprintSha256,
              privateKey: credential.certificate.privateKey,
            },
          }),
    },
    system,
  });
  return {
    acquire: () => app.acquireTokenByClientCredential({ scopes: [scope], skipCache: true }).then(required),
    endpoint: authority.tokenEndpoint,
    who: `client ${credential.clientId}`,
  };
}

function required(result: Acquired | null): Acquired {
  if (!result?.accessToken) throw new TokenError('no_token', 'the authority answered without a token', 200);
  return result;
}

interface MsalAuthority {
  authority: string;
  tokenEndpoint: string;
  /** For a loopback http authority: the endpoints msal would otherwise discover over https. */
  metadata: { knownAuthorities: string[]; authorityMetadata: string } | Record<string, never>;
}

function msalAuthority(authorityUrl: string, tenantId: string): MsalAuthority {
  const url = new URL(authorityUrl);
  const path = `${url.pathname.replace(/\/+$/, '')}/${encodeURIComponent(tenantId)}`;
  const base = `${url.origin}${path}`;
  const tokenEndpoint = `${base}/oauth2/v2.0/token`;
  if (url.protocol === 'https:') return { authority: base, tokenEndpoint, metadata: {} };
  const named = `https://${url.host}${path}`;
  return {
    authority: named,
    tokenEndpoint,
    metadata: {
      knownAuthorities: [url.host],
      authorityMetadata: JSON.stringify({
        token_endpoint: tokenEndpoint,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        end_session_endpoint: `${base}/oauth2/v2.0/logout`,
        issuer: `${named}/v2.0`,
        jwks_uri: `${base}/discovery/v2.0/keys`,
      }),
    },
  };
}

/**
 * msal's HTTP, done with fetch and a timeout on every request (msal's own has none on POST). It notes the
 * status of the last answer, which msal's errors do not always carry.
 */
function createNetwork(timeoutMs: number): { client: INetworkModule; readonly lastStatus: number } {
  let lastStatus = 0;
  async function send<T>(
    url: string,
    method: 'GET' | 'POST',
    options?: NetworkRequestOptions,
  ): Promise<NetworkResponse<T>> {
    lastStatus = 0;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        ...(options?.headers && { headers: options.headers }),
        ...(method === 'POST' && { body: options?.body ?? '' }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new TokenError('network', `no answer (${reason(error)})`, 0, { cause: error });
    }
    lastStatus = response.status;
    const text = await response.text();
    let body: unknown;
    try {
      body = text === '' ? {} : JSON.parse(text);
    } catch {
      throw new TokenError(
        `http_${response.status}`,
        `HTTP ${response.status} with a body that is not JSON`,
        response.status,
      );
    }
    return { headers: Object.fromEntries(response.headers), body: body as T, status: response.status };
  }
  return {
    client: {
      sendGetRequestAsync: (url, options) => send(url, 'GET', options),
      sendPostRequestAsync: (url, options) => send(url, 'POST', options),
    },
    get lastStatus() {
      return lastStatus;
    },
  };
}

/** One TokenError for whatever msal or the network threw: Entra's code and description, nothing secret. */
interface FailureContext {
  /** Who asked where: `client hub-client at https://…/token`. */
  context: string;
  /** The last answer's status, which msal's errors do not always carry. */
  status: number;
  /** What the text must never hold. */
  secrets: string[];
  system?: SystemName;
}

function tokenError(error: unknown, failure: FailureContext): TokenError {
  const { context, status, secrets, system } = failure;
  // Only what the server said can echo a secret. A very short "secret" is not searched for: it would
  // blot out ordinary letters of the message (Entra secrets are 40 characters).
  const clean = (detail: string) =>
    redactSecrets(
      secrets
        .filter((secret) => secret.length >= 8)
        .reduce(
          (text, secret) => text.split(secret).join('[redacted]'),
          `Token request for ${context} failed: ${detail}`,
        ),
    );
  if (error instanceof TokenError) {
    return new TokenError(error.code, clean(error.message), error.status || status, {
      cause: error,
      ...(system && { system }),
    });
  }
  if (error instanceof AuthError) {
    // A network failure inside msal wraps ours; its own code is the generic `network_error`.
    const inner = (error as { error?: unknown }).error ?? error.cause;
    if (inner instanceof TokenError) return tokenError(inner, failure);
    const httpStatus = error instanceof ServerError && error.status ? error.status : status;
    // Entra's `error` is a word; a body of another shape (an OData error object) leaves msal with none.
    const code =
      typeof error.errorCode === 'string' && /^\w+$/.test(error.errorCode)
        ? error.errorCode
        : httpStatus
          ? `http_${httpStatus}`
          : 'token_error';
    const description = descriptionOf(error.errorMessage);
    // msal's error is not kept as the cause: its text may hold what the server echoed of a secret.
    return new TokenError(code, clean(`${code}${description ? `: ${description}` : ''}`), httpStatus, {
      ...(system && { system }),
    });
  }
  return new TokenError('token_error', clean(String(error)), status, { ...(system && { system }) });
}

/** What a token error's text must never hold. */
function secretsOf(credential: Credential): string[] {
  if (credential.kind === 'client-secret') return [credential.clientSecret];
  if (credential.kind === 'certificate') return [credential.certificate.privateKey];
  return [];
}

/**
 * What the server said is wrong. msal frames Entra's `error_description` as `Error(s): … - Timestamp: …
 * - Description: … - Correlation ID: … - Trace ID: …`; the description's first line is what a person
 * acts on (Entra's own carries trace and correlation ids on further lines).
 */
function descriptionOf(message: string | undefined): string {
  const text = message ?? '';
  const framed = /Description: ([\s\S]*?) - Correlation ID:/.exec(text)?.[1] ?? text;
  const description = framed.split(/\r?\n/)[0]!.trim();
  return description === 'Not Available' ? '' : description;
}

function reason(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'timed out';
  return transportFailureReason(error) ?? String(error);
}
