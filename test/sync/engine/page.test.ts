/**
 * One page without any server: the outcomes `processPage` decides for a page of accounts against a target
 * held in memory, so the per-record rules (skip, duplicate key, dry run) are pinned down exactly.
 */
import { describe, expect, it } from 'vitest';
import { processPage, type PageContext } from '../../../src/sync/engine/page.js';
import type { TargetAdapter, TargetWrite } from '../../../src/sync/engine/write.js';
import { flows } from '../../../src/sync/flows/index.js';
import { withValueMaps } from '../../../src/sync/flows/value-maps.js';
import { createReferenceData } from '../../../src/sync/reference.js';
import type { PageOutcome } from '../../../src/sync/engine/outcomes.js';
import { matchKey } from '../../../src/vocabulary.js';

const account = (id: string, accountnumber: string | null) => ({
  accountid: id,
  accountnumber,
  name: `Account ${id}`,
  address1_country: 'Germany',
});

/**
 * The run store's key claims as the runner uses them: looked up for a page's keys, and a page's new claims
 * kept once the page commits (`commit`). `asked` lists the keys of every lookup, in order.
 */
function claimStore() {
  const claims = new Map<string, string>();
  const asked: string[][] = [];
  return {
    asked,
    claimedKeys: (keys: readonly string[]) => {
      asked.push([...keys]);
      const found = keys.flatMap((key) => {
        const holder = claims.get(matchKey(key));
        return holder === undefined ? [] : [[matchKey(key), holder] as const];
      });
      return Promise.resolve(new Map(found));
    },
    commit: (outcome: PageOutcome) => {
      for (const { key, claimedBy } of outcome.claims) claims.set(matchKey(key), claimedBy);
    },
  };
}

function context(
  written: TargetWrite[],
  dryRun = false,
  claims: ReturnType<typeof claimStore> = claimStore(),
): PageContext {
  const target: TargetAdapter = {
    readCurrent: () => Promise.resolve(new Map()),
    write: (records) => {
      written.push(...records);
      return Promise.resolve(records.map(() => ({ outcome: 'created' as const })));
    },
  };
  return {
    flow: flows.accounts,
    reference: createReferenceData({ currencies: [], units: [] }),
    valueMaps: withValueMaps(),
    targets: { customer: target },
    runId: 'run-1',
    dryRun,
    link: {
      entity: 'account',
      salesId: (source) => (source as { accountid: string }).accountid,
      financeCompany: 'usmf',
    },
    claimedKeys: claims.claimedKeys,
  };
}

describe('processPage', () => {
  it('skips unnumbered accounts with the reason, fails a reused number and creates the rest', async () => {
    const written: TargetWrite[] = [];
    const rows = [account('a', 'ACC-1'), account('b', null), account('c', 'acc-1'), account('d', 'ACC-2')];
    const outcome = await processPage(context(written), rows);
    expect(outcome.counters).toEqual({
      read: 4,
      created: 2,
      updated: 0,
      unchanged: 0,
      skipped: 1,
      failed: 1,
    });
    expect(outcome.skips).toEqual(new Map([['no account number', 1]]));
    expect(outcome.failures).toEqual([
      expect.objectContaining({ recordKey: 'acc-1', code: 'DUPLICATE_KEY' }),
    ]);
    expect(written.map((w) => [w.key, w.values['DeliveryAddressCountryRegionISOCode']])).toEqual([
      ['ACC-1', 'DEU'],
      ['ACC-2', 'DEU'],
    ]);
    expect(outcome.links.map((l) => l.salesId)).toEqual(['a', 'd']);
  });

  it('processes the same record read twice in one run, rather than calling it a duplicate', async () => {
    const claims = claimStore();
    const ctx = context([], false, claims);
    claims.commit(await processPage(ctx, [account('a', 'ACC-1')]));
    const again = await processPage(ctx, [account('a', 'ACC-1')]);
    expect(again.counters.failed).toBe(0);
    expect(again.claims).toEqual([]);
  });

  it('fails a key an earlier page claimed for another record, holding only its own page of keys', async () => {
    const claims = claimStore();
    const ctx = context([], false, claims);
    const first = await processPage(ctx, [account('a', 'ACC-1'), account('b', 'ACC-2')]);
    expect(first.claims).toEqual([
      { key: 'ACC-1', claimedBy: 'a' },
      { key: 'ACC-2', claimedBy: 'b' },
    ]);
    claims.commit(first);

    const second = await processPage(ctx, [account('z', 'acc-1'), account('d', 'ACC-3')]);
    expect(second.failures).toEqual([expect.objectContaining({ recordKey: 'acc-1', code: 'DUPLICATE_KEY' })]);
    expect(second.counters.created).toBe(1);
    // Each page asks the run store for its own keys and carries only its new claims to the commit: what
    // the engine holds is one page's worth, however many pages came before.
    expect(claims.asked).toEqual([
      ['ACC-1', 'ACC-2'],
      ['acc-1', 'ACC-3'],
    ]);
    expect(second.claims).toEqual([{ key: 'ACC-3', claimedBy: 'd' }]);
  });

  it('decides outcomes in a dry run without writing', async () => {
    const written: TargetWrite[] = [];
    const outcome = await processPage(context(written, true), [account('a', 'ACC-1')]);
    expect(outcome.counters.created).toBe(1);
    expect(written).toEqual([]);
  });
});
