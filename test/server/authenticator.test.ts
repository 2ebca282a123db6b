/**
 * The authenticator on its own: bearer values in, a principal or a refusal a person can act on out.
 * API keys are held as digests only; JWTs are checked for signature, issuer, audience, expiry and
 * not-before, with roles read from the configured claim.
 */
import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { anonymousOperator } from '../../src/graphql/principal.js';
import { AuthError, authMessages, createAuthenticator, type JwtSettings } from '../../src/server/auth.js';
import {
  audience,
  issuer,
  signWithSecret,
  startIdentityProvider,
  type TestIdentityProvider,
} from '../support/auth.js';

const readerKey = 'reader-key-0123456789abcdefghij';
const operatorKey = 'operator-key-0123456789abcdefghij';
const secret = 'a-shared-secret-of-at-least-32-characters';

const keysOnly = () =>
  createAuthenticator(
    loadConfig({ HUB_API_KEYS: `reader:${readerKey},operator:ci-bot:${operatorKey}` }).auth,
  );

const withSecret = (jwt: Partial<JwtSettings> = {}) =>
  createAuthenticator({
    apiKeys: [],
    jwt: { keys: { kind: 'secret', secret }, issuer, audience, rolesClaim: 'roles', ...jwt },
  });

let idp: TestIdentityProvider;
beforeAll(async () => {
  idp = await startIdentityProvider();
});
afterAll(() => idp.close());

describe('API keys', () => {
  it('holds API keys only as SHA-256 digests: the authenticator contains no key text', () => {
    const authenticator = keysOnly();
    const seen = inspect(authenticator, { depth: null, showHidden: true, maxArrayLength: null });
    expect(seen).not.toContain(readerKey);
    expect(seen).not.toContain(operatorKey);
    expect(
      authenticator.apiKeys.map(({ role, name, digest }) => [role, name, digest.toString('hex')]),
    ).toEqual([
      ['reader', 'reader key 1', createHash('sha256').update(readerKey).digest('hex')],
      ['operator', 'ci-bot', createHash('sha256').update(operatorKey).digest('hex')],
    ]);
  });

  it('knows the caller of each key: its role and its name', async () => {
    const authenticator = keysOnly();
    expect(await authenticator.authenticate(`Bearer ${operatorKey}`)).toEqual({
      name: 'ci-bot',
      role: 'operator',
      via: 'api-key',
      expiresAt: null,
    });
    expect(await authenticator.authenticate(`bearer   ${readerKey} `)).toMatchObject({
      name: 'reader key 1',
      role: 'reader',
    });
  });

  it.each([
    ['no Authorization', undefined, authMessages.missing],
    ['an empty Authorization', '  ', authMessages.missing],
    ['Basic credentials', 'Basic dXNlcjpwYXNz', authMessages.malformed],
    ['a bare key', readerKey, authMessages.malformed],
    ['a wrong key', `Bearer ${readerKey}x`, authMessages.badKey],
    ['a JWT where only keys are accepted', 'Bearer aaa.bbb.ccc', authMessages.badKey],
  ])('refuses %s as UNAUTHENTICATED, never repeating it', async (_case, header, message) => {
    const outcome = await keysOnly().authenticate(header);
    expect(outcome).toEqual(new AuthError('UNAUTHENTICATED', message));
    if (header?.trim()) expect((outcome as AuthError).message).not.toContain(header.trim());
  });

  it('lets everyone in as the anonymous operator when nothing is configured', async () => {
    const open = createAuthenticator(null);
    expect(open.required).toBe(false);
    expect(await open.authenticate(undefined)).toBe(anonymousOperator);
    expect(await open.authenticate('Bearer whatever')).toBe(anonymousOperator);
  });
});

describe('JWTs', () => {
  it('accepts a token signed with the shared secret, named by preferred_username, then email, then sub', async () => {
    const authenticator = withSecret();
    const named = await signWithSecret(secret, {
      sub: 'u-1',
      email: 'ada@contoso.com',
      preferred_username: 'ada',
      roles: ['operator'],
    });
    expect(await authenticator.authenticate(`Bearer ${named}`)).toMatchObject({
      name: 'ada',
      role: 'operator',
      via: 'jwt',
    });
    const byEmail = await signWithSecret(secret, { sub: 'u-1', email: 'ada@contoso.com', roles: 'reader' });
    expect(await authenticator.authenticate(`Bearer ${byEmail}`)).toMatchObject({
      name: 'ada@contoso.com',
      role: 'reader',
    });
    const bySub = await signWithSecret(secret, { sub: 'u-1', roles: 'reader' });
    expect(await authenticator.authenticate(`Bearer ${bySub}`)).toMatchObject({ name: 'u-1' });
  });

  it('accepts a token signed with a key from the JWKS, fetching the keys once', async () => {
    const authenticator = createAuthenticator({
      apiKeys: [],
      jwt: { keys: { kind: 'jwks', url: idp.jwksUrl }, issuer, audience, rolesClaim: 'roles' },
    });
    const before = idp.fetches;
    for (const name of ['ada', 'grace']) {
      const token = await idp.sign({ sub: name, roles: ['reader'] });
      expect(await authenticator.authenticate(`Bearer ${token}`)).toMatchObject({ name, role: 'reader' });
    }
    expect(idp.fetches - before).toBe(1);
  });

  it.each([
    ['an array', 'roles', { roles: ['Reader', 'operator', 'other'] }, 'operator'],
    ['a string of names', 'roles', { roles: 'reader operator' }, 'operator'],
    ['one name', 'scope_roles', { scope_roles: 'reader' }, 'reader'],
    ['a dotted path', 'realm_access.roles', { realm_access: { roles: ['reader'] } }, 'reader'],
    [
      'a claim named like a URL',
      'https://contoso.com/roles',
      { 'https://contoso.com/roles': ['operator'] },
      'operator',
    ],
  ])('reads the roles from %s (%s)', async (_case, rolesClaim, claims, role) => {
    const token = await signWithSecret(secret, { sub: 'u-1', ...claims });
    expect(await withSecret({ rolesClaim }).authenticate(`Bearer ${token}`)).toMatchObject({ role });
  });

  it('refuses a valid token that grants no hub role as FORBIDDEN, naming the claim', async () => {
    const token = await signWithSecret(secret, { sub: 'u-1', roles: ['admin'] });
    expect(await withSecret().authenticate(`Bearer ${token}`)).toEqual(
      new AuthError(
        'FORBIDDEN',
        "The token grants no hub role (reader or operator) in its 'roles' claim; ask an administrator for one.",
      ),
    );
  });

  it.each([
    ['an expired token', { expiresIn: -120 }, 'The token has expired; sign in again.'],
    [
      'a token not valid yet',
      { notBefore: 600 },
      'The token is not valid yet (nbf); check the clocks, or try again in a moment.',
    ],
    [
      'a token for another audience',
      { audience: 'api://other' },
      `The token is for another audience; request one for ${audience}.`,
    ],
    [
      'a token from another issuer',
      { issuer: 'https://evil.example/' },
      `The token was issued by another issuer; sign in through ${issuer}.`,
    ],
    [
      'a token that never expires',
      { expiresIn: null },
      'The token has no expiry (exp); the hub accepts only tokens that expire.',
    ],
  ])('refuses %s with a message saying what to do', async (_case, options, message) => {
    const token = await signWithSecret(secret, { sub: 'u-1', roles: ['operator'] }, options);
    expect(await withSecret().authenticate(`Bearer ${token}`)).toEqual(
      new AuthError('UNAUTHENTICATED', message),
    );
  });

  it('tolerates a little clock skew on expiry', async () => {
    const token = await signWithSecret(secret, { sub: 'u-1', roles: ['reader'] }, { expiresIn: -5 });
    expect(await withSecret().authenticate(`Bearer ${token}`)).toMatchObject({ role: 'reader' });
  });

  it('refuses a token signed with another secret, or an HS256 token where the JWKS signs', async () => {
    const forged = await signWithSecret('another-secret-of-at-least-32-characters', {
      sub: 'u',
      roles: 'operator',
    });
    expect(await withSecret().authenticate(`Bearer ${forged}`)).toEqual(
      new AuthError('UNAUTHENTICATED', "The token's signature is not valid; sign in again."),
    );
    const jwks = createAuthenticator({
      apiKeys: [],
      jwt: { keys: { kind: 'jwks', url: idp.jwksUrl }, issuer, audience, rolesClaim: 'roles' },
    });
    expect(await jwks.authenticate(`Bearer ${forged}`)).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('says the identity provider is unavailable, not that the caller is wrong, when the JWKS cannot be fetched', async () => {
    const authenticator = createAuthenticator(
      {
        apiKeys: [],
        jwt: {
          keys: { kind: 'jwks', url: 'http://127.0.0.1:9/keys' },
          issuer,
          audience,
          rolesClaim: 'roles',
        },
      },
      { jwksTimeoutMs: 500 },
    );
    const token = await idp.sign({ sub: 'u-1', roles: ['reader'] });
    expect(await authenticator.authenticate(`Bearer ${token}`)).toEqual(
      new AuthError(
        'UPSTREAM_UNAVAILABLE',
        "The identity provider's keys could not be fetched to check the token; try again later.",
      ),
    );
  });

  it('takes API keys and JWTs side by side', async () => {
    const both = createAuthenticator({
      apiKeys: keysOnly().apiKeys,
      jwt: { keys: { kind: 'secret', secret }, issuer, audience, rolesClaim: 'roles' },
    });
    expect(await both.authenticate(`Bearer ${operatorKey}`)).toMatchObject({ name: 'ci-bot' });
    const token = await signWithSecret(secret, { sub: 'ada', roles: 'reader' });
    expect(await both.authenticate(`Bearer ${token}`)).toMatchObject({ name: 'ada', via: 'jwt' });
    expect(await both.authenticate('Bearer not-a-key-nor-a-token-at-all')).toEqual(
      new AuthError('UNAUTHENTICATED', authMessages.badKey),
    );
  });
});
