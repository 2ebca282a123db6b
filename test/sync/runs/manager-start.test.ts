/**
 * Starting runs: validation before anything is created, one run per flow at a time, flows in dependency
 * order, skips after a failed dependency, and the final status each ending deserves.
 */
import { describe, expect, it, vi } from 'vitest';
import { networkError, type ODataError } from '../../../src/connectors/odata/errors.js';
import { interruptedError } from '../../../src/db/runs.js';
import { SyncRequestError } from '../../../src/sync/engine/types.js';
import { shutdownInterruption } from '../../../src/sync/runs/manager.js';
import { gate, useManager, useRunStore, type FlowScript } from './support.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const store = useRunStore();
const setup = useManager(store, { company: 'USMF', progressIntervalMs: 5 });

const input = { mode: 'INCREMENTAL', dryRun: false } as const;
const moving: FlowScript = { pages: [{ read: 2, created: 1, updated: 1 }] };

describe('starting a run', () => {
  it('returns the QUEUED run at once and runs all four flows in dependency order to SUCCEEDED', async () => {
    const hold = gate();
    const { manager, requests, recorder } = setup({ accounts: { ...moving, beforePage: () => hold.opened } });
    const started = await manager.start({ ...input, requestedBy: 'admin@contoso.com' });
    expect(started.run).toMatchObject({ status: 'QUEUED', requestedBy: 'admin@contoso.com' });
    expect(started.run.flows.map((flow) => flow.flow)).toEqual([
      'accounts',
      'products',
      'contacts',
      'quotes',
    ]);
    hold.open();
    const ended = await recorder.ended(started.run.id);
    expect(ended.run.status).toBe('SUCCEEDED');
    expect(ended.run.flows.map((flow) => flow.status)).toEqual([
      'SUCCEEDED',
      'SUCCEEDED',
      'SUCCEEDED',
      'SUCCEEDED',
    ]);
    expect(requests.map((request) => request.flow)).toEqual(['accounts', 'products', 'contacts', 'quotes']);
    expect(requests[0]).toMatchObject({ runId: started.run.id, mode: 'INCREMENTAL', dryRun: false });
  });

  it('orders the requested flows by dependency', async () => {
    const { manager, requests, recorder } = setup();
    const started = await manager.start({ ...input, flows: ['quotes', 'accounts'] });
    await recorder.ended(started.run.id);
    expect(requests.map((request) => request.flow)).toEqual(['accounts', 'quotes']);
  });

  it.each([
    ['SUCCEEDED when nothing changed', {}, 'SUCCEEDED'],
    [
      'COMPLETED_WITH_ERRORS when some records failed',
      { accounts: { pages: [{ read: 3, created: 2, failures: ['A-1'] }] } },
      'COMPLETED_WITH_ERRORS',
    ],
    [
      'COMPLETED_WITH_ERRORS when a flow failed while others moved records',
      { accounts: moving, products: { fail: 'Finance is down' } },
      'COMPLETED_WITH_ERRORS',
    ],
    [
      'FAILED when every record failed',
      { accounts: { pages: [{ read: 1, failures: ['A-1'] }] }, products: { pages: [] } },
      'FAILED',
    ],
    [
      'FAILED when the flows failed and nothing moved',
      { accounts: { fail: 'Sales is down' }, products: { fail: 'Finance is down' } },
      'FAILED',
    ],
    ['FAILED when the runner throws', { accounts: { throws: 'bug' }, products: { pages: [] } }, 'FAILED'],
  ] as const)('ends %s', async (_case, script, status) => {
    const { manager, recorder } = setup(script as Parameters<typeof setup>[0]);
    const started = await manager.start({ ...input, flows: ['accounts', 'products'] });
    const ended = await recorder.ended(started.run.id);
    expect(ended.run.status).toBe(status);
    if (status === 'FAILED') expect(ended.run.error).toBeTruthy();
    else expect(ended.run.error).toBeNull();
  });

  it('skips a flow whose dependency failed, and the flows that depend on it', async () => {
    const { manager, requests, recorder } = setup({ accounts: { fail: 'Sales is down' }, products: moving });
    const started = await manager.start(input);
    const ended = await recorder.ended(started.run.id);
    expect(requests.map((request) => request.flow)).toEqual(['accounts', 'products']);
    expect(ended.run.flows.map(({ flow, status, error }) => ({ flow, status, error }))).toEqual([
      { flow: 'accounts', status: 'FAILED', error: 'Sales is down' },
      { flow: 'products', status: 'SUCCEEDED', error: null },
      { flow: 'contacts', status: 'CANCELLED', error: 'skipped: dependency accounts failed' },
      { flow: 'quotes', status: 'CANCELLED', error: 'skipped: dependency accounts failed' },
    ]);
    expect(ended.run.status).toBe('COMPLETED_WITH_ERRORS');
  });

  it("keeps each completed flow's notes and skip reasons with the run; a failed flow has no notes", async () => {
    const notes = [
      'The change-tracking token was refused (expired); reading everything again.',
      '3 record(s) deleted in Sales were not deleted in Finance.',
    ];
    const { manager, recorder } = setup({
      accounts: {
        pages: [
          { read: 4, created: 1, skips: { 'no account number': 3 } },
          { read: 2, skips: { 'no account number': 1, 'an odd reason': 1 } },
        ],
        notes,
      },
      products: { pages: [{ read: 1, created: 1 }], fail: 'Finance is down', notes: ['never stored'] },
    });
    const started = await manager.start({ ...input, flows: ['accounts', 'products'] });
    await recorder.ended(started.run.id);
    // Read back from the store, as the API reads it.
    const [accounts, products] = (await manager.snapshot(started.run.id))!.run.flows;
    expect(accounts).toMatchObject({
      status: 'SUCCEEDED',
      notes,
      counters: { read: 6, skipped: 5 },
      skips: [
        { reason: 'no account number', count: 4 },
        { reason: 'an odd reason', count: 1 },
      ],
    });
    expect(products).toMatchObject({ status: 'FAILED', error: 'Finance is down', notes: [], skips: [] });
  });

  it('refuses a second run of a flow in progress, naming the run', async () => {
    const hold = gate();
    const { manager, recorder } = setup({ accounts: { ...moving, beforePage: () => hold.opened } });
    const first = await manager.start({ ...input, flows: ['accounts'] });
    const refused = await manager
      .start({ ...input, flows: ['accounts', 'contacts'] })
      .catch((error) => error);
    expect(refused).toBeInstanceOf(SyncRequestError);
    expect(refused).toMatchObject({ code: 'SYNC_ALREADY_RUNNING', runId: first.run.id });
    expect(refused.message).toContain(first.run.id);
    hold.open();
    await recorder.ended(first.run.id);
  });

  it('runs runs of different flows at the same time', async () => {
    const hold = gate();
    const { manager, recorder } = setup({ accounts: { ...moving, beforePage: () => hold.opened } });
    const accounts = await manager.start({ ...input, flows: ['accounts'] });
    const products = await manager.start({ ...input, flows: ['products'] });
    expect((await recorder.ended(products.run.id)).run.status).toBe('SUCCEEDED');
    expect((await manager.snapshot(accounts.run.id))?.run.status).toBe('RUNNING');
    hold.open();
    expect((await recorder.ended(accounts.run.id)).run.status).toBe('SUCCEEDED');
  });
});

describe('validation', () => {
  it('lists every problem at once and creates no run', async () => {
    const { manager } = setup({}, { company: 'nope' });
    const refused = await manager
      .start({ ...input, flows: ['accounts', 'invoices' as never, 'accounts'] })
      .catch((error) => error);
    expect(refused).toBeInstanceOf(SyncRequestError);
    expect(refused.code).toBe('VALIDATION_FAILED');
    expect(refused.problems).toEqual([
      'company nope does not exist in Finance (it has usmf, usrt)',
      'flow invoices is unknown; the flows are accounts, products, contacts, quotes',
      'flow accounts is requested more than once',
    ]);
    expect((await store.runs.listRuns({ first: 10 })).items).toEqual([]);
  });

  it('refuses as UPSTREAM_UNAVAILABLE, naming Finance, when Finance cannot list its companies', async () => {
    const { manager } = setup({}, { financeCompanies: () => Promise.reject(unreachable('finance')) });
    const refused = await manager.start(input).catch((error) => error);
    expect(refused).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', system: 'finance', problems: [] });
    expect(refused.message).toBe(
      'The sync cannot start: the Finance legal entities could not be read to check USMF. ' +
        'Finance could not be reached for GET LegalEntities (ECONNREFUSED). Try again once Finance answers.',
    );
    expect((await store.runs.listRuns({ first: 10 })).items).toEqual([]);
  });

  it('lets an error that is no system failing surface as it is', async () => {
    const bug = new TypeError('companies is not iterable');
    const { manager } = setup({}, { financeCompanies: () => Promise.reject(bug) });
    expect(await manager.start(input).catch((error) => error)).toBe(bug);
  });
});

/** A request the system never answered: the connection was refused. */
function unreachable(system: 'sales' | 'finance'): ODataError {
  const path = system === 'finance' ? 'LegalEntities?$select=LegalEntityId' : 'pricelevels?$select=name';
  return networkError(
    { system, method: 'GET', path },
    Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
  );
}

describe('checking the products flow’s settings', () => {
  const missingList = "PRODUCTS_PRICE_LIST names 'Contract USD', which is not an active Sales price list";

  it('refuses a run with products while the configured price list is missing, and only such a run', async () => {
    const checked: string[] = [];
    const { manager, recorder } = setup(
      {},
      {
        productProblems: async () => {
          checked.push('products');
          return [missingList];
        },
      },
    );
    const refused = await manager.start(input).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(SyncRequestError);
    expect((refused as SyncRequestError).problems).toEqual([missingList]);
    const accounts = await manager.start({ ...input, flows: ['accounts', 'contacts'] });
    await recorder.ended(accounts.run.id);
    expect(checked).toEqual(['products']);
  });

  it('refuses as UPSTREAM_UNAVAILABLE, naming Sales, when Sales cannot list its price lists', async () => {
    const { manager } = setup({}, { productProblems: () => Promise.reject(unreachable('sales')) });
    const refused = await manager.start({ ...input, flows: ['products'] }).catch((error) => error);
    expect(refused).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', system: 'sales' });
    expect(refused.message).toBe(
      'The sync cannot start: the Sales price lists could not be read to check PRODUCTS_PRICE_LIST. ' +
        'Sales could not be reached for GET pricelevels (ECONNREFUSED). Try again once Sales answers.',
    );
  });
});

describe('the hub stopping and starting', () => {
  it('fails the runs a previous process left in progress', async () => {
    const left = await store.runs.createRun({ flows: ['accounts'], mode: 'FULL', dryRun: false });
    await store.runs.setRunStatus(left.id, 'RUNNING');
    const { manager, recorder } = setup();
    expect(await manager.recoverInterrupted()).toEqual([left.id]);
    const snapshot = await manager.snapshot(left.id);
    expect(snapshot?.run).toMatchObject({ status: 'FAILED', error: interruptedError });
    expect(recorder.of(left.id).map((event) => event.run.status)).toEqual(['FAILED']);
  });

  it('on shutdown interrupts the running runs (FAILED, to resume), waits for them, and refuses new ones', async () => {
    const { manager } = setup({
      accounts: { pages: [{ read: 1 }, { read: 1 }], beforePage: () => sleep(20) },
    });
    const started = await manager.start(input);
    await manager.shutdown();
    const run = (await manager.snapshot(started.run.id))?.run;
    expect(run).toMatchObject({ status: 'FAILED', error: shutdownInterruption });
    expect(run?.flows.map(({ status, error }) => ({ status, error }))).toEqual(
      run?.flows.map(() => ({ status: 'FAILED', error: shutdownInterruption })),
    );
    const refused = await manager.start(input).catch((error) => error);
    expect(refused).toMatchObject({
      code: 'VALIDATION_FAILED',
      message:
        'The sync cannot start: the hub is shutting down and starts no new sync runs; start it again once the hub is back.',
    });
  });
});

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
