/**
 * The Finance simulator: F&O OData at /data for the Prospect-to-cash entities, on its own HTTP port,
 * with at least two companies. Usable in-process from tests and from `npm start`.
 */
import type { Row } from '../core/model.js';
import { createSimulatorServer, type SimulatorServer, type SimulatorServerOptions } from '../core/server.js';
import { createStore, type Store } from '../core/store.js';
import { createFinanceBehaviour } from './behaviour.js';
import { financeEntitySets } from './entities.js';

export interface FinanceSimulatorOptions extends Omit<SimulatorServerOptions, 'behaviour'> {
  /** Rows per entity set to start with (e.g. `generateSeed().finance`). */
  data?: Partial<Record<string, Row[]>>;
  /** Rows per page before a next link; tests use small pages. */
  pageSize?: number;
  defaultCompany?: string;
  now?: () => Date;
}

export interface FinanceSimulator extends SimulatorServer {
  readonly store: Store;
}

export function createFinanceSimulator({
  data = {},
  pageSize,
  defaultCompany,
  now,
  ...serverOptions
}: FinanceSimulatorOptions = {}): FinanceSimulator {
  const store = createStore(financeEntitySets);
  for (const set of financeEntitySets) for (const row of data[set.name] ?? []) store.insert(set.name, row);
  const behaviour = createFinanceBehaviour({
    store,
    ...(pageSize ? { pageSize } : {}),
    ...(defaultCompany ? { defaultCompany } : {}),
    ...(now ? { now } : {}),
  });
  return Object.assign(createSimulatorServer({ ...serverOptions, behaviour }), { store });
}
