/**
 * Continuous sync: switched on for a flow, the hub follows the Sales change feed every few seconds and
 * carries a save to Finance without anyone starting a run; an empty feed costs one request a look; while
 * Sales is away the looks back off and start nothing, and resume their pace once it answers; products are
 * compared by hash on their own interval; switched off, the looks stop; the setting survives a restart;
 * readers see it, only operators switch it, and a wrong interval is a BAD_USER_INPUT naming it.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createConnectors } from '../../src/connectors/index.js';
import { openDatabase } from '../../src/db/connection.js';
import { startHub } from '../../src/hub.js';
import { connectorEndpointFor, startSimulators } from '../../src/simulators/index.js';
import { continuousLooks, fastContinuous, quickBreaker } from '../support/continuous.js';
import { startTestHub, type TestHub } from '../support/hub.js';
import { recordingRetryPolicy } from '../support/systems.js';

const readerKey = 'reader-key-0123456789abcdefghij';
const operatorKey = 'operator-key-0123456789abcdefghij';

const fields = `flow enabled intervalSeconds state lastCheckedAt lastChangeSeenAt secondsSinceLastChange
  nextCheckAt failures lastError updatedBy lastRun { id status trigger { kind } flows { flow counters { updated created } } }`;
const set = `mutation($input: ContinuousSyncInput!) { setContinuousSync(input: $input) { ${fields} } }`;
const list = `{ continuousSync { ${fields} } }`;

interface Status {
  flow: string;
  enabled: boolean;
  intervalSeconds: number;
  state: string;
  lastCheckedAt: string | null;
  lastChangeSeenAt: string | null;
  secondsSinceLastChange: number | null;
  nextCheckAt: string | null;
  failures: number;
  lastError: string | null;
  updatedBy: string | null;
  lastRun: {
    id: string;
    status: string;
    trigger: { kind: string };
    flows: { flow: string; counters: { updated: number; created: number } }[];
  } | null;
}

/** A Sales account with a number, and its customer in Finance. */
function anAccount(hub: TestHub, index: number) {
  const { sales, finance } = hub.simulators;
  const account = sales.store.scan('accounts').filter((row) => typeof row['accountnumber'] === 'string')[
    index
  ]!;
  const number = String(account['accountnumber']).toLowerCase();
  return {
    id: String(account['accountid']),
    customer: () =>
      finance.store
        .scan('CustomersV3')
        .find((row) => String(row['CustomerAccount']).toLowerCase() === number),
  };
}

async function waitForRun(hub: TestHub, id: string, token?: string): Promise<string> {
  return vi.waitFor(
    async () => {
      const { data } = await hub.graphql(
        `query($id: ID!) { syncRun(id: $id) { status } }`,
        { id },
        token === undefined ? {} : { token },
      );
      expect(data.syncRun.status).not.toMatch(/^(QUEUED|RUNNING)$/);
      return data.syncRun.status as string;
    },
    { timeout: 30_000, interval: 100 },
  );
}

async function continuousRuns(
  hub: TestHub,
  token: string,
): Promise<{ id: string; flows: { flow: string }[] }[]> {
  const { data } = await hub.graphql(
    `{ syncRuns(first: 100) { nodes { id trigger { kind } flows { flow } } } }`,
    undefined,
    { token },
  );
  return data.syncRuns.nodes.filter(
    (run: { trigger: { kind: string } }) => run.trigger.kind === 'CONTINUOUS',
  );
}

/** The hub's count of continuous looks at `flow` that found `outcome`, from /metrics. */
const looks = (hub: TestHub, flow: string, outcome: string) => continuousLooks(hub.url, flow, outcome);

describe('continuous sync', () => {
  let hub: TestHub;
  const asOperator = (query: string, variables?: Record<string, unknown>) =>
    hub.graphql(query, variables, { token: operatorKey });
  const asReader = (query: string, variables?: Record<string, unknown>) =>
    hub.graphql(query, variables, { token: readerKey });
  const statusOf = async (flow: string): Promise<Status> => {
    const { data } = await asReader(list);
    return data.continuousSync.find((status: Status) => status.flow === flow);
  };

  beforeAll(async () => {
    const { auth } = loadConfig({
      HUB_API_KEYS: `reader:dashboard:${readerKey},operator:ci-bot:${operatorKey}`,
    });
    hub = await startTestHub({
      accounts: 20,
      security: { auth },
      circuitBreaker: quickBreaker,
      continuous: fastContinuous,
    });
    // Accounts and products synced once, so that continuous sync follows from a stored token.
    const { data } = await asOperator(
      `mutation { startSync(input: { flows: [ACCOUNTS, PRODUCTS], mode: FULL }) { id } }`,
    );
    expect(await waitForRun(hub, data.startSync.id, operatorKey)).toBe('SUCCEEDED');
  }, 60_000);
  afterAll(async () => {
    await hub?.close();
  });

  it('is off for every flow until switched on, and readers see it', async () => {
    const { data, errors } = await asReader(list);
    expect(errors).toBeUndefined();
    expect(
      data.continuousSync.map((status: Status) => [
        status.flow,
        status.enabled,
        status.state,
        status.intervalSeconds,
      ]),
    ).toEqual([
      ['ACCOUNTS', false, 'OFF', 1],
      ['PRODUCTS', false, 'OFF', 2],
      ['CONTACTS', false, 'OFF', 1],
      ['QUOTES', false, 'OFF', 1],
      ['ORDERS', false, 'OFF', 1],
      ['ORDER_STATUS', false, 'OFF', 2],
      ['INVOICES', false, 'OFF', 2],
    ]);
  });

  it('lets only operators switch it, and names a wrong interval', async () => {
    const byReader = await asReader(set, { input: { flow: 'ACCOUNTS', enabled: true } });
    expect(byReader.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    expect((await statusOf('ACCOUNTS')).enabled).toBe(false);
    for (const [flow, intervalSeconds] of [
      ['ACCOUNTS', 0],
      ['ACCOUNTS', 3_601],
      ['PRODUCTS', 10],
    ] as const) {
      const { errors } = await asOperator(set, { input: { flow, enabled: true, intervalSeconds } });
      expect(errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        argument: 'input.intervalSeconds',
      });
      expect(errors?.[0]?.message).toMatch(/looks every \d+ to \d+ seconds/);
    }
    expect((await statusOf('PRODUCTS')).enabled).toBe(false);
  });

  it('carries a save in Sales to Finance by itself, and records the run and the change seen', async () => {
    const { data, errors } = await asOperator(set, { input: { flow: 'ACCOUNTS', enabled: true } });
    expect(errors).toBeUndefined();
    expect(data.setContinuousSync).toMatchObject({
      flow: 'ACCOUNTS',
      enabled: true,
      updatedBy: 'ci-bot',
      failures: 0,
    });
    const account = anAccount(hub, 0);
    const phone = '+1 (555) 010-4401';
    const [saved] = await hub.connectors.sales.upsert('account', [
      { key: { id: account.id }, body: { telephone1: phone } },
    ]);
    expect(saved?.outcome).toBe('updated');
    await vi.waitFor(() => expect(account.customer()?.['PrimaryContactPhone']).toBe(phone), {
      timeout: 20_000,
      interval: 100,
    });

    const runs = await continuousRuns(hub, readerKey);
    expect(runs.length).toBeGreaterThanOrEqual(1);
    expect(runs.every((run) => run.flows.map(({ flow }) => flow).join() === 'ACCOUNTS')).toBe(true);
    await waitForRun(hub, runs[0]!.id, readerKey);
    const status = await vi.waitFor(async () => {
      const current = await statusOf('ACCOUNTS');
      expect(current.state).toBe('WATCHING');
      return current;
    });
    expect(status.lastChangeSeenAt).not.toBeNull();
    expect(status.secondsSinceLastChange).toBeGreaterThanOrEqual(0);
    expect(status.lastRun).toMatchObject({
      id: runs[0]!.id,
      status: 'SUCCEEDED',
      trigger: { kind: 'CONTINUOUS' },
    });
    expect(status.lastRun?.flows[0]?.counters.updated).toBe(1);
  }, 40_000);

  it('spends one Sales request on a look that finds no change, and starts no run', async () => {
    const before = (await continuousRuns(hub, readerKey)).length;
    const counted = await looks(hub, 'accounts', 'none');
    hub.simulators.sales.log.clear();
    // Several looks at a one-second interval.
    await vi.waitFor(
      async () => expect(await looks(hub, 'accounts', 'none')).toBeGreaterThanOrEqual(counted + 3),
      { timeout: 15_000, interval: 200 },
    );
    await asOperator(set, { input: { flow: 'ACCOUNTS', enabled: false } });
    // Once the look in hand (if any) is over, every look found nothing and sent exactly one request.
    await vi.waitFor(
      async () => {
        const found = (await looks(hub, 'accounts', 'none')) - counted;
        expect(hub.simulators.sales.log.httpRequests({ method: 'GET', entitySet: 'accounts' })).toBe(found);
      },
      { timeout: 5_000, interval: 200 },
    );
    expect((await continuousRuns(hub, readerKey)).length).toBe(before);
  }, 30_000);

  it('looks no more once switched off', async () => {
    const off = await statusOf('ACCOUNTS');
    expect(off).toMatchObject({ enabled: false, state: 'OFF', nextCheckAt: null });
    const checked = off.lastCheckedAt;
    hub.simulators.sales.log.clear();
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    // (The hub's minute look at whether Sales answers may fall in the window: only the feed counts.)
    expect(hub.simulators.sales.log.httpRequests({ method: 'GET', entitySet: 'accounts' })).toBe(0);
    expect((await statusOf('ACCOUNTS')).lastCheckedAt).toBe(checked);
  });

  it('backs off while Sales is away, starting nothing, and resumes its pace once Sales answers', async () => {
    const before = (await continuousRuns(hub, readerKey)).length;
    hub.simulators.sales.faults.set({ unavailableRate: 1 });
    try {
      await asOperator(set, { input: { flow: 'ACCOUNTS', enabled: true } });
      const backingOff = await vi.waitFor(
        async () => {
          const current = await statusOf('ACCOUNTS');
          expect(current.failures).toBeGreaterThanOrEqual(2);
          return current;
        },
        { timeout: 20_000, interval: 100 },
      );
      expect(backingOff.state).toBe('BACKING_OFF');
      expect(backingOff.lastError).toMatch(/Sales/);
      // The wait before the next look has grown past the one-second interval.
      const wait = Date.parse(backingOff.nextCheckAt!) - Date.parse(backingOff.lastCheckedAt!);
      expect(wait).toBeGreaterThan(1_500);
      expect((await continuousRuns(hub, readerKey)).length).toBe(before);
    } finally {
      hub.simulators.sales.faults.reset();
    }
    const account = anAccount(hub, 1);
    const phone = '+1 (555) 010-4402';
    await hub.connectors.sales.upsert('account', [{ key: { id: account.id }, body: { telephone1: phone } }]);
    await vi.waitFor(() => expect(account.customer()?.['PrimaryContactPhone']).toBe(phone), {
      timeout: 20_000,
      interval: 100,
    });
    await vi.waitFor(
      async () =>
        expect(await statusOf('ACCOUNTS')).toMatchObject({ failures: 0, lastError: null, state: 'WATCHING' }),
      { timeout: 10_000 },
    );
    await asOperator(set, { input: { flow: 'ACCOUNTS', enabled: false } });
  }, 60_000);

  it('compares products by hash on their own interval and carries a Finance change to Sales', async () => {
    const { finance, sales } = hub.simulators;
    const product = finance.store
      .scan('SellableReleasedProducts')
      .find((row) => row['dataAreaId'] === 'usmf' && typeof row['ProductName'] === 'string');
    expect(product).toBeDefined();
    const number = String(product!['ProductNumber']);
    const name = `${String(product!['ProductName'])} (renamed)`;
    const { data } = await asOperator(set, { input: { flow: 'PRODUCTS', enabled: true } });
    expect(data.setContinuousSync).toMatchObject({ enabled: true, intervalSeconds: 2 });
    finance.store.transaction(() =>
      finance.store.update(
        'SellableReleasedProducts',
        { dataAreaId: 'usmf', ProductNumber: number },
        { ProductName: name },
      ),
    );
    await vi.waitFor(
      () => {
        const row = sales.store.scan('products').find((candidate) => candidate['productnumber'] === number);
        expect(row?.['name']).toBe(name);
      },
      { timeout: 20_000, interval: 200 },
    );
    const status = await vi.waitFor(async () => {
      const current = await statusOf('PRODUCTS');
      expect(current.lastChangeSeenAt).not.toBeNull();
      return current;
    });
    expect(status.lastRun?.trigger.kind).toBe('CONTINUOUS');
    await asOperator(set, { input: { flow: 'PRODUCTS', enabled: false } });
  }, 40_000);
});

describe('continuous sync across a restart', () => {
  it('keeps following a flow switched on before the hub stopped', async () => {
    const simulators = await startSimulators({ seed: 3, accounts: 10 });
    const database = await openDatabase({ kind: 'pglite', dataDir: 'memory://' });
    const connectors = createConnectors({
      sales: connectorEndpointFor(simulators.sales.origin),
      finance: connectorEndpointFor(simulators.finance.origin),
      financeCompany: 'usmf',
      retry: recordingRetryPolicy([]),
      timeoutMs: 1_000,
    });
    const options = {
      connectors,
      database,
      port: 0,
      host: '127.0.0.1',
      continuous: fastContinuous,
    };
    const graphql = async (url: string, query: string, variables?: Record<string, unknown>) =>
      (await (
        await fetch(url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ query, variables }),
        })
      ).json()) as { data: any; errors?: unknown };
    try {
      const first = await startHub(options);
      const started = await graphql(first.server.url, set, { input: { flow: 'ACCOUNTS', enabled: true } });
      expect(started.errors).toBeUndefined();
      // The first look has no token: its run reads every account and stores one.
      await vi.waitFor(
        async () => {
          const { data } = await graphql(first.server.url, list);
          expect(data.continuousSync[0].lastRun?.status).toBe('SUCCEEDED');
        },
        { timeout: 30_000, interval: 200 },
      );
      await first.close();

      const second = await startHub(options);
      try {
        const { data } = await graphql(second.server.url, list);
        expect(data.continuousSync[0]).toMatchObject({ flow: 'ACCOUNTS', enabled: true });
        const account = simulators.sales.store
          .scan('accounts')
          .find((row) => typeof row['accountnumber'] === 'string')!;
        const number = String(account['accountnumber']).toLowerCase();
        const phone = '+1 (555) 010-4403';
        await connectors.sales.upsert('account', [
          { key: { id: String(account['accountid']) }, body: { telephone1: phone } },
        ]);
        await vi.waitFor(
          () => {
            const customer = simulators.finance.store
              .scan('CustomersV3')
              .find((row) => String(row['CustomerAccount']).toLowerCase() === number);
            expect(customer?.['PrimaryContactPhone']).toBe(phone);
          },
          { timeout: 20_000, interval: 100 },
        );
      } finally {
        await second.close();
      }
    } finally {
      await simulators.close();
      await database.close();
    }
  }, 90_000);
});
