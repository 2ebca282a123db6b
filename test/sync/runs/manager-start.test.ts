/**
 * Starting runs: validation before anything is created, one run per flow at a time, flows in dependency
 * order, skips after a failed dependency, and the final status each ending deserves.
 */
import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { sql } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';
import { networkError, type ODataError } from '../../../src/connectors/odata/errors.js';
import { SyncRequestError } from '../../../src/sync/runs/types.js';
import { shutdownInterruption } from '../../../src/sync/runs/manager.js';
import { gate, useManager, useRunStore, type FlowScript } from './support.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const store = useRunStore();
const setup = useManager(store, { company: 'USMF', progressIntervalMs: 5 });

const input = { mode: 'INCREMENTAL', dryRun: false } as const;
const moving: FlowScript = { pages: [{ read: 2, created: 1, updated: 1 }] };
/** Every flow, in the order a run of all of them runs them. */
const allFlows = ['accounts', 'products', 'contacts', 'quotes', 'orders', 'orderStatus', 'invoices'];

describe('starting a run', () => {
  it('returns the QUEUED run at once and runs all seven flows in dependency order to SUCCEEDED', async () => {
    const hold = gate();
    const { manager, requests, recorder } = await setup({
      accounts: { ...moving, beforePage: () => hold.opened },
    });
    const started = await manager.start({ ...input, requestedBy: 'admin@contoso.com' });
    expect(started.run).toMatchObject({ status: 'QUEUED', requestedBy: 'admin@contoso.com' });
    expect(started.run.flows.map((flow) => flow.flow)).toEqual(allFlows);
    hold.open();
    const ended = await recorder.ended(started.run.id);
    expect(ended.run.status).toBe('SUCCEEDED');
    expect(ended.run.flows.map((flow) => flow.status)).toEqual(allFlows.map(() => 'SUCCEEDED'));
    expect(requests.map((request) => request.flow)).toEqual(allFlows);
    expect(requests[0]).toMatchObject({ runId: started.run.id, mode: 'INCREMENTAL', dryRun: false });
  });

  it('orders the requested flows by dependency', async () => {
    const { manager, requests, recorder } = await setup();
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
    const { manager, recorder } = await setup(script as Parameters<typeof setup>[0]);
    const started = await manager.start({ ...input, flows: ['accounts', 'products'] });
    const ended = await recorder.ended(started.run.id);
    expect(ended.run.status).toBe(status);
    if (status === 'FAILED') expect(ended.run.error).toBeTruthy();
    else expect(ended.run.error).toBeNull();
  });

  it('skips a flow whose dependency failed, and the flows that depend on it', async () => {
    const { manager, requests, recorder } = await setup({
      accounts: { fail: 'Sales is down' },
      products: moving,
    });
    const started = await manager.start(input);
    const ended = await recorder.ended(started.run.id);
    expect(requests.map((request) => request.flow)).toEqual(['accounts', 'products']);
    expect(ended.run.flows.map(({ flow, status, error }) => ({ flow, status, error }))).toEqual([
      { flow: 'accounts', status: 'FAILED', error: 'Sales is down' },
      { flow: 'products', status: 'SUCCEEDED', error: null },
      { flow: 'contacts', status: 'CANCELLED', error: 'skipped: dependency accounts failed' },
      { flow: 'quotes', status: 'CANCELLED', error: 'skipped: dependency accounts failed' },
      { flow: 'orders', status: 'CANCELLED', error: 'skipped: dependency accounts failed' },
      { flow: 'orderStatus', status: 'CANCELLED', error: 'skipped: dependency orders failed' },
      { flow: 'invoices', status: 'CANCELLED', error: 'skipped: dependency orderStatus failed' },
    ]);
    expect(ended.run.status).toBe('COMPLETED_WITH_ERRORS');
  });

  it("keeps each completed flow's notes and skip reasons with the run; a failed flow has no notes", async () => {
    const notes = [
      'The change-tracking token was refused (expired); reading everything again.',
      '3 record(s) deleted in Sales were not deleted in Finance.',
    ];
    const { manager, recorder } = await setup({
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
    const { manager, recorder } = await setup({ accounts: { ...moving, beforePage: () => hold.opened } });
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

  it("runs a run's flows side by side as their dependencies allow: products beside accounts, contacts after it", async () => {
    const hold = gate();
    const { manager, requests, recorder } = await setup({
      accounts: { ...moving, beforePage: () => hold.opened },
    });
    const started = await manager.start(input);
    const flowStatus = async (flow: string) =>
      (await store.runs.getRun(started.run.id))?.flows.find((f) => f.flow === flow)?.status;
    // Products depends on nothing: it runs and ends while accounts holds its page.
    await until(async () => (await flowStatus('products')) === 'SUCCEEDED');
    expect(await flowStatus('accounts')).toBe('RUNNING');
    // Contacts waits for accounts, quotes for accounts, contacts and products.
    expect(await flowStatus('contacts')).toBe('QUEUED');
    expect(requests.map(({ flow }) => flow)).toEqual(['accounts', 'products']);
    hold.open();
    expect((await recorder.ended(started.run.id)).run.status).toBe('SUCCEEDED');
    expect(requests.map(({ flow }) => flow)).toEqual(allFlows);
  });

  it('runs runs of different flows at the same time', async () => {
    const hold = gate();
    const { manager, recorder } = await setup({ accounts: { ...moving, beforePage: () => hold.opened } });
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
    const { manager } = await setup({}, { company: 'nope' });
    const refused = await manager
      .start({ ...input, flows: ['accounts', 'shipments' as never, 'accounts'] })
      .catch((error) => error);
    expect(refused).toBeInstanceOf(SyncRequestError);
    expect(refused.code).toBe('VALIDATION_FAILED');
    expect(refused.problems).toEqual([
      'company nope does not exist in Finance (it has usmf, usrt)',
      'flow shipments is unknown; the flows are accounts, products, contacts, quotes, orders, orderStatus, invoices',
      'flow accounts is requested more than once',
    ]);
    expect((await store.runs.listRuns({ first: 10 })).items).toEqual([]);
  });

  it('refuses as UPSTREAM_UNAVAILABLE, naming Finance, when Finance cannot list its companies', async () => {
    const { manager } = await setup({}, { financeCompanies: () => Promise.reject(unreachable('finance')) });
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
    const { manager } = await setup({}, { financeCompanies: () => Promise.reject(bug) });
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
    const { manager, recorder } = await setup(
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
    const { manager } = await setup({}, { productProblems: () => Promise.reject(unreachable('sales')) });
    const refused = await manager.start({ ...input, flows: ['products'] }).catch((error) => error);
    expect(refused).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', system: 'sales' });
    expect(refused.message).toBe(
      'The sync cannot start: the Sales price lists could not be read to check PRODUCTS_PRICE_LIST. ' +
        'Sales could not be reached for GET pricelevels (ECONNREFUSED). Try again once Sales answers.',
    );
  });
});

/** A process of this machine that has exited: its pid names no live process. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

/** Makes the run RUNNING under an owner process that is gone, as a hub killed mid-run leaves it. */
async function leftByDeadProcess(runId: string, flow: 'accounts' | 'products', read: number) {
  await store.runs.setRunStatus(runId, 'RUNNING');
  await store.runs.setFlowStatus(runId, flow, 'RUNNING');
  await store.runs.commitPage({ runId, flow, counters: { read, created: read } });
  const pid = await deadPid();
  await store.database.db.execute(
    sql`update sync_runs set owner_instance = 'hub-gone', owner_host = ${hostname()}, owner_pid = ${pid},
        lease_expires_at = now() + interval '10 minutes' where id = ${runId}`,
  );
  return pid;
}

describe('the hub stopping and starting', () => {
  it('takes over a run whose executing process is gone, goes on with the flow it left, and says so', async () => {
    const left = await store.runs.createRun({ flows: ['accounts', 'products'], mode: 'FULL', dryRun: false });
    const pid = await leftByDeadProcess(left.id, 'accounts', 3);
    const { requests, recorder } = await setup({ accounts: { pages: [{ read: 2, created: 2 }] } });
    const { run } = await recorder.ended(left.id);
    expect(run.status).toBe('SUCCEEDED');
    // The flow in progress goes on (the engine resumes after its last committed page); the next starts anew.
    expect(requests.map(({ flow, resume }) => ({ flow, resume }))).toEqual([
      { flow: 'accounts', resume: true },
      { flow: 'products', resume: undefined },
    ]);
    expect(run.flows[0]?.counters).toMatchObject({ read: 5, created: 5 });
    expect(run.notes).toEqual([
      expect.stringMatching(
        new RegExp(
          `^Taken over by instance \\S+ \\(pid ${process.pid} on ${hostname()}\\) at [0-9T:-]+Z: ` +
            `instance hub-gone \\(pid ${pid} on ${hostname()}\\) stopped while this run was in progress; ` +
            'it went on after the last committed page\\.$',
        ),
      ),
    ]);
  });

  it('leaves alone a run whose owner holds its lease, and fails a dry run left behind, which cannot go on', async () => {
    const held = await store.runs.createRun({ flows: ['accounts'], mode: 'FULL', dryRun: false });
    await store.runs.setRunStatus(held.id, 'RUNNING');
    await store.database.db.execute(
      sql`update sync_runs set owner_instance = 'hub-elsewhere', owner_host = 'another-machine', owner_pid = 1,
          lease_expires_at = now() + interval '10 minutes' where id = ${held.id}`,
    );
    const dry = await store.runs.createRun({ flows: ['products'], mode: 'FULL', dryRun: true });
    await leftByDeadProcess(dry.id, 'products', 1);
    const { manager, recorder } = await setup({}, { begin: false });
    expect(await manager.recoverInterrupted()).toEqual([dry.id]);
    expect(await store.runs.getRun(dry.id)).toMatchObject({
      status: 'FAILED',
      error: expect.stringMatching(
        /^interrupted: instance hub-gone \(pid \d+ on \S+\) stopped while this run was in progress; a dry run keeps no read position to go on from, so start it again$/,
      ),
    });
    expect(recorder.of(dry.id).map((event) => event.run.status)).toEqual(['FAILED']);
    expect(await store.runs.getRun(held.id)).toMatchObject({
      status: 'RUNNING',
      ownerInstance: 'hub-elsewhere',
    });
  });

  it('stops a run another instance took over meanwhile (this one frozen past its lease) writing nothing more', async () => {
    const secondPage = gate();
    const reached = gate();
    const { manager, requests, recorder } = await setup({
      accounts: {
        pages: [{ read: 2, created: 2 }, { read: 2 }, { read: 2 }],
        beforePage: async (index) => {
          if (index !== 1) return;
          reached.open();
          await secondPage.opened;
        },
      },
    });
    // Contacts waits for accounts, so it has not started when the run is taken.
    const started = await manager.start({ ...input, flows: ['accounts', 'contacts'] });
    await reached.opened;
    // What a takeover leaves in the row while this instance does not look: another owner.
    await store.database.db.execute(
      sql`update sync_runs set owner_instance = 'hub-thief', owner_pid = 1, owner_host = 'elsewhere'
          where id = ${started.run.id}`,
    );
    secondPage.open();
    await until(() => manager.executing().length === 0);
    const run = await store.runs.getRun(started.run.id);
    expect(run).toMatchObject({ status: 'RUNNING', error: null, ownerInstance: 'hub-thief' });
    expect(
      run?.flows.map(({ flow, status, error, counters }) => ({ flow, status, error, read: counters.read })),
    ).toEqual([
      { flow: 'accounts', status: 'RUNNING', error: null, read: 2 },
      { flow: 'contacts', status: 'QUEUED', error: null, read: 0 },
    ]);
    expect(requests.map(({ flow }) => flow)).toEqual(['accounts']);
    expect(recorder.of(started.run.id).map((event) => event.run.status)).not.toContain('FAILED');
  });

  it('on shutdown, alone, interrupts the running runs (FAILED, to resume), waits for them, and refuses new ones', async () => {
    const hold = gate();
    const { manager } = await setup({
      accounts: { pages: [{ read: 1 }, { read: 1 }], beforePage: () => hold.opened },
    });
    const started = await manager.start(input);
    await until(() => manager.executing().includes(started.run.id));
    await manager.shutdown();
    const run = (await manager.snapshot(started.run.id))?.run;
    expect(run).toMatchObject({ status: 'FAILED', error: shutdownInterruption });
    // Products ran beside accounts and finished; the flows held or not started are interrupted.
    const interrupted = { status: 'FAILED', error: shutdownInterruption };
    expect(run?.flows.map(({ flow, status, error }) => ({ flow, status, error }))).toEqual([
      { flow: 'accounts', ...interrupted },
      { flow: 'products', status: 'SUCCEEDED', error: null },
      { flow: 'contacts', ...interrupted },
      { flow: 'quotes', ...interrupted },
      { flow: 'orders', ...interrupted },
      { flow: 'orderStatus', ...interrupted },
      { flow: 'invoices', ...interrupted },
    ]);
    const refused = await manager.start(input).catch((error) => error);
    expect(refused).toMatchObject({
      code: 'VALIDATION_FAILED',
      message:
        'The sync cannot start: the hub is shutting down and starts no new sync runs; start it again once the hub is back.',
    });
  });

  it('on shutdown, with another instance alive, hands the running run back after its page in hand, and that instance finishes it', async () => {
    const hold = gate();
    const first = await setup({
      accounts: {
        pages: [{ read: 1 }, { read: 1 }],
        beforePage: (i) => (i === 1 ? hold.opened : Promise.resolve()),
      },
    });
    const started = await first.manager.start({ ...input, flows: ['accounts'] });
    await until(async () => (await store.runs.getRun(started.run.id))?.totals.read === 1);
    // A second instance: its own queue workers, lease keeper and name.
    const second = await setup(
      { accounts: { pages: [{ read: 4, created: 4 }] } },
      { leases: { owner: { instance: 'hub-second', host: hostname(), pid: process.pid } } },
    );
    // The page in hand waits on `hold`, as on a slow back end; stopping the hub ends the wait.
    await first.manager.shutdown();
    const { run } = await second.recorder.ended(started.run.id);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.totals.read).toBe(5);
    expect(second.requests.map(({ resume }) => resume)).toEqual([true]);
    expect(run.notes).toEqual([
      expect.stringMatching(
        /^Taken over by instance hub-second .*: instance \S+ .* was stopped and handed the run back after committing its page in hand; it went on after the last committed page\.$/,
      ),
    ]);
  });

  it('keeps a run that was queued but not begun when a lone hub stops, and the next start runs it', async () => {
    const queued = await store.runs.createRun({ flows: ['accounts'], mode: 'INCREMENTAL', dryRun: false });
    const { recorder } = await setup();
    expect((await recorder.ended(queued.id)).run.status).toBe('SUCCEEDED');
  });
});

/** Resolves once `check` holds, looking every 10 ms for up to 10 s. */
async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  for (let waited = 0; waited < 10_000; waited += 10) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('the condition did not hold within 10 s');
}
