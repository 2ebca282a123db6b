/**
 * The contract between the run manager (which runs, in which order, with which status) and the flow
 * engine (how one flow moves its records page by page). The manager owns the run's lifecycle and events;
 * the engine owns reading, mapping, writing and committing pages through the run store.
 */
import type { Connectors } from '../../connectors/index.js';
import type { LinkStore } from '../../db/links.js';
import type { Counters, FailedKey, RunStore } from '../../db/runs.js';
import type { SyncMode } from '../../db/schema.js';
import type { FlowName } from '../flows/types.js';
import type { ValueMaps } from '../flows/value-maps.js';
import type { Logger } from '../../logging.js';
import type { FlowFilterSettings } from '../reference.js';
import type { DatabaseRetryPolicy } from './database-retry.js';
import type { FlowPlans } from './plan.js';

/** Everything a flow run needs; injected, no singletons. */
export interface FlowRunDependencies {
  connectors: Connectors;
  runs: RunStore;
  links: LinkStore;
  valueMaps: ValueMaps;
  /**
   * Records per page read from the source, for every flow: bounds memory and the size of a commit.
   * Default: each flow's own (`FlowPlan.pageSize`), else 500.
   */
  pageSize?: number;
  /**
   * Pages of a flow that compare and write at once (default 4); they still claim and commit one at a
   * time, in order. Memory holds about this many pages, plus the one read ahead.
   */
  pagesInFlight?: number;
  /** How each flow runs (`flowPlans` of src/sync/flows, made with the flows' settings). */
  plans: FlowPlans;
  /** The settings flow rules read (`inSetting`), e.g. the account relationship types to sync. Default none. */
  flowSettings?: FlowFilterSettings;
  /**
   * How long a flow waits for its database when a read or a page's commit finds it away (a dropped
   * connection, a failover) before the flow fails. Default `defaultDatabaseRetry`: six tries over ~15 s.
   */
  databaseRetry?: DatabaseRetryPolicy;
  /** Where each wait for the database is logged (a warning with the run and flow). Default: nowhere. */
  logger?: Logger;
}

export interface FlowRunRequest {
  runId: string;
  flow: FlowName;
  mode: SyncMode;
  dryRun: boolean;
  /**
   * Only these source business keys, with the attempt each last failed at (a retry of a run's failures);
   * a record failing again is recorded at the next attempt. Undefined = all records.
   */
  onlyKeys?: readonly FailedKey[];
  /** Aborted when the run is cancelled: the engine stops between pages (the page in hand is committed). */
  signal: AbortSignal;
  /**
   * The flow was in progress when this instance took the run over: go on after the last page the run
   * committed, in FULL mode too (a FULL run otherwise reads everything again).
   */
  resume?: boolean;
  /** The instance executing the run: each page commits only while it still holds the run (`PageCommit.owner`). */
  owner?: string;
  /** Called after every committed page with the flow's counters so far, for progress events. */
  onProgress: (progress: FlowProgress) => void;
}

export interface FlowProgress {
  counters: Counters;
  /** Source records expected in this flow run, when known (for ETA). */
  estimatedTotal: number | null;
}

/** How a flow run ended (the counters are in the run store). */
export type FlowRunResult =
  | { status: 'completed'; notes: string[] }
  /** Stopped by the signal between pages. */
  | { status: 'cancelled' }
  /**
   * The flow could not go on (a back-end outage after retries, a bug): its committed pages stay. `error`
   * is one sentence any reader of the run may see (the system, the operation, the outcome, the code);
   * `detail`, for operators and the log only, adds what may name records: the request's query and the
   * system's own message.
   */
  | { status: 'failed'; error: string; detail?: string };

/** Runs one flow of one run. Never throws: every end is a FlowRunResult. */
export type FlowRunner = (request: FlowRunRequest) => Promise<FlowRunResult>;

export type FlowRunnerFactory = (dependencies: FlowRunDependencies) => FlowRunner;
