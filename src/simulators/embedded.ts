/**
 * The embedded default's simulators: what `npm start` starts for each system without a URL, seeded with
 * the demo data. `src/main.ts` imports this module only when it needs a simulator, so the simulators and
 * faker are never loaded by a hub against real systems.
 */
import type { SystemEndpoint } from '../connectors/index.js';
import type { Logger } from '../logging.js';
import type { SystemName } from '../vocabulary.js';
import type { SimulatorServer } from './core/server.js';
import { createFinanceSimulator } from './finance/index.js';
import { connectorEndpointFor } from './index.js';
import { createSalesSimulator } from './sales/index.js';
import { generateSeed, seedSummary, type SeedOptions } from './seed/index.js';

/** The simulators started, as endpoints the connectors use, and how to stop them. */
export interface EmbeddedSystems {
  endpoints: Partial<Record<SystemName, SystemEndpoint>>;
  close(): Promise<unknown>;
}

export interface EmbeddedOptions {
  /** Which systems get a simulator. */
  wanted: Record<SystemName, boolean>;
  seed: SeedOptions;
  /** Each simulator answers after this long (SIMULATOR_LATENCY_MS). */
  latencyMs: number;
}

/** Seeds the demo data and starts a simulator for each wanted system on a free local port. */
export async function startEmbeddedSimulators(
  { wanted, seed, latencyMs }: EmbeddedOptions,
  logger: Logger,
): Promise<EmbeddedSystems> {
  // The caller announces the seeding, before waiting for this module if it is still loading.
  const data = generateSeed(seed);
  const faults = { latencyMs };
  const servers: Partial<Record<SystemName, SimulatorServer>> = {};
  if (wanted.sales) servers.sales = createSalesSimulator({ data: data.sales, faults });
  if (wanted.finance) servers.finance = createFinanceSimulator({ data: data.finance, faults });
  for (const server of Object.values(servers)) await server.listen(0, '127.0.0.1');
  if (latencyMs > 0) logger.info(`Embedded simulators answer after ${latencyMs} ms (SIMULATOR_LATENCY_MS)`);
  const counts = seedSummary(data);
  logger.info(
    `Seeded demo data (seed ${seed.seed}, ${seed.accounts} accounts): ${Object.entries(counts)
      .map(([set, n]) => `${set} ${n}`)
      .join(', ')}`,
  );
  const endpoints: EmbeddedSystems['endpoints'] = {};
  for (const [system, server] of Object.entries(servers) as [SystemName, SimulatorServer][])
    endpoints[system] = connectorEndpointFor(server.origin);
  return {
    endpoints,
    close: () => Promise.all(Object.values(servers).map((server) => server.close())),
  };
}
