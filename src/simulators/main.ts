/**
 * `npm run simulators`: both simulators standalone, for poking at them with curl, pointing a generic
 * OData tool at their `$metadata`, or pointing one or more hubs at them: it prints the exact environment
 * for that as `export` lines. Options: --seed N, --accounts N, --sales-port N, --finance-port N,
 * --no-auth (accept requests without a bearer token), and faults for both systems: --latency-ms N,
 * --unavailable-rate R (share of requests answered 503), --hang-rate R (share never answered),
 * --throttle N/S (429 after N requests in a sliding window of S seconds, Retry-After until it admits again).
 */
import { parseArgs } from 'node:util';
import { seedSummary } from './seed/index.js';
import type { FaultOptions } from './core/faults.js';
import { exportLines, hubEnvironment } from './hub-env.js';
import { defaultClient, startSimulators } from './index.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    accounts: { type: 'string', default: '300' },
    'sales-port': { type: 'string', default: '5101' },
    'finance-port': { type: 'string', default: '5102' },
    'no-auth': { type: 'boolean', default: false },
    'latency-ms': { type: 'string', default: '0' },
    'unavailable-rate': { type: 'string', default: '0' },
    'hang-rate': { type: 'string', default: '0' },
    throttle: { type: 'string' },
  },
});

const usage = (message: string): never => {
  console.error(message);
  process.exit(2);
};

const number = (name: string, text: string): number => {
  const value = Number(text);
  return Number.isInteger(value) && value >= 0
    ? value
    : usage(`--${name} must be a whole number, got '${text}'`);
};

const rate = (name: string, text: string): number => {
  const value = Number(text);
  return value >= 0 && value <= 1 ? value : usage(`--${name} must be a share between 0 and 1, got '${text}'`);
};

function throttleOf(text: string | undefined): FaultOptions['throttle'] {
  if (text === undefined) return null;
  const match = /^(\d+)\/(\d+)$/.exec(text);
  if (!match) return usage(`--throttle must look like 6000/300 (requests/seconds), got '${text}'`);
  const seconds = Number(match[2]);
  return { maxRequests: Number(match[1]), windowMs: seconds * 1000 };
}

const faults: Partial<FaultOptions> = {
  latencyMs: number('latency-ms', values['latency-ms']),
  unavailableRate: rate('unavailable-rate', values['unavailable-rate']),
  hangRate: rate('hang-rate', values['hang-rate']),
  throttle: throttleOf(values.throttle),
};

const simulators = await startSimulators({
  seed: number('seed', values.seed),
  accounts: number('accounts', values.accounts),
  salesPort: number('sales-port', values['sales-port']),
  financePort: number('finance-port', values['finance-port']),
  requireAuth: !values['no-auth'],
  salesFaults: faults,
  financeFaults: faults,
});

const counts = seedSummary(simulators.data);
console.log(`Sales simulator   (Dataverse Web API v9.2)  ${simulators.sales.serviceRoot}`);
console.log(`Finance simulator (F&O OData)               ${simulators.finance.serviceRoot}`);
console.log('Token endpoints: <origin>/<tenant>/oauth2/v2.0/token, each simulator for its own system');
console.log(
  `Seeded: ${Object.entries(counts)
    .map(([set, n]) => `${set} ${n}`)
    .join(', ')}`,
);

const active = Object.entries(faults).filter(([, value]) => value !== 0 && value !== null);
if (active.length > 0)
  console.log(
    `Faults on both: ${active.map(([name, value]) => `${name}=${JSON.stringify(value)}`).join(', ')}`,
  );

// Last, so it can be copied as one block; the same lines serve any number of hubs.
console.log('\n# Point a hub at these simulators: paste into its shell, then npm start');
for (const line of exportLines(
  hubEnvironment({ sales: simulators.sales.origin, finance: simulators.finance.origin }, defaultClient),
))
  console.log(line);

const stop = (): void => {
  void simulators.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
