/**
 * The Finance simulator: F&O OData at /data for the Prospect-to-cash entities, on its own HTTP port,
 * with at least two companies. Usable in-process from tests and from `npm start`. Besides OData it does
 * what Finance users do in its UI: post sales orders (confirm … invoice, cancel) and free-text invoices.
 */
import { ServiceError } from '../core/errors.js';
import type { Row } from '../core/model.js';
import { createSimulatorServer, type SimulatorServer, type SimulatorServerOptions } from '../core/server.js';
import { createStore, type Store } from '../core/store.js';
import { createFinanceBehaviour, type FinanceBehaviour } from './behaviour.js';
import { financeEntitySets } from './entities.js';

export type { PostedInvoice } from './orders.js';
export type { FreeTextInvoiceRequest, PostingOptions, PostingResult, PostingStep } from './posting.js';

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
  /**
   * Posts one step on a sales order as a Finance user would (confirmation, picking list, packing slip,
   * delivery, invoice, cancellation) and returns the order's new status, with the invoice number for
   * `invoice`. Throws an `Error` carrying Finance's infolog text when Finance refuses the step. An
   * `invoice` step given `lines` invoices only those (a partial invoice).
   */
  postOrder: FinanceBehaviour['postOrder'];
  /** Posts a free-text invoice (no sales order, lines without a product) and returns its rows. */
  createFreeTextInvoice: FinanceBehaviour['createFreeTextInvoice'];
}

/** A refused posting as a plain `Error` whose message is the infolog text, not "An error has occurred.". */
function infologError<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof ServiceError)
      throw new Error(error.options.inner ?? error.message, { cause: error });
    throw error;
  }
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
  return Object.assign(createSimulatorServer({ ...serverOptions, behaviour }), {
    store,
    postOrder: (...args: Parameters<FinanceBehaviour['postOrder']>) =>
      infologError(() => behaviour.postOrder(...args)),
    createFreeTextInvoice: (...args: Parameters<FinanceBehaviour['createFreeTextInvoice']>) =>
      infologError(() => behaviour.createFreeTextInvoice(...args)),
  });
}
