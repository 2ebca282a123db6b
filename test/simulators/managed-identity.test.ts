/**
 * Managed identity against a listening simulator: its IMDS and App Service endpoints answer as those
 * services do (and as msal-node's ManagedIdentityApplication parses them), refuse requests without
 * their header, and issue tokens the data API accepts; a simulator started without `managedIdentity`
 * serves neither.
 */
import { ManagedIdentityApplication } from '@azure/msal-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFinanceSimulator, type FinanceSimulator } from '../../src/simulators/finance/index.js';
import { createSalesSimulator, type SalesSimulator } from '../../src/simulators/sales/index.js';
import { financeData } from '../support/fixtures.js';
import { call } from '../support/wire.js';

const identityHeader = 'identity-header-secret';
const userAssigned = '11111111-2222-3333-4444-555555555555';

let finance: FinanceSimulator;
let sales: SalesSimulator;

beforeAll(async () => {
  finance = createFinanceSimulator({
    data: financeData(1),
    managedIdentity: { identityHeader, clientIds: [userAssigned] },
  });
  sales = createSalesSimulator();
  await finance.listen();
  await sales.listen();
});
afterAll(async () => {
  await Promise.all([finance.close(), sales.close()]);
});

const resource = () => finance.origin;

async function get(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { headers });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const imds = (query: Record<string, string> = {}) =>
  `${finance.origin}/metadata/identity/oauth2/token?${new URLSearchParams({
    'api-version': '2018-02-01',
    resource: resource(),
    ...query,
  })}`;
const appService = (query: Record<string, string> = {}) =>
  `${finance.origin}/msi/token?${new URLSearchParams({ 'api-version': '2019-08-01', resource: resource(), ...query })}`;

const accepted = async (token: unknown) =>
  (await call(finance, token as string, 'GET', 'CustomersV3?$top=1')).status;

type Params = Record<string, string>;

describe('IMDS', () => {
  it.each<{ identity: string; query: Params }>([
    { identity: 'the system-assigned identity', query: {} },
    { identity: 'a listed user-assigned identity', query: { client_id: userAssigned } },
  ])('issues a token for $identity that the data API accepts', async ({ query }) => {
    const before = Math.floor(Date.now() / 1000);
    const answer = await get(imds(query), { Metadata: 'true' });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      access_token: expect.any(String),
      expires_in: '3599',
      resource: resource(),
      token_type: 'Bearer',
      ...query,
    });
    // IMDS sends every number as a string; expires_on is epoch seconds.
    expect(Number(answer.body['expires_on'])).toBeGreaterThanOrEqual(before + 3599);
    expect(await accepted(answer.body['access_token'])).toBe(200);
  });

  it.each<{ refusal: string; url: () => string; headers: Params; description: string }>([
    {
      refusal: 'a request without the Metadata header',
      url: () => imds(),
      headers: {},
      description: 'Required metadata header not specified',
    },
    {
      refusal: 'an unknown user-assigned identity',
      url: () => imds({ client_id: 'not-assigned' }),
      headers: { Metadata: 'true' },
      description: 'Identity not found',
    },
    {
      refusal: 'a request without a resource',
      url: () => `${finance.origin}/metadata/identity/oauth2/token?api-version=2018-02-01`,
      headers: { Metadata: 'true' },
      description: "Required query variable 'resource' is missing",
    },
  ])('refuses $refusal with 400 invalid_request', async ({ url, headers, description }) => {
    const answer = await get(url(), headers);
    expect(answer).toEqual({
      status: 400,
      body: { error: 'invalid_request', error_description: description },
    });
  });
});

describe('App Service', () => {
  it('issues a token for the system-assigned identity that the data API accepts', async () => {
    const answer = await get(appService(), { 'X-IDENTITY-HEADER': identityHeader });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      access_token: expect.any(String),
      resource: resource(),
      token_type: 'Bearer',
    });
    expect(answer.body['expires_on']).toMatch(/^\d+$/);
    expect(await accepted(answer.body['access_token'])).toBe(200);
  });

  it('issues a token for a listed user-assigned identity, naming it', async () => {
    const answer = await get(appService({ client_id: userAssigned }), {
      'X-IDENTITY-HEADER': identityHeader,
    });
    expect(answer.status).toBe(200);
    expect(answer.body['client_id']).toBe(userAssigned);
  });

  it.each<{ refusal: string; headers: Params; query: Params; status: number }>([
    { refusal: 'without the identity header', headers: {}, query: {}, status: 401 },
    {
      refusal: 'with a wrong identity header',
      headers: { 'X-IDENTITY-HEADER': 'guess' },
      query: {},
      status: 401,
    },
    {
      refusal: 'for an unknown user-assigned identity',
      headers: { 'X-IDENTITY-HEADER': identityHeader },
      query: { client_id: 'not-assigned' },
      status: 400,
    },
  ])('refuses a request $refusal with $status', async ({ headers, query, status }) => {
    const answer = await get(appService(query), headers);
    expect(answer.status).toBe(status);
    expect(answer.body).toMatchObject({ statusCode: status, message: expect.any(String) });
    expect(JSON.stringify(answer.body)).not.toContain(identityHeader);
  });
});

it('serves neither endpoint on a simulator started without managedIdentity', async () => {
  const imdsAnswer = await fetch(
    `${sales.origin}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=x`,
    {
      headers: { Metadata: 'true' },
    },
  );
  const appServiceAnswer = await fetch(`${sales.origin}/msi/token?api-version=2019-08-01&resource=x`, {
    headers: { 'X-IDENTITY-HEADER': identityHeader },
  });
  expect([imdsAnswer.status, appServiceAnswer.status]).toEqual([404, 404]);
});

describe('msal-node against the simulator', () => {
  it('gets a token through IMDS when AZURE_POD_IDENTITY_AUTHORITY_HOST names the simulator', async () => {
    // msal picks its managed identity source from the environment once per process, on first use; this
    // file's process uses IMDS only.
    const previous = process.env['AZURE_POD_IDENTITY_AUTHORITY_HOST'];
    process.env['AZURE_POD_IDENTITY_AUTHORITY_HOST'] = finance.origin;
    try {
      const app = new ManagedIdentityApplication({
        managedIdentityIdParams: { userAssignedClientId: userAssigned },
      });
      const result = await app.acquireToken({ resource: `${resource()}/.default` });
      expect(result.expiresOn!.getTime()).toBeGreaterThan(Date.now() + 3_500_000);
      expect(await accepted(result.accessToken)).toBe(200);
    } finally {
      if (previous === undefined) delete process.env['AZURE_POD_IDENTITY_AUTHORITY_HOST'];
      else process.env['AZURE_POD_IDENTITY_AUTHORITY_HOST'] = previous;
    }
  });
});
