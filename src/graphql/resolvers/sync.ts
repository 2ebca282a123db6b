/**
 * `sync` on every unified record: where the record stands between the two systems right now. The sync
 * layer's read model computes it from the live rows and the stored link; this resolver reads them, and
 * turns an outage of any of them into `unavailable` rather than an error.
 */
import type { SyncLink } from '../../generated/resolvers-types.js';
import type { FlowDefinition } from '../../sync/flows/index.js';
import { syncStatusOf, type RecordView } from '../../sync/read-model/index.js';
import { isDatabaseOutage } from '../../db/outages.js';
import type { HubContext } from '../context.js';
import { HubError } from '../errors.js';
import type { LinkEntity } from '../loaders.js';
import { pairLines } from './lines.js';

export interface SyncLinkInput {
  entity: LinkEntity;
  key: string;
  /** The flow the record belongs to: its record view's (`recordViews.quote.flow`). */
  flow: FlowDefinition;
  /** Reads the flow's source row (Sales for accounts, contacts, quotes; Finance for products), null if absent. */
  source: () => Promise<object | null>;
  /** Reads the flow's target row, null if absent. */
  target: () => Promise<object | null>;
  /**
   * For a flow with child lines (orders, invoices): the view of its child mapping and reads of each
   * system's lines, which are then compared too. Absent: only the header is compared.
   */
  lines?: {
    view: RecordView<object, object>;
    source: () => Promise<readonly object[]>;
    target: () => Promise<readonly object[]>;
  };
}

/**
 * The record's sync link. An outage never fails it: a system, or the hub's database, that cannot be read
 * is named in `unavailable` and makes the state UNKNOWN — unless the stored link says FAILED or PENDING,
 * which stays true whatever the systems answer — so the record's other fields still answer. Any other
 * error is a bug and is thrown.
 */
export async function syncLink(context: HubContext, input: SyncLinkInput): Promise<SyncLink> {
  const { flow } = input;
  const toFinance = flow.direction === 'salesToFinance';
  const sourceSystem = toFinance ? 'SALES' : 'FINANCE';
  const targetSystem = toFinance ? 'FINANCE' : 'SALES';
  const none = async (): Promise<readonly object[]> => [];
  const [link, source, target, reference, sourceLines, targetLines] = await Promise.all([
    settle('DATABASE', () => context.loaders.link.load(`${input.entity}:${input.key}`), isDatabaseOutage),
    settle(sourceSystem, input.source),
    settle(targetSystem, input.target),
    // Currencies and units come from Sales: without them no mapped value can be compared.
    settle('SALES', () => context.reference()),
    settle(sourceSystem, input.lines?.source ?? none),
    settle(targetSystem, input.lines?.target ?? none),
  ]);
  const reads = [link, source, target, reference, sourceLines, targetLines];
  const unavailable = [...new Set(reads.flatMap((read) => read.unavailable))];
  const lines =
    input.lines && sourceLines.value && targetLines.value
      ? pairLines(input.lines.view, sourceLines.value, targetLines.value)
      : undefined;
  const row = link.value ?? null;
  const { state, drift } = syncStatusOf(
    flow,
    {
      link: row,
      source: source.value ?? null,
      target: target.value ?? null,
      reference: reference.value,
      incomplete: unavailable.length > 0,
      lines,
    },
    { valueMaps: context.valueMaps },
  );
  return {
    lastSyncedAt: row?.lastSyncedAt ? new Date(row.lastSyncedAt).toISOString() : null,
    lastRunId: row?.lastRunId ?? null,
    lastError: row?.lastError ?? null,
    unavailable,
    state,
    drift,
  };
}

type Component = SyncLink['unavailable'][number];

/** A read's value, or the component it could not reach. */
interface Settled<T> {
  value: T | undefined;
  unavailable: Component[];
}

/** The loaders turn a system's outage into UPSTREAM_UNAVAILABLE (`fromUpstream`). */
const isSystemOutage = (error: unknown): boolean =>
  error instanceof HubError && error.code === 'UPSTREAM_UNAVAILABLE';

async function settle<T>(
  component: Component,
  read: () => Promise<T>,
  isOutage: (error: unknown) => boolean = isSystemOutage,
): Promise<Settled<T>> {
  try {
    return { value: await read(), unavailable: [] };
  } catch (error) {
    if (isOutage(error)) return { value: undefined, unavailable: [component] };
    throw error;
  }
}
