/** Starting the hub with a wrong configuration stops at once and says everything that is wrong. */
import { describe, expect, it } from 'vitest';
import { runMainUntilExit } from '../support/main-process.js';

describe('start-up', () => {
  it('refuses a bad configuration with every problem listed and a non-zero exit', async () => {
    const outcome = await runMainUntilExit({
      PORT: 'eighty',
      FINANCE_COMPANY: 'far-too-long',
      SALES_URL: 'https://org.crm.dynamics.com',
      SYNC_RETENTION_DAYS: '0',
    });
    expect(outcome.code).toBe(1);
    for (const name of [
      'PORT',
      'FINANCE_COMPANY',
      'SALES_TENANT_ID',
      'SALES_CLIENT_SECRET',
      'SYNC_RETENTION_DAYS',
    ])
      expect(outcome.stderr).toContain(name);
  });

  it('stops with a clear message and a non-zero exit when the database cannot be reached, showing no password', async () => {
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    const outcome = await runMainUntilExit({ DATABASE_URL: 'postgres://hub:s3cret-pa55@127.0.0.1:1/hub' });
    expect(outcome.code).toBe(1);
    const output = outcome.stdout + outcome.stderr;
    expect(output).toMatch(/The hub cannot start: .*PostgreSQL.*127\.0\.0\.1:1/);
    expect(output).not.toContain('s3cret-pa55');
    // It stopped before listening (a serving hub logs "GraphQL API: <url>").
    expect(output).not.toMatch(/GraphQL API:/);
  });

  it('refuses a value map file it cannot use, naming the file', async () => {
    const outcome = await runMainUntilExit({ VALUE_MAPS_FILE: '/nonexistent/value-maps.yaml' });
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toContain('/nonexistent/value-maps.yaml');
  });
});
