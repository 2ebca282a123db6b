/**
 * The configuration is read once, validated, and a wrong start says everything that is wrong at once.
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { defaultInstanceId } from '../src/metrics/instance.js';

const failure = (env: Record<string, string>): ConfigError => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
};

describe('configuration', () => {
  it('defaults to the embedded setup: PGlite, both simulators, company usmf, loopback on 4000 without authentication, runs kept 45 days, new products Active, vanished ones reported, introspection and Sandbox on, no CORS origins, the plain schema (no federation)', () => {
    expect(loadConfig({})).toEqual({
      development: false,
      port: 4000,
      host: '127.0.0.1',
      database: { kind: 'pglite', dataDir: './.hub-data' },
      sales: { kind: 'simulator' },
      finance: { kind: 'simulator' },
      financeCompany: 'usmf',
      maxConcurrency: { sales: 52, finance: 4 },
      financeBatchSize: 1_000,
      pagesInFlight: 4,
      authorityUrl: 'https://login.microsoftonline.com',
      seed: { seed: 1, accounts: 300 },
      valueMapsFile: undefined,
      retentionDays: 45,
      products: { createState: 'active', priceList: null, vanished: 'report' },
      accountRelationshipTypes: [],
      invoiceTypes: ['salesOrder'],
      auth: null,
      introspection: true,
      sandbox: true,
      federation: false,
      corsOrigins: [],
      logLevel: 'info',
      simulatorLatencyMs: 0,
      stopTimeoutMs: 25_000,
      instanceId: defaultInstanceId(),
      runLeaseMs: 30_000,
      alerts: null,
      alertUnavailableMinutes: 5,
      publicUrl: null,
      webhookKey: null,
      continuous: { salesSeconds: 5, productsSeconds: 300 },
      tracing: null,
      limits: {
        maxDepth: 10,
        maxCost: 20_000,
        maxAliases: 15,
        maxDirectives: 50,
        maxTokens: 1_000,
        maxDocumentChars: 20_000,
        maxFirst: 500,
        maxBodyBytes: 1_048_576,
        operationTimeoutMs: 30_000,
        mutationsPerMinute: 30,
        maxSubscriptionsPerConnection: 20,
      },
      connections: {
        headersTimeoutMs: 10_000,
        requestTimeoutMs: 30_000,
        keepAliveTimeoutMs: 65_000,
        idleTimeoutMs: 120_000,
        maxConnections: 4_096,
      },
    });
  });

  it('reads the account relationship types to sync by name (any case) or code', () => {
    expect(
      loadConfig({ ACCOUNTS_RELATIONSHIP_TYPES: ' Customer, reseller ,3, 5' }).accountRelationshipTypes,
    ).toEqual([3, 9, 5]);
  });

  it('refuses a relationship type Sales does not have, naming it', () => {
    expect(failure({ ACCOUNTS_RELATIONSHIP_TYPES: 'Customer,Friend,99' }).problems).toEqual([
      "ACCOUNTS_RELATIONSHIP_TYPES lists 'Friend', which is not a Sales relationship type: use names or codes, e.g. Customer,Reseller or 3,9",
      "ACCOUNTS_RELATIONSHIP_TYPES lists '99', which is not a Sales relationship type: use names or codes, e.g. Customer,Reseller or 3,9",
    ]);
  });

  it('reads the products flow settings, the words in any case', () => {
    expect(
      loadConfig({
        PRODUCTS_CREATE_STATE: ' Draft ',
        PRODUCTS_PRICE_LIST: ' Retail USD ',
        PRODUCTS_VANISHED: 'RETIRE',
      }).products,
    ).toEqual({ createState: 'draft', priceList: 'Retail USD', vanished: 'retire' });
  });

  it.each([
    [
      'PRODUCTS_CREATE_STATE',
      'inactive',
      'PRODUCTS_CREATE_STATE must be active (new products can be quoted at once) or draft (someone activates them)',
    ],
    [
      'PRODUCTS_VANISHED',
      'delete',
      'PRODUCTS_VANISHED must be report (name them in the run) or retire (also set them to Retired in Sales)',
    ],
    [
      'PRODUCTS_PRICE_LIST',
      'x'.repeat(101),
      'PRODUCTS_PRICE_LIST must be a price list name of at most 100 characters',
    ],
    [
      'HUB_INSTANCE_ID',
      'hub 1',
      'HUB_INSTANCE_ID must be 1–128 letters, digits or . _ : @ -, e.g. hub-1 (default: hostname-pid)',
    ],
  ])('refuses %s=%s, saying what it must be', (name, value, problem) => {
    expect(failure({ [name]: value }).problems).toEqual([problem]);
  });

  it('names the instance HUB_INSTANCE_ID in its metrics, by default <hostname>-<pid>', () => {
    expect(loadConfig({ HUB_INSTANCE_ID: ' hub-2.eu ' }).instanceId).toBe('hub-2.eu');
    expect(loadConfig({}).instanceId).toBe(`${hostname()}-${process.pid}`);
  });

  it('reads the most requests in flight to each system, refusing a bound Dataverse would not take', () => {
    expect(loadConfig({ SALES_MAX_CONCURRENCY: '8', FINANCE_MAX_CONCURRENCY: '2' }).maxConcurrency).toEqual({
      sales: 8,
      finance: 2,
    });
    expect(failure({ SALES_MAX_CONCURRENCY: '60', FINANCE_MAX_CONCURRENCY: '0' }).problems).toEqual([
      'SALES_MAX_CONCURRENCY must be a whole number from 1 to 52, e.g. 52',
      'FINANCE_MAX_CONCURRENCY must be a whole number from 1 to 64, e.g. 4',
    ]);
  });

  it('reads the rows per Finance batch and the pages a flow processes at once, within their bounds', () => {
    expect(loadConfig({ FINANCE_BATCH_SIZE: '200', SYNC_PAGES_IN_FLIGHT: '1' })).toMatchObject({
      financeBatchSize: 200,
      pagesInFlight: 1,
    });
    expect(failure({ FINANCE_BATCH_SIZE: '5000', SYNC_PAGES_IN_FLIGHT: '0' }).problems).toEqual([
      'FINANCE_BATCH_SIZE must be a whole number from 1 to 1000, e.g. 1000',
      'SYNC_PAGES_IN_FLIGHT must be a whole number from 1 to 16, e.g. 4',
    ]);
  });

  it('keeps sync runs for SYNC_RETENTION_DAYS days', () => {
    expect(loadConfig({ SYNC_RETENTION_DAYS: '7' }).retentionDays).toBe(7);
    expect(loadConfig({ SYNC_RETENTION_DAYS: ' 365 ' }).retentionDays).toBe(365);
    expect(loadConfig({ SYNC_RETENTION_DAYS: '1' }).retentionDays).toBe(1);
  });

  it.each(['0', '-5', '1.5', 'forty', '36501'])(
    'refuses SYNC_RETENTION_DAYS=%s, saying what it must be',
    (value) => {
      expect(failure({ SYNC_RETENTION_DAYS: value }).problems).toEqual([
        'SYNC_RETENTION_DAYS must be a whole number of days from 1 to 36500, e.g. 45',
      ]);
    },
  );

  it('reads LOG_LEVEL in any case, refusing a level pino does not have', () => {
    expect(loadConfig({ LOG_LEVEL: 'DEBUG' }).logLevel).toBe('debug');
    expect(loadConfig({ LOG_LEVEL: 'silent' }).logLevel).toBe('silent');
    expect(failure({ LOG_LEVEL: 'verbose' }).problems).toEqual([
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
    ]);
  });

  it("reads SIMULATOR_LATENCY_MS, the embedded simulators' delay, in whole milliseconds", () => {
    expect(loadConfig({ SIMULATOR_LATENCY_MS: '250' }).simulatorLatencyMs).toBe(250);
    for (const value of ['-1', '1.5', 'slow', '60001']) {
      expect(failure({ SIMULATOR_LATENCY_MS: value }).problems).toEqual([
        'SIMULATOR_LATENCY_MS must be a whole number of milliseconds from 0 to 60000, e.g. 200',
      ]);
    }
  });

  it('reads HUB_STOP_TIMEOUT_MS, the bound of a clean stop, in whole milliseconds', () => {
    expect(loadConfig({ HUB_STOP_TIMEOUT_MS: '60000' }).stopTimeoutMs).toBe(60_000);
    for (const value of ['999', '1.5', 'soon', '600001']) {
      expect(failure({ HUB_STOP_TIMEOUT_MS: value }).problems).toEqual([
        'HUB_STOP_TIMEOUT_MS must be a whole number of milliseconds from 1000 to 600000, e.g. 25000',
      ]);
    }
  });

  it("reads HUB_RUN_LEASE_MS, how long a run stays its instance's without a renewal", () => {
    expect(loadConfig({ HUB_RUN_LEASE_MS: '5000' }).runLeaseMs).toBe(5_000);
    for (const value of ['999', '1.5', 'soon', '600001']) {
      expect(failure({ HUB_RUN_LEASE_MS: value }).problems).toEqual([
        'HUB_RUN_LEASE_MS must be a whole number of milliseconds from 1000 to 600000, e.g. 30000',
      ]);
    }
  });

  it('reads where alerts go, with the secret they are signed with, and the hub’s public address', () => {
    expect(loadConfig({}).alerts).toBeNull();
    expect(
      loadConfig({
        HUB_ALERT_WEBHOOK_URL: 'https://hooks.contoso.com/p2c/',
        HUB_ALERT_WEBHOOK_SECRET: 'a-secret-of-16-chars',
        HUB_PUBLIC_URL: 'https://hub.contoso.com/',
      }),
    ).toMatchObject({
      alerts: { url: 'https://hooks.contoso.com/p2c', secret: 'a-secret-of-16-chars' },
      publicUrl: 'https://hub.contoso.com',
    });
    expect(failure({ HUB_ALERT_WEBHOOK_URL: 'https://hooks.contoso.com/p2c' }).problems).toEqual([
      'HUB_ALERT_WEBHOOK_SECRET is required with HUB_ALERT_WEBHOOK_URL: alerts are signed with it',
    ]);
    expect(
      failure({ HUB_ALERT_WEBHOOK_URL: 'https://hooks.contoso.com/p2c', HUB_ALERT_WEBHOOK_SECRET: 'short' })
        .problems,
    ).toEqual([
      'HUB_ALERT_WEBHOOK_SECRET must be at least 16 characters: the receiver checks each alert with it',
    ]);
  });

  it('reads HUB_ALERT_UNAVAILABLE_MINUTES, how long Sales or Finance may not answer before an alert', () => {
    expect(loadConfig({ HUB_ALERT_UNAVAILABLE_MINUTES: ' 15 ' }).alertUnavailableMinutes).toBe(15);
    for (const value of ['0', '-1', '2.5', 'soon', '1441']) {
      expect(failure({ HUB_ALERT_UNAVAILABLE_MINUTES: value }).problems).toEqual([
        'HUB_ALERT_UNAVAILABLE_MINUTES must be a whole number of minutes from 1 to 1440, e.g. 5',
      ]);
    }
  });

  it('reads continuous sync’s default intervals, within the range each may take', () => {
    expect(
      loadConfig({
        HUB_CONTINUOUS_INTERVAL_SECONDS: '2',
        HUB_CONTINUOUS_PRODUCTS_INTERVAL_SECONDS: '600',
      }).continuous,
    ).toEqual({ salesSeconds: 2, productsSeconds: 600 });
    expect(failure({ HUB_CONTINUOUS_INTERVAL_SECONDS: '0' }).problems).toEqual([
      'HUB_CONTINUOUS_INTERVAL_SECONDS must be a whole number of seconds from 1 to 3600, e.g. 5',
    ]);
    expect(failure({ HUB_CONTINUOUS_PRODUCTS_INTERVAL_SECONDS: '10' }).problems).toEqual([
      'HUB_CONTINUOUS_PRODUCTS_INTERVAL_SECONDS must be a whole number of seconds from 30 to 86400, e.g. 300',
    ]);
  });

  it('reads the key Sales webhooks send, refusing one too short to guard a sync', () => {
    expect(loadConfig({ HUB_WEBHOOK_KEY: 'webhook-key-0123456789' }).webhookKey).toBe(
      'webhook-key-0123456789',
    );
    expect(failure({ HUB_WEBHOOK_KEY: 'short' }).problems).toEqual([
      'HUB_WEBHOOK_KEY must be at least 16 characters: it is all that stands between a caller and a sync',
    ]);
  });

  it('reads the abuse limits, each from its own variable', () => {
    expect(
      loadConfig({
        HUB_MAX_DEPTH: '6',
        HUB_MAX_COST: '5000',
        HUB_MAX_ALIASES: '0',
        HUB_MAX_DIRECTIVES: '5',
        HUB_MAX_TOKENS: '400',
        HUB_MAX_DOCUMENT_CHARS: '4000',
        HUB_MAX_FIRST: '100',
        HUB_MAX_BODY_BYTES: '65536',
        HUB_OPERATION_TIMEOUT_MS: '5000',
        HUB_MUTATIONS_PER_MINUTE: '6',
        HUB_MAX_SUBSCRIPTIONS_PER_CONNECTION: '3',
      }).limits,
    ).toEqual({
      maxDepth: 6,
      maxCost: 5000,
      maxAliases: 0,
      maxDirectives: 5,
      maxTokens: 400,
      maxDocumentChars: 4000,
      maxFirst: 100,
      maxBodyBytes: 65536,
      operationTimeoutMs: 5000,
      mutationsPerMinute: 6,
      maxSubscriptionsPerConnection: 3,
    });
  });

  it('refuses abuse limits out of bounds, listing each', () => {
    expect(
      failure({
        HUB_MAX_DEPTH: '0',
        HUB_MAX_FIRST: '1000',
        HUB_MAX_BODY_BYTES: '1MB',
        HUB_OPERATION_TIMEOUT_MS: '2.5',
        HUB_MUTATIONS_PER_MINUTE: '-1',
      }).problems,
    ).toEqual([
      'HUB_MAX_DEPTH must be a whole number from 1 to 100, e.g. 10',
      'HUB_MAX_BODY_BYTES must be a whole number of bytes from 1024 to 104857600, e.g. 1048576',
      'HUB_MAX_FIRST must be a whole number from 50 to 500, e.g. 500',
      'HUB_OPERATION_TIMEOUT_MS must be a whole number of milliseconds from 100 to 3600000, e.g. 30000',
      'HUB_MUTATIONS_PER_MINUTE must be a whole number from 1 to 100000, e.g. 30',
    ]);
  });

  it.each([
    ['HUB_HEADERS_TIMEOUT_MS', ' 5000 ', 'headersTimeoutMs', 5_000],
    ['HUB_REQUEST_TIMEOUT_MS', '60000', 'requestTimeoutMs', 60_000],
    ['HUB_KEEP_ALIVE_TIMEOUT_MS', '350000', 'keepAliveTimeoutMs', 350_000],
    ['HUB_IDLE_TIMEOUT_MS', '600000', 'idleTimeoutMs', 600_000],
    ['HUB_MAX_CONNECTIONS', '20000', 'maxConnections', 20_000],
  ])('reads %s=%s as connections.%s', (name, value, field, expected) => {
    expect(loadConfig({ [name]: value }).connections).toEqual({
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      keepAliveTimeoutMs: 65_000,
      idleTimeoutMs: 120_000,
      maxConnections: 4_096,
      [field]: expected,
    });
  });

  it.each([
    ['HUB_HEADERS_TIMEOUT_MS', '0', 'must be a whole number of milliseconds from 100 to 3600000, e.g. 10000'],
    [
      'HUB_REQUEST_TIMEOUT_MS',
      '30s',
      'must be a whole number of milliseconds from 100 to 3600000, e.g. 30000',
    ],
    [
      'HUB_KEEP_ALIVE_TIMEOUT_MS',
      '0',
      'must be a whole number of milliseconds from 100 to 3600000, e.g. 65000',
    ],
    [
      'HUB_IDLE_TIMEOUT_MS',
      '7200001',
      'must be a whole number of milliseconds from 1000 to 7200000, e.g. 120000',
    ],
    ['HUB_MAX_CONNECTIONS', '0', 'must be a whole number from 1 to 1000000, e.g. 4096'],
    ['HUB_MAX_CONNECTIONS', '1.5', 'must be a whole number from 1 to 1000000, e.g. 4096'],
  ])('refuses %s=%s, saying what it must be', (name, value, problem) => {
    expect(failure({ [name]: value }).problems).toEqual([`${name} ${problem}`]);
  });

  it.each([
    [
      { HUB_HEADERS_TIMEOUT_MS: '20000', HUB_REQUEST_TIMEOUT_MS: '15000' },
      'HUB_HEADERS_TIMEOUT_MS (20000) must not be longer than HUB_REQUEST_TIMEOUT_MS (15000): the headers are part of the request',
    ],
    [
      { HUB_HEADERS_TIMEOUT_MS: '40000' },
      'HUB_HEADERS_TIMEOUT_MS (40000) must not be longer than HUB_REQUEST_TIMEOUT_MS (30000): the headers are part of the request',
    ],
    [
      { HUB_OPERATION_TIMEOUT_MS: '300000' },
      'HUB_IDLE_TIMEOUT_MS (120000) must be longer than HUB_OPERATION_TIMEOUT_MS (300000): a request is silent while its operation runs, and would be cut off',
    ],
    [
      { HUB_IDLE_TIMEOUT_MS: '30000' },
      'HUB_IDLE_TIMEOUT_MS (30000) must be longer than HUB_OPERATION_TIMEOUT_MS (30000): a request is silent while its operation runs, and would be cut off',
    ],
  ])('refuses timeouts that contradict each other: %o', (env, problem) => {
    expect(failure(env).problems).toEqual([problem]);
  });

  it('accepts an operation timeout beyond the idle default when the idle timeout is raised with it', () => {
    const config = loadConfig({ HUB_OPERATION_TIMEOUT_MS: '300000', HUB_IDLE_TIMEOUT_MS: '360000' });
    expect(config.limits.operationTimeoutMs).toBe(300_000);
    expect(config.connections.idleTimeoutMs).toBe(360_000);
  });

  it('uses real systems and PostgreSQL when their URLs are set', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
      SALES_URL: 'https://org.crm.dynamics.com/',
      SALES_TENANT_ID: 't',
      SALES_CLIENT_ID: 'c',
      SALES_CLIENT_SECRET: 's',
      FINANCE_COMPANY: 'DEMF',
    });
    expect(config.database).toEqual({ kind: 'postgres', url: 'postgres://postgres@127.0.0.1:5432/test' });
    expect(config.sales).toEqual({
      kind: 'remote',
      url: 'https://org.crm.dynamics.com',
      authorityUrl: 'https://login.microsoftonline.com',
      scope: 'https://org.crm.dynamics.com/.default',
      credential: { kind: 'client-secret', tenantId: 't', clientId: 'c', clientSecret: 's' },
    });
    expect(config.finance).toEqual({ kind: 'simulator' });
    expect(config.financeCompany).toBe('demf');
  });

  const remoteSystems = {
    SALES_URL: 'https://org.crm.dynamics.com',
    SALES_TENANT_ID: 't',
    SALES_CLIENT_ID: 'c',
    SALES_CLIENT_SECRET: 's',
    FINANCE_URL: 'https://org.operations.dynamics.com',
    FINANCE_TENANT_ID: 't',
    FINANCE_CLIENT_ID: 'c',
    FINANCE_CLIENT_SECRET: 's',
  };

  it.each([
    [
      'neither is set: Entra ID',
      {},
      'https://login.microsoftonline.com',
      'https://login.microsoftonline.com',
    ],
    [
      'AUTHORITY_URL is the default of both',
      { AUTHORITY_URL: 'https://login.example.com/' },
      'https://login.example.com',
      'https://login.example.com',
    ],
    [
      'each system has its own',
      { SALES_AUTHORITY_URL: 'http://127.0.0.1:5101', FINANCE_AUTHORITY_URL: 'http://127.0.0.1:5102/' },
      'http://127.0.0.1:5101',
      'http://127.0.0.1:5102',
    ],
    [
      'one system has its own, the other AUTHORITY_URL',
      { AUTHORITY_URL: 'https://login.example.com', FINANCE_AUTHORITY_URL: 'http://127.0.0.1:5102' },
      'https://login.example.com',
      'http://127.0.0.1:5102',
    ],
  ])('takes each system token authority from its own variable: %s', (_, env, sales, finance) => {
    const config = loadConfig({ ...remoteSystems, ...env });
    expect(config.sales).toMatchObject({ kind: 'remote', authorityUrl: sales });
    expect(config.finance).toMatchObject({ kind: 'remote', authorityUrl: finance });
  });

  it.each([
    [
      { SALES_AUTHORITY_URL: 'not a url' },
      'SALES_AUTHORITY_URL must be an absolute URL like https://login.microsoftonline.com',
    ],
    [
      { FINANCE_AUTHORITY_URL: 'login.example.com' },
      'FINANCE_AUTHORITY_URL must be an absolute URL like https://login.microsoftonline.com',
    ],
  ])('refuses a token authority that is not a URL: %o', (env, problem) => {
    expect(failure({ ...remoteSystems, ...env }).problems).toEqual([problem]);
  });

  it('refuses a plain-http token authority beyond loopback: tokens and secrets would cross the network in clear', () => {
    expect(failure({ ...remoteSystems, AUTHORITY_URL: 'http://login.example.com' }).problems).toEqual([
      'AUTHORITY_URL must be an https URL (plain http only for a loopback stand-in such as the simulators)',
    ]);
    expect(
      loadConfig({ ...remoteSystems, SALES_AUTHORITY_URL: 'http://localhost:5101' }).sales,
    ).toMatchObject({
      authorityUrl: 'http://localhost:5101',
    });
  });

  const financeByUrl = { FINANCE_URL: 'https://org.operations.dynamics.com' };

  it('takes a certificate credential from <SYSTEM>_CERTIFICATE_FILE, with its password', () => {
    const config = loadConfig({
      ...financeByUrl,
      FINANCE_TENANT_ID: 'fabrikam.onmicrosoft.com',
      FINANCE_CLIENT_ID: 'c',
      FINANCE_CERTIFICATE_FILE: '/run/secrets/finance.pfx',
      FINANCE_CERTIFICATE_PASSWORD: 'pfx-password',
    });
    expect(config.finance).toEqual({
      kind: 'remote',
      url: 'https://org.operations.dynamics.com',
      authorityUrl: 'https://login.microsoftonline.com',
      scope: 'https://org.operations.dynamics.com/.default',
      credential: {
        kind: 'certificate',
        tenantId: 'fabrikam.onmicrosoft.com',
        clientId: 'c',
        certificateFile: '/run/secrets/finance.pfx',
        certificatePassword: 'pfx-password',
      },
    });
  });

  it('takes a managed identity when asked for by name: system-assigned, or user-assigned by client id', () => {
    const env = { ...financeByUrl, FINANCE_CREDENTIAL: 'managed-identity' };
    expect(loadConfig(env).finance).toMatchObject({ credential: { kind: 'managed-identity' } });
    expect(loadConfig({ ...env, FINANCE_CLIENT_ID: 'mi-client' }).finance).toMatchObject({
      credential: { kind: 'managed-identity', clientId: 'mi-client' },
    });
  });

  it('gives each system its own tenant, cloud and scope', () => {
    const config = loadConfig({
      ...remoteSystems,
      SALES_TENANT_ID: 'contoso.onmicrosoft.com',
      FINANCE_TENANT_ID: 'fabrikam.onmicrosoft.us',
      FINANCE_AUTHORITY_URL: 'https://login.microsoftonline.us',
      FINANCE_SCOPE: 'https://org.operations.dynamics.us/.default',
    });
    expect(config.sales).toMatchObject({
      authorityUrl: 'https://login.microsoftonline.com',
      scope: 'https://org.crm.dynamics.com/.default',
      credential: { tenantId: 'contoso.onmicrosoft.com' },
    });
    expect(config.finance).toMatchObject({
      authorityUrl: 'https://login.microsoftonline.us',
      scope: 'https://org.operations.dynamics.us/.default',
      credential: { tenantId: 'fabrikam.onmicrosoft.us' },
    });
  });

  it.each([
    [
      'a secret and a certificate',
      {
        ...financeByUrl,
        FINANCE_TENANT_ID: 't',
        FINANCE_CLIENT_ID: 'c',
        FINANCE_CLIENT_SECRET: 's',
        FINANCE_CERTIFICATE_FILE: 'f.pem',
      },
      ['FINANCE_CLIENT_SECRET and FINANCE_CERTIFICATE_FILE are both set: choose one credential'],
    ],
    [
      'a certificate without its app registration',
      { ...financeByUrl, FINANCE_CERTIFICATE_FILE: 'f.pem' },
      [
        'FINANCE_TENANT_ID is required when FINANCE_URL is set with a certificate credential (Entra ID app registration for Finance)',
        'FINANCE_CLIENT_ID is required when FINANCE_URL is set with a certificate credential (Entra ID app registration for Finance)',
      ],
    ],
    [
      'a managed identity with a secret',
      { ...financeByUrl, FINANCE_CREDENTIAL: 'managed-identity', FINANCE_CLIENT_SECRET: 's' },
      ['FINANCE_CLIENT_SECRET has no effect with a managed-identity credential: remove it'],
    ],
    [
      'an unknown credential',
      {
        ...financeByUrl,
        FINANCE_CREDENTIAL: 'password',
        FINANCE_TENANT_ID: 't',
        FINANCE_CLIENT_ID: 'c',
        FINANCE_CLIENT_SECRET: 's',
      },
      ['FINANCE_CREDENTIAL must be one of client-secret, certificate, managed-identity'],
    ],
    [
      'a scope that is not a .default scope',
      { ...remoteSystems, SALES_SCOPE: 'https://org.crm.dynamics.com/user_impersonation' },
      ['SALES_SCOPE must end in /.default, e.g. https://org.crm.dynamics.com/.default'],
    ],
    [
      'a credential for the embedded simulator',
      { FINANCE_CREDENTIAL: 'managed-identity' },
      ['FINANCE_CREDENTIAL has no effect without FINANCE_URL: set both or neither'],
    ],
  ])('refuses %s, saying what to change', (_, env, problems) => {
    expect(failure(env).problems).toEqual(problems);
  });

  it('refuses a token authority for a system left to the embedded simulator', () => {
    expect(failure({ FINANCE_AUTHORITY_URL: 'http://127.0.0.1:5102' }).problems).toEqual([
      'FINANCE_AUTHORITY_URL has no effect without FINANCE_URL: set both or neither',
    ]);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ SALES_URL: '', PORT: '' }).sales).toEqual({ kind: 'simulator' });
  });

  it('lists every problem in one message, naming each variable', () => {
    const error = failure({
      PORT: 'eighty',
      DATABASE_URL: 'mysql://x',
      FINANCE_URL: 'not a url',
      SALES_URL: 'https://org.crm.dynamics.com',
      FINANCE_COMPANY: 'toolong',
    });
    expect(error.problems).toHaveLength(10);
    for (const name of [
      'PORT',
      'DATABASE_URL',
      'FINANCE_URL',
      'FINANCE_COMPANY',
      'SALES_TENANT_ID',
      'SALES_CLIENT_ID',
      'SALES_CLIENT_SECRET',
      'FINANCE_TENANT_ID',
    ]) {
      expect(error.message).toContain(name);
    }
  });

  it('never repeats a secret or a certificate password in its message', () => {
    const error = failure({
      SALES_URL: 'https://org.crm.dynamics.com',
      SALES_CLIENT_SECRET: 'hunter2-secret',
      FINANCE_CREDENTIAL: 'managed-identity',
      FINANCE_CERTIFICATE_PASSWORD: 'pfx-hunter2',
      PORT: '-1',
    });
    expect(error.message).not.toContain('hunter2-secret');
    expect(error.message).not.toContain('pfx-hunter2');
  });
});

describe('authentication and exposure settings', () => {
  const key = (label: string) => `${label}-${'k'.repeat(30)}`;

  it('reads HUB_API_KEYS as role:KEY or role:NAME:KEY, keeping only SHA-256 digests', () => {
    const env = { HUB_API_KEYS: ` reader:${key('a')}, Operator:ci-bot:${key('b')} ` };
    const { auth, host } = loadConfig(env);
    expect(auth?.apiKeys).toEqual([
      { role: 'reader', name: 'reader key 1', digest: createHash('sha256').update(key('a')).digest() },
      { role: 'operator', name: 'ci-bot', digest: createHash('sha256').update(key('b')).digest() },
    ]);
    expect(auth?.jwt).toBeNull();
    expect(inspect(loadConfig(env), { depth: null })).not.toContain('kkkkk');
    // With authentication the hub may listen beyond loopback.
    expect(host).toBe('0.0.0.0');
  });

  it.each([
    ['a short key', 'operator:too-short-key', 'entry 1 has a key of 13 characters; keys need at least 24'],
    ['no role', key('x'), 'entry 1 is not in the form role:KEY'],
    ['an unknown role', `admin:${key('x')}`, 'entry 1 does not start with a role'],
    ['a key before its role', `${key('x')}:operator`, 'entry 1 does not start with a role'],
    ['a bad name', `operator:ci bot!:${key('x')}`, 'entry 1 has a name that is not 1–64 letters'],
    ['too many parts', `operator:a:b:${key('x')}`, 'entry 1 is not in the form role:KEY'],
    ['the same key twice', `reader:${key('x')},operator:${key('x')}`, 'entry 2 has the same key as entry 1'],
  ])('refuses HUB_API_KEYS with %s, never repeating the key', (_case, value, problem) => {
    const error = failure({ HUB_API_KEYS: value });
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toContain(`HUB_API_KEYS ${problem}`);
    expect(error.message).not.toContain('kkkkk');
    expect(error.message).not.toContain('too-short-key');
  });

  it('reads JWT verification from a JWKS URL or a shared secret, with issuer, audience and roles claim', () => {
    expect(
      loadConfig({
        HUB_JWT_JWKS_URL: 'https://login.example.com/keys',
        HUB_JWT_ISSUER: 'https://login.example.com/',
        HUB_JWT_AUDIENCE: 'api://p2c-hub',
        HUB_JWT_ROLES_CLAIM: 'realm_access.roles',
      }).auth,
    ).toEqual({
      apiKeys: [],
      jwt: {
        keys: { kind: 'jwks', url: 'https://login.example.com/keys' },
        issuer: 'https://login.example.com/',
        audience: 'api://p2c-hub',
        rolesClaim: 'realm_access.roles',
      },
    });
    expect(
      loadConfig({
        HUB_JWT_SECRET: 's'.repeat(32),
        HUB_JWT_ISSUER: 'hub-tests',
        HUB_JWT_AUDIENCE: 'p2c-hub',
      }).auth?.jwt,
    ).toMatchObject({ keys: { kind: 'secret' }, rolesClaim: 'roles' });
  });

  it('refuses incomplete or contradictory JWT settings, listing each problem', () => {
    expect(failure({ HUB_JWT_JWKS_URL: 'https://login.example.com/keys' }).problems).toEqual([
      'HUB_JWT_ISSUER is required when HUB_JWT_JWKS_URL is set (every accepted token must carry it as iss)',
      'HUB_JWT_AUDIENCE is required when HUB_JWT_JWKS_URL is set (every accepted token must carry it as aud)',
    ]);
    expect(
      failure({
        HUB_JWT_JWKS_URL: 'https://login.example.com/keys',
        HUB_JWT_SECRET: 's'.repeat(32),
        HUB_JWT_ISSUER: 'i',
        HUB_JWT_AUDIENCE: 'a',
      }).problems,
    ).toEqual(['HUB_JWT_JWKS_URL and HUB_JWT_SECRET are both set: choose one']);
    expect(failure({ HUB_JWT_ISSUER: 'i' }).problems).toEqual([
      'HUB_JWT_ISSUER has no effect without HUB_JWT_JWKS_URL or HUB_JWT_SECRET: set one of them',
    ]);
    const short = failure({ HUB_JWT_SECRET: 'hunter2', HUB_JWT_ISSUER: 'i', HUB_JWT_AUDIENCE: 'a' });
    expect(short.problems).toEqual(['HUB_JWT_SECRET must be at least 32 characters (256 bits) for HS256']);
    expect(short.message).not.toContain('hunter2');
  });

  it('refuses to start in production without authentication', () => {
    expect(failure({ NODE_ENV: 'production' }).problems).toEqual([
      'NODE_ENV=production needs authentication: set HUB_API_KEYS (e.g. operator:ci-bot:KEY) or HUB_JWT_JWKS_URL or HUB_JWT_SECRET with HUB_JWT_ISSUER and HUB_JWT_AUDIENCE',
    ]);
  });

  it('keeps a hub without authentication on loopback, refusing a HOST beyond it', () => {
    for (const host of ['127.0.0.1', 'localhost', '::1']) expect(loadConfig({ HOST: host }).host).toBe(host);
    expect(failure({ HOST: '0.0.0.0' }).problems).toEqual([
      'HOST 0.0.0.0 would let anyone who reaches it run syncs, as no authentication is configured: set HUB_API_KEYS or HUB_JWT_…, or listen on 127.0.0.1',
    ]);
    expect(loadConfig({ HOST: '0.0.0.0', HUB_API_KEYS: `reader:${key('a')}` }).host).toBe('0.0.0.0');
  });

  it('turns introspection and the Sandbox off in production unless HUB_INTROSPECTION / HUB_SANDBOX say true', () => {
    const production = { NODE_ENV: 'production', HUB_API_KEYS: `operator:${key('a')}` };
    expect(loadConfig(production)).toMatchObject({ introspection: false, sandbox: false });
    expect(loadConfig({ ...production, HUB_INTROSPECTION: 'true', HUB_SANDBOX: 'TRUE' })).toMatchObject({
      introspection: true,
      sandbox: true,
    });
    expect(loadConfig({ HUB_INTROSPECTION: 'false', HUB_SANDBOX: 'false' })).toMatchObject({
      introspection: false,
      sandbox: false,
    });
    expect(failure({ HUB_SANDBOX: 'yes' }).problems).toEqual(['HUB_SANDBOX must be true or false']);
  });

  it('reads HUB_CORS_ORIGINS as origins, refusing anything else', () => {
    expect(
      loadConfig({
        HUB_CORS_ORIGINS: 'https://app.contoso.com, http://localhost:3000/ ,https://app.contoso.com',
      }).corsOrigins,
    ).toEqual(['https://app.contoso.com', 'http://localhost:3000']);
    expect(loadConfig({ HUB_CORS_ORIGINS: '*' }).corsOrigins).toEqual(['*']);
    expect(failure({ HUB_CORS_ORIGINS: 'https://app.contoso.com/path,app.contoso.com' }).problems).toEqual([
      "HUB_CORS_ORIGINS lists 'https://app.contoso.com/path', which is not an origin: write scheme://host[:port], e.g. https://app.contoso.com, or *",
      "HUB_CORS_ORIGINS lists 'app.contoso.com', which is not an origin: write scheme://host[:port], e.g. https://app.contoso.com, or *",
    ]);
  });
});
