/**
 * Three hub processes on one PostgreSQL database, unattended: an every-minute schedule fires once per
 * minute (one run per due time, whichever instance takes the job engine's tick), and continuous sync looks
 * at the Sales change feed once per interval in all, not once per instance, and carries a save to Finance.
 * Real minutes pass here (two due times); the firing rules with a controlled clock are in
 * test/sync/schedules/fire.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type TestPlace, postgresBackend } from '../db/backends.js';
import { continuousLooks } from '../support/continuous.js';
import {
  type ExternalSystems,
  type MainProcess,
  startExternalSystems,
  startMainProcess,
} from '../support/main-process.js';

const adminUrl = process.env.TEST_DATABASE_URL;
const postgres = postgresBackend;

interface Firing {
  dueAt: string;
  outcome: string;
  run: { id: string; trigger: { kind: string; name: string | null }; executedBy: string | null } | null;
}

/** The sum over the instances of their count of continuous looks at accounts that found no change. */
async function emptyLooks(hubs: MainProcess[]): Promise<number> {
  const counts = await Promise.all(hubs.map((hub) => continuousLooks(hub.url, 'accounts', 'none')));
  return counts.reduce((sum, count) => sum + count, 0);
}

describe.skipIf(!adminUrl || !postgres)('three instances, unattended (needs TEST_DATABASE_URL)', () => {
  let systems: ExternalSystems;
  let place: TestPlace;
  const hubs: MainProcess[] = [];

  beforeAll(async () => {
    systems = await startExternalSystems({ accounts: 20, clientSecret: 'cluster-client-secret' });
    place = await postgres!.createPlace();
    const env = (n: number) => ({
      ...systems.env,
      DATABASE_URL: (place.config as { url: string }).url,
      HUB_INSTANCE_ID: `hub-${n}`,
      HUB_CONTINUOUS_INTERVAL_SECONDS: '1',
    });
    // The first makes the job engine's tables; the others join it.
    hubs.push(await startMainProcess(env(1)));
    hubs.push(...(await Promise.all([startMainProcess(env(2)), startMainProcess(env(3))])));
  }, 120_000);
  afterAll(async () => {
    await Promise.all(hubs.map((hub) => hub.stop('SIGTERM')));
    for (const hub of hubs) hub.kill();
    await place?.dispose();
    await systems?.close();
  });

  it('fires an every-minute schedule once per due time, and follows Sales once, not three times', async () => {
    const created = await hubs[0]!.graphql<{ createSyncSchedule: { id: string } }>(
      `mutation { createSyncSchedule(input: { name: "every minute", flows: [ACCOUNTS], cron: "* * * * *" }) { id } }`,
    );
    expect(created.errors).toBeUndefined();
    const id = created.data!.createSyncSchedule.id;

    // Continuous sync of accounts, switched on at one instance, while the minutes pass.
    const switched = await hubs[1]!.graphql(
      `mutation { setContinuousSync(input: { flow: ACCOUNTS, enabled: true }) { enabled } }`,
    );
    expect(switched.errors).toBeUndefined();
    // Its first look (no token yet) reads every account; then the looks find nothing.
    await vi.waitFor(async () => expect(await emptyLooks(hubs)).toBeGreaterThan(0), {
      timeout: 30_000,
      interval: 250,
    });
    const looksBefore = await emptyLooks(hubs);
    const requestsBefore = systems.sales.log.httpRequests({ method: 'GET', entitySet: 'accounts' });
    const windowStart = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    const looked = (await emptyLooks(hubs)) - looksBefore;
    const seconds = (performance.now() - windowStart) / 1000;
    // One chain of looks at a one-second interval across the three: about one a second, not three.
    expect(looked).toBeGreaterThanOrEqual(3);
    expect(looked).toBeLessThanOrEqual(Math.ceil(seconds) + 2);
    const requests =
      systems.sales.log.httpRequests({ method: 'GET', entitySet: 'accounts' }) - requestsBefore;
    expect(requests).toBeGreaterThanOrEqual(looked);
    expect(requests).toBeLessThanOrEqual(looked + 3);

    // A save in Sales reaches Finance by continuous sync, whichever instance looks.
    const [account] = systems.sales.store
      .scan('accounts')
      .filter((row) => typeof row['accountnumber'] === 'string');
    const number = String(account!['accountnumber']).toLowerCase();
    systems.sales.store.transaction(() =>
      systems.sales.store.update(
        'accounts',
        { accountid: account!['accountid'] ?? null },
        { telephone1: '+1 (555) 010-5501', modifiedon: new Date().toISOString() },
      ),
    );
    await vi.waitFor(
      () => {
        const customer = systems.finance.store
          .scan('CustomersV3')
          .find((row) => String(row['CustomerAccount']).toLowerCase() === number);
        expect(customer?.['PrimaryContactPhone']).toBe('+1 (555) 010-5501');
      },
      { timeout: 20_000, interval: 200 },
    );

    // Two due times handled (a minute apart), whatever instance took each tick.
    const firings = await vi.waitFor(
      async () => {
        const { data } = await hubs[2]!.graphql<{ syncSchedule: { firings: Firing[] } }>(
          `query($id: ID!) { syncSchedule(id: $id) { firings(first: 10) {
            dueAt outcome run { id trigger { kind name } executedBy } } } }`,
          { id },
        );
        const handled = data!.syncSchedule.firings;
        expect(handled.length).toBeGreaterThanOrEqual(2);
        return handled;
      },
      { timeout: 170_000, interval: 1_000 },
    );
    const dueTimes = firings.map((firing) => Date.parse(firing.dueAt));
    expect(new Set(dueTimes).size).toBe(firings.length);
    for (const [index, due] of dueTimes.entries()) {
      expect(due % 60_000).toBe(0);
      if (index > 0) expect(dueTimes[index - 1]! - due).toBe(60_000);
    }
    // A run that starts while continuous sync's run holds accounts is skipped with the reason: both are
    // the Data Integrator's rule, and neither is a second firing.
    for (const firing of firings) expect(['STARTED', 'SKIPPED']).toContain(firing.outcome);
    const started = firings.filter((firing) => firing.outcome === 'STARTED');
    for (const firing of started)
      expect(firing.run?.trigger).toEqual({ kind: 'SCHEDULE', name: 'every minute' });

    // One run per started due time, no more: the runs that name the schedule are exactly those.
    const { data } = await hubs[0]!.graphql<{
      syncRuns: { nodes: { id: string; trigger: { kind: string; name: string | null } }[] };
    }>(`{ syncRuns(first: 200) { nodes { id trigger { kind name } } } }`);
    const scheduled = data!.syncRuns.nodes.filter((run) => run.trigger.kind === 'SCHEDULE');
    expect(scheduled.map((run) => run.id).sort()).toEqual(started.map((firing) => firing.run!.id).sort());
  }, 240_000);
});
