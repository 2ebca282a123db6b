/**
 * Certificate credentials against a listening simulator: its token endpoint takes a client assertion
 * signed by a registered certificate's key (RS256 named by `x5t`, PS256 named by `x5t#S256`, as
 * msal-node builds them) and refuses the others with Entra's codes, never echoing key material; its
 * discovery document points msal at its own token endpoint; and msal-node itself gets a token from it.
 */
import { createHash, createPrivateKey, randomUUID, sign, constants, X509Certificate } from 'node:crypto';
import {
  ConfidentialClientApplication,
  type Configuration,
  type INetworkModule,
  type NetworkRequestOptions,
  type NetworkResponse,
} from '@azure/msal-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultClient } from '../../src/simulators/core/server.js';
import { createTokenIssuer } from '../../src/simulators/core/tokens.js';
import { createSalesSimulator, type SalesSimulator } from '../../src/simulators/sales/index.js';
import { readCredentialFile } from '../support/credentials.js';
import { salesAccounts } from '../support/fixtures.js';
import { call } from '../support/wire.js';

const fixture = (name: string) => readCredentialFile(name).toString();
const certificatePem = fixture('certificate.pem');
const privateKeyPem = fixture('private-key.pem');
const otherCertificatePem = fixture('other-certificate.pem');
const otherKeyPem = fixture('other-key.pem');

const clientId = 'certificate-client';
const tenant = 'simulator';

let sales: SalesSimulator;
let tokenUrl: string;

beforeAll(async () => {
  sales = createSalesSimulator({
    data: { accounts: salesAccounts(1) },
    clients: [defaultClient, { clientId, certificates: [certificatePem] }],
  });
  await sales.listen();
  tokenUrl = `${sales.origin}/${tenant}/oauth2/v2.0/token`;
});
afterAll(async () => {
  await sales.close();
});

const thumbprint = (pem: string, algorithm: 'sha1' | 'sha256') =>
  createHash(algorithm).update(new X509Certificate(pem).raw);

interface AssertionParts {
  alg?: 'RS256' | 'PS256';
  /** The certificate the header names. */
  certificate?: string;
  /** The key that signs. */
  key?: string;
  claims?: Record<string, unknown>;
}

/** A client assertion as msal-node builds one (ClientAssertion.createJwt), from node:crypto alone. */
function assertion({
  alg = 'PS256',
  certificate = certificatePem,
  key = privateKeyPem,
  claims = {},
}: AssertionParts = {}): string {
  const nowSeconds = Math.floor(Date.now() / 1000);
  const header =
    alg === 'PS256'
      ? { alg, typ: 'JWT', 'x5t#S256': thumbprint(certificate, 'sha256').digest('base64url') }
      : { alg, typ: 'JWT', x5t: thumbprint(certificate, 'sha1').digest('base64url') };
  const payload = {
    aud: tokenUrl,
    exp: nowSeconds + 600,
    iss: clientId,
    sub: clientId,
    nbf: nowSeconds,
    jti: randomUUID(),
    ...claims,
  };
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signed = `${encode(header)}.${encode(payload)}`;
  const privateKey = createPrivateKey(key);
  const signature = sign(
    'sha256',
    Buffer.from(signed),
    alg === 'PS256'
      ? {
          key: privateKey,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
        }
      : privateKey,
  );
  return `${signed}.${signature.toString('base64url')}`;
}

async function requestToken(clientAssertion: string) {
  const response = await fetch(tokenUrl, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      scope: `${sales.origin}/.default`,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: clientAssertion,
    }),
  });
  return { status: response.status, text: await response.text() };
}

describe('client assertion', () => {
  it.each(['RS256', 'PS256'] as const)(
    'a %s assertion signed by the registered certificate gets a token the data API accepts',
    async (alg) => {
      const answer = await requestToken(assertion({ alg }));
      expect(answer.status).toBe(200);
      const body = JSON.parse(answer.text) as Record<string, unknown>;
      expect(body).toMatchObject({
        token_type: 'Bearer',
        expires_in: 3599,
        access_token: expect.any(String),
      });
      expect((await call(sales, body['access_token'] as string, 'GET', 'accounts?$top=1')).status).toBe(200);
    },
  );

  it('allows Entra’s five minutes of clock skew on exp', async () => {
    const nowSeconds = Math.floor(Date.now() / 1000);
    const late = assertion({ claims: { nbf: nowSeconds - 900, exp: nowSeconds - 120 } });
    expect((await requestToken(late)).status).toBe(200);
  });

  const nowSeconds = () => Math.floor(Date.now() / 1000);
  it.each([
    {
      name: 'signed by a key other than the certificate’s',
      parts: (): AssertionParts => ({ key: otherKeyPem }),
      code: 700027,
      reason: /Key was found, but use of the key to verify the signature failed/,
    },
    {
      name: 'naming a certificate not registered for the app',
      parts: (): AssertionParts => ({ certificate: otherCertificatePem, key: otherKeyPem }),
      code: 700027,
      reason: /The key was not found/,
    },
    {
      name: 'naming an unregistered certificate by its SHA-1 thumbprint',
      parts: (): AssertionParts => ({ alg: 'RS256', certificate: otherCertificatePem, key: otherKeyPem }),
      code: 700027,
      reason: /The key was not found/,
    },
    {
      name: 'for another audience',
      parts: (): AssertionParts => ({ claims: { aud: `${sales.origin}/other-tenant/oauth2/v2.0/token` } }),
      code: 700023,
      reason: /audience claim does not match/,
    },
    {
      name: 'issued by another client',
      parts: (): AssertionParts => ({ claims: { iss: 'hub-client', sub: 'hub-client' } }),
      code: 700021,
      reason: /doesn't match 'client_id'/,
    },
    {
      name: 'expired past the clock skew',
      parts: (): AssertionParts => ({ claims: { nbf: nowSeconds() - 1200, exp: nowSeconds() - 600 } }),
      code: 700024,
      reason: /not within its valid time range/,
    },
    {
      name: 'not yet valid',
      parts: (): AssertionParts => ({ claims: { nbf: nowSeconds() + 600, exp: nowSeconds() + 1200 } }),
      code: 700024,
      reason: /not within its valid time range/,
    },
  ])('refuses an assertion $name with AADSTS$code', async ({ parts, code, reason }) => {
    const sent = assertion(parts());
    const answer = await requestToken(sent);
    expect(answer.status).toBe(400);
    const body = JSON.parse(answer.text) as {
      error: string;
      error_description: string;
      error_codes: number[];
    };
    expect(body.error).toBe('invalid_client');
    expect(body.error_codes).toEqual([code]);
    expect(body.error_description).toMatch(new RegExp(`^AADSTS${code}: `));
    expect(body.error_description).toMatch(reason);
    // Nothing of the assertion (not even its signature) or of any key comes back.
    for (const secret of [sent, sent.split('.')[2]!, ...keyLines(privateKeyPem), ...keyLines(otherKeyPem)])
      expect(answer.text).not.toContain(secret);
    expect(answer.text).not.toMatch(/PRIVATE KEY/);
  });

  it('refuses an assertion by a registered certificate that has expired', () => {
    // The fixture is good for a century, so this moves the issuer's clock instead of a listening server's.
    const expiredMs = Date.parse(new X509Certificate(certificatePem).validTo) + 86_400_000;
    const issuer = createTokenIssuer({
      clients: [{ clientId, certificates: [certificatePem] }],
      now: () => expiredMs,
    });
    const at = Math.floor(expiredMs / 1000);
    const answer = issuer.issue(
      new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: clientId,
        scope: 'x/.default',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion({ claims: { nbf: at, exp: at + 600 } }),
      }),
      tokenUrl,
    );
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      error: 'invalid_client',
      error_codes: [700027],
      error_description: expect.stringContaining('The key used is expired.'),
    });
  });

  it('refuses a malformed assertion and a missing credential', async () => {
    const malformed = await requestToken('not.a.jwt');
    expect(malformed.status).toBe(400);
    expect(JSON.parse(malformed.text)).toMatchObject({ error: 'invalid_request', error_codes: [50027] });
    const response = await fetch(tokenUrl, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: clientId,
        scope: 'x/.default',
      }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_client', error_codes: [7000218] });
  });

  it('refuses a client secret for an app that has only certificates', async () => {
    const response = await fetch(tokenUrl, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: clientId,
        client_secret: defaultClient.clientSecret,
        scope: 'x/.default',
      }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_client', error_codes: [7000215] });
  });
});

/** The base64 lines of a PEM key: any of them in an answer would leak key material. */
const keyLines = (pem: string): string[] =>
  pem.split('\n').filter((line) => line && !line.startsWith('-----'));

describe('OpenID discovery', () => {
  it('serves the document msal-node fetches, pointing at this simulator’s own token endpoint', async () => {
    const response = await fetch(`${sales.origin}/${tenant}/v2.0/.well-known/openid-configuration`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as Record<string, unknown>;
    const host = new URL(sales.origin).host;
    expect(document).toMatchObject({
      token_endpoint: tokenUrl,
      authorization_endpoint: `${sales.origin}/${tenant}/oauth2/v2.0/authorize`,
      end_session_endpoint: `${sales.origin}/${tenant}/oauth2/v2.0/logout`,
      jwks_uri: `${sales.origin}/${tenant}/discovery/v2.0/keys`,
      // https: msal accepts only an issuer with the scheme and host of its (https) authority.
      issuer: `https://${host}/${tenant}/v2.0`,
    });
    const keys = await fetch(document['jwks_uri'] as string);
    expect(await keys.json()).toEqual({ keys: [] });
  });
});

/**
 * msal-node takes only https authorities, so it is given `https://host:port/tenant` and this network
 * module sends whatever it asks of that origin to the simulator's `http://` origin, as the hub does.
 */
function loopbackNetwork(origin: string, asked: string[]): INetworkModule {
  const httpsOrigin = origin.replace(/^http:/, 'https:');
  const send = async <T>(
    url: string,
    method: string,
    options?: NetworkRequestOptions,
  ): Promise<NetworkResponse<T>> => {
    asked.push(`${method} ${url.split('?')[0]!}`);
    const target = url.startsWith(httpsOrigin) ? `${origin}${url.slice(httpsOrigin.length)}` : url;
    const response = await fetch(target, {
      method,
      ...(options?.headers ? { headers: options.headers } : {}),
      ...(method === 'POST' ? { body: options?.body ?? '' } : {}),
    });
    return {
      headers: Object.fromEntries(response.headers),
      body: (await response.json()) as T,
      status: response.status,
    };
  };
  return {
    sendGetRequestAsync: (url, options) => send(url, 'GET', options),
    sendPostRequestAsync: (url, options) => send(url, 'POST', options),
  };
}

describe('msal-node against the simulator', () => {
  it.each([
    {
      credential: 'a client secret',
      auth: () => ({ clientId: defaultClient.clientId, clientSecret: defaultClient.clientSecret }),
    },
    {
      credential: 'a certificate by SHA-256 thumbprint (PS256)',
      auth: () => ({
        clientId,
        clientCertificate: {
          thumbprintSha256: thumbprint(certificatePem, 'sha256').digest('hex'),
          privateKey: privateKeyPem,
        },
      }),
    },
    {
      credential: 'a certificate by SHA-1 thumbprint (RS256)',
      auth: () => ({
        clientId,
        clientCertificate: {
          thumbprint: thumbprint(certificatePem, 'sha1').digest('hex'),
          privateKey: privateKeyPem,
        },
      }),
    },
  ])('gets a token with $credential that the data API accepts', async ({ auth }) => {
    const host = new URL(sales.origin).host;
    const asked: string[] = [];
    const configuration: Configuration = {
      auth: { ...auth(), authority: `https://${host}/${tenant}`, knownAuthorities: [host] },
      system: { networkClient: loopbackNetwork(sales.origin, asked) },
    };
    const app = new ConfidentialClientApplication(configuration);
    const result = await app.acquireTokenByClientCredential({ scopes: [`${sales.origin}/.default`] });
    expect(result?.accessToken).toEqual(expect.any(String));
    // No instance discovery (the host is a known authority): the document, then its token endpoint.
    expect(asked).toEqual([
      `GET https://${host}/${tenant}/v2.0/.well-known/openid-configuration`,
      `POST ${tokenUrl}`,
    ]);
    expect((await call(sales, result!.accessToken, 'GET', 'accounts?$top=1')).status).toBe(200);
  });
});
