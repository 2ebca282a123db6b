/**
 * What the engine needs of a flow beyond its declaration: where its source is read, the target adapter of
 * each mapping, the per-page lookups of records other flows own, the link it keeps, and an optional step
 * after a complete read. Each flow's folder under src/sync/flows/ writes its plan; the engine runs any
 * plan and names no flow.
 */
import type { Connectors } from '../../connectors/index.js';
import type { LinkEntity } from '../../db/schema.js';
import type { FlowName } from '../../vocabulary.js';
import type { FlowDefinition, MappingName } from '../flows/types.js';
import type { ReferenceData } from '../reference.js';
import type { SourceSpec } from './read.js';
import type { TargetAdapter } from './write.js';

/** What a plan's `afterRead` is told: whether the run may write. */
export interface AfterReadOptions {
  dryRun: boolean;
}

/** Which of `keys` a flow run's read saw, by `matchKey`. */
export type KeysRead = (keys: readonly string[]) => Promise<ReadonlySet<string>>;

/** How the engine runs one flow. */
export interface FlowPlan {
  flow: FlowDefinition;
  source: SourceSpec;
  /** The target adapter of each mapping the flow routes to (made once per flow run). */
  targets: (connectors: Connectors) => Partial<Record<MappingName, TargetAdapter>>;
  /**
   * Adds the lookups a page's records and their children need (read in batches before mapping); absent
   * when none are.
   */
  lookups?: (
    connectors: Connectors,
    rows: readonly object[],
    reference: ReferenceData,
    children: readonly object[],
  ) => Promise<ReferenceData>;
  linkEntity: LinkEntity;
  /** The Sales row id of a pair: on the source record (Sales → Finance) or the target row (Finance → Sales). */
  salesId: (source: object, current: object | undefined) => string | null;
  /**
   * Notes after a complete read (not a resumed read, not a retry of some keys); it may write (retire
   * vanished products) unless `dryRun`. `wasRead` says which of the business keys it is given the read
   * saw (as `matchKey`), one query per call: ask it a batch at a time, never for every key at once.
   */
  afterRead?: (connectors: Connectors, wasRead: KeysRead, options: AfterReadOptions) => Promise<string[]>;
  /**
   * True for sources without a change feed: records whose mapped values hash as at the last sync are
   * unchanged without reading the target (in INCREMENTAL mode; FULL mode always compares).
   */
  unchangedByHash: boolean;
  /**
   * Source records per page for this flow when the engine is not given a page size (default 500): for a
   * flow whose every read of a page is one batched request whatever the page's size, a larger page costs
   * the same requests for more records.
   */
  pageSize?: number;
}

/** Every flow's plan by name: what the engine runs. */
export type FlowPlans = Readonly<Record<FlowName, FlowPlan>>;
