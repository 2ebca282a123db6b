/**
 * Microsoft Entra ID client-credentials tokens (OAuth 2.0, v2.0 endpoint) for both systems:
 * `POST {authority}/{tenant}/oauth2/v2.0/token` with `scope={environment URL}/.default`.
 *
 * Tokens live about an hour. One is cached per provider and renewed shortly before it expires; callers
 * arriving while a request is under way share it, so a burst of requests costs one token request. The
 * client secret is sent only in the form body and never appears in an error or a log line.
 */
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

export interface ClientCredentialsOptions {
  /** e.g. `https://login.microsoftonline.com`, or a simulator's origin. */
  authorityUrl: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** e.g. `https://org.crm.dynamics.com/.default`. */
  scope: string;
  /** Default: the global fetch. */
  fetch?: typeof globalThis.fetch;
  /** Renew this long before expiry, so a token never lapses mid-request. Default 5 min. */
  renewBeforeExpiryMs?: number;
  /** Give up on the token endpoint after this long. Default 30 s. */
  timeoutMs?: number;
  /** Clock, for tests. Default Date.now. */
  now?: () => number;
}

/** The token endpoint refused or failed. `code` is Entra's `error` (`invalid_client`), or `http_<status>`. */
export class TokenError extends Error {
  override name = 'TokenError';
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

interface CachedToken {
  value: string;
  renewAt: number;
}

export function createClientCredentialsTokenProvider({
  authorityUrl,
  tenantId,
  clientId,
  clientSecret,
  scope,
  fetch: fetchImpl = globalThis.fetch,
  renewBeforeExpiryMs = 5 * 60_000,
  timeoutMs = 30_000,
  now = Date.now,
}: ClientCredentialsOptions): TokenProvider {
  const endpoint = `${authorityUrl.replace(/\/+$/, '')}/${encodeURIComponent(tenantId)}/oauth2/v2.0/token`;
  let cached: CachedToken | undefined;
  let inFlight: Promise<string> | undefined;

  async function fetchToken(): Promise<string> {
    const requestedAt = now();
    const form = new URLSearchParams({
      client_id: clientId,
      client_secret: clientSecret,
      grant_type: 'client_credentials',
      scope,
    });
    const context = { endpoint, clientId, clientSecret };
    let response: Response;
    try {
      response = await fetchImpl(endpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body: form.toString(),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new TokenError('network', describe(context, `no answer (${reason(error)})`), 0, { cause: error });
    }
    const text = await response.text();
    const body = parseTokenBody(text);
    if (!response.ok || typeof body.access_token !== 'string') {
      const code = typeof body.error === 'string' ? body.error : `http_${response.status}`;
      const detail = typeof body.error_description === 'string' ? `: ${body.error_description}` : '';
      throw new TokenError(code, describe(context, `${code}${detail}`), response.status);
    }
    const lifetimeMs = (Number(body.expires_in) || 3599) * 1000;
    // With a token shorter-lived than the renewal margin, renew at half-life instead of on every call.
    const margin = Math.min(renewBeforeExpiryMs, lifetimeMs / 2);
    cached = { value: body.access_token, renewAt: requestedAt + lifetimeMs - margin };
    return body.access_token;
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

interface TokenBody {
  access_token?: unknown;
  expires_in?: unknown;
  error?: unknown;
  error_description?: unknown;
}

function parseTokenBody(text: string): TokenBody {
  try {
    const body = JSON.parse(text) as unknown;
    return typeof body === 'object' && body !== null ? (body as TokenBody) : {};
  } catch {
    return {};
  }
}

/** Names the endpoint and client (public identifiers) and never the secret, even if a server echoed it. */
function describe(
  context: { endpoint: string; clientId: string; clientSecret: string },
  detail: string,
): string {
  // Only what the server said can echo the secret. A very short "secret" is not searched for: it would
  // blot out ordinary letters of the message (Entra secrets are 40 characters).
  const echoed =
    context.clientSecret.length >= 8 ? detail.split(context.clientSecret).join('[redacted]') : detail;
  return redactSecrets(
    `Token request for client ${context.clientId} at ${context.endpoint} failed: ${echoed}`,
  );
}

function reason(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'timed out';
  return transportFailureReason(error) ?? String(error);
}
