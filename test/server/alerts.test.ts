/**
 * Alerts to a real HTTP receiver: a run that ends with errors is posted, signed with HMAC-SHA256 over the
 * body, retried with backoff while the receiver fails, and its delivery recorded; a run that succeeds
 * raises none.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestHub, type TestHub } from '../support/hub.js';

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
    hub = await startTestHub({ accounts: 30, alerts: { url: `http://127.0.0.1:${port}/hooks/p2c`, secret } });
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
});
