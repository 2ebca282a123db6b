/**
 * Sales calling the hub (the Sales simulator does, as a registered service endpoint would): POST /webhooks/dataverse with the shared key in a header and Dataverse's
 * RemoteExecutionContext as the body triggers an INCREMENTAL run of the flow concerned, debounced, so a
 * burst of a thousand calls gives a handful of runs and the change reaches Finance. A wrong key is 401 and
 * runs nothing; a wrong body is 400; a table no flow syncs is accepted and ignored; without a key the
 * endpoint is off.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestHub, type TestHub } from '../support/hub.js';

const key = 'webhook-key-0123456789abcdef';

/** A RemoteExecutionContext as Dataverse posts it (the fields the hub may read, and some it ignores). */
const context = (entity: string, message = 'Update') => ({
  BusinessUnitId: '00000000-0000-0000-0000-000000000001',
  CorrelationId: '6c5d9a1e-2f3b-4a5c-9d8e-7f6a5b4c3d2e',
  Depth: 1,
  InitiatingUserId: '00000000-0000-0000-0000-000000000002',
  MessageName: message,
  Mode: 1,
  OperationCreatedOn: '/Date(1733472000000)/',
  OrganizationName: 'contoso',
  PrimaryEntityId: '4a3b2c1d-0000-0000-0000-000000000003',
  PrimaryEntityName: entity,
  Stage: 40,
  InputParameters: [],
  OutputParameters: [],
});

describe('the Dataverse webhook endpoint', () => {
  let hub: TestHub;
  let endpoint: string;
  beforeAll(async () => {
    hub = await startTestHub({ accounts: 20, webhookKey: key });
    endpoint = new URL('/webhooks/dataverse', hub.url).href;
    // The accounts synced once, so that a webhook's run is the incremental one after a change.
    const { data } = await hub.graphql(
      `mutation { startSync(input: { flows: [ACCOUNTS], mode: FULL }) { id } }`,
    );
    await runEnded(data.startSync.id);
  });
  afterAll(async () => {
    await hub?.close();
  });

  const post = (body: unknown, headers: Record<string, string> = { 'x-p2c-webhook-key': key }) =>
    fetch(endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  async function webhookRuns(): Promise<{ id: string; status: string; flows: { flow: string }[] }[]> {
    const { data } = await hub.graphql(
      `{ syncRuns(first: 50) { nodes { id status trigger { kind } flows { flow } } } }`,
    );
    return data.syncRuns.nodes.filter((run: { trigger: { kind: string } }) => run.trigger.kind === 'WEBHOOK');
  }

  async function runEnded(id: string): Promise<string> {
    return vi.waitFor(
      async () => {
        const { data } = await hub.graphql(`query($id: ID!) { syncRun(id: $id) { status } }`, { id });
        expect(data.syncRun.status).not.toMatch(/^(QUEUED|RUNNING)$/);
        return data.syncRun.status as string;
      },
      { timeout: 30_000, interval: 100 },
    );
  }

  it('refuses a call without the key, or with another, with 401, and runs nothing', async () => {
    for (const headers of [{}, { 'x-p2c-webhook-key': 'not-the-key-at-all-0000' }] as Record<
      string,
      string
    >[]) {
      const response = await post(context('account'), headers);
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ error: 'Missing or wrong x-p2c-webhook-key header.' });
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await webhookRuns()).toEqual([]);
  });

  it('answers a wrong method 405, a body that is no RemoteExecutionContext 400, and a table no flow syncs 202, ignored', async () => {
    expect((await fetch(endpoint)).status).toBe(405);
    const notJson = await post('{"PrimaryEntityName":');
    expect(notJson.status).toBe(400);
    const noEntity = await post({ MessageName: 'Update' });
    expect(noEntity.status).toBe(400);
    expect(await noEntity.json()).toEqual({
      error: 'The body has no PrimaryEntityName: send Dataverse’s RemoteExecutionContext.',
    });
    const lead = await post(context('lead'));
    expect(lead.status).toBe(202);
    expect(await lead.json()).toEqual({ accepted: false, reason: 'no flow syncs lead' });
  });

  it('turns a burst of a thousand calls into a handful of runs, which carry the change to Finance', async () => {
    const { sales, finance } = hub.simulators;
    const [account] = sales.store.scan('accounts').filter((row) => typeof row['accountnumber'] === 'string');
    const phone = '+1 (555) 010-9911';
    sales.store.transaction(() =>
      sales.store.update(
        'accounts',
        { accountid: account!['accountid'] ?? null },
        { telephone1: phone, modifiedon: new Date().toISOString() },
      ),
    );
    const answers: number[] = [];
    for (let batch = 0; batch < 20; batch += 1) {
      const responses = await Promise.all(Array.from({ length: 50 }, () => post(context('account'))));
      answers.push(...responses.map((response) => response.status));
    }
    expect(answers).toHaveLength(1_000);
    expect(answers.every((status) => status === 202)).toBe(true);

    await vi.waitFor(
      () => {
        const customer = finance.store
          .scan('CustomersV3')
          .find(
            (row) =>
              String(row['CustomerAccount']).toLowerCase() ===
              String(account!['accountnumber']).toLowerCase(),
          );
        expect(customer?.['PrimaryContactPhone']).toBe(phone);
      },
      { timeout: 30_000, interval: 200 },
    );
    // Let the last window close, then count.
    await new Promise((resolve) => setTimeout(resolve, 7_000));
    const runs = await webhookRuns();
    expect(runs.length).toBeGreaterThanOrEqual(1);
    expect(runs.length).toBeLessThanOrEqual(5);
    expect(runs.every((run) => run.flows.map(({ flow }) => flow).join() === 'ACCOUNTS')).toBe(true);
    for (const run of runs) expect(await runEnded(run.id)).toBe('SUCCEEDED');
  }, 90_000);

  it('is called by the Sales simulator on a save through its API, and the change reaches Finance', async () => {
    const { sales, finance } = hub.simulators;
    const [, account] = sales.store
      .scan('accounts')
      .filter((row) => typeof row['accountnumber'] === 'string');
    const number = String(account!['accountnumber']).toLowerCase();
    const phone = '+1 (555) 010-7733';
    const before = (await webhookRuns()).length;
    sales.setWebhook({ url: endpoint, headers: { 'x-p2c-webhook-key': key } });
    try {
      const [saved] = await hub.connectors.sales.upsert('account', [
        { key: { id: String(account!['accountid']) }, body: { telephone1: phone } },
      ]);
      expect(saved?.outcome).toBe('updated');
      await vi.waitFor(
        () => {
          const customer = finance.store
            .scan('CustomersV3')
            .find((row) => String(row['CustomerAccount']).toLowerCase() === number);
          expect(customer?.['PrimaryContactPhone']).toBe(phone);
        },
        { timeout: 30_000, interval: 200 },
      );
      expect((await webhookRuns()).length).toBeGreaterThan(before);
    } finally {
      sales.setWebhook(null);
    }
  });

  it('starts an orders run for a change of a sales order or one of its lines', async () => {
    for (const entity of ['salesorder', 'salesorderdetail']) {
      const answer = await post(context(entity));
      expect(answer.status).toBe(202);
      expect(await answer.json()).toEqual({ accepted: true, flow: 'ORDERS' });
    }
    await vi.waitFor(
      async () => {
        const runs = await webhookRuns();
        expect(runs.some((run) => run.flows.map(({ flow }) => flow).join() === 'ORDERS')).toBe(true);
      },
      { timeout: 30_000, interval: 200 },
    );
  });

  it('is off, saying how to turn it on, when no key is configured', async () => {
    const plain = await startTestHub({ accounts: 5 });
    try {
      const response = await fetch(new URL('/webhooks/dataverse', plain.url), { method: 'POST', body: '{}' });
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({
        error: 'Webhooks are off: set HUB_WEBHOOK_KEY to turn them on.',
      });
    } finally {
      await plain.close();
    }
  });
});
