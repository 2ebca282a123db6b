/**
 * Admins run syncs from GraphQL and dashboards follow them live over a real graphql-ws WebSocket: a run
 * moves every eligible account, the stream is ordered from QUEUED/RUNNING to the final state with counters
 * that never go backwards, a second run finds everything unchanged, and bad requests are refused with
 * every problem listed. Each flow of a run reports its skipped records by reason and the notes it
 * completed with.
 */
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { QUOTE_ACTIVE } from '../../src/sync/flows/index.js';
import { startTestHub, type TestHub } from '../support/hub.js';

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub({ accounts: 40 });
});
afterAll(() => hub.close());

const runFields = `id status mode dryRun error totals { read created updated unchanged skipped failed }
  flows { flow status counters { read created updated unchanged skipped failed } recordsPerSecond etaSeconds error
    skips { reason count } notes }`;

interface RunView {
  id: string;
  status: string;
  error: string | null;
  totals: {
    read: number;
    created: number;
    updated: number;
    unchanged: number;
    skipped: number;
    failed: number;
  } & Record<string, number>;
  flows: {
    flow: string;
    status: string;
    counters: Record<string, number>;
    skips: { reason: string; count: number }[];
    notes: string[];
  }[];
}

async function follow(id: string): Promise<RunView[]> {
  const client = createClient({
    url: hub.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
  });
  try {
    return await new Promise<RunView[]>((resolve, reject) => {
      const seen: RunView[] = [];
      client.subscribe<{ syncRunUpdated: RunView }>(
        { query: `subscription($id: ID!) { syncRunUpdated(id: $id) { ${runFields} } }`, variables: { id } },
        {
          next: (value) =>
            value.errors
              ? reject(new Error(JSON.stringify(value.errors)))
              : seen.push(value.data!.syncRunUpdated),
          error: reject,
          complete: () => resolve(seen),
        },
      );
    });
  } finally {
    await client.dispose();
  }
}

async function start(input: Record<string, unknown>) {
  return hub.graphql(`mutation($input: StartSyncInput!) { startSync(input: $input) { ${runFields} } }`, {
    input,
  });
}

describe('sync runs', () => {
  it('moves every eligible account, streamed live from the start to SUCCEEDED', async () => {
    const started = await start({ flows: ['ACCOUNTS'], mode: 'FULL' });
    expect(started.errors).toBeUndefined();
    expect(['QUEUED', 'RUNNING']).toContain(started.data.startSync.status);
    const events = await follow(started.data.startSync.id);
    const statuses = events.map((e) => e.status);
    expect(['QUEUED', 'RUNNING']).toContain(statuses[0]);
    expect(statuses.at(-1)).toBe('SUCCEEDED');
    for (let i = 1; i < events.length; i++) {
      for (const counter of ['read', 'created', 'updated', 'unchanged', 'skipped', 'failed']) {
        expect(events[i]!.totals[counter]!).toBeGreaterThanOrEqual(events[i - 1]!.totals[counter]!);
      }
    }
    const final = events.at(-1)!;
    const seeded = hub.simulators.data.sales.accounts;
    expect(final.totals.read).toBe(seeded.length);
    expect(final.totals.skipped).toBe(seeded.filter((a) => !a['accountnumber']).length);
    expect(final.totals.failed).toBe(0);
    // Every numbered Sales account is now a Finance customer.
    const numbers = seeded.map((a) => a['accountnumber']).filter((n): n is string => typeof n === 'string');
    for (const number of numbers)
      expect(
        hub.simulators.finance.store.get('CustomersV3', { dataAreaId: 'usmf', CustomerAccount: number }),
      ).toBeDefined();
  });

  it('gives each flow of a complete read its expected total, and none for changes since a token', async () => {
    const full = await start({ flows: ['ACCOUNTS', 'PRODUCTS'], mode: 'FULL', dryRun: true });
    await follow(full.data.startSync.id);
    const totals = async (id: string) =>
      (
        await hub.graphql(
          'query($id: ID!) { syncRun(id: $id) { flows { flow estimatedTotal counters { read } } } }',
          {
            id,
          },
        )
      ).data.syncRun.flows;
    // One $count read per flow before its first page: Sales accounts, and the company's sellable products.
    const products = hub.simulators.finance.store
      .scan('SellableReleasedProducts')
      .filter((product) => product['dataAreaId'] === 'usmf').length;
    expect(await totals(full.data.startSync.id)).toEqual([
      {
        flow: 'ACCOUNTS',
        estimatedTotal: hub.simulators.sales.store.count('accounts'),
        counters: { read: 40 },
      },
      {
        flow: 'PRODUCTS',
        estimatedTotal: products,
        counters: { read: products },
      },
    ]);
    // The Sales change feed does not say in advance how many changes it holds.
    const incremental = await start({ flows: ['ACCOUNTS'] });
    await follow(incremental.data.startSync.id);
    expect((await totals(incremental.data.startSync.id))[0].estimatedTotal).toBeNull();
  });

  it('shows PENDING on an account changed in Sales after its last sync', async () => {
    const account = hub.simulators.data.sales.accounts.find((a) => a['accountnumber'])!;
    const query = `query($n: String!) { account(accountNumber: $n) { sync { state lastSyncedAt lastRunId } } }`;
    const before = await hub.graphql(query, { n: account['accountnumber'] });
    expect(before.data.account.sync).toMatchObject({ state: 'IN_SYNC', lastRunId: expect.any(String) });
    hub.simulators.sales.store.transaction(() =>
      hub.simulators.sales.store.update(
        'accounts',
        { accountid: account['accountid'] ?? null },
        { modifiedon: new Date(Date.now() + 1000).toISOString() },
      ),
    );
    const after = await hub.graphql(query, { n: account['accountnumber'] });
    expect(after.data.account.sync.state).toBe('PENDING');
    // The next run picks it up from the change feed and the record is in sync again.
    const rerun = await start({ flows: ['ACCOUNTS'] });
    expect((await follow(rerun.data.startSync.id)).at(-1)!.status).toBe('SUCCEEDED');
  });

  it('shows PENDING on a product changed in Finance since its last sync', async () => {
    const products = await start({ flows: ['PRODUCTS'] });
    expect((await follow(products.data.startSync.id)).at(-1)!.status).toBe('SUCCEEDED');
    const product = hub.simulators.data.finance.SellableReleasedProducts.find(
      (p) => p['dataAreaId'] === 'usmf',
    )!;
    const query = `query($n: String!) { product(productNumber: $n) { sync { state } } }`;
    const before = await hub.graphql(query, { n: product['ProductNumber'] });
    expect(before.data.product.sync.state).toBe('IN_SYNC');
    // Finance keeps no modified time on products: the hash of the mapped values tells the change.
    hub.simulators.finance.store.transaction(() =>
      hub.simulators.finance.store.update(
        'SellableReleasedProducts',
        { dataAreaId: 'usmf', ProductNumber: product['ProductNumber'] ?? null },
        { ProductName: 'Renamed in Finance' },
      ),
    );
    const after = await hub.graphql(query, { n: product['ProductNumber'] });
    expect(after.data.product.sync.state).toBe('PENDING');
    const rerun = await start({ flows: ['PRODUCTS'] });
    expect((await follow(rerun.data.startSync.id)).at(-1)!.status).toBe('SUCCEEDED');
    const synced = await hub.graphql(query, { n: product['ProductNumber'] });
    expect(synced.data.product.sync.state).toBe('IN_SYNC');
  });

  it('finds everything unchanged on a second run and writes nothing', async () => {
    hub.simulators.finance.log.clear();
    const started = await start({ flows: ['ACCOUNTS'], mode: 'FULL' });
    const final = (await follow(started.data.startSync.id)).at(-1)!;
    expect(final.status).toBe('SUCCEEDED');
    expect(final.totals.created + final.totals.updated).toBe(0);
    expect(hub.simulators.finance.log.counts()['POST $batch'] ?? 0).toBe(0);
  });

  it('refuses a second run of a flow that is running, naming the run', async () => {
    hub.simulators.sales.faults.set({ latencyMs: 200 });
    const first = await start({ flows: ['ACCOUNTS'], mode: 'FULL' });
    const second = await start({ flows: ['ACCOUNTS'] });
    hub.simulators.sales.faults.set({ latencyMs: 0 });
    expect(second.errors?.[0]).toMatchObject({
      extensions: { code: 'SYNC_ALREADY_RUNNING', runId: first.data.startSync.id },
    });
    expect(second.errors?.[0]?.message).toContain(first.data.startSync.id);
    await follow(first.data.startSync.id);
  });

  it('lists runs newest first and reads one by ID with its failures', async () => {
    const { data, errors } = await hub.graphql(
      `{ syncRuns(first: 2) { nodes { id status } pageInfo { hasNextPage endCursor } } }`,
    );
    expect(errors).toBeUndefined();
    expect(data.syncRuns.nodes).toHaveLength(2);
    const [newest, older] = data.syncRuns.nodes;
    expect(newest.id > older.id).toBe(true);
    const one = await hub.graphql(
      `query($id: ID!) { syncRun(id: $id) { id failures { nodes { key message } pageInfo { hasNextPage } } } }`,
      { id: older.id },
    );
    expect(one.data.syncRun.id).toBe(older.id);
    expect((await hub.graphql(`{ syncRun(id: "nope") { id } }`)).data.syncRun).toBeNull();
  });

  it('answers a subscription to a finished run with its final state and completion', async () => {
    const { data } = await hub.graphql(`{ syncRuns(first: 1, status: SUCCEEDED) { nodes { id } } }`);
    const events = await follow(data.syncRuns.nodes[0].id);
    expect(events).toHaveLength(1);
    expect(events[0]!.status).toBe('SUCCEEDED');
  });

  it("counts every skipped record of every flow under its rule's reason, adding up to skipped", async () => {
    // Two prospects without an account number, which the accounts flow skips.
    hub.simulators.sales.store.transaction(() => {
      for (const n of [1, 2]) {
        hub.simulators.sales.store.insert('accounts', {
          accountid: `00000000-0000-0000-0000-${String(800 + n).padStart(12, '0')}`,
          name: `Prospect ${n}`,
          accountnumber: null,
        });
      }
    });
    const started = await start({ mode: 'FULL' });
    const final = (await follow(started.data.startSync.id)).at(-1)!;
    expect(final.flows.map((f) => f.status)).toEqual(final.flows.map(() => 'SUCCEEDED'));
    expect(final.flows).toHaveLength(7);
    // The reasons are the flows' own rules, as `syncFlows` lists them.
    const { data } = await hub.graphql(
      `{ syncFlows { name eligibility { reason } unroutedReason children { eligibility { reason } } } }`,
    );
    type Rules = { reason: string }[];
    const flows = data.syncFlows as {
      name: string;
      eligibility: Rules;
      unroutedReason: string | null;
      children: { eligibility: Rules } | null;
    }[];
    for (const flow of final.flows) {
      const definition = flows.find((f) => f.name === flow.flow)!;
      const reasons = [
        ...definition.eligibility.map((rule) => rule.reason),
        ...(definition.children?.eligibility.map((rule) => rule.reason) ?? []),
        ...(definition.unroutedReason ? [definition.unroutedReason] : []),
      ];
      for (const { reason } of flow.skips) expect(reasons, `${flow.flow} skips`).toContain(reason);
      const counted = flow.skips.reduce((sum, skip) => sum + skip.count, 0);
      expect(counted, `${flow.flow} skips`).toBe(flow.counters['skipped']);
      // Most first.
      const counts = flow.skips.map((skip) => skip.count);
      expect(counts).toEqual([...counts].sort((a, b) => b - a));
    }

    const accounts = final.flows.find((f) => f.flow === 'ACCOUNTS')!;
    const unnumbered = hub.simulators.sales.store.scan('accounts').filter((a) => !a['accountnumber']).length;
    expect(unnumbered).toBeGreaterThanOrEqual(2);
    expect(accounts.skips).toEqual([{ reason: 'no account number', count: unnumbered }]);

    const quotes = final.flows.find((f) => f.flow === 'QUOTES')!;
    const seeded = hub.simulators.data.sales.quotes;
    // A numbered quote that is not active is skipped for that, whatever its lines are.
    const notActivated = seeded.filter((q) => q['quotenumber'] && q['statecode'] !== QUOTE_ACTIVE).length;
    expect(notActivated).toBeGreaterThan(0);
    expect(quotes.counters['read']).toBe(seeded.length);
    expect(quotes.skips).toContainEqual({ reason: 'quote not activated', count: notActivated });
    // A quote skipped for one of its lines counts under the line's rule, not once per line number.
    expect(quotes.skips.some((skip) => /\(line /.test(skip.reason))).toBe(false);
  });

  it("keeps the notes a flow completed with, such as a dry run's", async () => {
    const started = await start({ flows: ['ACCOUNTS'], mode: 'FULL', dryRun: true });
    const final = (await follow(started.data.startSync.id)).at(-1)!;
    expect(final.flows[0]).toMatchObject({
      status: 'SUCCEEDED',
      notes: ['Dry run: nothing was written to Sales or Finance.'],
    });
    // A finished run read later says the same.
    const again = await hub.graphql(`query($id: ID!) { syncRun(id: $id) { flows { notes } } }`, {
      id: started.data.startSync.id,
    });
    expect(again.data.syncRun.flows[0].notes).toEqual(final.flows[0]!.notes);
  });
});

describe('refused requests', () => {
  it('lists every problem before anything runs: an unknown Finance company', async () => {
    const wrong = await startTestHub({ accounts: 5, company: 'zz' });
    try {
      const { data, errors } = await wrong.graphql(
        `mutation { startSync(input: { flows: [ACCOUNTS] }) { id } }`,
      );
      expect(data).toBeNull();
      expect(errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
      const problems = errors?.[0]?.extensions?.['problems'] as string[];
      expect(problems).toEqual([expect.stringContaining('zz')]);
      // The message says each problem once.
      expect(errors?.[0]?.message).toBe(`The sync cannot start: ${problems[0]}.`);
      expect(wrong.simulators.finance.log.counts()['POST $batch'] ?? 0).toBe(0);
    } finally {
      await wrong.close();
    }
  });
});
