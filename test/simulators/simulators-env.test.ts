/**
 * `npm run simulators` prints the environment that points a hub at it, and a hub given exactly that
 * environment works: each simulator signs in the hub for its own system (Finance no longer gets tokens
 * from the Sales simulator's issuer, which it would refuse).
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportLines, hubEnvironment } from '../../src/simulators/hub-env.js';
import { type MainProcess, startMainProcess } from '../support/main-process.js';

interface SimulatorsProcess {
  /** The variables of the printed `export NAME=value` lines. */
  env: Record<string, string>;
  /** Ends the whole process group (npm, its shell, the wrapper and node) and waits for npm to exit. */
  stop(): Promise<void>;
}

/** The printed block is complete once its last variable is there. */
const lastVariable = 'FINANCE_COMPANY';

/** `npm run simulators` in a process group of its own, resolved once it has printed the environment. */
async function startSimulatorsProcess(args: string[], timeoutMs = 60_000): Promise<SimulatorsProcess> {
  const child: ChildProcessWithoutNullStreams = spawn(
    'npm',
    ['run', '--silent', 'simulators', '--', ...args],
    {
      detached: true,
    },
  );
  const group = child.pid!;
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const stop = async () => {
    try {
      process.kill(-group, 'SIGTERM');
    } catch {
      return; // the group is gone already
    }
    await exited;
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no environment printed in time:\n${output}`)),
        timeoutMs,
      );
      child.stdout.on('data', () => {
        if (new RegExp(`^export ${lastVariable}=`, 'm').test(output)) {
          clearTimeout(timer);
          resolve();
        }
      });
      void exited.then(() => reject(new Error(`npm run simulators exited:\n${output}`)));
    });
  } catch (error) {
    await stop();
    throw error;
  }
  const env = Object.fromEntries(
    [...output.matchAll(/^export ([A-Z_]+)=(\S+)$/gm)].map((match) => [match[1]!, match[2]!]),
  );
  return { env, stop };
}

const crossSystemQuery = `{
  accounts(first: 20) { nodes { accountNumber sales { accountid } finance { CustomerAccount } } }
}`;
const startSync = `mutation { startSync(input: { flows: [ACCOUNTS], mode: FULL }) { id } }`;
const runQuery = `query Run($id: ID!) { syncRun(id: $id) { status error totals { read failed } } }`;

describe('npm run simulators', () => {
  let simulators: SimulatorsProcess;
  let hub: MainProcess | undefined;

  beforeAll(async () => {
    simulators = await startSimulatorsProcess([
      '--sales-port',
      '0',
      '--finance-port',
      '0',
      '--accounts',
      '60',
    ]);
  }, 90_000);
  afterAll(async () => {
    hub?.kill();
    await simulators?.stop();
  });

  it('prints, as export lines, each system URL, its own token authority, tenant, client id and secret, and the company', () => {
    const { env } = simulators;
    expect(Object.keys(env)).toEqual([
      'SALES_URL',
      'SALES_AUTHORITY_URL',
      'SALES_TENANT_ID',
      'SALES_CLIENT_ID',
      'SALES_CLIENT_SECRET',
      'FINANCE_URL',
      'FINANCE_AUTHORITY_URL',
      'FINANCE_TENANT_ID',
      'FINANCE_CLIENT_ID',
      'FINANCE_CLIENT_SECRET',
      'FINANCE_COMPANY',
    ]);
    expect(env.SALES_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(env.FINANCE_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(env.FINANCE_URL).not.toBe(env.SALES_URL);
    // Each simulator knows only the tokens it issued.
    expect(env.SALES_AUTHORITY_URL).toBe(env.SALES_URL);
    expect(env.FINANCE_AUTHORITY_URL).toBe(env.FINANCE_URL);
  });

  it('points a hub at both simulators with nothing else to set: a query over both systems and a sync work', async () => {
    hub = await startMainProcess({ ...simulators.env, HUB_DATA_DIR: 'memory://' });

    const read = await hub.graphql<{
      accounts: { nodes: { accountNumber: string; sales: unknown; finance: unknown }[] };
    }>(crossSystemQuery);
    expect(read.errors).toBeUndefined();
    const nodes = read.data!.accounts.nodes;
    expect(nodes.length).toBeGreaterThan(0);
    // Both systems answered: every listed account has its Sales row, and most are mirrored in Finance.
    expect(nodes.every((node) => node.sales !== null)).toBe(true);
    expect(nodes.some((node) => node.finance !== null)).toBe(true);

    const started = await hub.graphql<{ startSync: { id: string } }>(startSync);
    expect(started.errors).toBeUndefined();
    const id = started.data!.startSync.id;
    let run: { status: string; error: string | null; totals: { read: number; failed: number } } | undefined;
    for (let polls = 0; polls < 600; polls += 1) {
      run = (await hub.graphql<{ syncRun: NonNullable<typeof run> }>(runQuery, { id })).data?.syncRun;
      if (run && !['QUEUED', 'RUNNING'].includes(run.status)) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(run).toMatchObject({ status: 'SUCCEEDED', error: null, totals: { failed: 0 } });
    expect(run!.totals.read).toBeGreaterThan(0);
  }, 90_000);
});

describe('the printed environment', () => {
  it('quotes a value a shell would split or expand, and nothing else', () => {
    const env = hubEnvironment(
      { sales: 'http://127.0.0.1:5101', finance: 'http://[::1]:5102' },
      { clientId: 'hub-client', clientSecret: "it's $ecret" },
    );
    expect(exportLines(env)).toEqual([
      'export SALES_URL=http://127.0.0.1:5101',
      'export SALES_AUTHORITY_URL=http://127.0.0.1:5101',
      'export SALES_TENANT_ID=simulator',
      'export SALES_CLIENT_ID=hub-client',
      `export SALES_CLIENT_SECRET='it'\\''s $ecret'`,
      "export FINANCE_URL='http://[::1]:5102'",
      "export FINANCE_AUTHORITY_URL='http://[::1]:5102'",
      'export FINANCE_TENANT_ID=simulator',
      'export FINANCE_CLIENT_ID=hub-client',
      `export FINANCE_CLIENT_SECRET='it'\\''s $ecret'`,
      'export FINANCE_COMPANY=usmf',
    ]);
  });
});
