/**
 * The flows the engine runs, and for each what the declarative definition does not say: which connector
 * kind the source and target are, which link entity records the pairs, and how unchanged records are
 * told apart.
 */
import type { Connectors } from '../../connectors/index.js';
import type { LinkEntity } from '../../db/schema.js';
import { flows } from '../flows/index.js';
import type { FlowDefinition, FlowName, MappingName } from '../flows/types.js';
import type { ReferenceData } from '../reference.js';
import { readField } from '../transforms.js';
import { accountLookups, valuesOf } from './lookups.js';
import type { PageOutcome } from './outcomes.js';
import type { PageContext } from './page.js';
import { quotePageProcessor } from './quote-page.js';
import { productTarget } from './product-target.js';
import type { SourceSpec } from './read.js';
import type { AfterReadOptions, FlowSettings } from './types.js';
import { vanishedProducts } from './vanished.js';
import { financeTarget, type TargetAdapter } from './write.js';

/** How the engine runs one flow. */
export interface FlowPlan {
  flow: FlowDefinition;
  source: SourceSpec;
  /** The target adapter of each mapping the flow routes to (made once per flow run). */
  targets: (connectors: Connectors, settings: FlowSettings) => Partial<Record<MappingName, TargetAdapter>>;
  /** Adds the lookups a page's records need (read in batches before mapping); absent when none are. */
  lookups?: (
    connectors: Connectors,
    rows: readonly object[],
    reference: ReferenceData,
  ) => Promise<ReferenceData>;
  linkEntity: LinkEntity;
  /** The Sales row id of a pair: on the source record (Sales → Finance) or the target row (Finance → Sales). */
  salesId: (source: object, current: object | undefined) => string | null;
  /** Replaces the generic page processing for records with children (quotes and their lines). */
  processPage?: (
    connectors: Connectors,
  ) => (context: PageContext, rows: readonly object[]) => Promise<PageOutcome>;
  /**
   * Notes after a complete read (not a resumed read, not a retry of some keys), given every business key
   * the run read; it may write (retire vanished products) unless `dryRun`.
   */
  afterRead?: (
    connectors: Connectors,
    seenKeys: ReadonlySet<string>,
    options: AfterReadOptions,
  ) => Promise<string[]>;
  /**
   * True for sources without a change feed: records whose mapped values hash as at the last sync are
   * unchanged without reading the target (in INCREMENTAL mode; FULL mode always compares).
   */
  unchangedByHash: boolean;
}

const idOf =
  (column: string) =>
  (record: object | undefined): string | null => {
    const value = record === undefined ? null : readField(record, column);
    return typeof value === 'string' ? value : null;
  };

const accounts: FlowPlan = {
  flow: flows.accounts,
  source: { system: 'sales', kind: 'account', key: 'accountnumber' },
  targets: (connectors) => ({ customer: financeTarget(connectors, 'customer', 'CustomerAccount') }),
  linkEntity: 'account',
  salesId: (source) => idOf('accountid')(source),
  unchangedByHash: false,
};

const products: FlowPlan = {
  flow: flows.products,
  source: { system: 'finance', kind: 'product', key: 'ProductNumber' },
  targets: (connectors, settings) => ({ product: productTarget(connectors, settings.products) }),
  linkEntity: 'product',
  salesId: (_source, current) => idOf('productid')(current),
  unchangedByHash: true,
  afterRead: vanishedProducts,
};

const contacts: FlowPlan = {
  flow: flows.contacts,
  source: { system: 'sales', kind: 'contact', key: 'msdynce_contactnumber' },
  targets: (connectors) => ({
    personCustomer: financeTarget(connectors, 'customer', 'CustomerAccount'),
    contactPerson: financeTarget(connectors, 'contactPerson', 'ContactPersonId'),
  }),
  lookups: (connectors, rows, reference) =>
    accountLookups(connectors, valuesOf(rows, '_parentcustomerid_value'), reference),
  linkEntity: 'contact',
  salesId: (source) => idOf('contactid')(source),
  unchangedByHash: false,
};

const quotes: FlowPlan = {
  flow: flows.quotes,
  source: { system: 'sales', kind: 'quote', key: 'quotenumber' },
  // Quotes are written as change sets by their own page processor, not through a target adapter.
  targets: () => ({}),
  processPage: quotePageProcessor,
  linkEntity: 'quote',
  salesId: (source) => idOf('quoteid')(source),
  unchangedByHash: false,
};

/** How each flow runs; a Record, so a new flow name does not compile until it has a plan. */
export const flowPlans: Readonly<Record<FlowName, FlowPlan>> = { accounts, products, contacts, quotes };
