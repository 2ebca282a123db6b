/**
 * The Sales currencies and units every mapped value needs are read once for the operations that follow
 * one another, not once per operation; a sync run that finishes drops the copy, so the next operation
 * reads them again and sees what the run may have changed.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFinal } from '../../src/vocabulary.js';
import { resetSystems, startTestHub, type TestHub } from '../support/hub.js';

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub({ accounts: 300, seed: 1 }); // the README example's data set
});
afterAll(() => hub.close());

/** The README's example query: an account's currency, its quotes' lines, and its drift need both. */
const exampleQuery = /```graphql\n([\s\S]*?)```/.exec(
  readFileSync(new URL('../../README.md', import.meta.url), 'utf8'),
)![1]!;

interface Example {
  account: { currency: string | null; quotes: { lines: unknown[] }[]; sync: { state: string } };
}

async function askExample(): Promise<Example> {
  const { data, errors } = await hub.graphql<Example>(exampleQuery);
  expect(errors).toBeUndefined();
  return data!;
}

/** GET requests Sales answered for its currencies and for its units since the log was cleared. */
function referenceReads(): { currencies: number; units: number } {
  const sales = hub.simulators.sales.log;
  return {
    currencies: sales.httpRequests({ method: 'GET', entitySet: 'transactioncurrencies' }),
    units: sales.httpRequests({ method: 'GET', entitySet: 'uoms' }),
  };
}

/** Starts an INCREMENTAL accounts run through GraphQL and resolves once it has finished. */
async function syncAccounts(): Promise<string> {
  const finished = new Map<string, string>();
  let wake = (): void => undefined;
  const stop = hub.sync.events.subscribe('*', ({ run }) => {
    if (!isFinal(run.status)) return;
    finished.set(run.id, run.status);
    wake();
  });
  try {
    const { data, errors } = await hub.graphql<{ startSync: { id: string } }>(
      `mutation { startSync(input: { flows: [ACCOUNTS], mode: INCREMENTAL }) { id } }`,
    );
    expect(errors).toBeUndefined();
    const id = data!.startSync.id;
    while (!finished.has(id)) await new Promise<void>((resolve) => (wake = resolve));
    return finished.get(id)!;
  } finally {
    stop();
  }
}

describe('reference data', () => {
  it('reads the Sales currencies and units once for two operations in a row', async () => {
    resetSystems(hub);
    const first = await askExample();
    const second = await askExample();
    expect(first.account.currency).toMatch(/^[A-Z]{3}$/);
    expect(second).toEqual(first);
    expect(referenceReads()).toEqual({ currencies: 1, units: 1 });
  });

  it('reads them again, once, for the operations after a sync run finishes', async () => {
    await askExample();
    expect(await syncAccounts()).toBe('SUCCEEDED');
    resetSystems(hub);
    const first = await askExample();
    const second = await askExample();
    expect(first.account.currency).toMatch(/^[A-Z]{3}$/);
    expect(second.account.currency).toBe(first.account.currency);
    expect(referenceReads()).toEqual({ currencies: 1, units: 1 });
  });
});
