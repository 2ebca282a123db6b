/**
 * What the configuration says about authentication (src/server/auth.ts authenticates with it): the API
 * keys, held as SHA-256 digests, and how JWTs are verified. A leaf, so that the configuration can parse
 * `HUB_API_KEYS` and `HUB_JWT_…` without loading the authenticator.
 */
import { createHash } from 'node:crypto';
import type { Role } from '../graphql/roles.js';

/** An API key as the hub holds it: its role, a name for `requestedBy`, and the SHA-256 of its text. */
export interface ApiKey {
  role: Role;
  name: string;
  digest: Buffer;
}

export interface JwtSettings {
  /** Where the verification keys come from: the provider's JWKS URL, or a shared secret (HS256). */
  keys: { kind: 'jwks'; url: string } | { kind: 'secret'; secret: string };
  /** The `iss` every accepted token carries. */
  issuer: string;
  /** The `aud` every accepted token includes. */
  audience: string;
  /** The claim listing the caller's roles: a name, or a dotted path such as `realm_access.roles`. */
  rolesClaim: string;
}

/** What the configuration says about authentication; null: none (every caller is an operator). */
export interface AuthSettings {
  apiKeys: readonly ApiKey[];
  jwt: JwtSettings | null;
}

/** Whether a listening address is reachable from this machine only. */
export function isLoopbackHost(host: string): boolean {
  return /^(localhost|127(\.\d{1,3}){3}|::1|\[::1\])$/i.test(host);
}

/** The digest an API key is held as. */
export function digestApiKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}
