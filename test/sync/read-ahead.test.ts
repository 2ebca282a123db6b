/**
 * The read-ahead a page's lookups fill for its Finance targets: rows are given once, only for keys that
 * were all read ahead together, for each of the pages in flight (the last eight at most), so a target
 * never compares with rows that were not read for its page.
 */
import { describe, expect, it } from 'vitest';
import { createReadAhead } from '../../src/sync/flows/lookups.js';

const contactTargets = {
  personCustomer: { kind: 'customer', keyField: 'CustomerAccount' },
  contactPerson: { kind: 'contactPerson', keyField: 'ContactPersonId' },
} as const;

const row = (id: string) => ({ id });

describe('read-ahead of current target rows', () => {
  it("asks for every target's rows by the page's keys, in the order of the targets", () => {
    const ahead = createReadAhead(contactTargets);
    expect(ahead.reads(['C-1', 'C-2'])).toEqual([
      { kind: 'customer', property: 'CustomerAccount', values: ['C-1', 'C-2'] },
      { kind: 'contactPerson', property: 'ContactPersonId', values: ['C-1', 'C-2'] },
    ]);
  });

  it('gives a target its rows once, by key case-insensitively, a key without a row having none', () => {
    const ahead = createReadAhead(contactTargets);
    ahead.hold(
      ['C-1', 'C-2'],
      [new Map([['c-1', [row('customer 1')]]]), new Map([['c-2', [row('person 2')]]])],
    );
    expect(ahead.take('contactPerson', ['c-2', 'C-1'])).toEqual(new Map([['c-2', row('person 2')]]));
    expect(ahead.take('contactPerson', ['C-2'])).toBeUndefined();
    expect(ahead.take('personCustomer', ['C-1'])).toEqual(new Map([['c-1', row('customer 1')]]));
  });

  it('gives nothing for keys it did not read, so the target reads them itself', () => {
    const ahead = createReadAhead(contactTargets);
    expect(ahead.take('personCustomer', ['C-1'])).toBeUndefined();
    ahead.hold(['C-1'], [new Map(), new Map()]);
    expect(ahead.take('personCustomer', ['C-1', 'C-9'])).toBeUndefined();
  });

  it('holds each page in flight apart, the last eight at most', () => {
    const ahead = createReadAhead(contactTargets);
    for (let page = 1; page <= 9; page += 1)
      ahead.hold([`C-${page}`], [new Map([[`c-${page}`, [row(`page ${page}`)]]]), new Map()]);
    // The oldest was pushed out; the others are each given to their own page, in any order.
    expect(ahead.take('personCustomer', ['C-1'])).toBeUndefined();
    expect(ahead.take('personCustomer', ['C-9'])).toEqual(new Map([['c-9', row('page 9')]]));
    expect(ahead.take('personCustomer', ['C-2'])).toEqual(new Map([['c-2', row('page 2')]]));
    // Rows for keys read on two pages are not mixed: a page's keys must all come from one read.
    expect(ahead.take('personCustomer', ['C-3', 'C-4'])).toBeUndefined();
  });
});
