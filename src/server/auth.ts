/**
 * Who is calling: one authenticator for both transports turns the bearer token of an HTTP request's
 * `Authorization` header, or of a graphql-ws `connection_init` payload, into a `Principal` — or into an
 * `AuthError` with a message a person can act on (never the token itself).
 *
 * Two kinds of token are accepted:
 * - API keys (`HUB_API_KEYS`), held only as SHA-256 digests and compared in constant time: the digest of
 *   the presented token against every configured digest, all of the same length, so neither a key's text
 *   nor how much of it matched shows in memory or in timing;
 * - JWTs from an OpenID Connect provider (keys from its JWKS URL) or signed with a shared secret (HS256),
 *   verified with jose: signature, issuer, audience, expiry (required) and not-before, with a small clock
 *   tolerance; roles from a configurable claim.
 */
import { timingSafeEqual } from 'node:crypto';
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyOptions } from 'jose';
import { anonymousOperator, type Principal, type Role, roles, strongestRole } from '../graphql/principal.js';
import { type ApiKey, type AuthSettings, digestApiKey, type JwtSettings } from './auth-settings.js';

export type { ApiKey, AuthSettings, JwtSettings } from './auth-settings.js';

export type AuthErrorCode = 'UNAUTHENTICATED' | 'FORBIDDEN' | 'UPSTREAM_UNAVAILABLE';

/** A refused caller: UNAUTHENTICATED (no or bad credentials), FORBIDDEN (no hub role), or the provider down. */
export class AuthError {
  constructor(
    readonly code: AuthErrorCode,
    readonly message: string,
  ) {}
}

export interface Authenticator {
  /** False when no authentication is configured: every caller is the anonymous operator. */
  readonly required: boolean;
  /** The API keys as held: role, name and digest; never the key text. */
  readonly apiKeys: readonly ApiKey[];
  /** The caller behind an `Authorization` value (`Bearer <API key or JWT>`), or why they are refused. */
  authenticate(authorization: string | undefined): Promise<Principal | AuthError>;
}

export interface AuthenticatorOptions {
  /** Leeway for `exp` and `nbf` between the provider's clock and ours; default 30 seconds. */
  clockToleranceSeconds?: number;
  /** How long fetching the JWKS may take; default 5,000 ms. */
  jwksTimeoutMs?: number;
}

const bearer = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;
const jwtShape = /^[\w-]+\.[\w-]+\.[\w-]*$/;
// Public-key algorithms only: a JWKS holds public keys, and accepting HS* with them would let anyone
// who knows a public key sign tokens.
const asymmetricAlgorithms = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
];

export const authMessages = {
  missing:
    'Authentication required: send Authorization: Bearer <API key or token> (WebSocket: in the connection_init payload).',
  malformed: "The Authorization value must be 'Bearer <API key or token>'.",
  badKey: 'The API key is not valid: check it, or ask an administrator for a new one.',
  notJwt: 'The bearer token is not a JWT: sign in with the identity provider to get one.',
} as const;

export function createAuthenticator(
  settings: AuthSettings | null,
  { clockToleranceSeconds = 30, jwksTimeoutMs = 5_000 }: AuthenticatorOptions = {},
): Authenticator {
  if (!settings || (settings.apiKeys.length === 0 && !settings.jwt)) {
    return { required: false, apiKeys: [], authenticate: () => Promise.resolve(anonymousOperator) };
  }
  const apiKeys = Object.freeze(settings.apiKeys.map((key) => Object.freeze({ ...key })));
  const verifyJwt = settings.jwt
    ? createJwtVerifier(settings.jwt, clockToleranceSeconds, jwksTimeoutMs)
    : null;
  return {
    required: true,
    apiKeys,
    async authenticate(authorization) {
      if (authorization === undefined || authorization.trim() === '')
        return new AuthError('UNAUTHENTICATED', authMessages.missing);
      const token = bearer.exec(authorization.trim())?.[1];
      if (!token) return new AuthError('UNAUTHENTICATED', authMessages.malformed);
      const key = matchApiKey(apiKeys, token);
      if (key) return { name: key.name, role: key.role, via: 'api-key', expiresAt: null };
      if (verifyJwt && jwtShape.test(token)) return verifyJwt(token);
      return new AuthError('UNAUTHENTICATED', apiKeys.length > 0 ? authMessages.badKey : authMessages.notJwt);
    },
  };
}

/** The key whose digest equals the token's; every key is compared, so timing says nothing of which. */
function matchApiKey(keys: readonly ApiKey[], token: string): ApiKey | undefined {
  const digest = digestApiKey(token);
  let match: ApiKey | undefined;
  for (const key of keys) {
    if (timingSafeEqual(digest, key.digest) && !match) match = key;
  }
  return match;
}

function createJwtVerifier(
  jwt: JwtSettings,
  clockToleranceSeconds: number,
  jwksTimeoutMs: number,
): (token: string) => Promise<Principal | AuthError> {
  const key =
    jwt.keys.kind === 'jwks'
      ? createRemoteJWKSet(new URL(jwt.keys.url), { timeoutDuration: jwksTimeoutMs })
      : new TextEncoder().encode(jwt.keys.secret);
  const options: JWTVerifyOptions = {
    issuer: jwt.issuer,
    audience: jwt.audience,
    clockTolerance: clockToleranceSeconds,
    requiredClaims: ['exp'],
    algorithms: jwt.keys.kind === 'jwks' ? asymmetricAlgorithms : ['HS256'],
  };
  return async (token) => {
    let payload: JWTPayload;
    try {
      // Two overloads (a key or a key resolver): the branches keep each call typed.
      payload =
        key instanceof Uint8Array
          ? (await jwtVerify(token, key, options)).payload
          : (await jwtVerify(token, key, options)).payload;
    } catch (error) {
      return jwtRefusal(error, jwt);
    }
    const role = strongestRole(rolesIn(claimAt(payload, jwt.rolesClaim)));
    if (!role) {
      return new AuthError(
        'FORBIDDEN',
        `The token grants no hub role (${roles.join(' or ')}) in its '${jwt.rolesClaim}' claim; ask an administrator for one.`,
      );
    }
    return {
      name: principalName(payload),
      role,
      via: 'jwt',
      // Accepted up to the tolerance past `exp`, so a WebSocket opened with it stays open as long.
      expiresAt:
        typeof payload.exp === 'number' ? new Date((payload.exp + clockToleranceSeconds) * 1000) : null,
    };
  };
}

/** Why jose refused a token, in words a person can act on; a provider that cannot be reached is not their fault. */
function jwtRefusal(error: unknown, jwt: JwtSettings): AuthError {
  const refuse = (message: string) => new AuthError('UNAUTHENTICATED', message);
  if (error instanceof errors.JWTExpired) return refuse('The token has expired; sign in again.');
  if (error instanceof errors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'iss':
        return refuse(`The token was issued by another issuer; sign in through ${jwt.issuer}.`);
      case 'aud':
        return refuse(`The token is for another audience; request one for ${jwt.audience}.`);
      case 'nbf':
        return refuse('The token is not valid yet (nbf); check the clocks, or try again in a moment.');
      case 'exp':
        return refuse('The token has no expiry (exp); the hub accepts only tokens that expire.');
      default:
        return refuse(`The token's '${error.claim}' claim is not valid; sign in again.`);
    }
  }
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return refuse("The token's signature is not valid; sign in again.");
  if (error instanceof errors.JWKSNoMatchingKey)
    return refuse('The token was signed with a key the identity provider does not publish; sign in again.');
  if (error instanceof errors.JOSEAlgNotAllowed)
    return refuse("The token's signing algorithm is not accepted; sign in through the identity provider.");
  if (
    error instanceof errors.JWTInvalid ||
    error instanceof errors.JWSInvalid ||
    error instanceof errors.JOSENotSupported
  )
    return refuse('The token is malformed; sign in again.');
  // The JWKS could not be fetched or read (timeout, network, not 200, not JSON): try again later.
  return new AuthError(
    'UPSTREAM_UNAVAILABLE',
    "The identity provider's keys could not be fetched to check the token; try again later.",
  );
}

/** A claim by its exact name (claims may be URLs with dots), else by a dotted path. */
function claimAt(payload: JWTPayload, claim: string): unknown {
  if (claim in payload) return payload[claim];
  let value: unknown = payload;
  for (const part of claim.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** The hub roles in a claim: an array of strings, or one string of names separated by spaces or commas. */
function rolesIn(value: unknown): Role[] {
  const names = Array.isArray(value)
    ? value.filter((item): item is string => typeof item === 'string')
    : typeof value === 'string'
      ? value.split(/[\s,]+/)
      : [];
  return names
    .map((name) => name.trim().toLowerCase())
    .filter((name): name is Role => (roles as readonly string[]).includes(name));
}

function principalName(payload: JWTPayload): string | null {
  for (const claim of ['preferred_username', 'email', 'sub']) {
    const value = payload[claim];
    if (typeof value === 'string' && value !== '') return value;
  }
  return null;
}
