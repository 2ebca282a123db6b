/**
 * Sales or Finance unavailable, watched by two hubs on one PostgreSQL database, alerting a real HTTP
 * receiver: Finance down past HUB_ALERT_UNAVAILABLE_MINUTES raises one signed `system.unavailable`
 * however many instances look at once, and its return one `system.available`; `systemAvailability`
 * shows where each system stands. The looks are the minute job's own (`availability.check`), with the
 * test's clock, so minutes pass without waiting. Needs PostgreSQL (`TEST_DATABASE_URL`).
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SystemLook } from '../../src/alerts/availability.js';
import { createConnectors } from '../../src/connectors/index.js';
import { openDatabase, type Database } from '../../src/db/connection.js';
import { alertDeliveries } from '../../src/db/schema.js';
import { startHub, type Hub } from '../../src/hub.js';
import { connectorEndpointFor, startSimulators, type RunningSimulators } from '../../src/simulators/index.js';
import { postgresBackend, type TestPlace } from '../db/backends.js';
import { recordingRetryPolicy } from '../support/systems.js';

const secret = 'availability-secret-0123456789';
const minute = 60_000;

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

interface Instance {
  hub: Hub;
  database: Database;
}

describe.skipIf(!postgresBackend)(
  'Sales or Finance unavailable, seen by two hubs on one database (needs TEST_DATABASE_URL)',
  () => {
    let simulators: RunningSimulators;
    let place: TestPlace;
    let receiver: Server;
    const received: Received[] = [];
    const instances: Instance[] = [];
    /** When the outage begins, on the test's clock (the breakers' clock too). */
    const t0 = new Date();
    let clockMs = t0.getTime();

    beforeAll(async () => {
      receiver = createServer((request, response) => {
        let body = '';
        request.on('data', (chunk: Buffer) => (body += chunk.toString()));
        request.on('end', () => {
          received.push({ headers: request.headers, body });
          response.statusCode = 204;
          response.end();
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      const { port } = receiver.address() as AddressInfo;
      simulators = await startSimulators({ seed: 1, accounts: 5 });
      place = await postgresBackend!.createPlace();
      // One after the other: the first migrates the new database.
      for (const name of ['hub-a', 'hub-b']) {
        const database = await openDatabase(place.config);
        const connectors = createConnectors({
          sales: connectorEndpointFor(simulators.sales.origin),
          finance: connectorEndpointFor(simulators.finance.origin),
          financeCompany: 'usmf',
          retry: recordingRetryPolicy([]),
          timeoutMs: 2_000,
          circuitBreaker: { now: () => clockMs },
        });
        const hub = await startHub({
          connectors,
          database,
          port: 0,
          host: '127.0.0.1',
          dashboardDir: null,
          instanceId: name,
          alerts: { url: `http://127.0.0.1:${port}/hooks/p2c`, secret },
          alertUnavailableMinutes: 5,
        });
        instances.push({ hub, database });
      }
    }, 60_000);
    afterAll(async () => {
      for (const { hub, database } of instances) {
        await hub.close();
        await database.close();
      }
      await simulators?.close();
      await place?.dispose();
      await new Promise((resolve) => receiver?.close(resolve));
    });

    /** Both hubs look at once, `minutes` after the outage began. */
    async function lookTogether(minutes: number): Promise<SystemLook[]> {
      clockMs = t0.getTime() + minutes * minute;
      const looks = await Promise.all(
        instances.map(({ hub }) => hub.availability.check({ now: new Date(clockMs) })),
      );
      return looks.flat();
    }

    const raised = (looks: SystemLook[]) => looks.flatMap((look) => (look.raised ? [look.raised] : []));

    async function graphql(query: string) {
      const response = await fetch(instances[0]!.hub.server.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ query }),
      });
      return (await response.json()) as { data?: any; errors?: unknown[] };
    }

    /** The alerts of `event` every instance raised, as stored (raised alerts are stored before `check` resolves). */
    const deliveries = (event: string) =>
      instances[0]!.database.db
        .select({ id: alertDeliveries.id, status: alertDeliveries.status })
        .from(alertDeliveries)
        .where(eq(alertDeliveries.event, event));

    /** The receiver's deliveries of `event`, once every one stored is DELIVERED. */
    async function delivered(event: string): Promise<Received[]> {
      await vi.waitFor(
        async () => {
          const rows = await deliveries(event);
          expect(rows.length).toBeGreaterThan(0);
          expect(rows.map((row) => row.status)).toEqual(rows.map(() => 'DELIVERED'));
        },
        { timeout: 30_000, interval: 100 },
      );
      return received.filter((attempt) => attempt.headers['x-p2c-event'] === event);
    }

    const dashboards = () =>
      instances.map(({ hub }) => `${hub.server.url.replace(/\/graphql$/, '')}/dashboard/`);

    function expectSigned(attempt: Received): void {
      expect(attempt.headers['x-p2c-signature-256']).toBe(
        `sha256=${createHmac('sha256', secret).update(attempt.body).digest('hex')}`,
      );
    }

    it('raises one system.unavailable once Finance has not answered for the configured minutes, whichever hubs look', async () => {
      simulators.finance.faults.set({ unavailableRate: 1 });
      const first = await lookTogether(0);
      expect(first.filter((look) => look.system === 'finance').map((look) => look.available)).toEqual([
        false,
        false,
      ]);
      expect(first.filter((look) => look.system === 'sales').map((look) => look.available)).toEqual([
        true,
        true,
      ]);
      const { data } = await graphql(`
        {
          systemAvailability {
            system
            available
            downSince
            lastCheckedAt
            lastError
            alertedAt
          }
        }
      `);
      // The outage began at this look, or at the hub's own minute look a moment before or after it.
      const nearT0 = expect.toSatisfy(
        (time: string) => Math.abs(Date.parse(time) - t0.getTime()) < minute,
        'within a minute of t0',
      );
      expect(data.systemAvailability).toEqual([
        {
          system: 'FINANCE',
          available: false,
          downSince: nearT0,
          lastCheckedAt: nearT0,
          lastError: 'Finance answered HTTP 503.',
          alertedAt: null,
        },
        {
          system: 'SALES',
          available: true,
          downSince: null,
          lastCheckedAt: nearT0,
          lastError: null,
          alertedAt: null,
        },
      ]);

      // Not yet: four minutes is under the threshold.
      expect(raised(await lookTogether(4))).toEqual([]);
      expect(await deliveries('system.unavailable')).toEqual([]);
      // Six minutes (the hub's own minute look may have opened the outage a moment after t0): one of the
      // two looks claims the alert, the other finds it claimed; later looks raise nothing more.
      expect(raised(await lookTogether(6))).toEqual(['system.unavailable']);
      expect(raised(await lookTogether(7))).toEqual([]);
      expect(await deliveries('system.unavailable')).toHaveLength(1);

      const [alert, ...more] = await delivered('system.unavailable');
      expect(more).toEqual([]);
      expectSigned(alert!);
      const body = JSON.parse(alert!.body);
      expect(body).toEqual({
        event: 'system.unavailable',
        deliveryId: alert!.headers['x-p2c-delivery'],
        occurredAt: expect.any(String),
        system: {
          name: 'finance',
          downSince: expect.any(String),
          lastError: expect.stringMatching(/^Finance /),
        },
        // The dashboard of whichever instance raised it.
        link: expect.toSatisfy((link: string) => dashboards().includes(link), 'a hub’s dashboard'),
      });
      expect(body.system.downSince).toEqual(data.systemAvailability[0].downSince);
      // Nothing of Finance's own: not its address, not its answer.
      expect(alert!.body).not.toContain(simulators.finance.origin);
      expect(alert!.body).not.toMatch(/stack|Error:/);
      const after = await graphql(`
        {
          systemAvailability {
            system
            available
            alertedAt
          }
        }
      `);
      expect(after.data.systemAvailability[0]).toEqual({
        system: 'FINANCE',
        available: false,
        alertedAt: new Date(t0.getTime() + 6 * minute).toISOString(),
      });
    });

    it('raises one system.available when Finance answers again after the alert', async () => {
      simulators.finance.faults.reset();
      const looks = await lookTogether(9);
      expect(looks.filter((look) => look.system === 'finance').every((look) => look.available)).toBe(true);
      // The hub's own minute look may have been the one to see it first; either way one alert in all.
      expect(raised(looks).length).toBeLessThanOrEqual(1);
      expect(raised(await lookTogether(10))).toEqual([]);
      expect(await deliveries('system.available')).toHaveLength(1);

      const [unavailable] = await delivered('system.unavailable');
      const [alert, ...more] = await delivered('system.available');
      expect(more).toEqual([]);
      expectSigned(alert!);
      const body = JSON.parse(alert!.body);
      expect(body).toMatchObject({
        event: 'system.available',
        deliveryId: alert!.headers['x-p2c-delivery'],
        system: { name: 'finance', downSince: JSON.parse(unavailable!.body).system.downSince },
        link: expect.toSatisfy((link: string) => dashboards().includes(link), 'a hub’s dashboard'),
      });
      const { data } = await graphql(`
        {
          systemAvailability {
            system
            available
            downSince
            lastError
            alertedAt
          }
        }
      `);
      expect(data.systemAvailability).toEqual([
        { system: 'FINANCE', available: true, downSince: null, lastError: null, alertedAt: null },
        { system: 'SALES', available: true, downSince: null, lastError: null, alertedAt: null },
      ]);
      const { data: listed } = await graphql(`
        {
          alertDeliveries {
            event
            status
          }
        }
      `);
      expect(listed.alertDeliveries).toEqual([
        { event: 'system.available', status: 'DELIVERED' },
        { event: 'system.unavailable', status: 'DELIVERED' },
      ]);
    });
  },
);
