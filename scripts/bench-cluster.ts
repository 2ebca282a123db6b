/**
 * What the benchmarks of several hub instances share: cleanups run in reverse on the way out (or when the
 * deadline passes), Sales and Finance simulators in the benchmark's own process, and hub processes
 * (`node --import tsx src/main.ts`) pointed at them and at a PostgreSQL database.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createFinanceSimulator, type FinanceSimulator } from '../src/simulators/finance/index.js';
import { hubEnvironment } from '../src/simulators/hub-env.js';
import { createSalesSimulator, type SalesSimulator } from '../src/simulators/sales/index.js';
import { generateSeed } from '../src/simulators/seed/index.js';

export interface Cleanups {
  push(cleanup: () => Promise<unknown>): void;
  /** Runs every cleanup, newest first (one that fails does not stop the others); the deadline is off. */
  cleanUp(): Promise<void>;
}

/** Cleanups for benchmark `name`; past `timeoutSeconds` they run and the process exits 1. */
export function createCleanups(name: string, timeoutSeconds: number): Cleanups {
  const cleanups: (() => Promise<unknown>)[] = [];
  let deadline: NodeJS.Timeout | undefined = undefined;
  const cleanUp = async () => {
    clearTimeout(deadline);
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  };
  deadline = setTimeout(() => {
    console.error(`${name}: not done after ${timeoutSeconds} s; stopping everything`);
    void cleanUp().then(() => process.exit(1));
  }, timeoutSeconds * 1000);
  deadline.unref();
  return { push: (cleanup) => cleanups.push(cleanup), cleanUp };
}

export interface Systems {
  sales: SalesSimulator;
  finance: FinanceSimulator;
  /** What points a hub at them (URLs, authorities, client credentials). */
  env: Record<string, string>;
}

/** Sales and Finance outside the hubs, as real systems are, seeded with `accounts` (seed 1). */
export async function startSystems(
  accounts: number,
  clientSecret: string,
  cleanups: Cleanups,
): Promise<Systems> {
  const data = generateSeed({ seed: 1, accounts });
  const client = { clientId: 'hub-client', clientSecret };
  const sales = createSalesSimulator({ data: data.sales, clients: [client] });
  const finance = createFinanceSimulator({ data: data.finance, clients: [client], requireAuth: false });
  await sales.listen(0, '127.0.0.1');
  await finance.listen(0, '127.0.0.1');
  cleanups.push(() => Promise.all([sales.close(), finance.close()]));
  return { sales, finance, env: hubEnvironment({ sales: sales.origin, finance: finance.origin }, client) };
}

export interface HubProcess {
  child: ChildProcessWithoutNullStreams;
  /** The GraphQL endpoint. */
  url: string;
  /** Everything it wrote so far. */
  output(): string;
  /** Settles when the process has exited. */
  exited: Promise<void>;
}

/**
 * Starts one hub on `databaseUrl` with `env` added, and resolves once it serves. The cleanups stop it
 * (with `stopSignal()`, SIGTERM unless said otherwise; SIGKILL after 15 s).
 */
export async function startHubProcess(
  systems: Systems,
  databaseUrl: string,
  env: Record<string, string>,
  cleanups: Cleanups,
  stopSignal: () => NodeJS.Signals = () => 'SIGTERM',
): Promise<HubProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      ...process.env,
      ...systems.env,
      DATABASE_URL: databaseUrl,
      HUB_DATA_DIR: '',
      HOST: '127.0.0.1',
      PORT: '0',
      HUB_API_KEYS: '',
      HUB_JWT_JWKS_URL: '',
      HUB_JWT_SECRET: '',
      ...env,
    },
  });
  let running = true;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => (running = false));
  cleanups.push(async () => {
    if (!running) return;
    child.kill(stopSignal());
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  });
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /GraphQL API: (\S+)/.exec(output);
      if (match) resolve(match[1]!);
    });
    void exited.then(() => reject(new Error(`a hub exited before serving:\n${output}`)));
  });
  return { child, url, output: () => output, exited };
}
