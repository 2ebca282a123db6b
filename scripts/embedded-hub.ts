/**
 * The embedded default for the benchmarks that measure the hub in one process (bench:query,
 * bench:load): both simulators in-process with the demo data at 0 ms latency, an in-memory PGlite and
 * the real server on a free port, like `npm start` without its files and logs.
 */
import { createConnectors } from '../src/connectors/index.js';
import { openDatabase } from '../src/db/connection.js';
import { type Hub, startHub } from '../src/hub.js';
import { connectorEndpointFor, type RunningSimulators, startSimulators } from '../src/simulators/index.js';

export interface EmbeddedHub {
  simulators: RunningSimulators;
  hub: Hub;
  /** A numbered account with contacts and at least two quotes: the example query touches every relation. */
  exampleAccount: string;
  close(): Promise<void>;
}

export async function startEmbeddedHub(accounts: number): Promise<EmbeddedHub> {
  const simulators = await startSimulators({ accounts });
  const database = await openDatabase({ kind: 'pglite' });
  const connectors = createConnectors({
    sales: connectorEndpointFor(simulators.sales.origin),
    finance: connectorEndpointFor(simulators.finance.origin),
    financeCompany: 'usmf',
  });
  const hub = await startHub({ connectors, database, port: 0, host: '127.0.0.1' });
  const { sales } = simulators.data;
  const example = sales.accounts.find(
    (a) =>
      a['accountnumber'] &&
      sales.contacts.some((c) => c['_parentcustomerid_value'] === a['accountid']) &&
      sales.quotes.filter((q) => q['_customerid_value'] === a['accountid']).length >= 2,
  );
  if (!example)
    throw new Error(`No account of the ${accounts}-account demo data has contacts and two quotes.`);
  return {
    simulators,
    hub,
    exampleAccount: String(example['accountnumber']),
    async close() {
      await hub.close();
      await simulators.close();
      await database.close();
    },
  };
}
