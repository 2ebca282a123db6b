/**
 * The per-operation context, made by one factory for HTTP and WebSocket alike: a request id, the
 * authenticated caller (the transport authenticates before asking for a context), fresh DataLoaders (so
 * batching and caching never cross operations), and the reference data the flow mappings need (Sales currencies and units): the process's shared copy (src/sync/reference-cache.ts),
 * taken once per operation so that one operation maps every value with the same copy.
 */
import DataLoader from 'dataloader';
import { randomUUID } from 'node:crypto';
import type { Connectors } from '../connectors/index.js';
import type { LinkStore } from '../db/links.js';
import type { RunStore } from '../db/runs.js';
import type { ScheduleStore } from '../db/schedules.js';
import type { Alerts } from '../alerts/index.js';
import type { AlertSettings } from '../alerts/settings.js';
import type { RunSnapshot, SyncManager } from '../sync/runs/types.js';
import type { ContinuousSync } from '../sync/continuous/index.js';
import { type ValueMaps, withValueMaps } from '../sync/flows/value-maps.js';
import type { FlowFilterSettings, ReferenceData } from '../sync/reference.js';
import { fromUpstream } from './errors.js';
import { createLoaders, type Loaders } from './loaders.js';
import type { Principal } from './principal.js';

export interface HubContext {
  requestId: string;
  /** Who is calling, and with which role; `requireRole` checks it. */
  principal: Principal;
  /** The value maps in force: the defaults, with any replaced from VALUE_MAPS_FILE. */
  valueMaps: ValueMaps;
  /** The configured settings flow rules read (e.g. ACCOUNTS_RELATIONSHIP_TYPES). */
  flowSettings: FlowFilterSettings;
  /** Starts, cancels and follows sync runs. */
  sync: SyncManager;
  /** The stored runs and their failures. */
  runs: RunStore;
  /** The sync schedules and what became of their due times. */
  schedules: ScheduleStore;
  /** The alerts raised and how their delivery went, and whether Sales and Finance answer. */
  alerts: Pick<Alerts, 'deliveries' | 'systemAvailability'>;
  /** Whether alerts are configured and the receiver's origin: never its full URL nor the secret. */
  alertSettings: AlertSettings;
  /** Continuous sync per flow: switched on or off, and where it stands. */
  continuous: Pick<ContinuousSync, 'list' | 'set'>;
  loaders: Loaders;
  /**
   * Runs by id, as clients see them: the runs a list of firings, deliveries or flows names are read
   * together, not one by one.
   */
  runSnapshots: DataLoader<string, RunSnapshot | null>;
  /** Currency ISO codes and unit names by Sales id, and back. */
  reference(): Promise<ReferenceData>;
}

export interface ContextDependencies {
  connectors: Connectors;
  links: LinkStore;
  /** Default: the flows' default value maps. */
  valueMaps?: ValueMaps;
  /** Default: none (every `inSetting` rule holds). */
  flowSettings?: FlowFilterSettings;
  sync: SyncManager;
  runs: RunStore;
  schedules: ScheduleStore;
  alerts: Pick<Alerts, 'deliveries' | 'systemAvailability'>;
  /** The shareable summary of the alert settings (src/alerts/settings.ts), not the target itself. */
  alertSettings: AlertSettings;
  continuous: Pick<ContinuousSync, 'list' | 'set'>;
  /** Sales currencies and units, shared by every operation (a ReferenceCache's `get`). */
  referenceData: () => Promise<ReferenceData>;
}

/** What a transport knows of a request when it asks for its context. */
export interface ContextRequest {
  principal: Principal;
  /** The transport's id for the request (its `X-Request-Id`); default: a new UUID. */
  requestId?: string;
  /** Aborted when the operation runs out of time: the loaders then ask the back ends nothing more. */
  signal?: AbortSignal;
}

export function createContextFactory(
  dependencies: ContextDependencies,
): (request: ContextRequest) => Promise<HubContext> {
  const valueMaps = dependencies.valueMaps ?? withValueMaps();
  const flowSettings = dependencies.flowSettings ?? {};
  return async ({ principal, requestId, signal }) => {
    const loaders = createLoaders({ ...dependencies, ...(signal ? { signal } : {}) });
    let reference: Promise<ReferenceData> | undefined;
    return {
      requestId: requestId ?? randomUUID(),
      principal,
      valueMaps,
      flowSettings,
      sync: dependencies.sync,
      runs: dependencies.runs,
      schedules: dependencies.schedules,
      alerts: dependencies.alerts,
      alertSettings: dependencies.alertSettings,
      continuous: dependencies.continuous,
      loaders,
      runSnapshots: new DataLoader((ids: readonly string[]) => dependencies.sync.snapshots(ids)),
      reference: () => (reference ??= takeReference(dependencies.referenceData, flowSettings, signal)),
    };
  };
}

/**
 * The shared reference data with this hub's flow settings. Fails as the loaders do: with the abort's
 * reason once the operation ran out of time, without asking Sales; a Sales outage as UPSTREAM_UNAVAILABLE.
 */
async function takeReference(
  shared: () => Promise<ReferenceData>,
  settings: FlowFilterSettings,
  signal: AbortSignal | undefined,
): Promise<ReferenceData> {
  try {
    signal?.throwIfAborted();
    return { ...(await shared()), settings };
  } catch (error) {
    throw fromUpstream(error);
  }
}
