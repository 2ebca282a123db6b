/**
 * The run store's types and errors, shared by its parts (runs.ts, run-pages.ts, run-failures.ts) and
 * re-exported by runs.ts, which is what the rest of the hub imports.
 */
import type { LinkInput } from './links.js';
import type { RunOwner } from './run-leases.js';
import type { Checkpoint, CounterName, SyncMode, SyncTriggerKind } from './schema.js';
import type { FlowName, RunStatus } from '../vocabulary.js';

/** A flow's progress counters, as GraphQL's SyncCounters. */
export type Counters = Record<CounterName, number>;

/** What `createRun` needs. */
export interface NewRun {
  /** The flows in the order the run runs them; at least one, each once. */
  flows: readonly FlowName[];
  mode: SyncMode;
  dryRun: boolean;
  requestedBy?: string | null;
  /** The run whose failed records this run retries. */
  retryOf?: string | null;
  /**
   * Create the run only if no QUEUED or RUNNING run includes one of its flows; otherwise reject with a
   * RunStoreError `SYNC_ALREADY_RUNNING`. The check and the insert are atomic, so of two concurrent
   * starts only one wins. Default: false (the caller checks with `runningRunFor`).
   */
  exclusive?: boolean;
  /** The instance that will execute the run, holding it for `leaseMs` from now (run-leases.ts). Default: none. */
  owner?: { owner: RunOwner; leaseMs: number };
  /** What started the run. Default: a person (`requestedBy`). */
  trigger?: RunTrigger;
}

/** What started a run: a person (`requestedBy` names them), a schedule by name, continuous sync, a webhook. */
export interface RunTrigger {
  kind: SyncTriggerKind;
  /** The schedule's name for SCHEDULE; null otherwise. */
  name: string | null;
}

/** How many records of a flow one reason skipped. */
export interface SkipCount {
  reason: string;
  count: number;
}

/** One flow of a run as read. */
export interface SyncRunFlowRecord {
  flow: FlowName;
  status: RunStatus;
  counters: Counters;
  estimatedTotal: number | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** Why the flow failed, or why it was skipped (status CANCELLED). */
  error: string | null;
  /** What the engine reported on completing the flow, in order; empty until then. */
  notes: string[];
  /** The skipped records by reason, most first (then by reason); the counts add up to `counters.skipped`. */
  skips: SkipCount[];
}

/** A run as read, with its flows in run order and their counters summed. */
export interface SyncRunRecord {
  id: string;
  status: RunStatus;
  mode: SyncMode;
  dryRun: boolean;
  requestedBy: string | null;
  retryOf: string | null;
  error: string | null;
  flows: SyncRunFlowRecord[];
  totals: Counters;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  updatedAt: Date;
  /** The instance executing the run now (`HUB_INSTANCE_ID`); null while it waits for one, and once it ended. */
  ownerInstance: string | null;
  /** What happened to the run as a whole, in order: which instance took it over and why. */
  notes: string[];
  triggerKind: SyncTriggerKind;
  /** The schedule's name for a SCHEDULE run; null otherwise. */
  triggerName: string | null;
}

/** One page of a keyset listing. */
export interface Page<T> {
  items: T[];
  /** Whether a next page exists; ask for it with the last item's id as `after`. */
  hasNextPage: boolean;
}

/** What `listRuns` lists: newest first, `first` runs after the run `after` (exclusive). */
export interface RunListing {
  first: number;
  /** The id of the last run of the previous page. */
  after?: string | null;
  status?: RunStatus | null;
}

/** What `setRunStatus` may set besides the status. Omitted fields keep their value. */
export interface RunStatusChange {
  error?: string | null;
  /** Default: now when the status becomes RUNNING and the run has not started yet. */
  startedAt?: Date;
  /** Default: now when the status is final (not QUEUED or RUNNING). */
  finishedAt?: Date;
  /** Given, nothing changes unless this instance still holds the run (see `PageCommit.owner`). */
  owner?: string;
}

/** What `setFlowStatus` may set besides the status. Omitted fields keep their value. */
export interface FlowStatusChange {
  error?: string | null;
  estimatedTotal?: number | null;
  /** What the engine reported on completing the flow; replaces the notes stored before. */
  notes?: readonly string[];
  /** Given, nothing changes unless this instance still holds the run (see `PageCommit.owner`). */
  owner?: string;
}

/** One record's failure, as the sync reports it. */
export interface FailureInput {
  /** The record's key in the source system (its business key where it has one). */
  recordKey: string;
  message: string;
  code?: string | null;
  /** Default 1; a retry run passes one more than the attempt `failureKeys` gave. */
  attempt?: number;
}

/** A failure as read. `id` orders failures as they were recorded and pages them. */
export interface SyncFailureRecord {
  id: number;
  runId: string;
  flow: FlowName;
  recordKey: string;
  message: string;
  code: string | null;
  attempt: number;
  at: Date;
}

/** What `failures` lists: oldest first, `first` failures after the failure `after` (exclusive). */
export interface FailureListing {
  first: number;
  /** The id of the last failure of the previous page. */
  after?: number | null;
  flow?: FlowName | null;
  /** Only failures whose record key or message contains this text, case-insensitively. */
  search?: string | null;
}

/** Which failures of a run to count: as `FailureListing`, without the page. */
export type FailureFilter = Pick<FailureListing, 'flow' | 'search'>;

/** A record that failed in a run, with the highest attempt recorded for it. */
export interface FailedKey {
  recordKey: string;
  attempt: number;
}

/** Where a page leaves the flow's cursor. Fields present (null included) are written; absent ones kept. */
export interface CursorAdvance {
  deltaLink?: string | null;
  checkpoint?: Checkpoint | null;
}

/**
 * A business key as read by a flow of a run, and the source record holding it (its Sales row id, or the
 * key itself for a source without one), so that a later page can tell a second record using the key
 * from the same record read again.
 */
export interface KeyClaim {
  /** As the source spells it; stored as `matchKey(key)`. */
  key: string;
  claimedBy: string;
}

/** One page's outcomes, committed together by `commitPage`. */
export interface PageCommit {
  runId: string;
  flow: FlowName;
  /**
   * Increments, not totals: non-negative integers. `failed` defaults to the number of `failures`,
   * `skipped` to the sum of `skips`.
   */
  counters?: Partial<Counters>;
  /**
   * The page's skipped records by reason (reason → count), added to the flow's counts by reason. Every
   * skipped record has its reason: they must add up to the `skipped` increment.
   */
  skips?: ReadonlyMap<string, number>;
  failures?: readonly FailureInput[];
  /** Links to upsert (see LinkInput); refused in a dry run, which writes nothing but its report. */
  links?: readonly LinkInput[];
  /** Refused in a dry run: a dry run must leave the next real run to read the same changes. */
  cursor?: CursorAdvance;
  /**
   * The business keys the page's records claimed that earlier pages of the flow had not (see KeyClaim);
   * a key already claimed is left as it is. Dry runs claim too: they decide duplicates as a real run.
   */
  claims?: readonly KeyClaim[];
  /**
   * The instance committing the page (`HUB_INSTANCE_ID`). Given, the page is refused (RUN_TAKEN_OVER)
   * unless that instance still holds the run, so an executor that lost its lease cannot write after the
   * instance that took the run over.
   */
  owner?: string;
}

/** A flow's cursor as read. */
export interface SyncCursorRecord {
  flow: FlowName;
  deltaLink: string | null;
  checkpoint: Checkpoint | null;
  /** The run that last moved the cursor; null once that run is purged. */
  lastRunId: string | null;
  updatedAt: Date;
}

/** Why the run store refused a write. */
export type RunStoreErrorCode =
  /** No run has the id. */
  | 'RUN_NOT_FOUND'
  /** The run does not include the flow. */
  | 'FLOW_NOT_IN_RUN'
  /** The run or the flow has a final status (finished, cancelled, or marked interrupted). */
  | 'RUN_FINISHED'
  /** A QUEUED or RUNNING run already includes one of the flows (`createRun` with `exclusive`). */
  | 'SYNC_ALREADY_RUNNING'
  /** A dry run tried to write links or move a cursor. */
  | 'DRY_RUN_WRITE'
  /** The page's owner no longer holds the run: its lease ran out and another instance took the run over. */
  | 'RUN_TAKEN_OVER';

/** A write the run store refused; nothing of it was written. */
export class RunStoreError extends Error {
  override name = 'RunStoreError';
  constructor(
    readonly code: RunStoreErrorCode,
    /** The run the write was about; for SYNC_ALREADY_RUNNING, the run already in progress. */
    readonly runId: string,
    message: string,
  ) {
    super(message);
  }
}
