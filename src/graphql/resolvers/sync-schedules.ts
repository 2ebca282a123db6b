/**
 * Sync schedules over GraphQL: readers see them with their next due times and what became of the last
 * ones, and may ask what a timing would fire at before anything is saved; operators create, change,
 * pause, resume and delete them. Every wrong field is a BAD_USER_INPUT naming it. The firing itself is
 * src/sync/schedules/fire.ts.
 */
import { ScheduleStoreError, type ScheduleInput } from '../../db/schedules.js';
import { scheduleAlertEvents } from '../../db/schema.js';
import type {
  AlertDeliveryResolvers,
  MutationResolvers,
  QueryResolvers,
  SyncScheduleChange,
  SyncScheduleFiringResolvers,
  SyncScheduleResolvers,
} from '../../generated/resolvers-types.js';
import { inDependencyOrder } from '../../sync/flows/index.js';
import { nextDueTimes, timingProblems, type CronTiming } from '../../sync/schedules/cron.js';
import { checkedText } from '../arguments.js';
import type { HubContext } from '../context.js';
import { badInput, HubError } from '../errors.js';
import { requireRole } from '../principal.js';

const maxNameLength = 100;

export const syncScheduleQueries: Pick<
  QueryResolvers,
  'syncSchedules' | 'syncSchedule' | 'syncScheduleTimes' | 'alertDeliveries'
> = {
  syncSchedules: (_root, _args, context) => context.schedules.list(),
  syncSchedule: (_root, { id }, context) => context.schedules.get(id),
  // Checked as createSyncSchedule checks a timing, so the times shown are those a saved schedule fires at.
  syncScheduleTimes: (_root, { cron, timeZone, count }) => {
    const timing = { cron, timeZone: timeZone ?? 'UTC' };
    const [problem] = timingProblems(timing);
    if (problem) throw badInput(problem.field, problem.message);
    return dueTimesFromNow({ ...timing, cron: cron.trim() }, count);
  },
  alertDeliveries: (_root, { first }, context) => {
    const wanted = first ?? 20;
    if (!Number.isInteger(wanted) || wanted < 1 || wanted > 100)
      throw badInput('first', `must be a whole number from 1 to 100, got ${wanted}.`);
    return context.alerts.deliveries(wanted);
  },
};

export const AlertDelivery: AlertDeliveryResolvers = {
  run: (delivery, _args, context) => (delivery.runId ? context.runSnapshots.load(delivery.runId) : null),
  createdAt: (delivery) => delivery.createdAt.toISOString(),
  deliveredAt: (delivery) => delivery.deliveredAt?.toISOString() ?? null,
};

export const syncScheduleMutations: Pick<
  MutationResolvers,
  | 'createSyncSchedule'
  | 'updateSyncSchedule'
  | 'pauseSyncSchedule'
  | 'resumeSyncSchedule'
  | 'deleteSyncSchedule'
> = {
  createSyncSchedule: (_root, { input }, context) => {
    requireRole(context, 'operator', 'createSyncSchedule');
    const checked = checkedChange('input', input) as ScheduleInput;
    return stored(() =>
      context.schedules.create({
        ...checked,
        mode: input.mode ?? 'INCREMENTAL',
        dryRun: input.dryRun ?? false,
        timeZone: checked.timeZone ?? 'UTC',
        enabled: input.enabled ?? true,
        alertOn: checked.alertOn ?? scheduleAlertEvents,
        createdBy: context.principal.name,
      }),
    );
  },
  updateSyncSchedule: async (_root, { id, change }, context) => {
    requireRole(context, 'operator', 'updateSyncSchedule');
    const before = await existing(context, id);
    // A new cron is checked in the zone it will have, and a new zone with the cron it will have.
    const checked = checkedChange('change', change, { cron: before.cron, timeZone: before.timeZone });
    return stored(() => context.schedules.update(id, checked));
  },
  pauseSyncSchedule: async (_root, { id }, context) => {
    requireRole(context, 'operator', 'pauseSyncSchedule');
    await existing(context, id);
    return stored(() => context.schedules.update(id, { enabled: false }));
  },
  resumeSyncSchedule: async (_root, { id }, context) => {
    requireRole(context, 'operator', 'resumeSyncSchedule');
    await existing(context, id);
    return stored(() => context.schedules.update(id, { enabled: true }));
  },
  deleteSyncSchedule: async (_root, { id }, context) => {
    requireRole(context, 'operator', 'deleteSyncSchedule');
    if (!(await context.schedules.delete(id))) throw notFound(id);
    return id;
  },
};

export const SyncSchedule: SyncScheduleResolvers = {
  createdAt: (schedule) => schedule.createdAt.toISOString(),
  updatedAt: (schedule) => schedule.updatedAt.toISOString(),
  nextFireTimes: (schedule, { count }) => {
    const times = dueTimesFromNow(schedule, count);
    return schedule.enabled ? times : [];
  },
  firings: (schedule, { first }, context) => {
    const wanted = first ?? 10;
    if (!Number.isInteger(wanted) || wanted < 1 || wanted > 100)
      throw badInput('first', `must be a whole number from 1 to 100, got ${wanted}.`);
    return context.schedules.firings(schedule.id, wanted);
  },
};

export const SyncScheduleFiring: SyncScheduleFiringResolvers = {
  dueAt: (firing) => firing.dueAt.toISOString(),
  firedAt: (firing) => firing.firedAt.toISOString(),
  run: (firing, _args, context) => (firing.runId ? context.runSnapshots.load(firing.runId) : null),
};

/**
 * The fields given, checked one by one, each problem a BAD_USER_INPUT naming `<argument>.<field>`. The
 * timing is checked as it will be: `current` fills in the half of it the change leaves as it is.
 */
function checkedChange(
  argument: string,
  change: SyncScheduleChange,
  current?: { cron: string; timeZone: string },
): Partial<ScheduleInput> {
  const checked: Partial<ScheduleInput> = {};
  if (change.name !== undefined && change.name !== null) {
    const name = checkedText(`${argument}.name`, change.name.trim(), maxNameLength);
    if (name === '') throw badInput(`${argument}.name`, 'a schedule needs a name.');
    checked.name = name;
  }
  if (change.flows !== undefined && change.flows !== null) {
    if (change.flows.length === 0) throw badInput(`${argument}.flows`, 'a schedule syncs at least one flow.');
    checked.flows = inDependencyOrder([...new Set(change.flows)]);
  }
  if (change.mode) checked.mode = change.mode;
  if (change.dryRun !== undefined && change.dryRun !== null) checked.dryRun = change.dryRun;
  // Stored once each, in the enum's order, whatever order and repeats were sent.
  if (change.alertOn !== undefined && change.alertOn !== null)
    checked.alertOn = scheduleAlertEvents.filter((event) => change.alertOn!.includes(event));
  const cron = change.cron ?? undefined;
  const timeZone = change.timeZone ?? undefined;
  if (cron !== undefined || timeZone !== undefined) {
    const timing = { cron: cron ?? current?.cron ?? '', timeZone: timeZone ?? current?.timeZone ?? 'UTC' };
    const [problem] = timingProblems(timing);
    if (problem) throw badInput(`${argument}.${problem.field}`, problem.message);
    if (cron !== undefined) checked.cron = cron.trim();
    if (timeZone !== undefined) checked.timeZone = timeZone;
  }
  return checked;
}

/** The timing's next `count` due times after now (default 5, at most 20), as ISO strings. */
function dueTimesFromNow(timing: CronTiming, count: number | null | undefined): string[] {
  const wanted = count ?? 5;
  if (!Number.isInteger(wanted) || wanted < 1 || wanted > 20)
    throw badInput('count', `must be a whole number from 1 to 20, got ${wanted}.`);
  return nextDueTimes(timing, new Date(), wanted).map((time) => time.toISOString());
}

async function existing(context: HubContext, id: string) {
  const schedule = await context.schedules.get(id);
  if (!schedule) throw notFound(id);
  return schedule;
}

const notFound = (id: string) => new HubError('NOT_FOUND', `No sync schedule has the id ${id}.`);

async function stored<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ScheduleStoreError) {
      if (error.code === 'SCHEDULE_NAME_TAKEN') throw badInput('name', error.message);
      throw new HubError('NOT_FOUND', error.message);
    }
    throw error;
  }
}
