/**
 * Who is calling, and what they may do. The server's authenticator (src/server/auth.ts) turns a bearer
 * token into a `Principal` for both transports; resolvers ask `requireRole` before anything that changes
 * state, so the role rules live here and nowhere else.
 */
import { HubError } from './errors.js';
import { roles, type Role } from './roles.js';

export { roles, type Role };

export interface Principal {
  /**
   * The caller's name, recorded as a run's `requestedBy`: an API key's name, a token's
   * `preferred_username`, `email` or `sub`. Null for the anonymous caller of a hub without authentication.
   */
  name: string | null;
  /** The strongest role granted. */
  role: Role;
  /** How the caller proved who they are. */
  via: 'api-key' | 'jwt' | 'none';
  /**
   * When the hub stops accepting the credential (a token's `exp` plus the clock tolerance); null when it
   * does not expire (API keys). A WebSocket opened with it is closed then.
   */
  expiresAt: Date | null;
}

/**
 * The caller of a hub with no authentication configured (the embedded local try-out): everyone is an
 * operator, which is why such a hub listens on loopback only.
 */
export const anonymousOperator: Principal = Object.freeze({
  name: null,
  role: 'operator',
  via: 'none',
  expiresAt: null,
});

/** Whether `principal` holds `role` or a stronger one. */
export function hasRole(principal: Principal, role: Role): boolean {
  return roles.indexOf(principal.role) >= roles.indexOf(role);
}

/** The strongest of the given roles; undefined when there is none. */
export function strongestRole(granted: Iterable<Role>): Role | undefined {
  let strongest: Role | undefined;
  for (const role of granted) {
    if (strongest === undefined || roles.indexOf(role) > roles.indexOf(strongest)) strongest = role;
  }
  return strongest;
}

/**
 * Throws FORBIDDEN unless the caller holds `role`; the message names the action, the role it needs and
 * the role the caller has, so a person knows whom to ask for what.
 */
export function requireRole(context: { principal: Principal }, role: Role, action: string): void {
  const { principal } = context;
  if (hasRole(principal, role)) return;
  throw new HubError(
    'FORBIDDEN',
    `${action} needs the ${role} role; ${principal.name ?? 'this caller'} has only ${principal.role}. Ask an administrator for a key or token with the ${role} role.`,
    { requiredRole: role },
  );
}
