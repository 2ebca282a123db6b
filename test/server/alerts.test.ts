/**
 * Alerts to a real HTTP receiver: a run that ends with errors is posted, signed with HMAC-SHA256 over the
 * body, retried with backoff while the receiver fails, and its delivery recorded; a run that succeeds
 * raises none. A run a schedule started, and the schedule's skips, alert only as the schedule's `alertOn`
 * says. (Sales or Finance unavailable: availability.test.ts.) `alertSettings` tells readers whether alerts
 * are configured and the receiver's origin, never the rest of the URL nor the secret.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createScheduleStore } from '../../src/db/schedules.js';
import { silentLogger } from '../../src/logging.js';
import { fireDueSchedules } from '../../src/sync/schedules/fire.js';
import { startTestHub, type TestHub } from '../support/hub.js';
import { createTestSchedule } from '../support/schedules.js';

const secret = 'alert-secret-0123456789';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

describe('alerts', () => {
  let hub: TestHub;
  let receiver: Server;
  const received: Received[] = [];
  /** Answers 500 this many times more before answering 204. */
  let failuresLeft = 0;

  beforeAll(async () => {
    receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        received.push({ headers: request.headers, body, at: Date.now() });
        response.statusCode = failuresLeft-- > 0 ? 500 : 204;
        response.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const { port } = receiver.address() as AddressInfo;
    hub = await startTestHub({
      accounts: 30,
      alerts: { url: `http://127.0.0.1:${port}/hooks/p2c`, secret },
      // Sales failing on purpose below must not keep the next test's runs from reaching it.
      circuitBreaker: { failureThreshold: 1_000 },
    });
  });
  afterAll(async () => {
    await hub?.close();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  async function runToEnd(flows: string): Promise<{ id: string; status: string }> {
    const { data } = await hub.graphql(
      `mutation { startSync(input: { flows: [${flows}], mode: FULL }) { id } }`,
    );
    const id: string = data.startSync.id;
    return vi.waitFor(
      async () => {
        const { data: read } = await hub.graphql(`query($id: ID!) { syncRun(id: $id) { id status } }`, {
          id,
        });
        expect(read.syncRun.status).not.toMatch(/^(QUEUED|RUNNING)$/);
        return read.syncRun;
      },
      { timeout: 30_000, interval: 100 },
    );
  }

  it('posts a signed alert for a run that ended with errors, retried until the receiver takes it, and records the delivery', async () => {
    // Without customer groups Finance refuses every new customer: the accounts flow ends with failures.
    const { store } = hub.simulators.finance;
    const groups = store.scan('CustomerGroups').map((group) => ({ ...group }));
    store.transaction(() => {
      for (const group of groups)
        store.remove('CustomerGroups', {
          dataAreaId: group['dataAreaId'] ?? null,
          CustomerGroupId: group['CustomerGroupId'] ?? null,
        });
    });
    failuresLeft = 2;
    const run = await runToEnd('ACCOUNTS');
    store.transaction(() => {
      for (const group of groups) store.insert('CustomerGroups', group);
    });
    expect(['FAILED', 'COMPLETED_WITH_ERRORS']).toContain(run.status);

    await vi.waitFor(() => expect(received).toHaveLength(3), { timeout: 30_000, interval: 100 });
    // The same bytes each time, each signed with the shared secret.
    const [first] = received;
    for (const attempt of received) {
      expect(attempt.body).toBe(first!.body);
      expect(attempt.headers['x-p2c-delivery']).toBe(first!.headers['x-p2c-delivery']);
      expect(attempt.headers['x-p2c-event']).toBe('sync.run.finished');
      expect(attempt.headers['x-p2c-signature-256']).toBe(
        `sha256=${createHmac('sha256', secret).update(attempt.body).digest('hex')}`,
      );
      expect(attempt.headers['content-type']).toBe('application/json');
    }
    // Backoff: the second retry waits longer than the first.
    expect(received[2]!.at - received[1]!.at).toBeGreaterThan(received[1]!.at - received[0]!.at);
    const body = JSON.parse(first!.body);
    expect(body).toMatchObject({
      event: 'sync.run.finished',
      deliveryId: first!.headers['x-p2c-delivery'],
      run: {
        id: run.id,
        status: run.status,
        trigger: { kind: 'PERSON', name: null },
        totals: { failed: expect.any(Number) },
      },
      link: `${hub.url.replace(/\/graphql$/, '')}/dashboard/runs/${run.id}`,
    });
    expect(body.run.totals.failed).toBeGreaterThan(0);
    expect(body.firstFailures.length).toBeGreaterThan(0);
    expect(body.firstFailures.length).toBeLessThanOrEqual(5);
    expect(body.firstFailures[0]).toMatchObject({
      flow: 'accounts',
      recordKey: expect.any(String),
      message: expect.any(String),
    });

    const { data } = await hub.graphql(
      `{ alertDeliveries(first: 5) { id event status attempts lastStatus lastError deliveredAt run { id } } }`,
    );
    expect(data.alertDeliveries).toEqual([
      {
        id: first!.headers['x-p2c-delivery'],
        event: 'sync.run.finished',
        status: 'DELIVERED',
        attempts: 3,
        lastStatus: 204,
        lastError: null,
        deliveredAt: expect.any(String),
        run: { id: run.id },
      },
    ]);
  });

  it('raises none for a run that succeeded', async () => {
    const before = received.length;
    const run = await runToEnd('ACCOUNTS');
    expect(run.status).toBe('SUCCEEDED');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(received).toHaveLength(before);
  });

  /** Runs the accounts flow as the named schedule would, to its end. */
  async function scheduledRun(schedule: string): Promise<{ id: string; status: string }> {
    const { run } = await hub.sync.start({
      flows: ['accounts'],
      mode: 'FULL',
      dryRun: false,
      requestedBy: null,
      trigger: { kind: 'SCHEDULE', name: schedule },
    });
    return vi.waitFor(
      async () => {
        const ended = (await hub.sync.snapshot(run.id))!.run;
        expect(ended.status).not.toMatch(/^(QUEUED|RUNNING)$/);
        return ended;
      },
      { timeout: 30_000, interval: 100 },
    );
  }

  const bodies = () => received.map((attempt) => JSON.parse(attempt.body));

  it('alerts on a run a schedule started only when the schedule’s alertOn lists how it ended', async () => {
    const schedules = createScheduleStore(hub.database);
    // Paused: started here, never by the hub's own tick.
    await createTestSchedule(schedules, {
      name: 'accounts, quiet on failure',
      alertOn: ['RUN_COMPLETED_WITH_ERRORS', 'SCHEDULE_SKIPPED'],
      enabled: false,
    });
    await createTestSchedule(schedules, { name: 'accounts, loud', alertOn: ['RUN_FAILED'], enabled: false });
    // Sales refusing to list accounts stops the flow: both runs end FAILED.
    hub.simulators.sales.faults.failNext(1_000, { status: 503, match: { entitySet: 'accounts' } });
    const quiet = await scheduledRun('accounts, quiet on failure');
    const loud = await scheduledRun('accounts, loud');
    hub.simulators.sales.faults.reset();
    expect([quiet.status, loud.status]).toEqual(['FAILED', 'FAILED']);

    // The loud run's alert, raised after the quiet run's end was looked at.
    const alert = await vi.waitFor(
      () => {
        const found = received.find((attempt) => JSON.parse(attempt.body).run?.id === loud.id);
        expect(found).toBeDefined();
        return found!;
      },
      { timeout: 30_000, interval: 100 },
    );
    expect(JSON.parse(alert.body)).toMatchObject({
      event: 'sync.run.finished',
      run: { id: loud.id, status: 'FAILED', trigger: { kind: 'SCHEDULE', name: 'accounts, loud' } },
    });
    expect(bodies().filter((body) => body.run?.id === quiet.id)).toEqual([]);
    const { data } = await hub.graphql(`{ alertDeliveries(first: 100) { event run { id } } }`);
    expect(
      data.alertDeliveries.filter((d: { run: { id: string } | null }) => d.run?.id === quiet.id),
    ).toEqual([]);
  });

  it('alerts on a schedule skipped three due times in a row only when its alertOn lists SCHEDULE_SKIPPED', async () => {
    const schedules = createScheduleStore(hub.database);
    // Yearly, so the hub's own tick never finds them due; the test's clock fires them.
    const timing = { cron: '0 0 1 1 *', flows: ['accounts'] as const };
    const quiet = await createTestSchedule(schedules, {
      ...timing,
      name: 'yearly, quiet on skips',
      alertOn: ['RUN_FAILED', 'RUN_COMPLETED_WITH_ERRORS'],
    });
    const loud = await createTestSchedule(schedules, { ...timing, name: 'yearly, loud' });
    // A slow run of the same flow, so each due time finds it still running.
    hub.simulators.sales.faults.set({ latencyMs: 3_000 });
    const { run: holding } = await hub.sync.start({
      flows: ['accounts'],
      mode: 'FULL',
      dryRun: false,
      requestedBy: null,
    });
    for (const year of [2100, 2101, 2102]) {
      const fired = await fireDueSchedules({
        schedules,
        start: hub.sync.start,
        logger: silentLogger(),
        now: () => new Date(`${year}-01-01T00:00:30Z`),
        alerts: hub.alerts,
      });
      expect(fired.map(({ scheduleId, outcome }) => [scheduleId, outcome])).toEqual(
        expect.arrayContaining([
          [quiet.id, 'SKIPPED'],
          [loud.id, 'SKIPPED'],
        ]),
      );
    }
    hub.simulators.sales.faults.reset();
    await hub.sync.cancel(holding.id);
    for (const schedule of [quiet, loud]) await schedules.update(schedule.id, { enabled: false });

    // Raised (stored) before the third firing resolved: the quiet schedule's absence is final.
    const { data } = await hub.graphql(`{ alertDeliveries(first: 100) { id event scheduleId } }`);
    const skipped = data.alertDeliveries.filter(
      (delivery: { event: string }) => delivery.event === 'sync.schedule.skipped',
    );
    expect(skipped).toEqual([
      { id: expect.any(String), event: 'sync.schedule.skipped', scheduleId: loud.id },
    ]);
    await vi.waitFor(
      () =>
        expect(bodies().filter((body) => body.event === 'sync.schedule.skipped')).toEqual([
          expect.objectContaining({
            deliveryId: skipped[0].id,
            schedule: { id: loud.id, name: 'yearly, loud' },
            skippedInARow: 3,
            lastDueAt: '2102-01-01T00:00:00.000Z',
          }),
        ]),
      { timeout: 30_000, interval: 100 },
    );
  });
});

describe('alert settings', () => {
  const readerKey = 'alert-settings-reader-key-0123456789';
  const { auth } = loadConfig({ HUB_API_KEYS: `reader:wallboard:${readerKey}` });
  // Every part of the URL past its origin may carry a credential: a user and password, the path, the query.
  const receiver = {
    url: 'https://relay-user:relay-password@hooks.example.com:8443/relay/secret-path?token=abc#fragment',
    secret: 'alert-settings-secret-0123456789',
  };
  const hidden = ['relay-user', 'relay-password', '/relay', 'secret-path', 'token', 'abc', 'fragment'];
  let configured: TestHub;
  let unconfigured: TestHub;
  const settings = `{ alertSettings { configured destination unavailableMinutes } }`;

  beforeAll(async () => {
    [configured, unconfigured] = await Promise.all([
      startTestHub({ accounts: 5, security: { auth }, alerts: receiver, alertUnavailableMinutes: 7 }),
      startTestHub({ accounts: 5, security: { auth } }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([configured?.close(), unconfigured?.close()]);
  });

  it('tells a reader where alerts go by the receiver’s origin only, never its path, query, password or secret', async () => {
    const response = await fetch(configured.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${readerKey}` },
      body: JSON.stringify({ query: settings }),
    });
    const wire = await response.text();
    expect(JSON.parse(wire)).toEqual({
      data: {
        alertSettings: {
          configured: true,
          destination: 'https://hooks.example.com:8443',
          unavailableMinutes: 7,
        },
      },
    });
    for (const part of [receiver.secret, receiver.url, ...hidden]) expect(wire).not.toContain(part);
  });

  it('says alerts are not configured, with the default outage minutes, when no webhook is', async () => {
    const { data, errors } = await unconfigured.graphql(settings, undefined, { token: readerKey });
    expect(errors).toBeUndefined();
    expect(data.alertSettings).toEqual({ configured: false, destination: null, unavailableMinutes: 5 });
  });
});
