/**
 * `npm run simulators`: both simulators standalone, for poking at them with curl or pointing a generic
 * OData tool at their `$metadata`. Options: --seed N, --accounts N, --sales-port N, --finance-port N,
 * --no-auth (accept requests without a bearer token).
 */
import { parseArgs } from 'node:util';
import { seedSummary } from './seed/index.js';
import { defaultClient, startSimulators } from './index.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    accounts: { type: 'string', default: '300' },
    'sales-port': { type: 'string', default: '5101' },
    'finance-port': { type: 'string', default: '5102' },
    'no-auth': { type: 'boolean', default: false },
  },
});

const number = (name: string, text: string): number => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) {
    console.error(`--${name} must be a whole number, got '${text}'`);
    process.exit(2);
  }
  return value;
};

const simulators = await startSimulators({
  seed: number('seed', values.seed),
  accounts: number('accounts', values.accounts),
  salesPort: number('sales-port', values['sales-port']),
  financePort: number('finance-port', values['finance-port']),
  requireAuth: !values['no-auth'],
});

const counts = seedSummary(simulators.data);
console.log(`Sales simulator   (Dataverse Web API v9.2)  ${simulators.sales.serviceRoot}`);
console.log(`Finance simulator (F&O OData)               ${simulators.finance.serviceRoot}`);
console.log(
  `Token endpoints: <origin>/<tenant>/oauth2/v2.0/token  (client_id=${defaultClient.clientId}; see the README for the demo secret)`,
);
console.log(
  `Seeded: ${Object.entries(counts)
    .map(([set, n]) => `${set} ${n}`)
    .join(', ')}`,
);

const stop = (): void => {
  void simulators.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
