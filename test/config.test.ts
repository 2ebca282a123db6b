/**
 * The configuration is read once, validated, and a wrong start says everything that is wrong at once.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

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
  it('defaults to the embedded setup: PGlite, both simulators, company usmf, loopback on 4000, runs kept 45 days, new products Active, vanished ones reported', () => {
    expect(loadConfig({})).toEqual({
      development: false,
      port: 4000,
      host: '127.0.0.1',
      database: { kind: 'pglite', dataDir: './.hub-data' },
      sales: { kind: 'simulator' },
      finance: { kind: 'simulator' },
      financeCompany: 'usmf',
      authorityUrl: 'https://login.microsoftonline.com',
      seed: { seed: 1, accounts: 300 },
      valueMapsFile: undefined,
      retentionDays: 45,
      products: { createState: 'active', priceList: null, vanished: 'report' },
      accountRelationshipTypes: [],
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
  ])('refuses %s=%s, saying what it must be', (name, value, problem) => {
    expect(failure({ [name]: value }).problems).toEqual([problem]);
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
      credentials: { tenantId: 't', clientId: 'c', clientSecret: 's' },
    });
    expect(config.finance).toEqual({ kind: 'simulator' });
    expect(config.financeCompany).toBe('demf');
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

  it('never repeats a secret in its message', () => {
    const error = failure({
      SALES_URL: 'https://org.crm.dynamics.com',
      SALES_CLIENT_SECRET: 'hunter2-secret',
      PORT: '-1',
    });
    expect(error.message).not.toContain('hunter2-secret');
  });
});
