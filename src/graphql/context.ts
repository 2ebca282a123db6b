/**
 * The per-operation context, made by one factory for HTTP and WebSocket alike: a request id, the
 * authenticated caller (the transport authenticates before asking for a context), fresh DataLoaders (so batching and caching never cross operations), and the reference data the flow
 * mappings need (Sales currencies and units), read at most once per operation.
 */
import { randomUUID } from 'node:crypto';
import type { Connectors } from '../connectors/index.js';
import type { LinkStore } from '../db/links.js';
import type { RunStore } from '../db/runs.js';
import type { ScheduleStore } from '../db/schedules.js';
import type { Alerts } from '../alerts/index.js';
import type { AlertSettings } from '../alerts/settings.js';
import type { SyncManager } from '../sync/runs/types.js';
import type { ContinuousSync } from '../sync/continuous/index.js';
import { type ValueMaps, withValueMaps } from '../sync/flows/value-maps.js';
import { createReferenceData, type FlowFilterSettings, type ReferenceData } from '../sync/reference.js';
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
      reference: () => (reference ??= loadReference(loaders, flowSettings)),
    };
  };
}

async function loadReference(loaders: Loaders, settings: FlowFilterSettings): Promise<ReferenceData> {
  const [currencies, units] = await Promise.all([loaders.currencies(), loaders.units()]);
  return { ...createReferenceData({ currencies, units }), settings };
}
