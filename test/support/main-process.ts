/**
 * The hub as a real child process, from source as `npm run dev` runs it (`node --import tsx src/main.ts`)
 * or compiled as `npm start` runs it (`node dist/main.js`), for tests of what only the whole program does: its logs, its signals, its exit code. The environment is cleared of anything that would
 * change the hub under test (a DATABASE_URL or keys of the machine running the tests), then `env` is
 * applied. Systems outside the process (`startExternalSystems`) survive its restarts, as real ones do.
 */
import { type ChildProcessWithoutNullStreams, execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { generateSeed } from '../../src/simulators/seed/index.js';
import { createFinanceSimulator, type FinanceSimulator } from '../../src/simulators/finance/index.js';
import { createSalesSimulator, type SalesSimulator } from '../../src/simulators/sales/index.js';

const cleared = [
  'DATABASE_URL',
  'HUB_DATA_DIR',
  'SALES_URL',
  'FINANCE_URL',
  'SALES_TENANT_ID',
  'SALES_CLIENT_ID',
  'SALES_CLIENT_SECRET',
  'FINANCE_TENANT_ID',
  'FINANCE_CLIENT_ID',
  'FINANCE_CLIENT_SECRET',
  'AUTHORITY_URL',
  'SALES_AUTHORITY_URL',
  'FINANCE_AUTHORITY_URL',
  'SALES_CREDENTIAL',
  'SALES_CERTIFICATE_FILE',
  'SALES_CERTIFICATE_PASSWORD',
  'SALES_SCOPE',
  'FINANCE_CREDENTIAL',
  'FINANCE_CERTIFICATE_FILE',
  'FINANCE_CERTIFICATE_PASSWORD',
  'FINANCE_SCOPE',
  // Where msal-node finds a managed identity: the machine's own must not answer for a test's hub.
  'IDENTITY_ENDPOINT',
  'IDENTITY_HEADER',
  'IMDS_ENDPOINT',
  'AZURE_POD_IDENTITY_AUTHORITY_HOST',
  'HUB_API_KEYS',
  'HUB_JWT_JWKS_URL',
  'HUB_JWT_SECRET',
  'HUB_JWT_ISSUER',
  'HUB_JWT_AUDIENCE',
  'HOST',
  'VALUE_MAPS_FILE',
  'SIMULATOR_LATENCY_MS',
  'LOG_LEVEL',
];

export interface MainProcess {
  /** The GraphQL endpoint, from the start-up log line. */
  url: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Posts a query; `token` goes in the Authorization header, `requestId` in X-Request-Id. */
  graphql<T = any>(
    query: string,
    variables?: Record<string, unknown>,
    options?: { token?: string; requestId?: string },
  ): Promise<{
    status: number;
    headers: Headers;
    data?: T;
    errors?: { message: string; extensions?: any }[];
  }>;
  /** Sends `signal` and resolves with how the process ended. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends `signal` without waiting (SIGSTOP and SIGCONT freeze and wake the process). */
  signal(signal: NodeJS.Signals): void;
  /** Kills the process if it still runs (for `afterEach`). */
  kill(): void;
}

const mainArgs = ['--import', 'tsx', 'src/main.ts'];
/** `npm start`: the compiled server, with node alone. */
export const compiledArgs = ['--enable-source-maps', 'dist/main.js'];

/** The machine's environment without what would change the hub under test, on a free port, then `env`. */
const mainEnv = (env: Record<string, string>): NodeJS.ProcessEnv => ({
  ...process.env,
  ...Object.fromEntries(cleared.map((name) => [name, ''])),
  PORT: '0',
  ...env,
});

/**
 * Runs `npm start` expecting it to stop by itself (a start it refuses), and resolves with its exit code
 * (0 if it stopped cleanly) and output; a process still running after `timeoutMs` is killed.
 */
export async function runMainUntilExit(
  env: Record<string, string>,
  timeoutMs = 30_000,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, mainArgs, { env: mainEnv(env), timeout: timeoutMs }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
}

/** Starts the hub and resolves once it serves; rejects with its output if it exits first. */
export async function startMainProcess(
  env: Record<string, string>,
  timeoutMs = 60_000,
  { args = mainArgs, nodeOptions = [] }: { args?: readonly string[]; nodeOptions?: readonly string[] } = {},
): Promise<MainProcess> {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [...nodeOptions, ...args], {
    env: mainEnv(env),
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the hub did not start in time:\n${output}`)), timeoutMs);
    const look = () => {
      const match = /GraphQL API: (\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout.on('data', look);
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`the hub exited (${code}) before serving:\n${output}`));
    });
  });
  return {
    url,
    output: () => output,
    async graphql(query, variables, { token, requestId } = {}) {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          ...(token !== undefined ? { Authorization: `Bearer ${token}` } : {}),
          ...(requestId !== undefined ? { 'X-Request-Id': requestId } : {}),
        },
        body: JSON.stringify({ query, ...(variables ? { variables } : {}) }),
      });
      return { status: response.status, headers: response.headers, ...((await response.json()) as object) };
    },
    signal(signal) {
      child.kill(signal);
    },
    stop(signal = 'SIGTERM') {
      child.kill(signal);
      return exited;
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

export interface ExternalSystems {
  sales: SalesSimulator;
  finance: FinanceSimulator;
  /** The variables that point the hub at them (with `clientSecret` as both systems' client secret). */
  env: Record<string, string>;
  close(): Promise<void>;
}

/**
 * Both simulators on free ports in this process, as the hub's "real" Sales and Finance. Sales checks
 * the client secret and bearer tokens; Finance takes any caller, since a token comes from one authority
 * (AUTHORITY_URL, here the Sales simulator) and each simulator knows only the tokens it issued.
 */
export async function startExternalSystems({
  accounts,
  clientSecret,
}: {
  accounts: number;
  clientSecret: string;
}): Promise<ExternalSystems> {
  const data = generateSeed({ seed: 1, accounts });
  const clients = [{ clientId: 'hub-client', clientSecret }];
  const sales = createSalesSimulator({ data: data.sales, clients });
  const finance = createFinanceSimulator({ data: data.finance, clients, requireAuth: false });
  await sales.listen(0, '127.0.0.1');
  await finance.listen(0, '127.0.0.1');
  const credentials = (prefix: string) => ({
    [`${prefix}_TENANT_ID`]: 'simulator',
    [`${prefix}_CLIENT_ID`]: 'hub-client',
    [`${prefix}_CLIENT_SECRET`]: clientSecret,
  });
  return {
    sales,
    finance,
    env: {
      SALES_URL: sales.origin,
      FINANCE_URL: finance.origin,
      AUTHORITY_URL: sales.origin,
      ...credentials('SALES'),
      ...credentials('FINANCE'),
    },
    close: async () => {
      await Promise.all([sales.close(), finance.close()]);
    },
  };
}

/** `npm start` in its own process group, as a terminal or a process manager runs it. */
export interface NpmStartProcess {
  /** npm's pid, which is also the process group's id. */
  npmPid: number;
  /** The pid of the node process running the hub (from its log lines). */
  hubPid: number;
  /** The GraphQL endpoint, from the start-up log line. */
  url: string;
  output(): string;
  /** Resolves with how npm ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once nothing holds npm's output open any more (every process that wrote to it ended). */
  closed: Promise<void>;
  /** Whether any process of the group still exists. */
  groupAlive(): boolean;
  /** SIGKILLs whatever of the group is left (for `afterEach`). */
  killGroup(): void;
}

const projectRoot = new URL('../..', import.meta.url).pathname;

/**
 * Runs `npm start` from the project folder with `detached`, so npm, the shell it runs the script with and
 * the hub form a process group the test created and may signal as a whole; resolves once the hub serves.
 */
export async function startNpmStart(
  env: Record<string, string>,
  timeoutMs = 120_000,
): Promise<NpmStartProcess> {
  const { child, output, exited, closed } = spawnNpmStart(env);
  const npmPid = child.pid!;
  const groupAlive = () => {
    try {
      process.kill(-npmPid, 0);
      return true;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'EPERM';
    }
  };
  const killGroup = () => {
    if (groupAlive()) process.kill(-npmPid, 'SIGKILL');
  };
  const serving = await new Promise<{ url: string; hubPid: number }>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`npm start did not serve in time:\n${output()}`)),
      timeoutMs,
    );
    const look = () => {
      const match = /"pid":(\d+),[^\n]*"msg":"GraphQL API: (\S+)/.exec(output());
      if (match) {
        clearTimeout(timer);
        child.stdout.off('data', look);
        resolve({ hubPid: Number(match[1]), url: match[2]! });
      }
    };
    child.stdout.on('data', look);
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited (${code}) before serving:\n${output()}`));
    });
  }).catch((error: unknown) => {
    killGroup();
    throw error;
  });
  return { npmPid, ...serving, output, exited, closed, groupAlive, killGroup };
}

/**
 * Runs `npm start` expecting it to stop by itself (a start it refuses); resolves with npm's exit code and
 * everything printed. A group still running after `timeoutMs` is killed and reported as code null.
 */
export async function runNpmStartUntilExit(
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<{ code: number | null; output: string }> {
  const { child, output, exited, closed } = spawnNpmStart(env);
  const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), timeoutMs);
  const { code } = await exited;
  await closed;
  clearTimeout(timer);
  return { code, output: output() };
}

function spawnNpmStart(env: Record<string, string>) {
  const child = spawn('npm', ['start'], { cwd: projectRoot, env: mainEnv(env), detached: true });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return { child, output: () => output, exited, closed };
}
