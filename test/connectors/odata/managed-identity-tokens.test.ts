/**
 * Managed identity tokens through the hub's provider, from the instance metadata service (IMDS) as on an
 * Azure VM or AKS: msal-node finds it at AZURE_POD_IDENTITY_AUTHORITY_HOST, here a simulator's stand-in.
 * Its own file: msal-node settles on one managed identity source per process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenProvider } from '../../../src/connectors/odata/tokens.js';
import { createFinanceSimulator, type FinanceSimulator } from '../../../src/simulators/finance/index.js';
import { tokenFailure } from '../../support/credentials.js';

const userAssigned = '11111111-2222-3333-4444-555555555555';
let finance: FinanceSimulator;

beforeAll(async () => {
  finance = createFinanceSimulator({
    clients: [],
    managedIdentity: { identityHeader: 'unused-here-0123456789', clientIds: [userAssigned] },
  });
  await finance.listen(0, '127.0.0.1');
  process.env['AZURE_POD_IDENTITY_AUTHORITY_HOST'] = finance.origin;
});

afterAll(async () => {
  delete process.env['AZURE_POD_IDENTITY_AUTHORITY_HOST'];
  await finance.close();
});

function provider(clientId?: string) {
  return createTokenProvider({
    system: 'finance',
    credential: { kind: 'managed-identity', ...(clientId !== undefined && { clientId }) },
    authorityUrl: 'https://login.microsoftonline.com',
    scope: `${finance.origin}/.default`,
  });
}

async function companies(token: string): Promise<number> {
  const answer = await fetch(`${finance.serviceRoot}LegalEntities?$select=LegalEntityId`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  return answer.status;
}

describe('managed identity tokens (IMDS)', () => {
  it('gets a token for the system-assigned identity that opens the data API, once for many callers', async () => {
    const tokens = provider();
    const issuedBefore = finance.tokens.issued;
    const [first, second] = await Promise.all([tokens.getToken(), tokens.getToken()]);
    expect(second).toBe(first);
    expect(await tokens.getToken()).toBe(first);
    expect(finance.tokens.issued - issuedBefore).toBe(1);
    expect(await companies(first)).toBe(200);
  });

  it('asks for a new token after a 401 rather than handing back the refused one', async () => {
    const tokens = provider(userAssigned);
    const first = await tokens.getToken();
    finance.tokens.expireAll();
    expect(await companies(first)).toBe(401);
    tokens.invalidate(first);
    const second = await tokens.getToken();
    expect(second).not.toBe(first);
    expect(await companies(second)).toBe(200);
  });

  it('reports an identity the machine does not have as a TokenError for the system', async () => {
    const error = await tokenFailure(provider('99999999-0000-0000-0000-000000000000').getToken());
    expect(error).toMatchObject({ system: 'finance', status: 400 });
    expect(error.message).toMatch(
      /^Token request for managed identity 99999999-0000-0000-0000-000000000000 at managed identity \(DefaultToImds\) failed: .*Identity not found/,
    );
  });
});
