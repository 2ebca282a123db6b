/**
 * A real hub process signing in to each system its own way: Sales with a certificate (a PKCS#12 file and
 * its password) and Finance with a managed identity (App Service's identity endpoint), each system a
 * simulator that accepts only that credential. The logs name the certificate by thumbprint and hold
 * nothing secret.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFinanceSimulator, type FinanceSimulator } from '../../src/simulators/finance/index.js';
import { createSalesSimulator, type SalesSimulator } from '../../src/simulators/sales/index.js';
import { generateSeed } from '../../src/simulators/seed/index.js';
import {
  credentialFile,
  fixturePassword as pfxPassword,
  fixtureThumbprint as thumbprint,
  readCredentialFile,
} from '../support/credentials.js';
import { runMainUntilExit, startMainProcess } from '../support/main-process.js';

const pfx = credentialFile('client.pfx');
const identityHeader = 'app-service-identity-header-0123456789';

let sales: SalesSimulator;
let finance: FinanceSimulator;

beforeAll(async () => {
  const data = generateSeed({ seed: 1, accounts: 5 });
  const certificate = readCredentialFile('certificate.pem').toString();
  // Sales knows the app by its certificate only; Finance takes the machine's managed identity only.
  sales = createSalesSimulator({
    data: data.sales,
    clients: [{ clientId: 'hub-client', certificates: [certificate] }],
  });
  finance = createFinanceSimulator({ data: data.finance, clients: [], managedIdentity: { identityHeader } });
  await sales.listen(0, '127.0.0.1');
  await finance.listen(0, '127.0.0.1');
});

afterAll(async () => {
  await Promise.all([sales?.close(), finance?.close()]);
});

function environment(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    HUB_DATA_DIR: 'memory://',
    SALES_URL: sales.origin,
    SALES_AUTHORITY_URL: sales.origin,
    SALES_TENANT_ID: 'contoso.onmicrosoft.com',
    SALES_CLIENT_ID: 'hub-client',
    SALES_CERTIFICATE_FILE: pfx,
    SALES_CERTIFICATE_PASSWORD: pfxPassword,
    FINANCE_URL: finance.origin,
    FINANCE_CREDENTIAL: 'managed-identity',
    IDENTITY_ENDPOINT: `${finance.origin}/msi/token`,
    IDENTITY_HEADER: identityHeader,
    LOG_LEVEL: 'trace',
    ...overrides,
  };
}

describe('credentials per system', () => {
  it('signs in to Sales with a certificate and to Finance with a managed identity, logging neither key nor secret', async () => {
    const hub = await startMainProcess(environment());
    try {
      const { data, errors } = await hub.graphql(
        '{ accounts(first: 3) { nodes { accountNumber sales { name } finance { CustomerAccount } } } }',
      );
      expect(errors).toBeUndefined();
      const nodes = (data as { accounts: { nodes: { sales: unknown; finance: unknown }[] } }).accounts.nodes;
      expect(nodes).toHaveLength(3);
      // Both systems answered with their rows: each accepted the token the hub got its own way.
      expect(nodes.every((node) => node.sales !== null)).toBe(true);
      expect(nodes.some((node) => node.finance !== null)).toBe(true);
      expect(sales.tokens.issued).toBeGreaterThanOrEqual(1);
      expect(finance.tokens.issued).toBeGreaterThanOrEqual(1);
      expect(await hub.stop('SIGTERM')).toEqual({ code: 0, signal: null });

      const output = hub.output();
      expect(output).toContain(`client hub-client with certificate ${thumbprint} (CN=hub-test-client`);
      expect(output).toContain('the system-assigned managed identity');
      for (const secret of [pfxPassword, identityHeader, ...sales.tokens.live(), ...finance.tokens.live()])
        expect(output).not.toContain(secret);
      const key = readCredentialFile('private-key.pem').toString();
      for (const line of key.split('\n').slice(1, -2)) expect(output).not.toContain(line);
      expect(output).not.toMatch(/PRIVATE KEY|bearer|eyJ/i);
    } finally {
      hub.kill();
    }
  }, 120_000);

  it('refuses to start with a certificate file its password does not open, naming the variable and not the password', async () => {
    const wrong = 'not-the-pfx-password';
    const { code, stderr } = await runMainUntilExit(environment({ SALES_CERTIFICATE_PASSWORD: wrong }));
    expect(code).toBe(1);
    expect(stderr).toContain(
      `SALES_CERTIFICATE_FILE ${pfx}: the PKCS#12 file does not open with the password given`,
    );
    expect(stderr).not.toContain(wrong);
  }, 60_000);

  it("says which system refused the hub's credential, at start and to a caller", async () => {
    const other = credentialFile('client.pem');
    // The certificate as PEM this time (Sales takes it); a wrong identity header makes Finance refuse.
    const hub = await startMainProcess(
      environment({
        SALES_CERTIFICATE_FILE: other,
        SALES_CERTIFICATE_PASSWORD: '',
        IDENTITY_HEADER: 'wrong-header-value-0123',
      }),
    );
    try {
      const { errors } = await hub.graphql(
        '{ accounts(first: 1) { nodes { finance { CustomerAccount } } } }',
      );
      expect(errors?.[0]).toMatchObject({
        message:
          "Finance is unavailable: the hub could not sign in to it (its token authority answered http_401; check the hub's credentials). Try again later.",
        extensions: { code: 'UPSTREAM_UNAVAILABLE', system: 'finance' },
      });
      expect(hub.output()).toContain(
        'Token request for the system-assigned managed identity at managed identity (AppService) failed: http_401: The X-IDENTITY-HEADER request header is missing or does not match.',
      );
    } finally {
      hub.kill();
    }
  }, 120_000);
});
