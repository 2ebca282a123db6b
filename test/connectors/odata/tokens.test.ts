import { afterEach, describe, expect, it } from 'vitest';
import { type ClientCertificate, readClientCertificate } from '../../../src/connectors/odata/credentials.js';
import { createTokenProvider, TokenError } from '../../../src/connectors/odata/tokens.js';
import { createSalesSimulator, type SalesSimulator } from '../../../src/simulators/sales/index.js';
import { fixturePassword, readCredentialFile as read, tokenFailure } from '../../support/credentials.js';
import { send, startServer, type TestServer } from './http-server.js';

const secret = 'sup3r-s3cret-value';
let server: TestServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** An Entra-like token endpoint issuing token-1, token-2, … with the given lifetime. */
async function startAuthority(expiresIn = 3599): Promise<TestServer> {
  let issued = 0;
  server = await startServer((request, response) => {
    const form = new URLSearchParams(request.body);
    if (form.get('client_secret') !== secret) {
      return send(response, 400, {
        error: 'invalid_client',
        error_description: `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${form.get('client_id')}'. Got ${form.get('client_secret')}.`,
      });
    }
    issued += 1;
    send(response, 200, { token_type: 'Bearer', expires_in: expiresIn, access_token: `token-${issued}` });
  });
  return server;
}

function provider(authority: TestServer, overrides: { clientSecret?: string; now?: () => number } = {}) {
  const { clientSecret = secret, now } = overrides;
  return createTokenProvider({
    authorityUrl: `${authority.origin}/`,
    credential: {
      kind: 'client-secret',
      tenantId: 'contoso.onmicrosoft.com',
      clientId: 'hub-client',
      clientSecret,
    },
    scope: 'https://org.crm.dynamics.com/.default',
    ...(now && { now }),
  });
}

describe('client-credentials tokens', () => {
  it('posts the client-credentials form to {authority}/{tenant}/oauth2/v2.0/token', async () => {
    const authority = await startAuthority();
    await provider(authority).getToken();
    const [request] = authority.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url.split('?')[0]).toBe('/contoso.onmicrosoft.com/oauth2/v2.0/token');
    expect(request?.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(Object.fromEntries(new URLSearchParams(request?.body))).toMatchObject({
      client_id: 'hub-client',
      client_secret: secret,
      grant_type: 'client_credentials',
      scope: 'https://org.crm.dynamics.com/.default',
    });
  });

  it('fetches a token once and caches it across calls, concurrent ones included', async () => {
    const authority = await startAuthority();
    const tokens = provider(authority);
    const concurrent = await Promise.all([tokens.getToken(), tokens.getToken(), tokens.getToken()]);
    expect(concurrent).toEqual(['token-1', 'token-1', 'token-1']);
    expect(await tokens.getToken()).toBe('token-1');
    expect(authority.requests).toHaveLength(1);
  });

  it('renews the token when it is within five minutes of expiry', async () => {
    const authority = await startAuthority(3600);
    let now = 1_000_000;
    const tokens = provider(authority, { now: () => now });
    expect(await tokens.getToken()).toBe('token-1');
    now += 54 * 60_000; // 6 minutes left: still good
    expect(await tokens.getToken()).toBe('token-1');
    now += 2 * 60_000; // 4 minutes left: renew
    expect(await tokens.getToken()).toBe('token-2');
    expect(authority.requests).toHaveLength(2);
  });

  it('fetches a new token after invalidate, but ignores invalidating a token already replaced', async () => {
    const authority = await startAuthority();
    const tokens = provider(authority);
    const first = await tokens.getToken();
    tokens.invalidate(first);
    expect(await tokens.getToken()).toBe('token-2');
    tokens.invalidate(first); // a late 401 for the old token
    expect(await tokens.getToken()).toBe('token-2');
  });

  it('reports invalid_client clearly, without the secret', async () => {
    const authority = await startAuthority();
    const wrongSecret = 'wrong-secret-value';
    const tokenError = await tokenFailure(provider(authority, { clientSecret: wrongSecret }).getToken());
    expect(tokenError.code).toBe('invalid_client');
    expect(tokenError.status).toBe(400);
    expect(tokenError.message).toMatch(
      /^Token request for client hub-client at .* failed: invalid_client: AADSTS7000215/,
    );
    expect(tokenError.message).not.toContain(wrongSecret);
    expect(JSON.stringify(tokenError)).not.toContain(wrongSecret);
  });

  it('does not cache a failure: the next call asks again', async () => {
    const authority = await startAuthority();
    const tokens = provider(authority, { clientSecret: 'wrong' });
    await expect(tokens.getToken()).rejects.toThrow(TokenError);
    await expect(tokens.getToken()).rejects.toThrow(TokenError);
    expect(authority.requests).toHaveLength(2);
  });
});

describe('certificate tokens', () => {
  let sales: SalesSimulator | undefined;

  afterEach(async () => {
    await sales?.close();
    sales = undefined;
  });

  async function salesTrusting(certificate: string): Promise<SalesSimulator> {
    sales = createSalesSimulator({
      clients: [{ clientId: 'hub-client', certificates: [read(certificate).toString()] }],
    });
    await sales.listen(0, '127.0.0.1');
    return sales;
  }

  function certificateProvider(origin: string, certificate: ClientCertificate) {
    return createTokenProvider({
      authorityUrl: origin,
      credential: {
        kind: 'certificate',
        tenantId: 'contoso.onmicrosoft.com',
        clientId: 'hub-client',
        certificate,
      },
      scope: `${origin}/.default`,
    });
  }

  it('signs in with a PKCS#12 certificate: a client assertion, no secret, and the token opens the data API', async () => {
    const simulator = await salesTrusting('certificate.pem');
    const certificate = readClientCertificate(read('client.pfx'), fixturePassword);
    const token = await certificateProvider(simulator.origin, certificate).getToken();
    // The app registration holds the certificate only: a token means the assertion was accepted.
    const answer = await fetch(`${simulator.serviceRoot}accounts?$top=1&$select=name`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(answer.status).toBe(200);
    expect(simulator.tokens.issued).toBe(1);
  });

  it('refuses a certificate the app registration does not hold, naming its thumbprint and nothing of its key', async () => {
    const simulator = await salesTrusting('certificate.pem');
    const other = readClientCertificate(
      Buffer.concat([read('other-key.pem'), read('other-certificate.pem')]),
    );
    const tokenError = await tokenFailure(certificateProvider(simulator.origin, other).getToken());
    expect(tokenError.code).toBe('invalid_client');
    expect(tokenError.status).toBe(400);
    expect(tokenError.message).toMatch(
      /^Token request for client hub-client at http:\/\/127\.0\.0\.1:\d+\/contoso\.onmicrosoft\.com\/oauth2\/v2\.0\/token failed: invalid_client: AADSTS700027: Client assertion contains an invalid signature\./,
    );
    expect(tokenError.message).toContain(other.thumbprintSha256.toUpperCase());
    const keyLines = other.privateKey.split('\n').slice(1, -2);
    for (const line of keyLines) expect(tokenError.message).not.toContain(line);
    expect(tokenError.message).not.toMatch(/eyJ/); // no assertion
  });
});
