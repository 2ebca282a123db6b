/**
 * The Sales simulator: Dataverse Web API v9.2 for the Prospect-to-cash tables, on its own HTTP port.
 * Usable in-process (`createSalesSimulator(...).listen()`) from tests and from `npm start`.
 */
import type { Row } from '../core/model.js';
import { createSimulatorServer, type SimulatorServer, type SimulatorServerOptions } from '../core/server.js';
import { createStore, type Store } from '../core/store.js';
import { createSalesBehaviour, type SalesBehaviour } from './behaviour.js';
import { salesEntitySets } from './entities.js';
import { notifyChange, type SalesWebhook } from './webhooks.js';

export interface SalesSimulatorOptions extends Omit<SimulatorServerOptions, 'behaviour'> {
  /** Rows per entity set to start with (e.g. `generateSeed().sales`). */
  data?: Partial<Record<string, Row[]>>;
  /** Server page size when the client sends no `Prefer: odata.maxpagesize`; tests use small pages. */
  pageSize?: number;
  now?: () => Date;
  /** Where to post each change of an account, contact or quote made through the API (webhooks.ts). */
  webhook?: SalesWebhook;
  /** The `x-ms-dop-hint` response header (Dataverse's recommended degree of parallelism). Default 4. */
  dopHint?: number;
}

export interface SalesSimulator extends SimulatorServer {
  readonly store: Store;
  readonly behaviour: SalesBehaviour;
  /** Expires every change-tracking token issued so far. */
  expireChangeTokens(): void;
  /** Points the change notifications at `webhook`, or stops them (null). */
  setWebhook(webhook: SalesWebhook | null): void;
}

export function createSalesSimulator({
  data = {},
  pageSize,
  now,
  webhook: initialWebhook,
  dopHint,
  ...serverOptions
}: SalesSimulatorOptions = {}): SalesSimulator {
  const store = createStore(salesEntitySets, { versionColumn: 'versionnumber' });
  for (const set of salesEntitySets) for (const row of data[set.name] ?? []) store.insert(set.name, row);
  const behaviour = createSalesBehaviour({
    store,
    ...(pageSize ? { pageSize } : {}),
    ...(now ? { now } : {}),
    ...(dopHint !== undefined ? { dopHint } : {}),
  });
  let webhook = initialWebhook ?? null;
  const server = createSimulatorServer({
    ...serverOptions,
    behaviour: {
      ...behaviour,
      handle(request) {
        const response = behaviour.handle(request);
        notifyChange(webhook, request, response);
        return response;
      },
    },
  });
  return Object.assign(server, {
    store,
    behaviour,
    expireChangeTokens: () => behaviour.changeTracking.expireTokens(),
    setWebhook(next: SalesWebhook | null) {
      webhook = next;
    },
  });
}
