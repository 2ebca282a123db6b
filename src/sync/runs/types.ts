/**
 * The run manager's contract with its callers (the GraphQL resolvers, schedules, continuous sync,
 * webhooks): start, cancel and retry runs, read them as snapshots, and follow their events.
 */
import type { RunTrigger, SyncRunRecord } from '../../db/runs.js';
import type { SyncMode } from '../../db/schema.js';
import type { ClientPace } from '../../connectors/index.js';
import type { FlowName, SystemName } from '../../vocabulary.js';

/**
 * How fast one system takes this instance's requests now: the bound on requests at once (lowered after a
 * 429, climbing back), what it climbs back to, the requests sent and waiting, and until when the system
 * holds every request back after a 429 (null when it does not).
 */
export type SystemPace = ClientPace;

/** What only the instance executing a flow knows about it while it runs. */
export interface FlowRate {
  /** Source records read per second. */
  recordsPerSecond: number | null;
  /** Seconds left at that rate, when the total is known. */
  etaSeconds: number | null;
  /** Each system's pace as the flow runs (both systems: a flow reads one and writes the other). */
  systems?: SystemPace[];
}

/** A run as clients see it: the stored run plus live rates per flow. */
export interface RunSnapshot {
  run: SyncRunRecord;
  /** Per flow (by name), while it runs on the instance that published the snapshot. */
  rates: Partial<Record<FlowName, FlowRate>>;
}

/** Start a run: flows default to all seven (run in dependency order). */
export interface StartRunInput {
  flows?: readonly FlowName[];
  mode: SyncMode;
  dryRun: boolean;
  requestedBy?: string | null;
  /** What starts the run. Default: a person (`requestedBy`). */
  trigger?: RunTrigger;
}

/** An INCREMENTAL run of one flow that nobody asked for by hand: continuous sync's, or a webhook's. */
export function incrementalRunOf(flow: FlowName, kind: 'CONTINUOUS' | 'WEBHOOK'): StartRunInput {
  return {
    flows: [flow],
    mode: 'INCREMENTAL',
    dryRun: false,
    requestedBy: null,
    trigger: { kind, name: null },
  };
}

/**
 * Why a start was refused, with every problem (VALIDATION_FAILED) or the run already holding a flow
 * (SYNC_ALREADY_RUNNING), or an unknown run (NOT_FOUND).
 */
export class SyncRequestError extends Error {
  override name = 'SyncRequestError';
  constructor(
    readonly code:
      | 'VALIDATION_FAILED'
      | 'SYNC_ALREADY_RUNNING'
      | 'NOT_FOUND'
      | 'NOT_CANCELLABLE'
      // A system the start must ask could not answer: not the caller's doing.
      | 'UPSTREAM_UNAVAILABLE',
    message: string,
    readonly problems: readonly string[] = [],
    readonly runId?: string,
    /** With UPSTREAM_UNAVAILABLE: the system that did not answer. */
    readonly system?: SystemName,
  ) {
    super(message);
  }
}

/** Publishes run snapshots; an in-process implementation now, a shared one (Redis, …) for several instances. */
export interface RunEventBus {
  publish(snapshot: RunSnapshot): void;
  /** Every snapshot of one run (`runId`) or of all runs (`'*'`); returns the unsubscribe function. */
  subscribe(runId: string | '*', listener: (snapshot: RunSnapshot) => void): () => void;
}

export interface SyncManager {
  /** Validates, creates the run (QUEUED) and starts it in the background; resolves at once. */
  start(input: StartRunInput): Promise<RunSnapshot>;
  /** Cancels a QUEUED or RUNNING run: it stops between pages. */
  cancel(runId: string): Promise<RunSnapshot>;
  /** A new run over only the failed records of `runId`. */
  retryFailures(runId: string, requestedBy?: string | null): Promise<RunSnapshot>;
  /** The run as clients see it, read from the run store; null when no run has the id. */
  snapshot(runId: string): Promise<RunSnapshot | null>;
  /**
   * The run as clients see it, built from a record already read (a page of `listRuns`, say) without
   * reading it again, with the live estimates and rates of its flows running here.
   */
  snapshotOf(run: SyncRunRecord): RunSnapshot;
  /** The runs of `runIds` as clients see them, in that order (null for an unknown id), read in one go. */
  snapshots(runIds: readonly string[]): Promise<(RunSnapshot | null)[]>;
  readonly events: RunEventBus;
  /**
   * Starts this instance's part: says it is alive, releases the runs left behind by instances that went
   * away (for any instance to take over; a dry run or a retry is FAILED "interrupted"), gives every run
   * waiting for an executor its job, and starts the job workers; from then on it renews its leases and keeps
   * looking. Call once at start; resolves with the runs it found left behind.
   */
  recoverInterrupted(): Promise<string[]>;
  /** The ids of the runs this process executes now (holding their leases), oldest first. */
  executing(): string[];
  /**
   * Stops accepting runs and fetching jobs, lets each running run commit its page, then hands it back to
   * another live instance, or, alone, marks it FAILED ("interrupted by shutdown").
   */
  shutdown(): Promise<void>;
}
